// The built-in "advocacy" dimension: how willing the customer is to vouch for
// us (NPS and its trend, referrals, social mentions, testimonials, reviews).
// Scoring logic only; plugin.cc exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_ADVOCACY_ADVOCACY_H_
#define HEALTHSCORE_PLUGINS_ADVOCACY_ADVOCACY_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Scores advocacy 0-100 from five components, each a sub-score 0-100:
//
//   nps          = 0 when account_nps <= nps_floor, 100 when it is >=
//                  nps_target, linear in between (defaults -50 and +50, so an
//                  NPS of 0 is the neutral 50)
//   referrals    = 100 * min(1, referrals_12m / target_referrals_12m)
//   mentions     = 100 * min(1, positive_social_mentions_90d /
//                               target_social_mentions_90d)
//   testimonials = 100 * min(1, testimonials_12m / target_testimonials_12m)
//   reviews      = 100 * min(1, positive_reviews_12m / target_reviews_12m)
//
// The dimension score is the weighted mean of the components present
// (weight_*, renormalized over them): NPS is required, the others count when
// present. Missing optional data neither helps nor hurts.
//
// NPS trend: when account_nps fell by nps_drop_alert_points or more against
// account_nps_prev (the previous survey round), the score loses
// trend_penalty_per_point points per point of the fall, at most
// trend_penalty_max, never going below 0 (a 20-point fall costs 5 by default).
//
// Bands: at or above advocate_min_score (80) the customer is a strong advocate
// and an action suggests asking for a reference; below at_risk_below (40)
// advocacy is at risk and an action asks to close the loop with detractors.
// Band reasons have impact 0.
//
// Explanation: the baseline is 50. Each component's reason has impact
// (w_i / sum of present w) * (sub_i - 50); the trend penalty is its own
// negative reason. So 50 + the sum of all impacts == the score.
//
// account_nps missing (NaN) makes the row INSUFFICIENT_DATA; an infinite input
// makes it FAILED. Non-finite scores are never written as OK.
//
// Monotonic: raising any higher-is-better signal never lowers the score.
// account_nps_prev is declared lower-is-better: it is only the trend's
// reference, and with the current NPS fixed a higher previous NPS means a
// steeper fall.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class Advocacy : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when the
  // parameters are inconsistent (nps_floor >= nps_target, every weight 0,
  // at_risk_below above advocate_min_score).
  explicit Advocacy(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  // Component order everywhere: nps, referrals, mentions, testimonials,
  // reviews.
  static constexpr int kNumComponents = 5;

  struct Row {
    double value[kNumComponents];  // value[0] is account_nps; NaN: missing
    double prev_nps;               // NaN when missing
  };

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic.
  struct Evaluation {
    bool present[kNumComponents] = {};
    double sub[kNumComponents] = {};
    // Configured weights renormalized over the present components; they sum
    // to 1.
    double share[kNumComponents] = {};
    double base = 0;  // weighted mean of sub-scores, before the trend penalty
    bool trend_fired = false;
    double drop_points = 0;
    double penalty = 0;  // points actually taken off (0 <= penalty <= base)
    double score = 0;
  };

  // REQUIRES: row.value[0] (account_nps) is not NaN. Returns false when no
  // component with a non-zero weight has data.
  bool Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  double nps_floor_;
  double nps_target_;
  // target_[0] is unused: NPS has a floor and a target instead.
  double target_[kNumComponents];
  double weight_[kNumComponents];
  double nps_drop_alert_points_;
  double trend_penalty_per_point_;
  double trend_penalty_max_;
  double advocate_min_score_;
  double at_risk_below_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_ADVOCACY_ADVOCACY_H_
