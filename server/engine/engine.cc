// The scoring engine.
#include "server/engine/engine.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace healthscore {
namespace {

// What the host callbacks write to while one dimension scores one batch:
// straight into the customers' DimensionResult, so nothing is copied twice.
struct DimensionRun {
  std::span<v1::CustomerScore* const> out;
  int dimension = 0;
  bool explain = false;
  std::string error;

  v1::DimensionResult* Result(uint32_t row) const {
    if (row >= out.size()) return nullptr;  // a misbehaving C plugin
    return out[row]->mutable_dimensions(dimension);
  }
};

DimensionRun& Run(void* ctx) { return *static_cast<DimensionRun*>(ctx); }

int32_t WantsExplanation(void* ctx) { return Run(ctx).explain ? 1 : 0; }

void EmitReason(void* ctx, uint32_t row, const hs_reason* reason) {
  v1::DimensionResult* result = Run(ctx).Result(row);
  if (result == nullptr || reason == nullptr || !Run(ctx).explain) return;
  v1::Reason* r = result->add_reasons();
  if (reason->rule_id != nullptr) r->set_rule_id(reason->rule_id);
  if (reason->signal != nullptr) r->set_signal(reason->signal);
  if (std::isfinite(reason->observed)) r->set_observed(reason->observed);
  if (std::isfinite(reason->threshold)) r->set_threshold(reason->threshold);
  r->set_impact(std::isfinite(reason->impact) ? reason->impact : 0);
  if (reason->message != nullptr) r->set_message(reason->message);
}

void EmitAction(void* ctx, uint32_t row, const char* action) {
  v1::DimensionResult* result = Run(ctx).Result(row);
  if (result == nullptr || action == nullptr || !Run(ctx).explain) return;
  result->add_actions(action);
}

void SetStatus(void* ctx, uint32_t row, hs_status status, const char* message) {
  v1::DimensionResult* result = Run(ctx).Result(row);
  if (result == nullptr) return;
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

void SetError(void* ctx, const char* message) {
  Run(ctx).error = message != nullptr ? message : "no reason given";
}

const hs_host_api kHostApi = {sizeof(hs_host_api), &WantsExplanation,
                              &EmitReason,         &EmitAction,
                              &SetStatus,          &SetError};

void Fail(v1::DimensionResult* result, std::string reason) {
  result->set_status(v1::DIMENSION_STATUS_FAILED);
  result->set_status_reason(std::move(reason));
}

// Runs one dimension over the whole batch, then turns whatever the plugin did
// wrong into FAILED rows.
void RunDimension(const BoundDimension& dim, int index,
                  const BatchColumns& batch, bool explain,
                  std::span<v1::CustomerScore* const> out) {
  std::vector<const double*> columns;
  columns.reserve(dim.signal_columns.size());
  for (int c : dim.signal_columns) columns.push_back(batch.columns[c].data());
  const hs_batch in{batch.num_rows, static_cast<uint32_t>(columns.size()),
                    columns.data()};
  std::vector<double> scores(batch.num_rows,
                             std::numeric_limits<double>::quiet_NaN());
  DimensionRun run{out, index, explain, {}};
  const hs_result result = dim.plugin->api().score_batch(
      dim.instance, &in, &kHostApi, &run, scores.data());
  const std::string& id = dim.plugin->id();
  for (uint32_t row = 0; row < batch.num_rows; ++row) {
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
      } else {
        r->set_score(s);
      }
    }
    if (r->status() != v1::DIMENSION_STATUS_OK) {
      // Reasons explain a score; a dimension without one keeps only why.
      r->clear_reasons();
      r->clear_actions();
      r->set_score(0);
    }
  }
}

