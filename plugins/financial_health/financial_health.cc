// The financial_health dimension's declarations and scoring: see
// financial_health.h for the model.
#include "financial_health.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "plugins/common/dimension_util.h"

#ifndef HEALTHSCORE_PLUGIN_VERSION
#error \
    "HEALTHSCORE_PLUGIN_VERSION must be defined (healthscore_add_dimension does)"
#endif

namespace healthscore::plugins {
namespace {

namespace sdk = ::healthscore::sdk;

constexpr char kGrowth[] = "revenue_growth_pct";
constexpr char kAtv[] = "avg_transaction_value";
constexpr char kLate[] = "late_payments_12m";
constexpr char kFailed[] = "failed_payments_12m";

// Describe() declares these, in this order; the constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"growth_floor_pct", -20, -100, 1000,
     "Year-over-year revenue growth (%) at or below which the growth "
     "sub-score is 0"},
    {"growth_target_pct", 20, -100, 1000,
     "Growth (%) at or above which the growth sub-score is 100; linear "
     "between the floor and the target"},
    {"atv_benchmark", 1000, 1, 1e12,
     "Average transaction value (USD) at or above which the ATV sub-score is "
     "100; linear below"},
    {"late_payment_penalty", 10, 0, 100,
     "Points off the payment-history sub-score per late payment in 12 "
     "months"},
    {"failed_payment_penalty", 25, 0, 100,
     "Points off the payment-history sub-score per failed payment in 12 "
     "months"},
    {"weight_growth", 0.4, 0, 100,
     "Weight of the revenue-growth component (renormalized over the "
     "components present)"},
    {"weight_atv", 0.2, 0, 100,
     "Weight of the average-transaction-value component"},
    {"weight_payments", 0.4, 0, 100, "Weight of the payment-history component"},
    {"healthy_above", 80, 0, 100,
     "Above this score the customer is financially healthy"},
    {"unstable_below", 50, 0, 100,
     "Below this score the customer is financially unstable and the dimension "
     "recommends a billing and contract review"},
};

}  // namespace

sdk::Info FinancialHealth::Describe() {
  sdk::Info info;
  info.name = "financial_health";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "The customer's financial health: year-over-year revenue growth, "
      "average transaction value and payment history";
  info.signals = {
      {.name = kGrowth,
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kRequired,
       .description = "Revenue growth year over year",
       .min = -100,
       .max = sdk::kNone},
      {.name = kAtv,
       .unit = "usd",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Average transaction value",
       .min = 0,
       .max = sdk::kNone},
      {.name = kLate,
       .unit = "count",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Late payments in the last 12 months",
       .min = 0,
       .max = sdk::kNone},
      {.name = kFailed,
       .unit = "count",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Failed payments in the last 12 months",
       .min = 0,
       .max = sdk::kNone},
  };
  info.params = ParamDecls(kParams);
  return info;
}

FinancialHealth::FinancialHealth(const sdk::Params& params)
    : growth_floor_pct_(ReadParam(kParams, params, "growth_floor_pct")),
      growth_target_pct_(ReadParam(kParams, params, "growth_target_pct")),
      atv_benchmark_(ReadParam(kParams, params, "atv_benchmark")),
      late_payment_penalty_(ReadParam(kParams, params, "late_payment_penalty")),
      failed_payment_penalty_(
          ReadParam(kParams, params, "failed_payment_penalty")),
      weight_growth_(ReadParam(kParams, params, "weight_growth")),
      weight_atv_(ReadParam(kParams, params, "weight_atv")),
      weight_payments_(ReadParam(kParams, params, "weight_payments")),
      healthy_above_(ReadParam(kParams, params, "healthy_above")),
      unstable_below_(ReadParam(kParams, params, "unstable_below")) {
  if (growth_floor_pct_ >= growth_target_pct_) {
    throw std::invalid_argument(
        "growth_floor_pct = " + Exact(growth_floor_pct_) +
        " must be below growth_target_pct = " + Exact(growth_target_pct_));
  }
  if (weight_growth_ + weight_atv_ + weight_payments_ <= 0) {
    throw std::invalid_argument(
        "weight_growth, weight_atv and weight_payments are all 0: at least "
        "one must be positive");
  }
  if (unstable_below_ > healthy_above_) {
    throw std::invalid_argument(
        "unstable_below = " + Exact(unstable_below_) +
        " must not be above healthy_above = " + Exact(healthy_above_));
  }
}

