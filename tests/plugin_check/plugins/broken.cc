// Deliberately broken dimensions for healthscore-plugin-check's tests: one
// well-behaved model, built once per defect with HS_DEFECT naming the one
// thing that variant gets wrong, so each should fail exactly the check meant
// to catch it.
//
// The model: x (percent, required) and y (count, optional, saturating
// sub-score 100 * y / (y + 10)); the score is x, or the mean of x and y's
// sub-score when y is present. x missing is INSUFFICIENT_DATA; an infinite
// input is FAILED.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>

#include "healthscore/sdk/dimension.h"

namespace {

namespace sdk = healthscore::sdk;

enum class Defect {
  kOutOfRange,        // scores up to 150
  kNanLeak,           // y missing: an OK NaN score
  kInfinite,          // no guard: infinities come back as OK NaN/inf scores
  kNonMonotonic,      // y is declared higher-is-better but lowers the score
  kNondeterministic,  // every other batch scores half a point higher
  kRacy,              // fails every row while another call is in flight
  kRefuses,           // refuses the default parameters
};

constexpr Defect kDefect = Defect::HS_DEFECT;

class Broken : public sdk::Dimension {
 public:
  static sdk::Info Describe() {
    return {
        .name = HEALTHSCORE_PLUGIN_NAME,
        .version = HEALTHSCORE_PLUGIN_VERSION,
        .description = "Test plugin: broken on purpose.",
        .signals = {{.name = "x",
                     .unit = "percent",
                     .requirement = sdk::Requirement::kRequired,
                     .min = 0,
                     .max = 100},
                    {.name = "y",
                     .unit = "count",
                     .requirement = sdk::Requirement::kOptional,
                     .min = 0}},
        .params = {
            {.name = "threshold", .default_value = 0, .min = 0, .max = 100}}};
  }

  explicit Broken(const sdk::Params& params) {
    if (kDefect == Defect::kRefuses && params.Get("threshold") == 0) {
      throw std::invalid_argument("threshold must be set in the scorecard");
    }
  }

  void Score(const sdk::Batch& batch, sdk::Output& out) const override {
    const auto x = batch.Column("x");
    const auto y = batch.Column("y");
    // Shared by every call on every thread: the bug in the two variants
    // that use it.
    static std::atomic<int> calls{0};
    static std::atomic<int> in_flight{0};
    const bool odd_call = calls.fetch_add(1) % 2 == 1;
    const bool busy = in_flight.fetch_add(1) > 0;
    for (uint32_t row = 0; row < batch.num_rows(); ++row) {
      if (sdk::IsMissing(x[row])) {
        out.SetInsufficientData(row, "missing required signal x");
        continue;
      }
      if (kDefect != Defect::kInfinite &&
          (std::isinf(x[row]) || std::isinf(y[row]))) {
        out.SetFailed(row, "an infinite input");
        continue;
      }
      if (kDefect == Defect::kRacy && busy) {
        out.SetFailed(row, "busy: another batch is being scored");
        continue;
      }
      double y_sub = 100 * y[row] / (y[row] + 10);
      if (kDefect == Defect::kNonMonotonic) y_sub = 100 - y_sub;
      double score = x[row];
      if (kDefect == Defect::kNanLeak || !sdk::IsMissing(y[row])) {
        score = (x[row] + y_sub) / 2;
      }
      if (kDefect == Defect::kOutOfRange) score *= 1.5;
      if (kDefect == Defect::kNondeterministic) {
        score = 0.99 * score + (odd_call ? 0.5 : 0);
      }
      out.SetScore(row, score);
      out.AddReason(row, {.rule_id = "x",
                          .signal = "x",
                          .observed = x[row],
                          .impact = score - 50,
                          .message = "x is " + std::to_string(x[row])});
    }
    in_flight.fetch_sub(1);
  }
};

}  // namespace

HEALTHSCORE_DIMENSION(Broken)
