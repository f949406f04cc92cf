// The built-in "expansion_potential" dimension: how ripe the account is for
// more seats or a bigger plan. Scoring logic only; plugin.cc exports it.
#ifndef HEALTHSCORE_PLUGINS_EXPANSION_POTENTIAL_EXPANSION_POTENTIAL_H_
#define HEALTHSCORE_PLUGINS_EXPANSION_POTENTIAL_EXPANSION_POTENTIAL_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Scores expansion potential 0-100 from three components, each a sub-score
// 0-100:
//
//   seats   = 0 when seat_utilization_pct <= seat_shelfware_pct (50), 100
//             when it is >= seat_expansion_pct (90), linear in between: an
//             account near its seat limit needs more seats, one with half its
//             seats unused is more likely to cut than to buy
//   growth  = 0 when usage_growth_90d_pct <= usage_growth_floor_pct (-20),
//             100 when >= usage_growth_target_pct (+20), linear in between:
//             the trend, a leading indicator of the next seat count
//   upsell  = 100 * min(1, upsell_offers_engaged_90d /
//             target_upsell_engagements_90d)
//
// The dimension score is the weighted mean of the components present
// (weight_seats, weight_growth, weight_upsell, renormalized over them): seats
// is always present (the signal is required), growth and upsell when their
// signal is. Missing optional data therefore neither helps nor hurts.
//
// Explanation: the baseline is 50; each component's reason has impact
// (w_i / sum of present w) * (sub_i - 50), so 50 + the sum of the impacts ==
// the score. Actions: below low_score_action_below, drive adoption first;
// above high_score_action_above, propose an upgrade; seats at or below the
// shelfware mark, activate them before the renewal.
//
// seat_utilization_pct missing (NaN) makes the row INSUFFICIENT_DATA; an
// infinite input makes it FAILED. Non-finite scores are never written as OK.
// Monotonic: raising any signal never lowers the score (all are
// higher-is-better).
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class ExpansionPotential : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when the
  // parameters are inconsistent (e.g. seat_shelfware_pct >=
  // seat_expansion_pct).
  explicit ExpansionPotential(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  struct Row {
    double seat_pct;
    double growth_pct;  // NaN when missing
    double upsell;      // NaN when missing
  };

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic.
  struct Evaluation {
    double seats_sub = 0;
    double growth_sub = 0;
    double upsell_sub = 0;
    bool has_growth = false;
    bool has_upsell = false;
    // Effective weights: configured weights renormalized over present
    // components; they sum to 1.
    double seats_share = 0;
    double growth_share = 0;
    double upsell_share = 0;
    double score = 0;
  };

  // REQUIRES: row.seat_pct is not NaN; no field is infinite. Returns false
  // when no component with a non-zero weight has data.
  bool Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  double seat_shelfware_pct_;
  double seat_expansion_pct_;
  double usage_growth_floor_pct_;
  double usage_growth_target_pct_;
  double target_upsell_engagements_;
  double weight_seats_;
  double weight_growth_;
  double weight_upsell_;
  double low_score_action_below_;
  double high_score_action_above_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_EXPANSION_POTENTIAL_EXPANSION_POTENTIAL_H_
