// The relationship_health dimension's declarations and scoring: see
// relationship_health.h for the model.
#include "relationship_health.h"

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

constexpr char kDaysSinceContact[] = "days_since_last_contact";
constexpr char kTouchpoints[] = "touchpoints_90d";
constexpr char kPrevTouchpoints[] = "touchpoints_prev_90d";
constexpr char kSponsor[] = "has_executive_sponsor";
constexpr char kReviews[] = "business_reviews_12m";
constexpr char kChampionChanged[] = "champion_changed_90d";

// A 0/1 flag reads as set from this value up; the host only bounds it to 0-1.
constexpr double kFlagSet = 0.5;

// Describe() declares these, in this order; the constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"contact_recent_days", 30, 0, 3650,
     "Days since the last contact at or below which the recency sub-score is "
     "100"},
    {"contact_lapsed_days", 90, 0, 3650,
     "Days since the last contact at or above which the relationship has "
     "lapsed (recency sub-score 0); linear between recent and lapsed"},
    {"target_touchpoints_90d", 6, 1, 1e6,
     "Touchpoints (calls, meetings, two-way emails) in 90 days at or above "
     "which the touchpoint sub-score is 100; linear below"},
    {"target_business_reviews_12m", 4, 1, 365,
     "Business reviews in 12 months at or above which the review sub-score "
     "is 100 (quarterly reviews: 4); linear below"},
    {"weight_recency", 0.25, 0, 100,
     "Weight of the contact-recency component (renormalized over the "
     "components present)"},
    {"weight_touchpoints", 0.25, 0, 100,
     "Weight of the touchpoint-frequency component"},
    {"weight_sponsor", 0.25, 0, 100,
     "Weight of the executive-sponsor component"},
    {"weight_reviews", 0.25, 0, 100, "Weight of the business-review component"},
    {"touchpoint_drop_alert_pct", 50, 1, 100,
     "A fall of touchpoints_90d against touchpoints_prev_90d of this many "
     "percent or more is a warning sign and costs points"},
    {"touchpoint_trend_penalty_max", 10, 0, 100,
     "Points taken off for a 100% fall in touchpoints; a smaller fall (at or "
     "above touchpoint_drop_alert_pct) costs proportionally less"},
    {"champion_change_penalty", 15, 0, 100,
     "Points taken off when the customer's champion changed in the last 90 "
     "days"},
    {"low_score_action_below", 60, 0, 100,
     "Below this score the dimension recommends an executive business "
     "review"},
};

}  // namespace

