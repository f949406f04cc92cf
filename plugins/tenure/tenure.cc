// The tenure dimension's declarations and scoring: see tenure.h for the model.
#include "tenure.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>

#include "plugins/common/dimension_util.h"

#ifndef HEALTHSCORE_PLUGIN_VERSION
#error \
    "HEALTHSCORE_PLUGIN_VERSION must be defined (healthscore_add_dimension does)"
#endif

namespace healthscore::plugins {
namespace {

namespace sdk = ::healthscore::sdk;

constexpr char kMonths[] = "months_as_customer";
constexpr char kRenewals[] = "renewal_count";

// Describe() declares these, in this order; the constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"established_months", 24, 1, 600,
     "Months as a customer at which tenure counts as established: the tenure "
     "curve reaches established_score there"},
    {"established_score", 90, 1, 99.9,
     "The tenure curve's value at established_months; it starts at 0 and "
     "approaches 100 (the gap to 100 shrinks by the same factor every "
     "established_months)"},
    {"early_tenure_months", 3, 0, 120,
     "Months at the start of the relationship when churn risk is highest; "
     "below this the score loses points and an onboarding check-in is "
     "recommended (0 turns the rule off)"},
    {"early_tenure_penalty", 10, 0, 100,
     "Points taken off at month 0 during early tenure, fading linearly to 0 "
     "at early_tenure_months"},
    {"renewal_bonus", 5, 0, 100, "Points added per renewal (renewal_count)"},
    {"max_renewal_bonus", 15, 0, 100,
     "At most this many points are added for renewals in all"},
    {"low_score_action_below", 50, 0, 100,
     "Below this score the dimension recommends extra attention until the "
     "customer is established"},
};

}  // namespace

sdk::Info Tenure::Describe() {
  sdk::Info info;
  info.name = "tenure";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "How long the customer has been a customer, on a saturating curve, with "
      "an early-tenure risk and credit for renewals";
  info.signals = {
      {.name = kMonths,
       .unit = "months",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kRequired,
       .description = "Months since the customer's first contract started",
       .min = 0,
       .max = sdk::kNone},
      {.name = kRenewals,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Contract renewals so far",
       .min = 0,
       .max = sdk::kNone},
  };
  info.params = ParamDecls(kParams);
  return info;
}

Tenure::Tenure(const sdk::Params& params)
    : established_months_(ReadParam(kParams, params, "established_months")),
      established_score_(ReadParam(kParams, params, "established_score")),
      early_tenure_months_(ReadParam(kParams, params, "early_tenure_months")),
      early_tenure_penalty_(ReadParam(kParams, params, "early_tenure_penalty")),
      renewal_bonus_(ReadParam(kParams, params, "renewal_bonus")),
      max_renewal_bonus_(ReadParam(kParams, params, "max_renewal_bonus")),
      low_score_action_below_(
          ReadParam(kParams, params, "low_score_action_below")),
      gap_per_period_(1.0 - established_score_ / 100.0) {}

void Tenure::Evaluate(const Row& row, Evaluation& eval) const {
  // gap_per_period_ is in [0.001, 0.99], so pow() only shrinks toward 0 as
  // months grow: the curve rises monotonically from 0 to 100.
  eval.curve = std::clamp(
      100.0 *
          (1.0 - std::pow(gap_per_period_, row.months / established_months_)),
      0.0, 100.0);
  double after_penalty = eval.curve;
  if (row.months < early_tenure_months_) {
    eval.early = true;
    // Floored at 0, and the penalty is what the floor let through, so the
    // reasons still add up to the score exactly.
    after_penalty =
        std::max(eval.curve - early_tenure_penalty_ *
                                  (1.0 - row.months / early_tenure_months_),
                 0.0);
    eval.penalty = eval.curve - after_penalty;
  }
  eval.has_renewals = !sdk::IsMissing(row.renewals);
  double bonus = 0;
  if (eval.has_renewals && renewal_bonus_ > 0) {
    bonus = row.renewals * renewal_bonus_;
    eval.bonus_capped = bonus > max_renewal_bonus_;
    bonus = std::min(bonus, max_renewal_bonus_);
  }
  // Capped at 100 the same way: the bonus is what fitted below it.
  eval.at_ceiling = after_penalty + bonus > 100.0;
  eval.score = std::min(after_penalty + bonus, 100.0);
  eval.bonus = eval.score - after_penalty;
}

void Tenure::Explain(uint32_t index, const Row& row, const Evaluation& eval,
                     sdk::Output& out) const {
  const bool established = row.months >= established_months_;
  out.AddReason(
      index, {.rule_id = "tenure",
              .signal = kMonths,
              .observed = row.months,
              .threshold = established_months_,
              .impact = eval.curve - kBaseline,
              .message = "Customer for " + Count(row.months, "month") + ", " +
                         (established ? "at or past" : "short of") + " the " +
                         Num(established_months_) +
                         " months at which tenure is established"});
  if (eval.early) {
    out.AddReason(index,
                  {.rule_id = "early_tenure",
                   .signal = kMonths,
                   .observed = row.months,
                   .threshold = early_tenure_months_,
                   .impact = 0.0 - eval.penalty,  // never -0
                   .message = "Customer for " + Count(row.months, "month") +
                              ": the first " + Num(early_tenure_months_) +
                              " months carry the highest churn risk"});
    out.AddAction(index,
                  "Schedule an onboarding check-in to make sure the customer "
                  "reaches first value");
  }
  if (eval.has_renewals) {
    std::string message = row.renewals > 0
                              ? Count(row.renewals, "renewal") + " so far"
                              : "No renewals yet";
    if (eval.at_ceiling) {
      message += " (credit limited by the score's ceiling of 100)";
    } else if (eval.bonus_capped) {
      message += " (credit capped at " + Num(max_renewal_bonus_) + " points)";
    }
    out.AddReason(index, {.rule_id = "renewals",
                          .signal = kRenewals,
                          .observed = row.renewals,
                          .threshold = 0,
                          .impact = eval.bonus,
                          .message = std::move(message)});
  }
  if (eval.score < low_score_action_below_) {
    out.AddAction(index,
                  "Give this newer account extra attention (regular check-ins, "
                  "an executive sponsor) until its tenure is established");
  }
}

void Tenure::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  const std::span<const double> months = batch.Column(kMonths);
  const std::span<const double> renewals = batch.Column(kRenewals);
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    const Row row{months[i], renewals[i]};
    if (sdk::IsMissing(row.months)) {
      MarkInsufficientData(out, i,
                           "missing required signal months_as_customer");
      continue;
    }
    // The host refuses infinities and values below the declared minimum;
    // this guards a host that does not.
    if (FailIfInfinite(
            out, i,
            LastInfinite({{row.months, kMonths}, {row.renewals, kRenewals}})))
      continue;
    if (row.months < 0 || row.renewals < 0) {
      MarkFailed(out, i,
                 std::string("signal ") +
                     (row.months < 0 ? kMonths : kRenewals) + " is negative");
      continue;
    }

    Evaluation eval;
    Evaluate(row, eval);
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
