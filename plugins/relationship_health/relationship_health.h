// The built-in "relationship_health" dimension: how strong the relationship
// with the customer's people is. plugin.cc exports it as a plugin; the spec is
// docs/dimensions/relationship_health.md.
#ifndef HEALTHSCORE_PLUGINS_RELATIONSHIP_HEALTH_RELATIONSHIP_HEALTH_H_
#define HEALTHSCORE_PLUGINS_RELATIONSHIP_HEALTH_RELATIONSHIP_HEALTH_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// One customer's inputs. days_since_contact is never missing (required); the
// others may be NaN. The two flags read as set from 0.5.
struct RelationshipHealthRow {
  double days_since_contact;
  double touchpoints;
  double prev_touchpoints;
  double sponsor;
  double reviews;
  double champion_changed;
};

// Scores relationship health 0-100 from four components, each a sub-score
// 0-100:
//
//   recency     = 100 at or below contact_recent_days (30) since the last
//                 contact, 0 at or above contact_lapsed_days (90), linear
//   touchpoints = 100 * min(1, touchpoints_90d / target_touchpoints_90d)
//   sponsor     = 100 with an executive sponsor, 0 without
//   reviews     = 100 * min(1, business_reviews_12m /
//                              target_business_reviews_12m)
//
// The base is the weighted mean of the components present (weight_*,
// renormalized over them). Two warning signs then take points off, never
// below 0: a fall of touchpoints_90d against touchpoints_prev_90d of
// touchpoint_drop_alert_pct or more costs touchpoint_trend_penalty_max *
// fall% / 100; a champion change costs champion_change_penalty. The trend
// takes its points first, the champion change from what is left.
//
// Explanation: each component's reason has impact share * (sub - 50); each
// penalty is its own reason worth minus the points it took. 50 + the impacts
// == the score. Actions (whatever the weights): champion change, no sponsor,
// lapsed contact, falling touchpoints, score below low_score_action_below.
// Monotonic in every declared direction (touchpoints_prev_90d is
// lower-is-better: the trend's reference).
class RelationshipHealth
    : public healthscore::sdk::RowDimension<RelationshipHealth,
                                            RelationshipHealthRow> {
 public:
  enum Rule : uint32_t {
    kRecency,
    kTouchpoints,
    kSponsor,
    kReviews,
    kTrend,
    kChampion
  };
  enum Action : uint32_t {
    kMeetChampion,
    kFindSponsor,
    kReachOut,
    kRestoreCadence,
    kBusinessReview
  };

  static Declaration Declare();
  // Refuses contact_recent_days >= contact_lapsed_days and every weight 0.
  void Init();
  void Evaluate(const RelationshipHealthRow& row,
                healthscore::sdk::RowOutput& out) const;

 private:
  double contact_recent_days_ = 30;
  double contact_lapsed_days_ = 90;
  double target_touchpoints_90d_ = 6;
  double target_business_reviews_12m_ = 4;
  double weight_recency_ = 0.25;
  double weight_touchpoints_ = 0.25;
  double weight_sponsor_ = 0.25;
  double weight_reviews_ = 0.25;
  double touchpoint_drop_alert_pct_ = 50;
  double touchpoint_trend_penalty_max_ = 10;
  double champion_change_penalty_ = 15;
  double low_score_action_below_ = 60;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_RELATIONSHIP_HEALTH_RELATIONSHIP_HEALTH_H_