bool FinancialHealth::Evaluate(const Row& row, Evaluation& eval) const {
  if (row.growth_pct <= growth_floor_pct_) {
    eval.growth_sub = 0;
  } else if (row.growth_pct >= growth_target_pct_) {
    eval.growth_sub = 100;
  } else {
    eval.growth_sub = 100.0 * (row.growth_pct - growth_floor_pct_) /
                      (growth_target_pct_ - growth_floor_pct_);
  }

  eval.has_atv = !sdk::IsMissing(row.atv) && weight_atv_ > 0;
  if (eval.has_atv) {
    eval.atv_sub = RatioSubScore(row.atv, atv_benchmark_);
  }

  eval.has_payments =
      (!sdk::IsMissing(row.late) || !sdk::IsMissing(row.failed)) &&
      weight_payments_ > 0;
  double payments_sub = 0;
  if (eval.has_payments) {
    // A penalty of 0 ignores its count outright (also avoids 0 * huge).
    const double late = sdk::IsMissing(row.late) || late_payment_penalty_ == 0
                            ? 0
                            : row.late * late_payment_penalty_;
    const double failed =
        sdk::IsMissing(row.failed) || failed_payment_penalty_ == 0
            ? 0
            : row.failed * failed_payment_penalty_;
    const double total = late + failed;
    eval.floored = total > 100;
    // At the floor both deductions shrink in proportion, so each kind of
    // problem keeps its share of the blame.
    const double scale = eval.floored ? 100.0 / total : 1.0;
    eval.late_deduction = late * scale;
    eval.failed_deduction = failed * scale;
    payments_sub = std::clamp(
        100.0 - eval.late_deduction - eval.failed_deduction, 0.0, 100.0);
  }

  const double total = weight_growth_ + (eval.has_atv ? weight_atv_ : 0) +
                       (eval.has_payments ? weight_payments_ : 0);
  if (total <= 0) return false;
  eval.growth_share = weight_growth_ / total;
  eval.atv_share = eval.has_atv ? weight_atv_ / total : 0;
  eval.payments_share = eval.has_payments ? weight_payments_ / total : 0;
  eval.score = std::clamp(eval.growth_share * eval.growth_sub +
                              eval.atv_share * eval.atv_sub +
                              eval.payments_share * payments_sub,
                          0.0, 100.0);
  return true;
}

