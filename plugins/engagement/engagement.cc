// The engagement dimension's declarations and scoring: see engagement.h for
// the model.
#include "engagement.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "plugins/common/components.h"
#include "plugins/common/dimension_util.h"

#ifndef HEALTHSCORE_PLUGIN_VERSION
#error \
    "HEALTHSCORE_PLUGIN_VERSION must be defined (healthscore_add_dimension does)"
#endif

namespace healthscore::plugins {
namespace {

namespace sdk = ::healthscore::sdk;

constexpr char kEmail[] = "email_open_rate_pct";
constexpr char kSocial[] = "social_interactions_30d";
constexpr char kPrevSocial[] = "social_interactions_prev_30d";
constexpr char kEvents[] = "events_attended_90d";

// Per channel, in channel order (email, social, events).
constexpr const char* kChannelSignals[] = {kEmail, kSocial, kEvents};
constexpr const char* kChannelRules[] = {
    "email_open_rate", "social_interactions", "event_attendance"};
constexpr const char* kTargetParams[] = {"target_email_open_rate_pct",
                                         "target_social_interactions_30d",
                                         "target_events_attended_90d"};
constexpr const char* kWeightParams[] = {"weight_email", "weight_social",
                                         "weight_events"};
// For the engagement-plan action: what to raise on each channel.
constexpr const char* kChannelGoals[] = {"email opens", "social interactions",
                                         "event attendance"};

// Describe() declares these, in this order; the constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"target_email_open_rate_pct", 40, 1, 100,
     "Email open rate (%) at or above which the email sub-score is 100; "
     "linear below"},
    {"target_social_interactions_30d", 10, 1, 1e6,
     "Social interactions in 30 days at or above which the social sub-score "
     "is 100; linear below"},
    {"target_events_attended_90d", 2, 1, 1e4,
     "Events attended in 90 days at or above which the events sub-score is "
     "100; linear below"},
    {"weight_email", 0.4, 0, 100,
     "Weight of the email channel (renormalized over the channels present)"},
    {"weight_social", 0.3, 0, 100, "Weight of the social channel"},
    {"weight_events", 0.3, 0, 100, "Weight of the events channel"},
    {"interaction_drop_alert_pct", 30, 1, 100,
     "A fall of social_interactions_30d against social_interactions_prev_30d "
     "of this many percent or more is a warning sign and costs points"},
    {"trend_penalty_max", 10, 0, 100,
     "Points taken off for a 100% fall in social interactions; a smaller fall "
     "(at or above interaction_drop_alert_pct) costs proportionally less"},
    {"active_min_score", 70, 0, 100,
     "At or above this score the customer is actively engaged"},
    {"needs_plan_below", 40, 0, 100,
     "Below this score the customer needs a targeted engagement plan, and "
     "the dimension recommends one"},
};

}  // namespace

sdk::Info Engagement::Describe() {
  sdk::Info info;
  info.name = "engagement";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "How actively the customer's people engage with us: email open rate, "
      "social-media interactions and their trend, and event attendance";
  info.signals = {
      {.name = kEmail,
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Share of our emails to the customer's contacts opened in the last "
           "90 days",
       .min = 0,
       .max = 100},
      {.name = kSocial,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Interactions (likes, comments, shares, replies) of the customer's "
           "people with our social-media posts in the last 30 days",
       .min = 0,
       .max = sdk::kNone},
      // Lower is better for this dimension's score: it is the reference the
      // trend compares social_interactions_30d with, so with this month fixed
      // a higher value means a steeper fall.
      {.name = kPrevSocial,
       .unit = "count",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Social-media interactions in the 30 days before the "
                      "last 30 (the trend's reference)",
       .min = 0,
       .max = sdk::kNone},
      {.name = kEvents,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Our events (webinars, user groups, conferences) attended by the "
           "customer's people in the last 90 days",
       .min = 0,
       .max = sdk::kNone},
  };
  info.params = ParamDecls(kParams);
  return info;
}

Engagement::Engagement(const sdk::Params& params)
    : target_{ReadParam(kParams, params, kTargetParams[0]),
              ReadParam(kParams, params, kTargetParams[1]),
              ReadParam(kParams, params, kTargetParams[2])},
      weight_{ReadParam(kParams, params, kWeightParams[0]),
              ReadParam(kParams, params, kWeightParams[1]),
              ReadParam(kParams, params, kWeightParams[2])},
      interaction_drop_alert_pct_(
          ReadParam(kParams, params, "interaction_drop_alert_pct")),
      trend_penalty_max_(ReadParam(kParams, params, "trend_penalty_max")),
      active_min_score_(ReadParam(kParams, params, "active_min_score")),
      needs_plan_below_(ReadParam(kParams, params, "needs_plan_below")) {
  if (weight_[0] + weight_[1] + weight_[2] <= 0) {
    throw std::invalid_argument(
        "weight_email, weight_social and weight_events are all 0: at least "
        "one must be positive");
  }
  if (needs_plan_below_ > active_min_score_) {
    throw std::invalid_argument(
        "needs_plan_below = " + Exact(needs_plan_below_) +
        " must not be above active_min_score = " + Exact(active_min_score_));
  }
  std::string names;
  for (int c = 0; c < kNumChannels; ++c) {
    if (weight_[c] <= 0) continue;
    names += (names.empty() ? "" : ", ") + std::string(kChannelSignals[c]);
  }
  no_data_message_ = "missing engagement data: none of " + names +
                     " is present (at least one is required)";
}

