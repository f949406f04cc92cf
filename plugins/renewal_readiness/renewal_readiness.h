// The built-in "renewal_readiness" dimension: how ready the customer is to
// renew, and how urgent that is. plugin.cc exports it as a plugin; the spec is
// docs/dimensions/renewal_readiness.md.
#ifndef HEALTHSCORE_PLUGINS_RENEWAL_READINESS_RENEWAL_READINESS_H_
#define HEALTHSCORE_PLUGINS_RENEWAL_READINESS_RENEWAL_READINESS_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// One customer's inputs. days_to_end (negative: the end date has passed) and
// usage_change_pct are never missing (required); communications may be NaN.
struct RenewalReadinessRow {
  double days_to_end;
  double usage_change_pct;
  double communications;
};

// Scores renewal readiness 0-100 from two components, each a sub-score 0-100:
//
//   usage          = 0 at or below usage_decline_floor_pct (-30), 100 at or
//                    above usage_growth_target_pct (+10), linear between
//   communications = 100 * min(1, customer_communications_30d /
//                                 target_communications_30d)
//
// The score is the weighted mean of the components present (weight_usage,
// weight_communications, renormalized over them).
//
// days_to_contract_end sets the urgency, not the score (so the score is
// trivially monotonic in it): a zero-impact renewal_window reason (or
// renewal_overdue once the end date has passed), and below
// low_score_action_below an action that starts the renewal conversation now
// inside renewal_window_days (or past the end), and plans it outside.
//
// Explanation: each component's reason has impact share * (sub - 50), so
// 50 + the impacts == the score.
class RenewalReadiness
    : public healthscore::sdk::RowDimension<RenewalReadiness,
                                            RenewalReadinessRow> {
 public:
  enum Rule : uint32_t { kUsage, kCommunications, kWindow, kOverdue };
  enum Action : uint32_t { kStartRenewal, kRenewOverdue, kPlanRenewal };

  static Declaration Declare();
  // Refuses usage_decline_floor_pct >= usage_growth_target_pct and both
  // weights 0.
  void Init();
  void Evaluate(const RenewalReadinessRow& row,
                healthscore::sdk::RowOutput& out) const;

 private:
  double usage_decline_floor_pct_ = -30;
  double usage_growth_target_pct_ = 10;
  double target_communications_30d_ = 4;
  double weight_usage_ = 0.6;
  double weight_communications_ = 0.4;
  double renewal_window_days_ = 90;
  double low_score_action_below_ = 60;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_RENEWAL_READINESS_RENEWAL_READINESS_H_
