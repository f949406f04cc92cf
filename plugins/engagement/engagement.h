// The built-in "engagement" dimension: how actively the customer's people
// engage with us by email, on social media and at events. plugin.cc exports
// it as a plugin; docs/dimensions/engagement.md is the spec.
#ifndef HEALTHSCORE_PLUGINS_ENGAGEMENT_ENGAGEMENT_H_
#define HEALTHSCORE_PLUGINS_ENGAGEMENT_ENGAGEMENT_H_

#include <cstdint>
#include <string>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// One customer's inputs; every one may be NaN (missing).
struct EngagementRow {
  double email;
  double social;
  double prev_social;
  double events;
};

// Scores engagement 0-100 from three channels, each a sub-score 0-100:
//
//   email  = 100 * min(1, email_open_rate_pct / target_email_open_rate_pct)
//   social = 100 * min(1, social_interactions_30d /
//                         target_social_interactions_30d)
//   events = 100 * min(1, events_attended_90d / target_events_attended_90d)
//
// The score is the weighted mean of the channels present (weight_*,
// renormalized over them). No channel is required on its own; a row with no
// channel (among those with a non-zero weight) is INSUFFICIENT_DATA naming
// them.
//
// Interaction trend: when social_interactions_30d fell by
// interaction_drop_alert_pct or more against social_interactions_prev_30d,
// the score loses trend_penalty_max * fall% / 100 points, never going below 0.
//
// Bands: at or above active_min_score actively engaged; below
// needs_plan_below a targeted engagement plan, whose action names the
// channels below target. Band reasons have impact 0.
//
// Explanation: each channel's reason has impact share * (sub - 50); the trend
// penalty is its own negative reason; 50 + the impacts == the score.
// Monotonic: raising any signal but social_interactions_prev_30d never lowers
// the score (that one is lower-is-better: it is the trend's reference).
class Engagement
    : public healthscore::sdk::RowDimension<Engagement, EngagementRow> {
 public:
  enum Rule : uint32_t {
    kEmail,
    kSocial,
    kEvents,
    kTrend,
    kActive,
    kNeedsPlan
  };
  // kPlan + a mask of the channels below target (1 email, 2 social,
  // 4 events): the plan names them.
  enum Action : uint32_t { kReEngage, kPlan };

  static Declaration Declare();
  // Refuses every weight 0, and needs_plan_below above active_min_score.
  void Init();
  void Evaluate(const EngagementRow& row,
                healthscore::sdk::RowOutput& out) const;

 private:
  double target_email_ = 40;
  double target_social_ = 10;
  double target_events_ = 2;
  double weight_email_ = 0.4;
  double weight_social_ = 0.3;
  double weight_events_ = 0.3;
  double interaction_drop_alert_pct_ = 30;
  double trend_penalty_max_ = 10;
  double active_min_score_ = 70;
  double needs_plan_below_ = 40;
  // Names the channels that count (non-zero weight); built by Init().
  std::string no_data_message_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_ENGAGEMENT_ENGAGEMENT_H_
