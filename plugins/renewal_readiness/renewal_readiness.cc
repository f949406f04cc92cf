// The renewal_readiness dimension's declarations and scoring: see
// renewal_readiness.h for the model.
#include "renewal_readiness.h"

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

constexpr char kDaysToEnd[] = "days_to_contract_end";
constexpr char kUsageChange[] = "usage_change_30d_pct";
constexpr char kCommunications[] = "customer_communications_30d";

// Describe() declares these, in this order; the constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"usage_decline_floor_pct", -30, -100, 1000,
     "Usage change month over month (%) at or below which the usage "
     "sub-score is 0"},
    {"usage_growth_target_pct", 10, -100, 1000,
     "Usage change (%) at or above which the usage sub-score is 100; linear "
     "between the floor and the target"},
    {"target_communications_30d", 4, 1, 1e6,
     "Communications with the customer in 30 days at or above which the "
     "communication sub-score is 100 (weekly: 4); linear below"},
    {"weight_usage", 0.6, 0, 100,
     "Weight of the usage-trend component (renormalized over the components "
     "present)"},
    {"weight_communications", 0.4, 0, 100,
     "Weight of the communication-frequency component"},
    {"renewal_window_days", 90, 0, 3650,
     "A contract ending within this many days is inside the renewal window: "
     "a low score then asks to start the renewal conversation now"},
    {"low_score_action_below", 60, 0, 100,
     "Below this score the dimension recommends renewal work (urgent inside "
     "the renewal window)"},
};

// "ends in 45 days", "ends today", "ended 5 days ago".
std::string ContractEnd(double days) {
  if (days > 0) return "ends in " + Count(days, "day");
  if (days < 0) return "ended " + Count(-days, "day") + " ago";
  return "ends today";
}

}  // namespace

