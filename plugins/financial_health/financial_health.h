// The built-in "financial_health" dimension: revenue growth, deal size and
// payment history. Scoring logic only; plugin.cc exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_FINANCIAL_HEALTH_FINANCIAL_HEALTH_H_
#define HEALTHSCORE_PLUGINS_FINANCIAL_HEALTH_FINANCIAL_HEALTH_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

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
// The dimension score is the weighted mean of the components present
// (weight_growth, weight_atv, weight_payments, renormalized over them): growth
// is always present, atv when avg_transaction_value is, payments as above.
// Missing optional data therefore neither helps nor hurts.
//
// Bands follow customer-success practice: above healthy_above (80) the
// customer is financially healthy, below unstable_below (50) unstable; each
// emits an informational reason with impact 0, and below unstable_below an
// action asks for a billing and contract review.
//
// Explanation: the baseline is 50. The growth and atv reasons have impact
// (w_i / sum of present w) * (sub_i - 50). The payments component, built by
// deduction from 100, is explained the same way: a "payment_history" reason
// worth share * (100 - 50), then one negative reason per kind of payment
// problem worth share * its deduction (scaled down together when the
// sub-score hits its floor of 0). So 50 + the sum of all impacts == the score.
//
// revenue_growth_pct missing (NaN) makes the row INSUFFICIENT_DATA; an
// infinite input makes it FAILED. Non-finite scores are never written as OK.
// Monotonic: raising growth or ATV never lowers the score; raising late or
// failed payments never raises it.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class FinancialHealth : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when the
  // parameters are inconsistent (e.g. growth_floor_pct >= growth_target_pct).
  explicit FinancialHealth(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  struct Row {
    double growth_pct;
    double atv;
    double late;    // NaN when missing
    double failed;  // NaN when missing
  };

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic.
  struct Evaluation {
    double growth_sub = 0;
    double atv_sub = 0;
    bool has_atv = false;
    bool has_payments = false;
    // Effective weights: configured weights renormalized over present
    // components; they sum to 1.
    double growth_share = 0;
    double atv_share = 0;
    double payments_share = 0;
    // Points each kind of payment problem takes off the payments sub-score,
    // after the floor at 0: late_deduction + failed_deduction <= 100.
    double late_deduction = 0;
    double failed_deduction = 0;
    bool floored = false;
    double score = 0;
  };

  // REQUIRES: row.growth_pct is not NaN. Returns false when no component with
  // a non-zero weight has data.
  bool Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  double growth_floor_pct_;
  double growth_target_pct_;
  double atv_benchmark_;
  double late_payment_penalty_;
  double failed_payment_penalty_;
  double weight_growth_;
  double weight_atv_;
  double weight_payments_;
  double healthy_above_;
  double unstable_below_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_FINANCIAL_HEALTH_FINANCIAL_HEALTH_H_
