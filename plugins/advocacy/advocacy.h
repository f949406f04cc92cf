// The built-in "advocacy" dimension: how willing the customer is to vouch for
// us (NPS and its trend, referrals, social mentions, testimonials, reviews).
// plugin.cc exports it as a plugin; docs/dimensions/advocacy.md is the spec.
#ifndef HEALTHSCORE_PLUGINS_ADVOCACY_ADVOCACY_H_
#define HEALTHSCORE_PLUGINS_ADVOCACY_ADVOCACY_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// One customer's inputs. nps is never missing (required); the others may be
// NaN.
struct AdvocacyRow {
  double nps;
  double prev_nps;
  double referrals;
  double mentions;
  double testimonials;
  double reviews;
};

// Scores advocacy 0-100 from five components, each a sub-score 0-100:
//
//   nps          = 0 at or below nps_floor, 100 at or above nps_target,
//                  linear between (defaults -50 and +50: NPS 0 is 50)
//   referrals    = 100 * min(1, referrals_12m / target_referrals_12m)
//   mentions     = 100 * min(1, positive_social_mentions_90d /
//                               target_social_mentions_90d)
//   testimonials = 100 * min(1, testimonials_12m / target_testimonials_12m)
//   reviews      = 100 * min(1, positive_reviews_12m / target_reviews_12m)
//
// The score is the weighted mean of the components present (weight_*,
// renormalized over them); missing optional data neither helps nor hurts.
//
// NPS trend: when account_nps fell by nps_drop_alert_points or more against
// account_nps_prev, the score loses trend_penalty_per_point per point of the
// fall, at most trend_penalty_max, never going below 0.
//
// Bands: at or above advocate_min_score a strong advocate (action: ask for a
// reference); below at_risk_below advocacy is at risk (action: close the loop
// with detractors). Band reasons have impact 0.
//
// Explanation: each component's reason has impact share * (sub - 50); the
// trend penalty is its own negative reason; 50 + the impacts == the score.
// Monotonic: raising any signal but account_nps_prev never lowers the score
// (account_nps_prev is lower-is-better: it is the trend's reference).
class Advocacy : public healthscore::sdk::RowDimension<Advocacy, AdvocacyRow> {
 public:
  enum Rule : uint32_t {
    kNps,
    kReferrals,
    kMentions,
    kTestimonials,
    kReviews,
    kNpsTrend,
    kStrongAdvocate,
    kAtRisk
  };
  enum Action : uint32_t { kFollowUpDrop, kReferenceProgram, kCloseTheLoop };

  static Declaration Declare();
  // Refuses nps_floor >= nps_target, every weight 0, and at_risk_below above
  // advocate_min_score.
  void Init();
  void Evaluate(const AdvocacyRow& row, healthscore::sdk::RowOutput& out) const;

 private:
  double nps_floor_ = -50;
  double nps_target_ = 50;
  double target_referrals_ = 2;
  double target_mentions_ = 3;
  double target_testimonials_ = 1;
  double target_reviews_ = 1;
  double weight_nps_ = 0.5;
  double weight_referrals_ = 0.2;
  double weight_mentions_ = 0.1;
  double weight_testimonials_ = 0.1;
  double weight_reviews_ = 0.1;
  double nps_drop_alert_points_ = 10;
  double trend_penalty_per_point_ = 0.25;
  double trend_penalty_max_ = 10;
  double advocate_min_score_ = 80;
  double at_risk_below_ = 40;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_ADVOCACY_ADVOCACY_H_
