// The advocacy dimension's declarations and scoring: see advocacy.h.
#include "advocacy.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "healthscore/sdk/scoring.h"

namespace healthscore::plugins {
namespace {

namespace sdk = ::healthscore::sdk;
using Row = AdvocacyRow;

// A count with a target: `lead` ends in {observed}; of_target is the count in
// percent of the target. Impact > 0 exactly when the count is over half of it.
sdk::Rule CountRule(const char* id, const char* signal,
                    const std::string& lead) {
  return {.id = id,
          .signal = signal,
          .raises = lead + ", {of_target:percent} of the target of {threshold}",
          .lowers = lead + ", under half the target of {threshold}",
          .text = lead + ", half the target of {threshold}",
          .args = {"of_target"}};
}

sdk::Param Num(const char* name, double min, double max,
               const char* description) {
  return {.name = name, .description = description, .min = min, .max = max};
}

sdk::Field<Row> Count(double Row::*member, const char* name,
                      const char* description, double typical_max) {
  return {member,
          {.name = name,
           .unit = "count",
           .requirement = sdk::Requirement::kOptional,
           .description = description,
           .min = 0,
           .typical_min = 0,
           .typical_max = typical_max}};
}

}  // namespace

Advocacy::Declaration Advocacy::Declare() {
  return {
      .description =
          "How willing the customer is to vouch for us: account NPS and its "
          "trend, referrals, positive social mentions, testimonials and public "
          "reviews",
      .signals =
          {{&Row::nps,
            {.name = "account_nps",
             .unit = "nps",
             .description = "Net Promoter Score of the customer's respondents "
                            "in the latest survey round: % promoters (9-10) "
                            "minus % detractors (0-6), -100 to 100",
             .min = -100,
             .max = 100}},
           // Lower is better for this score: it is the trend's reference, so
           // with the current NPS fixed a higher value is a steeper fall.
           {&Row::prev_nps,
            {.name = "account_nps_prev",
             .unit = "nps",
             .direction = sdk::Direction::kLowerIsBetter,
             .requirement = sdk::Requirement::kOptional,
             .description = "Account NPS in the survey round before the latest "
                            "(the trend's reference), -100 to 100",
             .min = -100,
             .max = 100}},
           Count(&Row::referrals, "referrals_12m",
                 "Referrals (introductions to prospects) the customer made in "
                 "the last 12 months",
                 6),
           Count(&Row::mentions, "positive_social_mentions_90d",
                 "Public social-media posts by the customer's people that "
                 "mention us favourably, in the last 90 days",
                 10),
           Count(&Row::testimonials, "testimonials_12m",
                 "Testimonials, case studies and reference calls the customer "
                 "gave in the last 12 months",
                 3),
           Count(&Row::reviews, "positive_reviews_12m",
                 "Positive (4-5 star) public reviews of us on review sites by "
                 "the customer's people in the last 12 months",
                 3)},
      .params =
          {{&Advocacy::nps_floor_,
            Num("nps_floor", -100, 100,
                "Account NPS at or below which the NPS sub-score is 0")},
           {&Advocacy::nps_target_,
            Num("nps_target", -100, 100,
                "Account NPS at or above which the NPS sub-score is 100; "
                "linear between the floor and the target")},
           {&Advocacy::target_referrals_,
            Num("target_referrals_12m", 1, 1e6,
                "Referrals in 12 months at or above which the referrals "
                "sub-score is 100; linear below")},
           {&Advocacy::target_mentions_,
            Num("target_social_mentions_90d", 1, 1e6,
                "Positive social mentions in 90 days at or above which the "
                "mentions sub-score is 100; linear below")},
           {&Advocacy::target_testimonials_,
            Num("target_testimonials_12m", 1, 1e6,
                "Testimonials or case studies in 12 months at or above which "
                "the testimonials sub-score is 100; linear below")},
           {&Advocacy::target_reviews_,
            Num("target_reviews_12m", 1, 1e6,
                "Positive public reviews in 12 months at or above which the "
                "reviews sub-score is 100; linear below")},
           {&Advocacy::weight_nps_,
            Num("weight_nps", 0, 100,
                "Weight of the NPS component (renormalized over the components "
                "present)")},
           {&Advocacy::weight_referrals_,
            Num("weight_referrals", 0, 100,
                "Weight of the referrals component")},
           {&Advocacy::weight_mentions_,
            Num("weight_social_mentions", 0, 100,
                "Weight of the positive-social-mentions component")},
           {&Advocacy::weight_testimonials_,
            Num("weight_testimonials", 0, 100,
                "Weight of the testimonials component")},
           {&Advocacy::weight_reviews_,
            Num("weight_reviews", 0, 100,
                "Weight of the public-reviews component")},
           {&Advocacy::nps_drop_alert_points_,
            Num("nps_drop_alert_points", 1, 200,
                "A fall of account_nps against account_nps_prev of this many "
                "points or more is a warning sign and costs points")},
           {&Advocacy::trend_penalty_per_point_,
            Num("trend_penalty_per_point", 0, 10,
                "Points taken off the score per point of an NPS fall at or "
                "above nps_drop_alert_points")},
           {&Advocacy::trend_penalty_max_,
            Num("trend_penalty_max", 0, 100,
                "The most points an NPS fall can take off the score")},
           {&Advocacy::advocate_min_score_,
            Num("advocate_min_score", 0, 100,
                "At or above this score the customer is a strong advocate, and "
                "the dimension suggests asking for a reference")},
           {&Advocacy::at_risk_below_,
            Num("at_risk_below", 0, 100,
                "Below this score advocacy is at risk, and the dimension "
                "recommends closing the loop with detractors")}},
      // In the order of enum Rule.
      .rules =
          {{.id = "nps",
            .signal = "account_nps",
            .raises = "Account NPS is {observed}, above the neutral "
                      "{threshold} of the {floor:signed} to {target:signed} "
                      "scale",
            .lowers = "Account NPS is {observed}, below the neutral "
                      "{threshold} of the {floor:signed} to {target:signed} "
                      "scale",
            .text = "Account NPS is {observed}, the neutral midpoint of the "
                    "{floor:signed} to {target:signed} scale",
            .args = {"floor", "target"}},
           CountRule("referrals", "referrals_12m",
                     "Referrals in the last 12 months: {observed}"),
           CountRule(
               "social_mentions", "positive_social_mentions_90d",
               "Positive social mentions in the last 90 days: {observed}"),
           CountRule("testimonials", "testimonials_12m",
                     "Testimonials and case studies in the last 12 months: "
                     "{observed}"),
           CountRule(
               "reviews", "positive_reviews_12m",
               "Positive public reviews in the last 12 months: {observed}"),
           {.id = "nps_trend",
            .signal = "account_nps",
            .unit = "points",
            .lowers = "Account NPS fell {observed} since the previous survey "
                      "({prev:signed} to {now:signed})",
            .text =
                "Account NPS fell {observed} since the previous survey "
                "({prev:signed} to {now:signed}), which costs no points here",
            .args = {"prev", "now"}},
           {.id = "strong_advocate",
            .text = "Advocacy {observed:score} is at or above "
                    "{threshold:score}: a strong advocate"},
           {.id = "advocacy_at_risk",
            .text = "Advocacy {observed:score} is below {threshold:score}: "
                    "advocacy is at risk"}},
      .actions =
          {{.id = "follow_up_nps_drop",
            .text = "Follow up with the contacts whose NPS answers dropped "
                    "since the previous survey"},
           {.id = "reference_program",
            .text = "Invite the customer into the reference program: ask for a "
                    "referral, a public review or a case study"},
           {.id = "close_the_loop",
            .text =
                "Close the loop with the customer's detractors: follow up on "
                "their survey comments and fix what drives their scores"}},
  };
}

void Advocacy::Init() {
  if (nps_floor_ >= nps_target_) {
    throw std::invalid_argument(
        "nps_floor = " + sdk::Exact(nps_floor_) +
        " must be below nps_target = " + sdk::Exact(nps_target_));
  }
  if (weight_nps_ + weight_referrals_ + weight_mentions_ +
          weight_testimonials_ + weight_reviews_ <=
      0) {
    throw std::invalid_argument(
        "weight_nps, weight_referrals, weight_social_mentions, "
        "weight_testimonials and weight_reviews are all 0: at least one must "
        "be positive");
  }
  if (at_risk_below_ > advocate_min_score_) {
    throw std::invalid_argument(
        "at_risk_below = " + sdk::Exact(at_risk_below_) +
        " must not be above advocate_min_score = " +
        sdk::Exact(advocate_min_score_));
  }
}

void Advocacy::Evaluate(const Row& row, sdk::RowOutput& out) const {
  // Component order: nps, referrals, mentions, testimonials, reviews; the
  // order of enum Rule.
  constexpr int kN = 5;
  const double value[kN] = {row.nps, row.referrals, row.mentions,
                            row.testimonials, row.reviews};
  const double weight[kN] = {weight_nps_, weight_referrals_, weight_mentions_,
                             weight_testimonials_, weight_reviews_};
  const double target[kN] = {nps_target_, target_referrals_, target_mentions_,
                             target_testimonials_, target_reviews_};
  bool present[kN];
  double sub[kN] = {};
  double share[kN] = {};
  for (int c = 0; c < kN; ++c) {
    present[c] = !sdk::IsMissing(value[c]) && weight[c] > 0;
    if (!present[c]) continue;
    sub[c] = c == 0 ? sdk::RampToTarget(value[c], nps_floor_, nps_target_)
                    : sdk::RatioSubScore(value[c], target[c]);
  }
  double base = 0;
  if (!sdk::WeightedMeanOfPresent(weight, present, sub, share, base)) {
    return out.InsufficientData(
        "no component with a non-zero weight has data: weight_nps is 0 and "
        "referrals_12m, positive_social_mentions_90d, testimonials_12m and "
        "positive_reviews_12m are missing");
  }

  // A missing previous round means no trend; a rise or a small fall costs
  // nothing.
  const double drop = row.prev_nps - row.nps;
  const bool trend =
      !sdk::IsMissing(row.prev_nps) && drop >= nps_drop_alert_points_;
  const double penalty =
      trend ? sdk::PointsDropPenalty(trend_penalty_per_point_, drop,
                                     trend_penalty_max_, base)
            : 0;
  const double score = std::clamp(base - penalty, 0.0, 100.0);
  out.Score(score);
  if (!out.WantsExplanation()) return;

  if (present[0]) {
    out.Reason(kNps, share[0] * (sub[0] - sdk::kNeutral),
               {.observed = row.nps,
                .threshold = (nps_floor_ + nps_target_) / 2,
                .args = {nps_floor_, nps_target_}});
  }
  for (int c = 1; c < kN; ++c) {
    if (!present[c]) continue;
    out.Reason(kNps + c, share[c] * (sub[c] - sdk::kNeutral),
               {.observed = value[c],
                .threshold = target[c],
                .args = {100 * value[c] / target[c]}});
  }
  if (trend) {
    out.Reason(kNpsTrend, -penalty,
               {.observed = drop,
                .threshold = nps_drop_alert_points_,
                .args = {row.prev_nps, row.nps}});
    out.Action(kFollowUpDrop);
  }
  if (score >= advocate_min_score_) {
    out.Reason(kStrongAdvocate, 0,
               {.observed = score, .threshold = advocate_min_score_});
    out.Action(kReferenceProgram);
  } else if (score < at_risk_below_) {
    out.Reason(kAtRisk, 0, {.observed = score, .threshold = at_risk_below_});
    out.Action(kCloseTheLoop);
  }
}

}  // namespace healthscore::plugins
