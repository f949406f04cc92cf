// The engagement dimension's declarations and scoring: see engagement.h.
#include "engagement.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "healthscore/sdk/scoring.h"

namespace healthscore::plugins {
namespace {

namespace sdk = ::healthscore::sdk;
using Row = EngagementRow;

// Per channel, in channel order (email, social, events).
constexpr const char* kSignals[] = {
    "email_open_rate_pct", "social_interactions_30d", "events_attended_90d"};
constexpr const char* kShort[] = {"email", "social", "events"};
constexpr const char* kGoals[] = {"email opens", "social interactions",
                                  "event attendance"};

// A channel with a target: `lead` holds {observed}; of_target is the level in
// percent of the target. Impact > 0 exactly when it is over half of it.
sdk::Rule ChannelRule(const char* id, int c, const std::string& lead) {
  return {.id = id,
          .signal = kSignals[c],
          .raises = lead + ", {of_target:percent} of the target of {threshold}",
          .lowers = lead + ", under half the target of {threshold}",
          .text = lead + ", half the target of {threshold}",
          .args = {"of_target"}};
}

sdk::Field<Row> Channel(
    double Row::*member, const char* name, const char* unit,
    const char* description, double max, double typical_max,
    sdk::Direction direction = sdk::Direction::kHigherIsBetter) {
  return {member,
          {.name = name,
           .unit = unit,
           .direction = direction,
           .requirement = sdk::Requirement::kOptional,
           .description = description,
           .min = 0,
           .max = max,
           .typical_min = 0,
           .typical_max = typical_max}};
}

sdk::Param Num(const char* name, double min, double max,
               const char* description) {
  return {.name = name, .description = description, .min = min, .max = max};
}

}  // namespace

Engagement::Declaration Engagement::Declare() {
  Declaration d{
      .description =
          "How actively the customer's people engage with us: email open rate, "
          "social-media interactions and their trend, and event attendance",
      .signals =
          {Channel(&Row::email, kSignals[0], "percent",
                   "Share of our emails to the customer's contacts opened in "
                   "the last 90 days",
                   100, 100),
           Channel(&Row::social, kSignals[1], "count",
                   "Interactions (likes, comments, shares, replies) of the "
                   "customer's people with our social-media posts in the last "
                   "30 days",
                   sdk::kNone, 30),
           // Lower is better for this score: it is the trend's reference, so
           // with this month fixed a higher value is a steeper fall.
           Channel(&Row::prev_social, "social_interactions_prev_30d", "count",
                   "Social-media interactions in the 30 days before the last "
                   "30 (the trend's reference)",
                   sdk::kNone, 30, sdk::Direction::kLowerIsBetter),
           Channel(&Row::events, kSignals[2], "count",
                   "Our events (webinars, user groups, conferences) attended "
                   "by the customer's people in the last 90 days",
                   sdk::kNone, 6)},
      .params =
          {{&Engagement::target_email_,
            Num("target_email_open_rate_pct", 1, 100,
                "Email open rate (%) at or above which the email sub-score is "
                "100; linear below")},
           {&Engagement::target_social_,
            Num("target_social_interactions_30d", 1, 1e6,
                "Social interactions in 30 days at or above which the social "
                "sub-score is 100; linear below")},
           {&Engagement::target_events_,
            Num("target_events_attended_90d", 1, 1e4,
                "Events attended in 90 days at or above which the events "
                "sub-score is 100; linear below")},
           {&Engagement::weight_email_,
            Num("weight_email", 0, 100,
                "Weight of the email channel (renormalized over the channels "
                "present)")},
           {&Engagement::weight_social_,
            Num("weight_social", 0, 100, "Weight of the social channel")},
           {&Engagement::weight_events_,
            Num("weight_events", 0, 100, "Weight of the events channel")},
           {&Engagement::interaction_drop_alert_pct_,
            Num("interaction_drop_alert_pct", 1, 100,
                "A fall of social_interactions_30d against "
                "social_interactions_prev_30d of this many percent or more is "
                "a warning sign and costs points")},
           {&Engagement::trend_penalty_max_,
            Num("trend_penalty_max", 0, 100,
                "Points taken off for a 100% fall in social interactions; a "
                "smaller fall (at or above interaction_drop_alert_pct) costs "
                "proportionally less")},
           {&Engagement::active_min_score_,
            Num("active_min_score", 0, 100,
                "At or above this score the customer is actively engaged")},
           {&Engagement::needs_plan_below_,
            Num("needs_plan_below", 0, 100,
                "Below this score the customer needs a targeted engagement "
                "plan, and the dimension recommends one")}},
      // In the order of enum Rule.
      .rules =
          {ChannelRule("email_open_rate", 0, "Email open rate is {observed}"),
           ChannelRule("social_interactions", 1,
                       "{observed:plural:interaction} with our social posts in "
                       "the last 30 days"),
           ChannelRule("event_attendance", 2,
                       "{observed:plural:event} attended in the last 90 days"),
           {.id = "social_interaction_trend",
            .signal = kSignals[1],
            .unit = "percent",
            .lowers = "Social interactions fell {observed} month over month "
                      "({prev} to {now})",
            .text = "Social interactions fell {observed} month over month "
                    "({prev} to {now}), which costs no points here",
            .args = {"prev", "now"}},
           {.id = "actively_engaged",
            .text = "Engagement {observed:score} is at or above "
                    "{threshold:score}: actively engaged"},
           {.id = "needs_engagement_plan",
            .text = "Engagement {observed:score} is below {threshold:score}: "
                    "the customer needs a targeted engagement plan"}},
      .actions = {{.id = "re_engage",
                   .text =
                       "Find out why the customer's people interact with us "
                       "less and re-engage the contacts who went quiet"}},
  };
  // kPlan + mask, one per set of channels below target, built here once:
  // "Build a targeted engagement plan to raise email opens and event
  // attendance".
  d.actions.push_back(
      {.id = "engagement_plan",
       .text = "Build a targeted engagement plan for the customer's contacts"});
  for (int mask = 1; mask < 8; ++mask) {
    std::string id = "engagement_plan";
    std::string text = "Build a targeted engagement plan to raise ";
    const int count = std::popcount(static_cast<unsigned>(mask));
    for (int c = 0, listed = 0; c < 3; ++c) {
      if ((mask & (1 << c)) == 0) continue;
      ++listed;
      if (listed > 1) text += listed == count ? " and " : ", ";
      id += std::string("_") + kShort[c];
      text += kGoals[c];
    }
    d.actions.push_back({.id = id, .text = text});
  }
  return d;
}

void Engagement::Init() {
  const double weight[] = {weight_email_, weight_social_, weight_events_};
  if (weight[0] + weight[1] + weight[2] <= 0) {
    throw std::invalid_argument(
        "weight_email, weight_social and weight_events are all 0: at least one "
        "must be positive");
  }
  if (needs_plan_below_ > active_min_score_) {
    throw std::invalid_argument(
        "needs_plan_below = " + sdk::Exact(needs_plan_below_) +
        " must not be above active_min_score = " +
        sdk::Exact(active_min_score_));
  }
  std::string names;
  for (int c = 0; c < 3; ++c) {
    if (weight[c] <= 0) continue;
    names += (names.empty() ? "" : ", ") + std::string(kSignals[c]);
  }
  no_data_message_ = "missing engagement data: none of " + names +
                     " is present (at least one is required)";
}

void Engagement::Evaluate(const Row& row, sdk::RowOutput& out) const {
  const double level[] = {row.email, row.social, row.events};
  const double weight[] = {weight_email_, weight_social_, weight_events_};
  const double target[] = {target_email_, target_social_, target_events_};
  bool present[3];
  double sub[3] = {};
  double share[3] = {};
  for (int c = 0; c < 3; ++c) {
    present[c] = !sdk::IsMissing(level[c]) && weight[c] > 0;
    if (present[c]) sub[c] = sdk::RatioSubScore(level[c], target[c]);
  }
  double base = 0;
  if (!sdk::WeightedMeanOfPresent(weight, present, sub, share, base)) {
    return out.InsufficientData(no_data_message_);
  }

  // prev == 0 cannot fall, and a missing value on either side means no trend.
  double fall_pct = 0;
  const bool trend = sdk::PercentFall(row.social, row.prev_social, fall_pct) &&
                     fall_pct >= interaction_drop_alert_pct_;
  const double penalty =
      trend ? sdk::TrendPenalty(trend_penalty_max_, fall_pct, base) : 0;
  const double score = std::clamp(base - penalty, 0.0, 100.0);
  out.Score(score);
  if (!out.WantsExplanation()) return;

  for (uint32_t c = 0; c < 3; ++c) {
    if (!present[c]) continue;
    out.Reason(kEmail + c, share[c] * (sub[c] - sdk::kNeutral),
               {.observed = level[c],
                .threshold = target[c],
                .args = {100 * level[c] / target[c]}});
  }
  if (trend) {
    out.Reason(kTrend, -penalty,
               {.observed = fall_pct,
                .threshold = interaction_drop_alert_pct_,
                .args = {row.prev_social, row.social}});
    out.Action(kReEngage);
  }
  if (score >= active_min_score_) {
    out.Reason(kActive, 0, {.observed = score, .threshold = active_min_score_});
  } else if (score < needs_plan_below_) {
    out.Reason(kNeedsPlan, 0,
               {.observed = score, .threshold = needs_plan_below_});
    // Name the channels below target, so the plan starts where it is needed.
    uint32_t below = 0;
    for (int c = 0; c < 3; ++c) {
      if (present[c] && sub[c] < 100) below |= 1u << c;
    }
    out.Action(kPlan + below);
  }
}

}  // namespace healthscore::plugins
