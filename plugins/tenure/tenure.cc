// The tenure dimension's declarations and scoring: see tenure.h.
#include "tenure.h"

#include <algorithm>
#include <cmath>

namespace healthscore::plugins {

namespace sdk = ::healthscore::sdk;
using Row = TenureRow;

Tenure::Declaration Tenure::Declare() {
  return {
      .description =
          "How long the customer has been a customer, on a saturating curve, "
          "with an early-tenure risk and credit for renewals",
      .signals = {{&Row::months,
                   {.name = "months_as_customer",
                    .unit = "months",
                    .description =
                        "Months since the customer's first contract started",
                    .min = 0,
                    .typical_min = 0,
                    .typical_max = 120}},
                  {&Row::renewals,
                   {.name = "renewal_count",
                    .unit = "count",
                    .requirement = sdk::Requirement::kOptional,
                    .description = "Contract renewals so far",
                    .min = 0,
                    .typical_min = 0,
                    .typical_max = 10}}},
      .params =
          {{&Tenure::established_months_,
            {.name = "established_months",
             .description = "Months as a customer at which tenure counts as "
                            "established: the tenure curve reaches "
                            "established_score there",
             .min = 1,
             .max = 600}},
           {&Tenure::established_score_,
            {.name = "established_score",
             .description = "The tenure curve's value at established_months; "
                            "it starts at 0 and approaches 100 (the gap to "
                            "100 shrinks by the same factor every "
                            "established_months)",
             .min = 1,
             .max = 99.9}},
           {&Tenure::early_tenure_months_,
            {.name = "early_tenure_months",
             .description = "Months at the start of the relationship when "
                            "churn risk is highest; below this the score loses "
                            "points and an onboarding check-in is recommended "
                            "(0 turns the rule off)",
             .min = 0,
             .max = 120}},
           {&Tenure::early_tenure_penalty_,
            {.name = "early_tenure_penalty",
             .description = "Points taken off at month 0 during early tenure, "
                            "fading linearly to 0 at early_tenure_months",
             .min = 0,
             .max = 100}},
           {&Tenure::renewal_bonus_,
            {.name = "renewal_bonus",
             .description = "Points added per renewal (renewal_count)",
             .min = 0,
             .max = 100}},
           {&Tenure::max_renewal_bonus_,
            {.name = "max_renewal_bonus",
             .description =
                 "At most this many points are added for renewals in all",
             .min = 0,
             .max = 100}},
           {&Tenure::low_score_action_below_,
            {.name = "low_score_action_below",
             .description = "Below this score the dimension recommends extra "
                            "attention until the customer is established",
             .min = 0,
             .max = 100}}},
      // In the order of enum Rule.
      .rules = {{.id = "tenure",
                 .signal = "months_as_customer",
                 .raises = "Customer for {observed}, a tenure that lowers "
                           "churn risk (tenure is established at {threshold})",
                 .lowers = "Customer for only {observed}, a tenure that still "
                           "carries churn risk (tenure is established at "
                           "{threshold})",
                 .text = "Customer for {observed} (tenure is established at "
                         "{threshold})"},
                {.id = "early_tenure",
                 .signal = "months_as_customer",
                 .text = "Customer for {observed}: the first {threshold} "
                         "carry the highest churn risk"},
                {.id = "renewals",
                 .signal = "renewal_count",
                 .raises = "{observed:plural:renewal} so far, credited "
                           "{per:points} each (at most {max:points}, and "
                           "never past a score of 100)",
                 .text = "{observed:plural:renewal} so far",
                 .args = {"per", "max"}}},
      .actions = {{.id = "onboarding_check_in",
                   .text = "Schedule an onboarding check-in to make sure the "
                           "customer reaches first value"},
                  {.id = "extra_attention",
                   .text = "Give this newer account extra attention (regular "
                           "check-ins, an executive sponsor) until its tenure "
                           "is established"}},
  };
}

void Tenure::Evaluate(const Row& row, sdk::RowOutput& out) const {
  // 1 - established_score / 100 is in [0.001, 0.99], so pow() only shrinks
  // toward 0 as months grow: the curve rises monotonically from 0 to 100.
  const double gap_per_period = 1.0 - established_score_ / 100.0;
  const double curve = std::clamp(
      100.0 *
          (1.0 - std::pow(gap_per_period, row.months / established_months_)),
      0.0, 100.0);
  // Floored at 0; the penalty is what the floor let through, so the reasons
  // add up to the score exactly.
  const bool early = row.months < early_tenure_months_;
  const double after_penalty =
      early ? std::max(curve - early_tenure_penalty_ *
                                   (1.0 - row.months / early_tenure_months_),
                       0.0)
            : curve;
  const bool has_renewals = !sdk::IsMissing(row.renewals);
  double bonus = 0;
  if (has_renewals && renewal_bonus_ > 0) {
    bonus = std::min(row.renewals * renewal_bonus_, max_renewal_bonus_);
  }
  // Capped at 100 the same way: the credit is what fitted below it.
  const double score = std::min(after_penalty + bonus, 100.0);
  out.Score(score);

  out.Reason(kTenure, curve - sdk::kNeutral,
             {.observed = row.months, .threshold = established_months_});
  if (early) {
    out.Reason(kEarlyTenure, after_penalty - curve,
               {.observed = row.months, .threshold = early_tenure_months_});
    out.Action(kOnboardingCheckIn);
  }
  if (has_renewals) {
    out.Reason(kRenewals, score - after_penalty,
               {.observed = row.renewals,
                .threshold = 0,
                .args = {renewal_bonus_, max_renewal_bonus_}});
  }
  if (score < low_score_action_below_) out.Action(kExtraAttention);
}

}  // namespace healthscore::plugins
