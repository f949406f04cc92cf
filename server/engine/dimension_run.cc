// The host side of one dimension's run.
#include "server/engine/dimension_run.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace healthscore::engine {
namespace {

// The ScoreSink one dimension scores one batch into: statuses straight into
// the customers' DimensionResult.
struct DimensionRun {
  std::span<v1::CustomerScore* const> out;
  int dimension = 0;
  std::string error;

  v1::DimensionResult* Result(uint32_t row) const {
    return out[row]->mutable_dimensions(dimension);
  }

  void Status(uint32_t row, hs_status status, const char* message) {
    v1::DimensionResult* result = Result(row);
    switch (status) {
      case HS_STATUS_OK:
        result->set_status(v1::DIMENSION_STATUS_OK);
        result->clear_status_reason();
        return;
      case HS_STATUS_INSUFFICIENT_DATA:
        result->set_status(v1::DIMENSION_STATUS_INSUFFICIENT_DATA);
        break;
      default:
        result->set_status(v1::DIMENSION_STATUS_FAILED);
        break;
    }
    result->set_status_reason(message != nullptr ? message : "");
  }

  void Error(const char* message) {
    error = message != nullptr ? message : "no reason given";
  }
};

void Fail(v1::DimensionResult* result, std::string reason) {
  result->set_status(v1::DIMENSION_STATUS_FAILED);
  result->set_status_reason(std::move(reason));
}

// How far the sum of a row's impacts may be from its score less the neutral
// 50 before the reasons count as not explaining it.
constexpr double kExplainTolerance = 1e-6;

}  // namespace

// Runs one dimension over the whole batch, then turns whatever the plugin did
// wrong into FAILED rows: a failed batch, a NaN or out-of-range score, and
// (when explaining) reasons that do not add up to the score.
// `out` holds the rows [first_row, first_row + out.size()) of `batch`.
void RunDimension(const BoundDimension& dim, int index,
                  const BatchColumns& batch, size_t first_row, bool explain,
                  Records& records, std::span<v1::CustomerScore* const> out) {
  const uint32_t num_rows = static_cast<uint32_t>(out.size());
  std::vector<const double*> columns;
  columns.reserve(dim.signal_columns.size());
  for (int c : dim.signal_columns) {
    columns.push_back(batch.column(c) + first_row);
  }
  std::vector<double> scores(num_rows,
                             std::numeric_limits<double>::quiet_NaN());
  DimensionRun run{out, index, {}};
  const hs_result result =
      dim.instance->Score(columns, scores, explain, records, run);
  thread_local std::vector<double> explained;
  if (explain) {
    explained.assign(num_rows, HS_NEUTRAL_SCORE);
    for (const hs_reason_record& r : records.reasons) {
      explained[r.row] += r.impact;
    }
  }
  const std::string& id = dim.plugin->id();
  for (uint32_t row = 0; row < num_rows; ++row) {
    v1::DimensionResult* r = out[row]->mutable_dimensions(index);
    if (result != HS_OK) {
      Fail(r, absl::StrCat(id, " failed the batch: ",
                           run.error.empty() ? "no reason given" : run.error));
    } else if (r->status() == v1::DIMENSION_STATUS_OK) {
      const double s = scores[row];
      if (std::isnan(s)) {
        Fail(r, absl::StrCat(id, " returned NaN"));
      } else if (!(s >= 0 && s <= 100)) {
        Fail(r, absl::StrFormat("%s returned %g, outside 0-100", id, s));
      } else if (explain &&
                 !(std::fabs(explained[row] - s) <= kExplainTolerance)) {
        Fail(r, absl::StrFormat("%s scored %.6g, but its reasons add up to "
                                "%.6g (50 + their impacts): a plugin bug",
                                id, s, explained[row]));
      } else {
        r->set_score(s);
      }
    }
    if (r->status() != v1::DIMENSION_STATUS_OK) r->set_score(0);
  }
}

}  // namespace healthscore::engine
