// The built-in "relationship_health" dimension: how strong the relationship
// with the customer's people is. Scoring logic only; plugin.cc exports it.
#ifndef HEALTHSCORE_PLUGINS_RELATIONSHIP_HEALTH_RELATIONSHIP_HEALTH_H_
#define HEALTHSCORE_PLUGINS_RELATIONSHIP_HEALTH_RELATIONSHIP_HEALTH_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Scores relationship health 0-100 from four components, each a sub-score
// 0-100:
//
//   recency      = 100 when days_since_last_contact <= contact_recent_days
//                  (30), 0 when >= contact_lapsed_days (90), linear between
//   touchpoints  = 100 * min(1, touchpoints_90d / target_touchpoints_90d)
//   sponsor      = 100 with an executive sponsor (has_executive_sponsor >=
//   0.5),
//                  0 without
//   reviews      = 100 * min(1, business_reviews_12m /
//                               target_business_reviews_12m)  (quarterly: 4)
//
// The base score is the weighted mean of the components present (weight_*,
// renormalized over them): recency always (its signal is required), the others
// when their signal is. Missing optional data neither helps nor hurts.
//
// Two warning signs then take points off the base, never below 0:
// - touchpoint trend: touchpoints_90d fell by touchpoint_drop_alert_pct or
//   more against touchpoints_prev_90d: touchpoint_trend_penalty_max * fall% /
//   100 points;
// - champion change: champion_changed_90d (>= 0.5: the main contact changed in
//   the last 90 days) costs champion_change_penalty points.
//
// Explanation: the baseline is 50. Each component's reason has impact
// (w_i / sum of present w) * (sub_i - 50); each penalty is its own negative
// reason worth the points it actually took. So 50 + the sum of the impacts ==
// the score. Actions: on a champion change, a missing executive sponsor, a
// lapsed contact, a falling touchpoint trend, and a score below
// low_score_action_below.
//
// days_since_last_contact missing (NaN) makes the row INSUFFICIENT_DATA; an
// infinite input makes it FAILED. Non-finite scores are never written as OK.
//
// Monotonic in every declared direction. The two flags are 0/1 signals with a
// direction like any other (a step at 0.5). touchpoints_prev_90d is declared
// lower-is-better: it is only the reference for the trend, and with
// touchpoints_90d fixed a higher previous count means a steeper fall.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class RelationshipHealth : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when the
  // parameters are inconsistent (e.g. contact_recent_days >=
  // contact_lapsed_days, every weight 0).
  explicit RelationshipHealth(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  struct Row {
    double days_since_contact;
    double touchpoints;  // NaN when missing, as below
    double prev_touchpoints;
    double sponsor;  // flag: >= 0.5 means yes
    double reviews;
    double champion_changed;  // flag: >= 0.5 means yes
  };

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic.
  struct Evaluation {
    double recency_sub = 0;
    double touchpoints_sub = 0;
    double sponsor_sub = 0;
    double reviews_sub = 0;
    bool has_recency = false;
    bool has_touchpoints = false;
    bool has_sponsor = false;
    bool has_reviews = false;
    // Effective weights: configured weights renormalized over the present
    // components; they sum to 1.
    double recency_share = 0;
    double touchpoints_share = 0;
    double sponsor_share = 0;
    double reviews_share = 0;
    double base = 0;  // weighted mean of the sub-scores, before penalties
    bool trend_fired = false;
    double fall_pct = 0;
    double trend_penalty = 0;  // points actually taken off
    bool champion_changed = false;
    double champion_penalty = 0;  // points actually taken off
    double score = 0;
  };

  // REQUIRES: row.days_since_contact is not NaN. Returns false when no
  // component with a non-zero weight has data.
  bool Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  double contact_recent_days_;
  double contact_lapsed_days_;
  double target_touchpoints_90d_;
  double target_business_reviews_12m_;
  double weight_recency_;
  double weight_touchpoints_;
  double weight_sponsor_;
  double weight_reviews_;
  double touchpoint_drop_alert_pct_;
  double touchpoint_trend_penalty_max_;
  double champion_change_penalty_;
  double low_score_action_below_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_RELATIONSHIP_HEALTH_RELATIONSHIP_HEALTH_H_
