// The built-in "tenure" dimension: how long the customer has been one, and how
// often they renewed. plugin.cc exports it as a plugin; the spec is
// docs/dimensions/tenure.md.
#ifndef HEALTHSCORE_PLUGINS_TENURE_TENURE_H_
#define HEALTHSCORE_PLUGINS_TENURE_TENURE_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// One customer's inputs. months is never missing (required); renewals may be
// NaN.
struct TenureRow {
  double months;
  double renewals;
};

// Scores tenure 0-100. Longer-standing customers churn less:
//
//   curve = 100 * (1 - (1 - established_score / 100)
//                      ^ (months_as_customer / established_months))
//
// 0 at month 0, established_score (90) at established_months (24), the gap to
// 100 shrinking by the same factor every established_months after that. It
// crosses the neutral 50 at about 7.2 months with the defaults.
//
// Early tenure: below early_tenure_months (3) the score loses
// early_tenure_penalty * (1 - months / early_tenure_months) points (no step at
// early_tenure_months), never going below 0.
//
// Renewals (optional): renewal_bonus points each, at most max_renewal_bonus,
// never going above 100. A missing renewal_count adds nothing, like 0.
//
// Explanation: "tenure" has impact curve - 50, "early_tenure" minus the points
// it took, "renewals" the points it added; 50 + the impacts == the score.
// Actions: an onboarding check-in during early tenure, extra attention below
// low_score_action_below. Monotonic: more months or renewals never lower the
// score.
class Tenure : public healthscore::sdk::RowDimension<Tenure, TenureRow> {
 public:
  enum Rule : uint32_t { kTenure, kEarlyTenure, kRenewals };
  enum Action : uint32_t { kOnboardingCheckIn, kExtraAttention };

  static Declaration Declare();
  void Evaluate(const TenureRow& row, healthscore::sdk::RowOutput& out) const;

 private:
  double established_months_ = 24;
  double established_score_ = 90;
  double early_tenure_months_ = 3;
  double early_tenure_penalty_ = 10;
  double renewal_bonus_ = 5;
  double max_renewal_bonus_ = 15;
  double low_score_action_below_ = 50;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_TENURE_TENURE_H_