void FinancialHealth::Explain(uint32_t index, const Row& row,
                              const Evaluation& eval, sdk::Output& out) const {
  if (weight_growth_ > 0) {
    std::string message =
        "Revenue " + ChangePhrase(row.growth_pct) + " year over year, ";
    double threshold = growth_target_pct_;
    if (row.growth_pct >= growth_target_pct_) {
      message += "at or above the " + Num(growth_target_pct_) + "% target";
    } else if (row.growth_pct > growth_floor_pct_) {
      message += "below the " + Num(growth_target_pct_) + "% target";
    } else {
      threshold = growth_floor_pct_;
      message += "at or below the " + Num(growth_floor_pct_) + "% floor";
    }
    out.AddReason(index,
                  {.rule_id = "revenue_growth",
                   .signal = kGrowth,
                   .observed = row.growth_pct,
                   .threshold = threshold,
                   .impact = eval.growth_share * (eval.growth_sub - kBaseline),
                   .message = std::move(message)});
  }
  if (eval.has_atv) {
    const bool on_benchmark = row.atv >= atv_benchmark_;
    out.AddReason(
        index, {.rule_id = "avg_transaction_value",
                .signal = kAtv,
                .observed = row.atv,
                .threshold = atv_benchmark_,
                .impact = eval.atv_share * (eval.atv_sub - kBaseline),
                .message = "Average transaction value $" + Num(row.atv) +
                           " is " + (on_benchmark ? "at or above" : "below") +
                           " the $" + Num(atv_benchmark_) + " benchmark"});
  }
  if (eval.has_payments) {
    const bool has_late = !sdk::IsMissing(row.late);
    const bool has_failed = !sdk::IsMissing(row.failed);
    const bool any_problem =
        (has_late && row.late > 0) || (has_failed && row.failed > 0);
    std::string message;
    if (any_problem) {
      message =
          "Payment history starts at 100 before deductions for late and "
          "failed payments in the last 12 months";
    } else if (has_late && has_failed) {
      message = "No late or failed payments in the last 12 months";
    } else if (has_late) {
      message =
          "No late payments in the last 12 months (failed payments "
          "not reported)";
    } else {
      message =
          "No failed payments in the last 12 months (late payments "
          "not reported)";
    }
    // The signal is empty: this reason reads both payment signals.
    out.AddReason(index, {.rule_id = "payment_history",
                          .signal = "",
                          .observed = sdk::kNone,
                          .threshold = sdk::kNone,
                          .impact = eval.payments_share * (100 - kBaseline),
                          .message = std::move(message)});
    const std::string floor_note =
        eval.floored ? " (the payment-history sub-score is floored at 0)" : "";
    if (eval.late_deduction > 0) {
      out.AddReason(index,
                    {.rule_id = "late_payments",
                     .signal = kLate,
                     .observed = row.late,
                     .threshold = 0,
                     .impact = -eval.payments_share * eval.late_deduction,
                     .message = Count(row.late, "late payment") +
                                " in the last 12 months" + floor_note});
    }
    if (eval.failed_deduction > 0) {
      out.AddReason(index,
                    {.rule_id = "failed_payments",
                     .signal = kFailed,
                     .observed = row.failed,
                     .threshold = 0,
                     .impact = -eval.payments_share * eval.failed_deduction,
                     .message = Count(row.failed, "failed payment") +
                                " in the last 12 months" + floor_note});
      out.AddAction(index,
                    "Check the payment method on file with the customer's "
                    "billing contact");
    }
  }

  if (eval.score > healthy_above_) {
    out.AddReason(
        index, BandReason("financially_healthy", "Financial health", eval.score,
                          "above", healthy_above_, "financially healthy"));
  } else if (eval.score < unstable_below_) {
    out.AddReason(index, BandReason("financially_unstable", "Financial health",
                                    eval.score, "below", unstable_below_,
                                    "financially unstable"));
    out.AddAction(index,
                  "Review billing, payment terms and contract value with the "
                  "customer's finance contact");
  }
}

void FinancialHealth::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  const std::span<const double> growth = batch.Column(kGrowth);
  const std::span<const double> atv = batch.Column(kAtv);
  const std::span<const double> late = batch.Column(kLate);
  const std::span<const double> failed = batch.Column(kFailed);
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    const Row row{growth[i], atv[i], late[i], failed[i]};
    if (sdk::IsMissing(row.growth_pct)) {
      MarkInsufficientData(out, i,
                           "missing required signal revenue_growth_pct");
      continue;
    }
    // The host refuses infinities; this guards a host that does not.
    if (FailIfInfinite(out, i,
                       LastInfinite({{row.growth_pct, kGrowth},
                                     {row.atv, kAtv},
                                     {row.late, kLate},
                                     {row.failed, kFailed}})))
      continue;

    Evaluation eval;
    if (!Evaluate(row, eval)) {
      MarkInsufficientData(
          out, i,
          "no component with a non-zero weight has data: weight_growth is 0 "
          "and avg_transaction_value, late_payments_12m and "
          "failed_payments_12m are missing");
      continue;
    }
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
