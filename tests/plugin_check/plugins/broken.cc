// Deliberately broken dimensions for healthscore-plugin-check's tests: one
// well-behaved model, built once per defect with HS_DEFECT naming the one
// thing that variant gets wrong, so each should fail exactly the check meant
// to catch it.
//
// The model: x (percent, required) and y (count, optional, saturating
// sub-score 100 * y / (y + 10), 50 at y = 10); the score is x, or the mean of
// x and y's sub-score when y is present. An infinite input is FAILED (the
// server never sends one, the checker does). x is never missing here: the
// host marks a row without it INSUFFICIENT_DATA and never passes it on.
//
// Reasons: y's is (sub-score - 50) / 2; x's is the rest of the score, so
// 50 + the impacts is the score whatever a variant does to it (unless the
// variant is about the reasons); x_full (impact 0) says x is at its maximum.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

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
                      // (and stays in flight a while, so that calls from
                      // several threads do overlap)
  kRefuses,           // refuses the default parameters
  kUnexplained,       // x's impact forgets x's share: with y present the
                      // reasons add up to more than the score
  kWrongSign,         // x's raises and lowers wordings swapped: raises says
                      // "below" of a higher-is-better signal
  kRaisesOnly,        // y declares only a raises wording, yet y < 10 lowers
                      // the score
  kDeadRule,          // x_full tests x > 100, which x's bounds never allow
  kNanPlaceholder,    // x's record leaves threshold NaN; its wording reads it
  kBadTemplate,       // x's neutral text reads {obsrved}: refused at load
  kBadRecord,         // writes x_full's records by hand, past the SDK's
                      // checks, with the rule index one past the last rule
};

constexpr Defect kDefect = Defect::HS_DEFECT;

class Broken : public sdk::Dimension {
 public:
  // In the order of Describe()'s rules.
  enum RuleIndex : uint32_t { kX, kY, kXFull, kNumRules };

  static sdk::Info Describe() {
    sdk::Rule x{.id = "x",
                .signal = "x",
                .raises = "x is {observed}, above {threshold}",
                .lowers = "x is {observed}, below {threshold}",
                .text = "x is {observed}"};
    if (kDefect == Defect::kWrongSign) std::swap(x.raises, x.lowers);
    if (kDefect == Defect::kBadTemplate) x.text = "x is {obsrved}";
    sdk::Rule y{.id = "y",
                .signal = "y",
                .raises = "y is {observed}, more than {threshold}",
                .lowers = "y is only {observed}, fewer than {threshold}",
                .text = "y is {observed}"};
    if (kDefect == Defect::kRaisesOnly) {
      y.lowers.clear();
      y.text.clear();
    }
    return {.description = "Test plugin: broken on purpose.",
            .signals = {{.name = "x",
                         .unit = "percent",
                         .requirement = sdk::Requirement::kRequired,
                         .min = 0,
                         .max = 100,
                         .typical_min = 20,
                         .typical_max = 95},
                        {.name = "y",
                         .unit = "count",
                         .requirement = sdk::Requirement::kOptional,
                         .min = 0,
                         .typical_min = 0,
                         .typical_max = 50}},
            .params = {{.name = "threshold",
                        .default_value = 0,
                        .min = 0,
                        .max = 100}},
            .rules = {x,
                      y,
                      {.id = "x_full",
                       .signal = "x",
                       .text = "x is at its maximum, {observed}"}}};
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
      if (kDefect != Defect::kInfinite &&
          (std::isinf(x[row]) || std::isinf(y[row]))) {
        out.SetFailed(row, "an infinite input");
        continue;
      }
      if (kDefect == Defect::kRacy && busy) {
        out.SetFailed(row, "busy: another batch is being scored");
        continue;
      }
      const bool has_y = !sdk::IsMissing(y[row]);
      double y_sub = 100 * y[row] / (y[row] + 10);
      if (kDefect == Defect::kNonMonotonic) y_sub = 100 - y_sub;
      double score = x[row];
      if (kDefect == Defect::kNanLeak || has_y) {
        score = (x[row] + y_sub) / 2;
      }
      if (kDefect == Defect::kOutOfRange) score *= 1.5;
      if (kDefect == Defect::kNondeterministic) {
        score = 0.99 * score + (odd_call ? 0.5 : 0);
      }
      out.SetScore(row, score);
      // Only the NanLeak and Infinite variants get here with a NaN or
      // infinite score: nothing to explain (and a record's impact must be
      // finite, or the host fails the batch).
      if (!std::isfinite(score)) continue;

      const double y_impact = has_y ? (y_sub - sdk::kNeutral) / 2 : 0;
      double x_impact = score - sdk::kNeutral - y_impact;
      if (kDefect == Defect::kUnexplained) x_impact = x[row] - sdk::kNeutral;
      out.Reason(
          row, kX, x_impact,
          {.observed = x[row],
           .threshold = kDefect == Defect::kNanPlaceholder ? sdk::kNone
                                                           : sdk::kNeutral});
      if (has_y) {
        out.Reason(row, kY, y_impact, {.observed = y[row], .threshold = 10});
      }
      const bool full =
          kDefect == Defect::kDeadRule ? x[row] > 100 : x[row] >= 100;
      if (full && kDefect != Defect::kBadRecord) {
        out.Reason(row, kXFull, 0, {.observed = x[row]});
      }
    }
    // Scoring takes microseconds; without this pause the checker's threads
    // would rarely be inside the plugin at the same moment.
    if (kDefect == Defect::kRacy) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    in_flight.fetch_sub(1);
  }
};

}  // namespace

#ifdef HS_DEFECT_IS_BadRecord
// The BadRecord variant's entry point: the SDK's table with a score_batch that
// also writes x_full's reason records straight into the host's array, as a
// hand-written C plugin would, bypassing the SDK's Output (which checks the
// rule index itself) so that the host's own check of the records is what
// catches the index one past the last rule.
namespace {

const hs_plugin_v2* SdkTable() {
  return sdk::internal::Adapter<Broken>::Entry();
}

hs_result ScoreWithBadRecord(const hs_instance* instance, const hs_batch* batch,
                             hs_output* out, const hs_host_api* host,
                             void* ctx) {
  const hs_result result =
      SdkTable()->score_batch(instance, batch, out, host, ctx);
  if (result != HS_OK || out->explain == 0) return result;
  const double* x = batch->columns[0];
  for (uint32_t row = 0; row < batch->num_rows; ++row) {
    if (!(x[row] >= 100) || std::isinf(x[row])) continue;
    if (out->num_reasons == out->reasons_capacity &&
        host->grow(ctx, out, 0) == 0) {
      host->set_error(ctx, "the host could not make room for more reasons");
      return HS_ERROR;
    }
    hs_reason_record& r = out->reasons[out->num_reasons++];
    r.row = row;
    r.rule = Broken::kNumRules;  // meant Broken::kXFull; names no rule
    r.impact = 0;
    r.observed = x[row];
    r.threshold = sdk::kNone;
    for (double& arg : r.args) arg = sdk::kNone;
  }
  return HS_OK;
}

}  // namespace

extern "C" HS_EXPORT uint32_t hs_plugin_abi_version(void) {
  return HS_ABI_VERSION;
}
extern "C" HS_EXPORT const hs_plugin_v2* hs_plugin_entry(void) {
  static const hs_plugin_v2 table = [] {
    hs_plugin_v2 t = *SdkTable();
    t.score_batch = &ScoreWithBadRecord;
    return t;
  }();
  return &table;
}
#else
HEALTHSCORE_DIMENSION(Broken)
#endif