sdk::Info RenewalReadiness::Describe() {
  sdk::Info info;
  info.name = "renewal_readiness";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "How ready the customer is to renew: the usage trend and communication "
      "frequency, with the days to the contract end setting the urgency";
  info.signals = {
      // Higher is better: more time before the end date is never worse. The
      // score does not depend on it (only the reasons' and actions' urgency
      // does), so it is trivially monotonic.
      {.name = kDaysToEnd,
       .unit = "days",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kRequired,
       .description = "Days until the current contract ends (negative: the "
                      "end date has passed)",
       .min = sdk::kNone,
       .max = sdk::kNone},
      {.name = kUsageChange,
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kRequired,
       .description = "Change in product usage over the last 30 days against "
                      "the 30 days before",
       .min = -100,
       .max = sdk::kNone},
      {.name = kCommunications,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Two-way communications with the customer (calls, "
                      "meetings, answered emails) in the last 30 days",
       .min = 0,
       .max = sdk::kNone},
  };
  info.params = ParamDecls(kParams);
  return info;
}

RenewalReadiness::RenewalReadiness(const sdk::Params& params)
    : usage_decline_floor_pct_(
          ReadParam(kParams, params, "usage_decline_floor_pct")),
      usage_growth_target_pct_(
          ReadParam(kParams, params, "usage_growth_target_pct")),
      target_communications_30d_(
          ReadParam(kParams, params, "target_communications_30d")),
      weight_usage_(ReadParam(kParams, params, "weight_usage")),
      weight_communications_(
          ReadParam(kParams, params, "weight_communications")),
      renewal_window_days_(ReadParam(kParams, params, "renewal_window_days")),
      low_score_action_below_(
          ReadParam(kParams, params, "low_score_action_below")) {
  if (usage_decline_floor_pct_ >= usage_growth_target_pct_) {
    throw std::invalid_argument(
        "usage_decline_floor_pct = " + Exact(usage_decline_floor_pct_) +
        " must be below usage_growth_target_pct = " +
        Exact(usage_growth_target_pct_));
  }
  if (weight_usage_ + weight_communications_ <= 0) {
    throw std::invalid_argument(
        "weight_usage and weight_communications are both 0: at least one "
        "must be positive");
  }
}

bool RenewalReadiness::Evaluate(const Row& row, Evaluation& eval) const {
  eval.has_usage = weight_usage_ > 0;
  if (eval.has_usage) {
    eval.usage_sub =
        RampSubScore(row.usage_change_pct, usage_decline_floor_pct_,
                     usage_growth_target_pct_);
  }
  eval.has_communications =
      !sdk::IsMissing(row.communications) && weight_communications_ > 0;
  if (eval.has_communications) {
    eval.communications_sub =
        RatioSubScore(row.communications, target_communications_30d_);
  }
  const double total = (eval.has_usage ? weight_usage_ : 0) +
                       (eval.has_communications ? weight_communications_ : 0);
  if (total <= 0) return false;
  eval.usage_share = eval.has_usage ? weight_usage_ / total : 0;
  eval.communications_share =
      eval.has_communications ? weight_communications_ / total : 0;
  eval.score =
      std::clamp(eval.usage_share * eval.usage_sub +
                     eval.communications_share * eval.communications_sub,
                 0.0, 100.0);
  return true;
}

void RenewalReadiness::Explain(uint32_t index, const Row& row,
                               const Evaluation& eval, sdk::Output& out) const {
  if (eval.has_usage) {
    const double change = row.usage_change_pct;
    std::string message =
        "Usage " + ChangePhrase(change) + " month over month, ";
    double threshold = usage_growth_target_pct_;
    if (change >= usage_growth_target_pct_) {
      message += "at or above the " + Num(usage_growth_target_pct_) +
                 "% growth target";
    } else if (change > usage_decline_floor_pct_) {
      message +=
          "below the " + Num(usage_growth_target_pct_) + "% growth target";
    } else {
      threshold = usage_decline_floor_pct_;
      message += "at or below the " + Num(usage_decline_floor_pct_) +
                 "% decline floor";
    }
    out.AddReason(index,
                  {.rule_id = "usage_trend",
                   .signal = kUsageChange,
                   .observed = change,
                   .threshold = threshold,
                   .impact = eval.usage_share * (eval.usage_sub - kBaseline),
                   .message = std::move(message)});
  }
  if (eval.has_communications) {
    const double count = row.communications;
    const bool on_target = count >= target_communications_30d_;
    out.AddReason(
        index,
        {.rule_id = "communication_frequency",
         .signal = kCommunications,
         .observed = count,
         .threshold = target_communications_30d_,
         .impact =
             eval.communications_share * (eval.communications_sub - kBaseline),
         .message = Num(count) +
                    (count == 1 ? " communication" : " communications") +
                    " with the customer in the last 30 days, " +
                    (on_target ? "at or above" : "below") + " the target of " +
                    Num(target_communications_30d_)});
  }

  // The urgency: information, not a rule that moves the score (impact 0).
  const double days = row.days_to_end;
  const bool inside_window = days <= renewal_window_days_;
  std::string window_message = "The contract " + ContractEnd(days);
  if (days < 0) {
    window_message += ": the renewal is overdue";
  } else {
    window_message += std::string(inside_window ? ", inside" : ", outside") +
                      " the " + Num(renewal_window_days_) +
                      "-day renewal window";
  }
  out.AddReason(index, {.rule_id = "renewal_window",
                        .signal = kDaysToEnd,
                        .observed = days,
                        .threshold = renewal_window_days_,
                        .impact = 0,
                        .message = std::move(window_message)});

  if (eval.score < low_score_action_below_) {
    if (inside_window) {
      out.AddAction(index, "Start the renewal conversation now: the contract " +
                               ContractEnd(days) +
                               " and renewal readiness is low");
    } else {
      out.AddAction(index,
                    "Plan the renewal: win back usage and contact before the "
                    "renewal window opens in " +
                        Count(days - renewal_window_days_, "day"));
    }
  }
}

void RenewalReadiness::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  const std::span<const double> days = batch.Column(kDaysToEnd);
  const std::span<const double> usage = batch.Column(kUsageChange);
  const std::span<const double> communications = batch.Column(kCommunications);
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    const Row row{days[i], usage[i], communications[i]};
    const bool no_days = sdk::IsMissing(row.days_to_end);
    const bool no_usage = sdk::IsMissing(row.usage_change_pct);
    if (no_days || no_usage) {
      MarkInsufficientData(
          out, i,
          no_days && no_usage
              ? "missing required signals days_to_contract_end and "
                "usage_change_30d_pct"
              : std::string("missing required signal ") +
                    (no_days ? kDaysToEnd : kUsageChange));
      continue;
    }
    // The host refuses infinities; this guards a host that does not.
    if (FailIfInfinite(out, i,
                       LastInfinite({{row.days_to_end, kDaysToEnd},
                                     {row.usage_change_pct, kUsageChange},
                                     {row.communications, kCommunications}})))
      continue;

    Evaluation eval;
    if (!Evaluate(row, eval)) {
      MarkInsufficientData(out, i,
                           "no component with a non-zero weight has data: "
                           "weight_usage is 0 and "
                           "customer_communications_30d is missing");
      continue;
    }
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