void AddDrivers(v1::CustomerScore& score) {
  struct Candidate {
    double impact;
    const v1::DimensionResult* dimension;
    const v1::Reason* reason;
  };
  std::vector<Candidate> up;
  std::vector<Candidate> down;
  for (const v1::DimensionResult& d : score.dimensions()) {
    for (const v1::Reason& r : d.reasons()) {
      const double impact = d.effective_weight() * r.impact();
      if (impact > 0) up.push_back({impact, &d, &r});
      if (impact < 0) down.push_back({impact, &d, &r});
    }
  }
  auto add = [](std::vector<Candidate>& from, auto better,
                google::protobuf::RepeatedPtrField<v1::Driver>* to) {
    const size_t n = std::min<size_t>(from.size(), kTopDrivers);
    std::partial_sort(from.begin(), from.begin() + n, from.end(), better);
    for (size_t i = 0; i < n; ++i) {
      v1::Driver* d = to->Add();
      d->set_dimension(from[i].dimension->name());
      d->set_rule_id(from[i].reason->rule_id());
      d->set_signal(from[i].reason->signal());
      d->set_impact(from[i].impact);
      d->set_message(from[i].reason->message());
    }
  };
  add(
      up,
      [](const Candidate& a, const Candidate& b) {
        return a.impact > b.impact;
      },
      score.mutable_top_drivers_up());
  add(
      down,
      [](const Candidate& a, const Candidate& b) {
        return a.impact < b.impact;
      },
      score.mutable_top_drivers_down());
}

}  // namespace

std::vector<absl::Status> ScoreBatch(const Snapshot& snapshot,
                                     const BatchColumns& batch,
                                     v1::Explain explain,
                                     std::span<v1::CustomerScore* const> out) {
  if (explain == v1::EXPLAIN_UNSPECIFIED) explain = v1::EXPLAIN_SUMMARY;
  const bool wants_reasons = explain != v1::EXPLAIN_NONE;
  const auto& dims = snapshot.dimensions();

  for (v1::CustomerScore* score : out) {
    for (const BoundDimension& d : dims) {
      v1::DimensionResult* r = score->add_dimensions();
      r->set_name(d.name);
      r->set_plugin(d.plugin->id());
      r->set_weight(d.weight);
      r->set_status(v1::DIMENSION_STATUS_OK);
    }
  }
  for (size_t i = 0; i < dims.size(); ++i) {
    RunDimension(dims[i], static_cast<int>(i), batch, wants_reasons, out);
  }

  std::vector<absl::Status> statuses(batch.num_rows);
  for (uint32_t row = 0; row < batch.num_rows; ++row) {
    v1::CustomerScore& score = *out[row];
    double scored_weight = 0;
    for (const v1::DimensionResult& d : score.dimensions()) {
      if (d.status() == v1::DIMENSION_STATUS_OK) scored_weight += d.weight();
    }
    if (scored_weight <= 0) {
      std::string why;
      for (const v1::DimensionResult& d : score.dimensions()) {
        absl::StrAppend(&why, why.empty() ? "" : "; ", d.name(), ": ",
                        d.status() == v1::DIMENSION_STATUS_OK
                            ? "weight 0"
                            : d.status_reason());
      }
      statuses[row] = absl::FailedPreconditionError(absl::StrCat(
          "no dimension with weight could score this customer (", why, ")"));
      continue;
    }
    double total = 0;
    for (v1::DimensionResult& d : *score.mutable_dimensions()) {
      if (d.status() != v1::DIMENSION_STATUS_OK) continue;
      const double share = d.weight() / scored_weight;
      d.set_effective_weight(share);
      d.set_contribution(share * d.score());
      d.set_points_lost(share * (100 - d.score()));
      total += d.contribution();
    }
    total = std::clamp(total, 0.0, 100.0);
    score.set_score(total);
    score.set_coverage(scored_weight / snapshot.total_weight());
    const BandSpec& band = snapshot.BandFor(total);
    score.set_band(band.name);
    score.set_grade(band.grade);
    if (wants_reasons) AddDrivers(score);
    if (explain != v1::EXPLAIN_FULL) {
      for (v1::DimensionResult& d : *score.mutable_dimensions()) {
        d.clear_reasons();
        d.clear_actions();
      }
    }
    *score.mutable_provenance() = snapshot.provenance();
  }
  return statuses;
}

}  // namespace healthscore
