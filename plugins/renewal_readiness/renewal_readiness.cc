// The renewal_readiness dimension's declarations and scoring: see
// renewal_readiness.h.
#include "renewal_readiness.h"

#include <algorithm>
#include <stdexcept>

#include "healthscore/sdk/scoring.h"

namespace healthscore::plugins {

namespace sdk = ::healthscore::sdk;
using Row = RenewalReadinessRow;

namespace {

// A number parameter; its default is the bound member's initializer.
sdk::Param Num(const char* name, double min, double max,
               const char* description) {
  return {.name = name, .description = description, .min = min, .max = max};
}

}  // namespace

RenewalReadiness::Declaration RenewalReadiness::Declare() {
  using P = RenewalReadiness;
  return {
      .description =
          "How ready the customer is to renew: the usage trend and "
          "communication frequency, with the days to the contract end "
          "setting the urgency",
      .signals =
          {// Higher is better: more time before the end date is never worse.
           // The score does not depend on it, only the urgency does.
           {&Row::days_to_end,
            {.name = "days_to_contract_end",
             .unit = "days",
             .description = "Days until the current contract ends (negative: "
                            "the end date has passed)",
             .typical_min = -60,
             .typical_max = 365}},
           {&Row::usage_change_pct,
            {.name = "usage_change_30d_pct",
             .unit = "percent",
             .description = "Change in product usage over the last 30 days "
                            "against the 30 days before",
             .min = -100,
             .typical_min = -60,
             .typical_max = 60}},
           {&Row::communications,
            {.name = "customer_communications_30d",
             .unit = "count",
             .requirement = sdk::Requirement::kOptional,
             .description = "Two-way communications with the customer "
                            "(calls, meetings, answered emails) in the last "
                            "30 days",
             .min = 0,
             .typical_min = 0,
             .typical_max = 12}}},
      .params = {{&P::usage_decline_floor_pct_,
                  Num("usage_decline_floor_pct", -100, 1000,
                      "Usage change month over month (%) at or below which the "
                      "usage sub-score is 0")},
                 {&P::usage_growth_target_pct_,
                  Num("usage_growth_target_pct", -100, 1000,
                      "Usage change (%) at or above which the usage sub-score "
                      "is 100; linear between the floor and the target")},
                 {&P::target_communications_30d_,
                  Num("target_communications_30d", 1, 1e6,
                      "Communications with the customer in 30 days at or above "
                      "which the communication sub-score is 100 (weekly: 4); "
                      "linear below")},
                 {&P::weight_usage_,
                  Num("weight_usage", 0, 100,
                      "Weight of the usage-trend component (renormalized over "
                      "the components present)")},
                 {&P::weight_communications_,
                  Num("weight_communications", 0, 100,
                      "Weight of the communication-frequency component")},
                 {&P::renewal_window_days_,
                  Num("renewal_window_days", 0, 3650,
                      "A contract ending within this many days is inside the "
                      "renewal window: a low score then asks to start the "
                      "renewal conversation now")},
                 {&P::low_score_action_below_,
                  Num("low_score_action_below", 0, 100,
                      "Below this score the dimension recommends renewal work "
                      "(urgent inside the renewal window)")}},
      // In the order of enum Rule.
      .rules =
          {{.id = "usage_trend",
            .signal = "usage_change_30d_pct",
            .raises = "Usage changed {observed:signed}% month over month, "
                      "above the {midpoint:signed}% midpoint of the "
                      "{floor:signed}% decline floor and {target:signed}% "
                      "growth target",
            .lowers = "Usage changed {observed:signed}% month over month, "
                      "below the {midpoint:signed}% midpoint of the "
                      "{floor:signed}% decline floor and {target:signed}% "
                      "growth target",
            .text = "Usage changed {observed:signed}% month over month, "
                    "halfway between the {floor:signed}% decline floor and "
                    "the {target:signed}% growth target",
            .args = {"midpoint", "floor", "target"}},
           {.id = "communication_frequency",
            .signal = "customer_communications_30d",
            .raises = "{observed:plural:communication} with the customer in "
                      "the last 30 days, {of_target:percent} of the target of "
                      "{threshold}",
            .lowers = "{observed:plural:communication} with the customer in "
                      "the last 30 days, under half the target of "
                      "{threshold}",
            .text = "{observed:plural:communication} with the customer in "
                    "the last 30 days, half the target of {threshold}",
            .args = {"of_target"}},
           {.id = "renewal_window",
            .signal = "days_to_contract_end",
            .text = "{observed} left on the contract; the renewal window "
                    "opens {threshold} before the end"},
           {.id = "renewal_overdue",
            .signal = "days_to_contract_end",
            .text = "The contract ended {overdue:days} ago: the renewal is "
                    "overdue",
            .args = {"overdue"}}},
      .actions = {{.id = "start_renewal",
                   .text = "Start the renewal conversation now: {days:days} "
                           "left on the contract and renewal readiness is low",
                   .args = {"days"}},
                  {.id = "renew_overdue",
                   .text = "Start the renewal conversation now: the contract "
                           "ended {days:days} ago and renewal readiness is low",
                   .args = {"days"}},
                  {.id = "plan_renewal",
                   .text = "Plan the renewal: win back usage and contact "
                           "before the renewal window opens in {days:days}",
                   .args = {"days"}}},
  };
}

void RenewalReadiness::Init() {
  if (usage_decline_floor_pct_ >= usage_growth_target_pct_) {
    throw std::invalid_argument(
        "usage_decline_floor_pct = " + sdk::Exact(usage_decline_floor_pct_) +
        " must be below usage_growth_target_pct = " +
        sdk::Exact(usage_growth_target_pct_));
  }
  if (weight_usage_ + weight_communications_ <= 0) {
    throw std::invalid_argument(
        "weight_usage and weight_communications are both 0: at least one "
        "must be positive");
  }
}

void RenewalReadiness::Evaluate(const Row& row, sdk::RowOutput& out) const {
  const bool has_usage = weight_usage_ > 0;
  const bool has_communications =
      !sdk::IsMissing(row.communications) && weight_communications_ > 0;
  const double usage_sub =
      has_usage
          ? sdk::RampSubScore(row.usage_change_pct, usage_decline_floor_pct_,
                              usage_growth_target_pct_)
          : 0;
  const double communications_sub =
      has_communications
          ? sdk::RatioSubScore(row.communications, target_communications_30d_)
          : 0;
  const double total = (has_usage ? weight_usage_ : 0) +
                       (has_communications ? weight_communications_ : 0);
  if (total <= 0) {
    return out.InsufficientData(
        "no component with a non-zero weight has data: weight_usage is 0 and "
        "customer_communications_30d is missing");
  }
  const double usage_share = has_usage ? weight_usage_ / total : 0;
  const double communications_share =
      has_communications ? weight_communications_ / total : 0;
  const double score = std::clamp(
      usage_share * usage_sub + communications_share * communications_sub, 0.0,
      100.0);
  out.Score(score);

  if (has_usage) {
    const double change = row.usage_change_pct;
    out.Reason(
        kUsage, usage_share * (usage_sub - sdk::kNeutral),
        {.observed = change,
         .threshold = change > usage_decline_floor_pct_
                          ? usage_growth_target_pct_
                          : usage_decline_floor_pct_,
         .args = {(usage_decline_floor_pct_ + usage_growth_target_pct_) / 2,
                  usage_decline_floor_pct_, usage_growth_target_pct_}});
  }
  if (has_communications) {
    out.Reason(
        kCommunications,
        communications_share * (communications_sub - sdk::kNeutral),
        {.observed = row.communications,
         .threshold = target_communications_30d_,
         .args = {100 * row.communications / target_communications_30d_}});
  }
  // The urgency: information, not a rule that moves the score (impact 0).
  const double days = row.days_to_end;
  if (days >= 0) {
    out.Reason(kWindow, 0,
               {.observed = days, .threshold = renewal_window_days_});
  } else {
    out.Reason(
        kOverdue, 0,
        {.observed = days, .threshold = renewal_window_days_, .args = {-days}});
  }
  if (score < low_score_action_below_) {
    if (days < 0) {
      out.Action(kRenewOverdue, {-days});
    } else if (days <= renewal_window_days_) {
      out.Action(kStartRenewal, {days});
    } else {
      out.Action(kPlanRenewal, {days - renewal_window_days_});
    }
  }
}

}  // namespace healthscore::plugins