sdk::Info RelationshipHealth::Describe() {
  sdk::Info info;
  info.name = "relationship_health";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "The strength of the relationship with the customer's people: contact "
      "recency, touchpoint frequency and trend, executive sponsorship, "
      "business reviews and champion changes";
  info.signals = {
      {.name = kDaysSinceContact,
       .unit = "days",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kRequired,
       .description = "Days since the last two-way contact with the customer",
       .min = 0,
       .max = sdk::kNone},
      {.name = kTouchpoints,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Touchpoints (calls, meetings, two-way emails) with the customer in "
           "the last 90 days",
       .min = 0,
       .max = sdk::kNone},
      // Lower is better for this dimension's score: it is the reference the
      // trend compares touchpoints_90d with, so with touchpoints_90d fixed a
      // higher value means a steeper fall.
      {.name = kPrevTouchpoints,
       .unit = "count",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Touchpoints in the 90 days before the last 90 (the trend's "
           "reference)",
       .min = 0,
       .max = sdk::kNone},
      {.name = kSponsor,
       .unit = "flag",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "1 when an executive at the customer sponsors the "
                      "relationship, 0 when none does",
       .min = 0,
       .max = 1},
      {.name = kReviews,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Business reviews (QBRs, EBRs) held with the customer in the last "
           "12 months",
       .min = 0,
       .max = sdk::kNone},
      {.name = kChampionChanged,
       .unit = "flag",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "1 when the customer's champion (main contact) changed "
                      "in the last 90 days, else 0",
       .min = 0,
       .max = 1},
  };
  info.params = ParamDecls(kParams);
  return info;
}

RelationshipHealth::RelationshipHealth(const sdk::Params& params)
    : contact_recent_days_(ReadParam(kParams, params, "contact_recent_days")),
      contact_lapsed_days_(ReadParam(kParams, params, "contact_lapsed_days")),
      target_touchpoints_90d_(
          ReadParam(kParams, params, "target_touchpoints_90d")),
      target_business_reviews_12m_(
          ReadParam(kParams, params, "target_business_reviews_12m")),
      weight_recency_(ReadParam(kParams, params, "weight_recency")),
      weight_touchpoints_(ReadParam(kParams, params, "weight_touchpoints")),
      weight_sponsor_(ReadParam(kParams, params, "weight_sponsor")),
      weight_reviews_(ReadParam(kParams, params, "weight_reviews")),
      touchpoint_drop_alert_pct_(
          ReadParam(kParams, params, "touchpoint_drop_alert_pct")),
      touchpoint_trend_penalty_max_(
          ReadParam(kParams, params, "touchpoint_trend_penalty_max")),
      champion_change_penalty_(
          ReadParam(kParams, params, "champion_change_penalty")),
      low_score_action_below_(
          ReadParam(kParams, params, "low_score_action_below")) {
  if (contact_recent_days_ >= contact_lapsed_days_) {
    throw std::invalid_argument(
        "contact_recent_days = " + Exact(contact_recent_days_) +
        " must be below contact_lapsed_days = " + Exact(contact_lapsed_days_));
  }
  if (weight_recency_ + weight_touchpoints_ + weight_sponsor_ +
          weight_reviews_ <=
      0) {
    throw std::invalid_argument(
        "weight_recency, weight_touchpoints, weight_sponsor and "
        "weight_reviews are all 0: at least one must be positive");
  }
}

bool RelationshipHealth::Evaluate(const Row& row, Evaluation& eval) const {
  eval.has_recency = weight_recency_ > 0;
  if (eval.has_recency) {
    eval.recency_sub = RampSubScore(row.days_since_contact,
                                    contact_lapsed_days_, contact_recent_days_);
  }
  eval.has_touchpoints =
      !sdk::IsMissing(row.touchpoints) && weight_touchpoints_ > 0;
  if (eval.has_touchpoints) {
    eval.touchpoints_sub =
        RatioSubScore(row.touchpoints, target_touchpoints_90d_);
  }
  eval.has_sponsor = !sdk::IsMissing(row.sponsor) && weight_sponsor_ > 0;
  if (eval.has_sponsor) eval.sponsor_sub = row.sponsor >= kFlagSet ? 100 : 0;
  eval.has_reviews = !sdk::IsMissing(row.reviews) && weight_reviews_ > 0;
  if (eval.has_reviews) {
    eval.reviews_sub = RatioSubScore(row.reviews, target_business_reviews_12m_);
  }

  const double total = (eval.has_recency ? weight_recency_ : 0) +
                       (eval.has_touchpoints ? weight_touchpoints_ : 0) +
                       (eval.has_sponsor ? weight_sponsor_ : 0) +
                       (eval.has_reviews ? weight_reviews_ : 0);
  if (total <= 0) return false;
  eval.recency_share = eval.has_recency ? weight_recency_ / total : 0;
  eval.touchpoints_share =
      eval.has_touchpoints ? weight_touchpoints_ / total : 0;
  eval.sponsor_share = eval.has_sponsor ? weight_sponsor_ / total : 0;
  eval.reviews_share = eval.has_reviews ? weight_reviews_ / total : 0;
  eval.base = std::clamp(eval.recency_share * eval.recency_sub +
                             eval.touchpoints_share * eval.touchpoints_sub +
                             eval.sponsor_share * eval.sponsor_sub +
                             eval.reviews_share * eval.reviews_sub,
                         0.0, 100.0);

  // prev == 0 cannot fall, and a NaN on either side means no trend.
  if (PercentFall(row.touchpoints, row.prev_touchpoints, eval.fall_pct) &&
      eval.fall_pct >= touchpoint_drop_alert_pct_) {
    eval.trend_fired = true;
    eval.trend_penalty =
        TrendPenalty(touchpoint_trend_penalty_max_, eval.fall_pct, eval.base);
  }
  const double after_trend = eval.base - eval.trend_penalty;

  eval.champion_changed =
      !sdk::IsMissing(row.champion_changed) && row.champion_changed >= kFlagSet;
  if (eval.champion_changed) {
    eval.champion_penalty = std::min(champion_change_penalty_, after_trend);
  }
  eval.score = std::clamp(after_trend - eval.champion_penalty, 0.0, 100.0);
  return true;
}

void RelationshipHealth::Explain(uint32_t index, const Row& row,
                                 const Evaluation& eval,
                                 sdk::Output& out) const {
  const double days = row.days_since_contact;
  const bool lapsed = days >= contact_lapsed_days_;
  if (eval.has_recency) {
    const std::string last =
        days == 0 ? "Last contact today, "
                  : "Last contact " + Count(days, "day") + " ago, ";
    std::string message;
    if (days <= contact_recent_days_) {
      message = last + "within the " + Num(contact_recent_days_) + "-day mark";
    } else if (!lapsed) {
      message = last + "more than the " + Num(contact_recent_days_) +
                " days that keep a relationship warm";
    } else {
      message = last + "at or beyond the " + Num(contact_lapsed_days_) +
                " days at which a relationship has lapsed";
    }
    out.AddReason(
        index,
        {.rule_id = "contact_recency",
         .signal = kDaysSinceContact,
         .observed = days,
         .threshold = lapsed ? contact_lapsed_days_ : contact_recent_days_,
         .impact = eval.recency_share * (eval.recency_sub - kBaseline),
         .message = std::move(message)});
  }
  if (eval.has_touchpoints) {
    const bool on_target = row.touchpoints >= target_touchpoints_90d_;
    out.AddReason(
        index,
        {.rule_id = "touchpoint_frequency",
         .signal = kTouchpoints,
         .observed = row.touchpoints,
         .threshold = target_touchpoints_90d_,
         .impact = eval.touchpoints_share * (eval.touchpoints_sub - kBaseline),
         .message = Count(row.touchpoints, "touchpoint") +
                    " in the last 90 days, " +
                    (on_target ? "at or above" : "below") + " the target of " +
                    Num(target_touchpoints_90d_)});
  }
  if (eval.has_sponsor) {
    const bool has = row.sponsor >= kFlagSet;
    out.AddReason(
        index, {.rule_id = "executive_sponsor",
                .signal = kSponsor,
                .observed = row.sponsor,
                .threshold = sdk::kNone,
                .impact = eval.sponsor_share * (eval.sponsor_sub - kBaseline),
                .message = has ? "An executive at the customer sponsors the "
                                 "relationship"
                               : "No executive sponsor at the customer"});
  }
  if (eval.has_reviews) {
    const bool on_target = row.reviews >= target_business_reviews_12m_;
    out.AddReason(
        index,
        {.rule_id = "business_reviews",
         .signal = kReviews,
         .observed = row.reviews,
         .threshold = target_business_reviews_12m_,
         .impact = eval.reviews_share * (eval.reviews_sub - kBaseline),
         .message = Count(row.reviews, "business review") +
                    " in the last 12 months, " +
                    (on_target ? "at or above" : "below") + " the target of " +
                    Num(target_business_reviews_12m_)});
  }
  if (eval.trend_fired) {
    out.AddReason(index, {.rule_id = "touchpoint_trend",
                          .signal = kTouchpoints,
                          .observed = eval.fall_pct,
                          .threshold = touchpoint_drop_alert_pct_,
                          .impact = 0.0 - eval.trend_penalty,  // never -0
                          .message = "Touchpoints fell " + Num(eval.fall_pct) +
                                     "% against the previous 90 days (" +
                                     Num(row.prev_touchpoints) + " -> " +
                                     Num(row.touchpoints) + ")"});
  }
  if (eval.champion_changed) {
    out.AddReason(index,
                  {.rule_id = "champion_change",
                   .signal = kChampionChanged,
                   .observed = row.champion_changed,
                   .threshold = sdk::kNone,
                   .impact = 0.0 - eval.champion_penalty,  // never -0
                   .message = "The customer's champion changed in the last 90 "
                              "days: the relationship has to be rebuilt with "
                              "the new contact"});
  }

  if (eval.champion_changed) {
    out.AddAction(index,
                  "Meet the new champion: introduce the team, re-map the "
                  "stakeholders and confirm the success plan");
  }
  if (eval.has_sponsor && row.sponsor < kFlagSet) {
    out.AddAction(index,
                  "Identify and engage an executive sponsor at the customer");
  }
  if (lapsed) {
    out.AddAction(index, "Reach out to the customer: no contact in " +
                             Count(days, "day"));
  }
  if (eval.trend_fired) {
    out.AddAction(index,
                  "Restore the regular cadence of calls and meetings with the "
                  "account");
  }
  if (eval.score < low_score_action_below_) {
    out.AddAction(index,
                  "Schedule an executive business review to rebuild the "
                  "relationship");
  }
}

void RelationshipHealth::Score(const sdk::Batch& batch,
                               sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  const std::span<const double> days = batch.Column(kDaysSinceContact);
  const std::span<const double> touchpoints = batch.Column(kTouchpoints);
  const std::span<const double> prev_touchpoints =
      batch.Column(kPrevTouchpoints);
  const std::span<const double> sponsor = batch.Column(kSponsor);
  const std::span<const double> reviews = batch.Column(kReviews);
  const std::span<const double> champion = batch.Column(kChampionChanged);
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    const Row row{days[i],    touchpoints[i], prev_touchpoints[i],
                  sponsor[i], reviews[i],     champion[i]};
    if (sdk::IsMissing(row.days_since_contact)) {
      MarkInsufficientData(out, i,
                           "missing required signal days_since_last_contact");
      continue;
    }
    // The host refuses infinities; this guards a host that does not.
    if (FailIfInfinite(
            out, i,
            LastInfinite({{row.days_since_contact, kDaysSinceContact},
                          {row.touchpoints, kTouchpoints},
                          {row.prev_touchpoints, kPrevTouchpoints},
                          {row.sponsor, kSponsor},
                          {row.reviews, kReviews},
                          {row.champion_changed, kChampionChanged}})))
      continue;

    Evaluation eval;
    if (!Evaluate(row, eval)) {
      MarkInsufficientData(
          out, i,
          "no component with a non-zero weight has data: weight_recency is 0 "
          "and the signals of the weighted components are missing");
      continue;
    }
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
