// The relationship_health dimension's declarations and scoring: see
// relationship_health.h.
#include "relationship_health.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "healthscore/sdk/scoring.h"

namespace healthscore::plugins {

namespace sdk = ::healthscore::sdk;
using Row = RelationshipHealthRow;

namespace {

// A 0/1 flag reads as set from this value up; the host only bounds it to 0-1.
constexpr double kFlagSet = 0.5;

constexpr auto kHigher = sdk::Direction::kHigherIsBetter;
constexpr auto kLower = sdk::Direction::kLowerIsBetter;

// An optional signal: a flag (0-1), or a count typically up to typical_max.
sdk::Signal Optional(const char* name, const char* unit, sdk::Direction d,
                     const char* description, double typical_max = sdk::kNone) {
  const bool flag = std::string_view(unit) == "flag";
  return {.name = name,
          .unit = unit,
          .direction = d,
          .requirement = sdk::Requirement::kOptional,
          .description = description,
          .min = 0,
          .max = flag ? 1 : sdk::kNone,
          .typical_min = flag ? sdk::kNone : 0,
          .typical_max = typical_max};
}

// A number parameter; its default is the bound member's initializer.
sdk::Param Num(const char* name, double min, double max,
               const char* description) {
  return {.name = name, .description = description, .min = min, .max = max};
}

}  // namespace

RelationshipHealth::Declaration RelationshipHealth::Declare() {
  using P = RelationshipHealth;
  return {
      .description =
          "The strength of the relationship with the customer's people: "
          "contact recency, touchpoint frequency and trend, executive "
          "sponsorship, business reviews and champion changes",
      .signals =
          {{&Row::days_since_contact,
            {.name = "days_since_last_contact",
             .unit = "days",
             .direction = kLower,
             .description =
                 "Days since the last two-way contact with the customer",
             .min = 0,
             .typical_min = 0,
             .typical_max = 180}},
           {&Row::touchpoints,
            Optional("touchpoints_90d", "count", kHigher,
                     "Touchpoints (calls, meetings, two-way emails) with the "
                     "customer in the last 90 days",
                     20)},
           // Lower is better: the trend's reference, so with touchpoints_90d
           // fixed a higher value is a steeper fall.
           {&Row::prev_touchpoints,
            Optional("touchpoints_prev_90d", "count", kLower,
                     "Touchpoints in the 90 days before the last 90 (the "
                     "trend's reference)",
                     20)},
           {&Row::sponsor,
            Optional("has_executive_sponsor", "flag", kHigher,
                     "1 when an executive at the customer sponsors the "
                     "relationship, 0 when none does")},
           {&Row::reviews,
            Optional("business_reviews_12m", "count", kHigher,
                     "Business reviews (QBRs, EBRs) held with the customer in "
                     "the last 12 months",
                     8)},
           {&Row::champion_changed,
            Optional("champion_changed_90d", "flag", kLower,
                     "1 when the customer's champion (main contact) changed "
                     "in the last 90 days, else 0")}},
      .params =
          {{&P::contact_recent_days_,
            Num("contact_recent_days", 0, 3650,
                "Days since the last contact at or below which the recency "
                "sub-score is 100")},
           {&P::contact_lapsed_days_,
            Num("contact_lapsed_days", 0, 3650,
                "Days since the last contact at or above which the "
                "relationship has lapsed (recency sub-score 0); linear between "
                "recent and lapsed")},
           {&P::target_touchpoints_90d_,
            Num("target_touchpoints_90d", 1, 1e6,
                "Touchpoints (calls, meetings, two-way emails) in 90 days at "
                "or above which the touchpoint sub-score is 100; linear "
                "below")},
           {&P::target_business_reviews_12m_,
            Num("target_business_reviews_12m", 1, 365,
                "Business reviews in 12 months at or above which the review "
                "sub-score is 100 (quarterly reviews: 4); linear below")},
           {&P::weight_recency_,
            Num("weight_recency", 0, 100,
                "Weight of the contact-recency component (renormalized "
                "over the components present)")},
           {&P::weight_touchpoints_,
            Num("weight_touchpoints", 0, 100,
                "Weight of the touchpoint-frequency component")},
           {&P::weight_sponsor_,
            Num("weight_sponsor", 0, 100,
                "Weight of the executive-sponsor component")},
           {&P::weight_reviews_,
            Num("weight_reviews", 0, 100,
                "Weight of the business-review component")},
           {&P::touchpoint_drop_alert_pct_,
            Num("touchpoint_drop_alert_pct", 1, 100,
                "A fall of touchpoints_90d against touchpoints_prev_90d of "
                "this many percent or more is a warning sign and costs "
                "points")},
           {&P::touchpoint_trend_penalty_max_,
            Num("touchpoint_trend_penalty_max", 0, 100,
                "Points taken off for a 100% fall in touchpoints; a "
                "smaller fall (at or above touchpoint_drop_alert_pct) "
                "costs proportionally less")},
           {&P::champion_change_penalty_,
            Num("champion_change_penalty", 0, 100,
                "Points taken off when the customer's champion changed in "
                "the last 90 days")},
           {&P::low_score_action_below_,
            Num("low_score_action_below", 0, 100,
                "Below this score the dimension recommends an executive "
                "business review")}},
      // In the order of enum Rule.
      .rules =
          {{.id = "contact_recency",
            .signal = "days_since_last_contact",
            .raises = "{observed} since the last contact; a relationship "
                      "stays warm for {recent:days} and lapses at "
                      "{lapsed:days}",
            .lowers = "No contact for {observed}; a relationship stays warm "
                      "for {recent:days} and lapses at {lapsed:days}",
            .text = "{observed} since the last contact, halfway between the "
                    "{recent:days} that keep a relationship warm and the "
                    "{lapsed:days} at which it lapses",
            .args = {"recent", "lapsed"}},
           {.id = "touchpoint_frequency",
            .signal = "touchpoints_90d",
            .raises = "{observed:plural:touchpoint} in the last 90 days, "
                      "{of_target:percent} of the target of {threshold}",
            .lowers = "{observed:plural:touchpoint} in the last 90 days, "
                      "under half the target of {threshold}",
            .text = "{observed:plural:touchpoint} in the last 90 days, half "
                    "the target of {threshold}",
            .args = {"of_target"}},
           {.id = "executive_sponsor",
            .signal = "has_executive_sponsor",
            .raises = "An executive at the customer sponsors the relationship",
            .lowers = "No executive sponsor at the customer"},
           {.id = "business_reviews",
            .signal = "business_reviews_12m",
            .raises = "Business reviews in the last 12 months: {observed}, "
                      "{of_target:percent} of the target of {threshold}",
            .lowers = "Business reviews in the last 12 months: {observed}, "
                      "under half the target of {threshold}",
            .text = "Business reviews in the last 12 months: {observed}, half "
                    "the target of {threshold}",
            .args = {"of_target"}},
           {.id = "touchpoint_trend",
            .signal = "touchpoints_90d",
            .unit = "percent",
            .lowers = "Touchpoints fell {observed} against the previous 90 "
                      "days, from {prev} to {now}",
            .text = "Touchpoints fell {observed} against the previous 90 "
                    "days, from {prev} to {now} (no points taken off)",
            .args = {"prev", "now"}},
           {.id = "champion_change",
            .signal = "champion_changed_90d",
            .lowers = "The customer's champion changed in the last 90 days: "
                      "the relationship has to be rebuilt with the new "
                      "contact",
            .text = "The customer's champion changed in the last 90 days (no "
                    "points taken off)"}},
      .actions = {{.id = "meet_new_champion",
                   .text = "Meet the new champion: introduce the team, re-map "
                           "the stakeholders and confirm the success plan"},
                  {.id = "find_executive_sponsor",
                   .text = "Identify and engage an executive sponsor at the "
                           "customer"},
                  {.id = "reach_out",
                   .text = "Reach out to the customer: no contact in "
                           "{days:days}",
                   .args = {"days"}},
                  {.id = "restore_cadence",
                   .text = "Restore the regular cadence of calls and meetings "
                           "with the account"},
                  {.id = "business_review",
                   .text = "Schedule an executive business review to rebuild "
                           "the relationship"}},
  };
}

void RelationshipHealth::Init() {
  if (contact_recent_days_ >= contact_lapsed_days_) {
    throw std::invalid_argument(
        "contact_recent_days = " + sdk::Exact(contact_recent_days_) +
        " must be below contact_lapsed_days = " +
        sdk::Exact(contact_lapsed_days_));
  }
  if (weight_recency_ + weight_touchpoints_ + weight_sponsor_ +
          weight_reviews_ <=
      0) {
    throw std::invalid_argument(
        "weight_recency, weight_touchpoints, weight_sponsor and "
        "weight_reviews are all 0: at least one must be positive");
  }
}

void RelationshipHealth::Evaluate(const Row& row, sdk::RowOutput& out) const {
  const double days = row.days_since_contact;
  const bool has_recency = weight_recency_ > 0;
  const bool has_touchpoints =
      !sdk::IsMissing(row.touchpoints) && weight_touchpoints_ > 0;
  const bool has_sponsor = !sdk::IsMissing(row.sponsor) && weight_sponsor_ > 0;
  const bool has_reviews = !sdk::IsMissing(row.reviews) && weight_reviews_ > 0;
  const double recency_sub =
      has_recency
          ? sdk::RampSubScore(days, contact_lapsed_days_, contact_recent_days_)
          : 0;
  const double touchpoints_sub =
      has_touchpoints
          ? sdk::RatioSubScore(row.touchpoints, target_touchpoints_90d_)
          : 0;
  const bool sponsored = has_sponsor && row.sponsor >= kFlagSet;
  const double sponsor_sub = sponsored ? 100 : 0;
  const double reviews_sub =
      has_reviews
          ? sdk::RatioSubScore(row.reviews, target_business_reviews_12m_)
          : 0;

  const double total = (has_recency ? weight_recency_ : 0) +
                       (has_touchpoints ? weight_touchpoints_ : 0) +
                       (has_sponsor ? weight_sponsor_ : 0) +
                       (has_reviews ? weight_reviews_ : 0);
  if (total <= 0) {
    return out.InsufficientData(
        "no component with a non-zero weight has data: weight_recency is 0 "
        "and the signals of the weighted components are missing");
  }
  const double recency_share = has_recency ? weight_recency_ / total : 0;
  const double touchpoints_share =
      has_touchpoints ? weight_touchpoints_ / total : 0;
  const double sponsor_share = has_sponsor ? weight_sponsor_ / total : 0;
  const double reviews_share = has_reviews ? weight_reviews_ / total : 0;
  const double base = std::clamp(
      recency_share * recency_sub + touchpoints_share * touchpoints_sub +
          sponsor_share * sponsor_sub + reviews_share * reviews_sub,
      0.0, 100.0);

  // prev == 0 cannot fall, and a NaN on either side means no trend.
  double fall = 0;
  double trend_penalty = 0;
  const bool trend =
      sdk::PercentFall(row.touchpoints, row.prev_touchpoints, fall) &&
      fall >= touchpoint_drop_alert_pct_;
  if (trend) {
    trend_penalty =
        sdk::TrendPenalty(touchpoint_trend_penalty_max_, fall, base);
  }
  const double after_trend = base - trend_penalty;
  const bool champion_changed =
      !sdk::IsMissing(row.champion_changed) && row.champion_changed >= kFlagSet;
  const double champion_penalty =
      champion_changed ? std::min(champion_change_penalty_, after_trend) : 0;
  const double score = std::clamp(after_trend - champion_penalty, 0.0, 100.0);
  out.Score(score);

  const bool lapsed = days >= contact_lapsed_days_;
  if (has_recency) {
    out.Reason(
        kRecency, recency_share * (recency_sub - sdk::kNeutral),
        {.observed = days,
         .threshold = lapsed ? contact_lapsed_days_ : contact_recent_days_,
         .args = {contact_recent_days_, contact_lapsed_days_}});
  }
  if (has_touchpoints) {
    out.Reason(kTouchpoints,
               touchpoints_share * (touchpoints_sub - sdk::kNeutral),
               {.observed = row.touchpoints,
                .threshold = target_touchpoints_90d_,
                .args = {100 * row.touchpoints / target_touchpoints_90d_}});
  }
  if (has_sponsor) {
    out.Reason(kSponsor, sponsor_share * (sponsor_sub - sdk::kNeutral),
               {.observed = row.sponsor});
  }
  if (has_reviews) {
    out.Reason(kReviews, reviews_share * (reviews_sub - sdk::kNeutral),
               {.observed = row.reviews,
                .threshold = target_business_reviews_12m_,
                .args = {100 * row.reviews / target_business_reviews_12m_}});
  }
  if (trend) {
    out.Reason(kTrend, 0.0 - trend_penalty,  // never -0
               {.observed = fall,
                .threshold = touchpoint_drop_alert_pct_,
                .args = {row.prev_touchpoints, row.touchpoints}});
  }
  if (champion_changed) {
    out.Reason(kChampion, 0.0 - champion_penalty,
               {.observed = row.champion_changed});
    out.Action(kMeetChampion);
  }
  // Actions follow the facts, whatever weight the scorecard gives them.
  if (!sdk::IsMissing(row.sponsor) && row.sponsor < kFlagSet) {
    out.Action(kFindSponsor);
  }
  if (lapsed) out.Action(kReachOut, {days});
  if (trend) out.Action(kRestoreCadence);
  if (score < low_score_action_below_) out.Action(kBusinessReview);
}

}  // namespace healthscore::plugins
