// The financial_health dimension's declarations and scoring: see
// financial_health.h.
#include "financial_health.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "healthscore/sdk/scoring.h"

namespace healthscore::plugins {

namespace sdk = ::healthscore::sdk;
using Row = FinancialHealthRow;

FinancialHealth::Declaration FinancialHealth::Declare() {
  const auto count = [](double Row::*member, const char* name,
                        const char* description, double typical_max) {
    return sdk::Field<Row>{member,
                           {.name = name,
                            .unit = "count",
                            .direction = sdk::Direction::kLowerIsBetter,
                            .requirement = sdk::Requirement::kOptional,
                            .description = description,
                            .min = 0,
                            .typical_min = 0,
                            .typical_max = typical_max}};
  };
  const auto param = [](double FinancialHealth::*member, const char* name,
                        double min, double max, const char* description) {
    return sdk::Setting<FinancialHealth>(
        member,
        {.name = name, .description = description, .min = min, .max = max});
  };
  return {
      .description =
          "The customer's financial health: year-over-year revenue growth, "
          "average transaction value and payment history",
      .signals = {{&Row::growth_pct,
                   {.name = "revenue_growth_pct",
                    .unit = "percent",
                    .description = "Revenue growth year over year",
                    .min = -100,
                    .typical_min = -60,
                    .typical_max = 80}},
                  {&Row::atv,
                   {.name = "avg_transaction_value",
                    .unit = "usd",
                    .requirement = sdk::Requirement::kOptional,
                    .description = "Average transaction value",
                    .min = 0,
                    .typical_min = 0,
                    .typical_max = 3000}},
                  count(&Row::late, "late_payments_12m",
                        "Late payments in the last 12 months", 10),
                  count(&Row::failed, "failed_payments_12m",
                        "Failed payments in the last 12 months", 5)},
      .params =
          {param(&FinancialHealth::growth_floor_pct_, "growth_floor_pct", -100,
                 1000,
                 "Year-over-year revenue growth (%) at or below which the "
                 "growth sub-score is 0"),
           param(&FinancialHealth::growth_target_pct_, "growth_target_pct",
                 -100, 1000,
                 "Growth (%) at or above which the growth sub-score is 100; "
                 "linear between the floor and the target"),
           param(&FinancialHealth::atv_benchmark_, "atv_benchmark", 1, 1e12,
                 "Average transaction value (USD) at or above which the ATV "
                 "sub-score is 100; linear below"),
           param(&FinancialHealth::late_payment_penalty_,
                 "late_payment_penalty", 0, 100,
                 "Points off the payment-history sub-score per late payment "
                 "in 12 months"),
           param(&FinancialHealth::failed_payment_penalty_,
                 "failed_payment_penalty", 0, 100,
                 "Points off the payment-history sub-score per failed payment "
                 "in 12 months"),
           param(&FinancialHealth::weight_growth_, "weight_growth", 0, 100,
                 "Weight of the revenue-growth component (renormalized over "
                 "the components present)"),
           param(&FinancialHealth::weight_atv_, "weight_atv", 0, 100,
                 "Weight of the average-transaction-value component"),
           param(&FinancialHealth::weight_payments_, "weight_payments", 0, 100,
                 "Weight of the payment-history component"),
           param(&FinancialHealth::healthy_above_, "healthy_above", 0, 100,
                 "Above this score the customer is financially healthy"),
           param(&FinancialHealth::unstable_below_, "unstable_below", 0, 100,
                 "Below this score the customer is financially unstable and "
                 "the dimension recommends a billing and contract review")},
      // In the order of enum Rule.
      .rules =
          {{.id = "revenue_growth",
            .signal = "revenue_growth_pct",
            .raises = "Revenue growth is {observed} year over year, above the "
                      "{threshold} midpoint between the {floor:percent} floor "
                      "and the {target:percent} target",
            .lowers = "Revenue growth is {observed} year over year, below the "
                      "{threshold} midpoint between the {floor:percent} floor "
                      "and the {target:percent} target",
            .text = "Revenue growth is {observed} year over year, midway "
                    "between the {floor:percent} floor and the "
                    "{target:percent} target",
            .args = {"floor", "target"}},
           {.id = "avg_transaction_value",
            .signal = "avg_transaction_value",
            .raises = "Average transaction value is {observed}, more than "
                      "half the {threshold} benchmark",
            .lowers = "Average transaction value is only {observed}, less "
                      "than half the {threshold} benchmark",
            .text = "Average transaction value is {observed}, half the "
                    "{threshold} benchmark"},
           {.id = "payment_history",
            .unit = "score",
            .raises = "Payments in the last 12 months were largely on time: "
                      "{late:count} late and {failed:count} failed on record "
                      "(payment history {observed} of 100)",
            .lowers = "Payments in the last 12 months were often late or "
                      "failed: {late:count} late and {failed:count} failed "
                      "on record (payment history {observed} of 100)",
            .text = "Payments in the last 12 months were neither good nor "
                    "bad: {late:count} late and {failed:count} failed "
                    "on record (payment history {observed} of 100)",
            .args = {"late", "failed"}},
           {.id = "financially_healthy",
            .text = "Financial health {observed:score} is above "
                    "{threshold:score}: financially healthy"},
           {.id = "financially_unstable",
            .text = "Financial health {observed:score} is below "
                    "{threshold:score}: financially unstable"}},
      .actions = {{.id = "check_payment_method",
                   .text = "Check the payment method on file with the "
                           "customer's billing contact"},
                  {.id = "review_billing",
                   .text = "Review billing, payment terms and contract value "
                           "with the customer's finance contact"}},
  };
}

void FinancialHealth::Init() {
  if (growth_floor_pct_ >= growth_target_pct_) {
    throw std::invalid_argument(
        "growth_floor_pct = " + sdk::Exact(growth_floor_pct_) +
        " must be below growth_target_pct = " + sdk::Exact(growth_target_pct_));
  }
  if (weight_growth_ + weight_atv_ + weight_payments_ <= 0) {
    throw std::invalid_argument(
        "weight_growth, weight_atv and weight_payments are all 0: at least "
        "one must be positive");
  }
  if (unstable_below_ > healthy_above_) {
    throw std::invalid_argument(
        "unstable_below = " + sdk::Exact(unstable_below_) +
        " must not be above healthy_above = " + sdk::Exact(healthy_above_));
  }
}

void FinancialHealth::Evaluate(const Row& row, sdk::RowOutput& out) const {
  enum { kG, kA, kP };
  const bool has_atv = !sdk::IsMissing(row.atv) && weight_atv_ > 0;
  const bool has_late = !sdk::IsMissing(row.late);
  const bool has_failed = !sdk::IsMissing(row.failed);
  const bool has_payments = (has_late || has_failed) && weight_payments_ > 0;
  // A missing count, or a penalty of 0, deducts nothing.
  const double late_deduction = has_late && late_payment_penalty_ > 0
                                    ? row.late * late_payment_penalty_
                                    : 0;
  const double failed_deduction = has_failed && failed_payment_penalty_ > 0
                                      ? row.failed * failed_payment_penalty_
                                      : 0;
  const std::array<double, 3> weight = {weight_growth_, weight_atv_,
                                        weight_payments_};
  const std::array<bool, 3> present = {true, has_atv, has_payments};
  const std::array<double, 3> sub = {
      sdk::RampToTarget(row.growth_pct, growth_floor_pct_, growth_target_pct_),
      has_atv ? sdk::RatioSubScore(row.atv, atv_benchmark_) : 0,
      std::clamp(100.0 - late_deduction - failed_deduction, 0.0, 100.0)};
  std::array<double, 3> share = {0, 0, 0};
  double score = 0;
  if (!sdk::WeightedMeanOfPresent(weight, present, sub, share, score)) {
    return out.InsufficientData(
        "no component with a non-zero weight has data: weight_growth is 0 "
        "and avg_transaction_value, late_payments_12m and "
        "failed_payments_12m are missing");
  }
  out.Score(score);

  if (weight_growth_ > 0) {
    out.Reason(kGrowth, share[kG] * (sub[kG] - sdk::kNeutral),
               {.observed = row.growth_pct,
                .threshold = (growth_floor_pct_ + growth_target_pct_) / 2,
                .args = {growth_floor_pct_, growth_target_pct_}});
  }
  if (has_atv) {
    out.Reason(kAtv, share[kA] * (sub[kA] - sdk::kNeutral),
               {.observed = row.atv, .threshold = atv_benchmark_});
  }
  if (has_payments) {
    out.Reason(
        kPayments, share[kP] * (sub[kP] - sdk::kNeutral),
        {.observed = sub[kP],
         .threshold = sdk::kNeutral,
         .args = {has_late ? row.late : 0, has_failed ? row.failed : 0}});
    if (failed_deduction > 0) out.Action(kCheckPaymentMethod);
  }
  if (score > healthy_above_) {
    out.Reason(kHealthy, 0, {.observed = score, .threshold = healthy_above_});
  } else if (score < unstable_below_) {
    out.Reason(kUnstable, 0, {.observed = score, .threshold = unstable_below_});
    out.Action(kReviewBilling);
  }
}

}  // namespace healthscore::plugins
