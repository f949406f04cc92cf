// The satisfaction dimension's declarations and scoring: see satisfaction.h.
#include "satisfaction.h"

#include <algorithm>
#include <stdexcept>

#include "healthscore/sdk/scoring.h"

namespace healthscore::plugins {

namespace sdk = ::healthscore::sdk;
using Row = SatisfactionRow;

Satisfaction::Declaration Satisfaction::Declare() {
  return {
      .description =
          "Customer satisfaction index (CSI): CSAT and its "
          "quarter-over-quarter "
          "trend, and the sentiment of qualitative feedback",
      .signals =
          {{&Row::csat,
            {.name = "csat_90d_pct",
             .unit = "percent",
             .description =
                 "CSAT over the last 90 days on the 0-100 scale: the "
                 "percentage of the customer's survey responses "
                 "rating 4 or 5 on a 1-5 satisfaction question",
             .min = 0,
             .max = 100,
             .typical_min = 40,
             .typical_max = 100}},
           // Lower is better for this score: it is the trend's reference, so
           // with this quarter fixed a higher value is a steeper fall.
           {&Row::prev_csat,
            {.name = "csat_prev_90d_pct",
             .unit = "percent",
             .direction = sdk::Direction::kLowerIsBetter,
             .requirement = sdk::Requirement::kOptional,
             .description = "CSAT (0-100, as csat_90d_pct) over the 90 days "
                            "before the last 90 (the trend's reference)",
             .min = 0,
             .max = 100,
             .typical_min = 40,
             .typical_max = 100}},
           {&Row::sentiment,
            {.name = "feedback_sentiment_net_90d",
             .unit = "net_percent",
             .requirement = sdk::Requirement::kOptional,
             .description = "Net sentiment of the customer's qualitative "
                            "feedback (survey comments, tickets, calls) over "
                            "the last 90 days: % positive minus % negative, "
                            "-100 to 100",
             .min = -100,
             .max = 100}}},
      .params =
          {{&Satisfaction::weight_csat_,
            {.name = "weight_csat",
             .description = "Weight of the CSAT component (renormalized over "
                            "the components present)",
             .min = 0,
             .max = 100}},
           {&Satisfaction::weight_sentiment_,
            {.name = "weight_sentiment",
             .description =
                 "Weight of the qualitative-feedback sentiment component",
             .min = 0,
             .max = 100}},
           {&Satisfaction::csat_drop_alert_points_,
            {.name = "csat_drop_alert_points",
             .description = "A fall of csat_90d_pct against csat_prev_90d_pct "
                            "of this many points or more is a warning sign "
                            "and costs points",
             .min = 0.1,
             .max = 100}},
           {&Satisfaction::trend_penalty_per_point_,
            {.name = "trend_penalty_per_point",
             .description = "Points taken off the score per point of a CSAT "
                            "fall at or above csat_drop_alert_points",
             .min = 0,
             .max = 10}},
           {&Satisfaction::trend_penalty_max_,
            {.name = "trend_penalty_max",
             .description = "The most points a CSAT fall can take off",
             .min = 0,
             .max = 100}},
           {&Satisfaction::satisfied_min_score_,
            {.name = "satisfied_min_score",
             .description = "At or above this score the customer is satisfied",
             .min = 0,
             .max = 100}},
           {&Satisfaction::discontent_below_,
            {.name = "discontent_below",
             .description = "Below this score the customer is discontent, and "
                            "the dimension recommends a recovery conversation",
             .min = 0,
             .max = 100}}},
      // In the order of enum Rule.
      .rules = {{.id = "csat",
                 .signal = "csat_90d_pct",
                 .raises = "CSAT is {observed} over the last 90 days: most "
                           "survey responses are satisfied",
                 .lowers = "CSAT is only {observed} over the last 90 days: "
                           "most survey responses are not satisfied",
                 .text = "CSAT is {observed} over the last 90 days"},
                {.id = "feedback_sentiment",
                 .signal = "feedback_sentiment_net_90d",
                 .raises = "Qualitative feedback over the last 90 days is net "
                           "positive ({observed})",
                 .lowers = "Qualitative feedback over the last 90 days is net "
                           "negative ({observed})",
                 .text = "Qualitative feedback over the last 90 days is "
                         "neutral"},
                {.id = "csat_trend",
                 .signal = "csat_90d_pct",
                 .unit = "points",
                 .lowers = "CSAT fell {observed} quarter over quarter "
                           "({prev:percent} to {now:percent})",
                 .args = {"prev", "now"}},
                {.id = "satisfied",
                 .text = "Satisfaction {observed:score} is at or above "
                         "{threshold:score}: satisfied"},
                {.id = "discontent",
                 .text = "Satisfaction {observed:score} is below "
                         "{threshold:score}: discontent"}},
      .actions = {{.id = "review_surveys",
                   .text = "Review this quarter's surveys and support cases "
                           "with the customer to find what lowered "
                           "satisfaction"},
                  {.id = "recovery_plan",
                   .text = "Call the customer's sponsor to understand the "
                           "dissatisfaction and agree on a recovery plan"}},
  };
}

void Satisfaction::Init() {
  if (weight_csat_ + weight_sentiment_ <= 0) {
    throw std::invalid_argument(
        "weight_csat and weight_sentiment are both 0: at least one must be "
        "positive");
  }
  if (discontent_below_ > satisfied_min_score_) {
    throw std::invalid_argument(
        "discontent_below = " + sdk::Exact(discontent_below_) +
        " must not be above satisfied_min_score = " +
        sdk::Exact(satisfied_min_score_));
  }
}

void Satisfaction::Evaluate(const Row& row, sdk::RowOutput& out) const {
  const bool has_sentiment =
      !sdk::IsMissing(row.sentiment) && weight_sentiment_ > 0;
  const double csat_sub = std::clamp(row.csat, 0.0, 100.0);
  const double sentiment_sub =
      has_sentiment ? std::clamp((row.sentiment + 100.0) / 2.0, 0.0, 100.0) : 0;
  const double total = weight_csat_ + (has_sentiment ? weight_sentiment_ : 0);
  if (total <= 0) {
    return out.InsufficientData(
        "no component with a non-zero weight has data: weight_csat is 0 and "
        "feedback_sentiment_net_90d is missing");
  }
  const double csat_share = weight_csat_ / total;
  const double sentiment_share = has_sentiment ? weight_sentiment_ / total : 0;
  const double base = std::clamp(
      csat_share * csat_sub + sentiment_share * sentiment_sub, 0.0, 100.0);

  // A missing previous quarter means no trend; a rise or a small fall costs
  // nothing.
  double penalty = 0;
  const double drop = row.prev_csat - row.csat;
  const bool trend =
      !sdk::IsMissing(row.prev_csat) && drop >= csat_drop_alert_points_;
  if (trend) {
    penalty = sdk::PointsDropPenalty(trend_penalty_per_point_, drop,
                                     trend_penalty_max_, base);
  }
  const double score = std::clamp(base - penalty, 0.0, 100.0);
  out.Score(score);

  if (weight_csat_ > 0) {
    out.Reason(kCsat, csat_share * (csat_sub - sdk::kNeutral),
               {.observed = row.csat, .threshold = sdk::kNeutral});
  }
  if (has_sentiment) {
    out.Reason(kSentiment, sentiment_share * (sentiment_sub - sdk::kNeutral),
               {.observed = row.sentiment, .threshold = 0});
  }
  if (trend) {
    out.Reason(kTrend, -penalty,
               {.observed = drop,
                .threshold = csat_drop_alert_points_,
                .args = {row.prev_csat, row.csat}});
    out.Action(kReviewSurveys);
  }
  if (score >= satisfied_min_score_) {
    out.Reason(kSatisfied, 0,
               {.observed = score, .threshold = satisfied_min_score_});
  } else if (score < discontent_below_) {
    out.Reason(kDiscontent, 0,
               {.observed = score, .threshold = discontent_below_});
    out.Action(kRecoveryPlan);
  }
}

}  // namespace healthscore::plugins
