// The built-in "financial_health" dimension: revenue growth, deal size and
// payment history. plugin.cc exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_FINANCIAL_HEALTH_FINANCIAL_HEALTH_H_
#define HEALTHSCORE_PLUGINS_FINANCIAL_HEALTH_FINANCIAL_HEALTH_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// One customer's inputs. growth_pct is never missing (required); the others
// may be NaN.
struct FinancialHealthRow {
  double growth_pct;
  double atv;
  double late;
  double failed;
};

// Scores financial health 0-100 from three components, each a sub-score 0-100:
//
//   growth   = 0 when revenue_growth_pct <= growth_floor_pct, 100 when it is
//              >= growth_target_pct, linear in between
//   atv      = 100 * min(1, avg_transaction_value / atv_benchmark)
//   payments = max(0, 100 - late_payments_12m * late_payment_penalty
//                         - failed_payments_12m * failed_payment_penalty)
//              present when either payment signal is; the missing one counts
//              as 0
//
// The score is the weighted mean of the components present (weight_growth,
// weight_atv, weight_payments, renormalized over them), so missing optional
// data neither helps nor hurts. No component with a non-zero weight present
// (weight_growth 0, the rest missing): INSUFFICIENT_DATA.
//
// Bands: above healthy_above the customer is financially healthy, below
// unstable_below unstable (with a billing-review action). Band reasons have
// impact 0. A failed payment adds an action to check the payment method.
//
// Explanation: one reason per component, impact share * (sub - 50): growth
// against the midpoint of its floor and target, ATV against half the
// benchmark, and the payment record (the late and failed counts, whose
// deductions fold into it). 50 + the impacts == the score.
// Monotonic: raising growth or ATV never lowers the score; raising late or
// failed payments never raises it.
class FinancialHealth
    : public healthscore::sdk::RowDimension<FinancialHealth,
                                            FinancialHealthRow> {
 public:
  enum Rule : uint32_t {
    kGrowth,
    kAtv,
    kPayments,
    kHealthy,
    kUnstable,
  };
  enum Action : uint32_t { kCheckPaymentMethod, kReviewBilling };

  static Declaration Declare();
  // Refuses growth_floor_pct >= growth_target_pct, all weights 0, and
  // unstable_below above healthy_above.
  void Init();
  void Evaluate(const FinancialHealthRow& row,
                healthscore::sdk::RowOutput& out) const;

 private:
  double growth_floor_pct_ = -20;
  double growth_target_pct_ = 20;
  double atv_benchmark_ = 1000;
  double late_payment_penalty_ = 10;
  double failed_payment_penalty_ = 25;
  double weight_growth_ = 0.4;
  double weight_atv_ = 0.2;
  double weight_payments_ = 0.4;
  double healthy_above_ = 80;
  double unstable_below_ = 50;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_FINANCIAL_HEALTH_FINANCIAL_HEALTH_H_