bool Engagement::Evaluate(const Row& row, Evaluation& eval) const {
  for (int c = 0; c < kNumChannels; ++c) {
    eval.present[c] = !sdk::IsMissing(row.level[c]) && weight_[c] > 0;
    if (!eval.present[c]) continue;
    eval.sub[c] = RatioSubScore(row.level[c], target_[c]);
  }
  if (!WeightedMeanOfPresent(weight_, eval.present, eval.sub, eval.share,
                             eval.base)) {
    return false;
  }

  // prev == 0 cannot fall, and a NaN on either side means no trend.
  const double social = row.level[1];
  if (PercentFall(social, row.prev_social, eval.fall_pct) &&
      eval.fall_pct >= interaction_drop_alert_pct_) {
    eval.trend_fired = true;
    eval.penalty = TrendPenalty(trend_penalty_max_, eval.fall_pct, eval.base);
  }
  eval.score = std::clamp(eval.base - eval.penalty, 0.0, 100.0);
  return true;
}

void Engagement::Explain(uint32_t index, const Row& row, const Evaluation& eval,
                         sdk::Output& out) const {
  for (int c = 0; c < kNumChannels; ++c) {
    if (!eval.present[c]) continue;
    const double value = row.level[c];
    const char* versus = value >= target_[c] ? "at or above" : "below";
    std::string message;
    switch (c) {
      case 0:
        message = "Email open rate " + Num(value) + "% is " + versus + " the " +
                  Num(target_[c]) + "% target";
        break;
      case 1:
        message = Count(value, "social interaction") +
                  " in the last 30 days, " + versus + " the target of " +
                  Num(target_[c]);
        break;
      default:
        message = Count(value, "event") + " attended in the last 90 days, " +
                  versus + " the target of " + Num(target_[c]);
        break;
    }
    out.AddReason(index, {.rule_id = kChannelRules[c],
                          .signal = kChannelSignals[c],
                          .observed = value,
                          .threshold = target_[c],
                          .impact = eval.share[c] * (eval.sub[c] - kBaseline),
                          .message = std::move(message)});
  }
  if (eval.trend_fired) {
    out.AddReason(index,
                  {.rule_id = "social_interaction_trend",
                   .signal = kSocial,
                   .observed = eval.fall_pct,
                   .threshold = interaction_drop_alert_pct_,
                   .impact = -eval.penalty,
                   .message = "Social interactions fell " + Num(eval.fall_pct) +
                              "% month over month (" + Num(row.prev_social) +
                              " -> " + Num(row.level[1]) + ")"});
    out.AddAction(index,
                  "Find out why the customer's people interact with us less "
                  "and re-engage the contacts who went quiet");
  }

  if (eval.score >= active_min_score_) {
    out.AddReason(index, BandReason("actively_engaged", "Engagement",
                                    eval.score, "at or above",
                                    active_min_score_, "actively engaged"));
  } else if (eval.score < needs_plan_below_) {
    out.AddReason(index,
                  BandReason("needs_engagement_plan", "Engagement", eval.score,
                             "below", needs_plan_below_,
                             "the customer needs a targeted engagement plan"));
    // Name the channels below target, so the plan starts where it is needed.
    std::string goals;
    int count = 0;
    for (int c = 0; c < kNumChannels; ++c) {
      if (eval.present[c] && eval.sub[c] < 100) ++count;
    }
    int listed = 0;
    for (int c = 0; c < kNumChannels; ++c) {
      if (!eval.present[c] || eval.sub[c] >= 100) continue;
      ++listed;
      if (listed > 1) goals += listed == count ? " and " : ", ";
      goals += kChannelGoals[c];
    }
    out.AddAction(index,
                  goals.empty()
                      ? "Build a targeted engagement plan for the "
                        "customer's contacts"
                      : "Build a targeted engagement plan to raise " + goals);
  }
}

void Engagement::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  const std::span<const double> email = batch.Column(kEmail);
  const std::span<const double> social = batch.Column(kSocial);
  const std::span<const double> prev_social = batch.Column(kPrevSocial);
  const std::span<const double> events = batch.Column(kEvents);
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    const Row row{{email[i], social[i], events[i]}, prev_social[i]};
    // The host refuses infinities; this guards a host that does not.
    const char* infinite = nullptr;
    for (int c = 0; c < kNumChannels; ++c) {
      if (std::isinf(row.level[c])) infinite = kChannelSignals[c];
    }
    if (std::isinf(row.prev_social)) infinite = kPrevSocial;
    if (FailIfInfinite(out, i, infinite)) continue;

    Evaluation eval;
    if (!Evaluate(row, eval)) {
      MarkInsufficientData(out, i, no_data_message_);
      continue;
    }
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
