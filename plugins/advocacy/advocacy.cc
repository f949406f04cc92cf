// The advocacy dimension's declarations and scoring: see advocacy.h for the
// model.
#include "advocacy.h"

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

constexpr char kNps[] = "account_nps";
constexpr char kPrevNps[] = "account_nps_prev";
constexpr char kReferrals[] = "referrals_12m";
constexpr char kMentions[] = "positive_social_mentions_90d";
constexpr char kTestimonials[] = "testimonials_12m";
constexpr char kReviews[] = "positive_reviews_12m";

// Per component, in component order (nps, referrals, mentions, testimonials,
// reviews).
constexpr const char* kSignals[] = {kNps, kReferrals, kMentions, kTestimonials,
                                    kReviews};
constexpr const char* kRules[] = {"nps", "referrals", "social_mentions",
                                  "testimonials", "reviews"};
constexpr const char* kWeightParams[] = {
    "weight_nps", "weight_referrals", "weight_social_mentions",
    "weight_testimonials", "weight_reviews"};
// For reason texts: "2 referrals in the last 12 months".
constexpr const char* kNouns[] = {"", "referral", "positive social mention",
                                  "testimonial or case study",
                                  "positive public review"};
constexpr const char* kPlurals[] = {"", "referrals", "positive social mentions",
                                    "testimonials or case studies",
                                    "positive public reviews"};
constexpr const char* kWindows[] = {"", "12 months", "90 days", "12 months",
                                    "12 months"};

// Describe() declares these, in this order; the constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"nps_floor", -50, -100, 100,
     "Account NPS at or below which the NPS sub-score is 0"},
    {"nps_target", 50, -100, 100,
     "Account NPS at or above which the NPS sub-score is 100; linear between "
     "the floor and the target"},
    {"target_referrals_12m", 2, 1, 1e6,
     "Referrals in 12 months at or above which the referrals sub-score is "
     "100; linear below"},
    {"target_social_mentions_90d", 3, 1, 1e6,
     "Positive social mentions in 90 days at or above which the mentions "
     "sub-score is 100; linear below"},
    {"target_testimonials_12m", 1, 1, 1e6,
     "Testimonials or case studies in 12 months at or above which the "
     "testimonials sub-score is 100; linear below"},
    {"target_reviews_12m", 1, 1, 1e6,
     "Positive public reviews in 12 months at or above which the reviews "
     "sub-score is 100; linear below"},
    {"weight_nps", 0.5, 0, 100,
     "Weight of the NPS component (renormalized over the components present)"},
    {"weight_referrals", 0.2, 0, 100, "Weight of the referrals component"},
    {"weight_social_mentions", 0.1, 0, 100,
     "Weight of the positive-social-mentions component"},
    {"weight_testimonials", 0.1, 0, 100,
     "Weight of the testimonials component"},
    {"weight_reviews", 0.1, 0, 100, "Weight of the public-reviews component"},
    {"nps_drop_alert_points", 10, 1, 200,
     "A fall of account_nps against account_nps_prev of this many points or "
     "more is a warning sign and costs points"},
    {"trend_penalty_per_point", 0.25, 0, 10,
     "Points taken off the score per point of an NPS fall at or above "
     "nps_drop_alert_points"},
    {"trend_penalty_max", 10, 0, 100,
     "The most points an NPS fall can take off the score"},
    {"advocate_min_score", 80, 0, 100,
     "At or above this score the customer is a strong advocate, and the "
     "dimension suggests asking for a reference"},
    {"at_risk_below", 40, 0, 100,
     "Below this score advocacy is at risk, and the dimension recommends "
     "closing the loop with detractors"},
};

}  // namespace

sdk::Info Advocacy::Describe() {
  sdk::Info info;
  info.name = "advocacy";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "How willing the customer is to vouch for us: account NPS and its "
      "trend, referrals, positive social mentions, testimonials and public "
      "reviews";
  info.signals = {
      {.name = kNps,
       .unit = "nps",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kRequired,
       .description =
           "Net Promoter Score of the customer's respondents in the latest "
           "survey round: % promoters (9-10) minus % detractors (0-6), -100 "
           "to 100",
       .min = -100,
       .max = 100},
      // Lower is better for this dimension's score: it is the reference the
      // trend compares account_nps with, so with the current NPS fixed a
      // higher value means a steeper fall.
      {.name = kPrevNps,
       .unit = "nps",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Account NPS in the survey round before the latest (the "
                      "trend's reference), -100 to 100",
       .min = -100,
       .max = 100},
      {.name = kReferrals,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Referrals (introductions to prospects) the customer made in the "
           "last 12 months",
       .min = 0,
       .max = sdk::kNone},
      {.name = kMentions,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Public social-media posts by the customer's people that mention "
           "us favourably, in the last 90 days",
       .min = 0,
       .max = sdk::kNone},
      {.name = kTestimonials,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Testimonials, case studies and reference calls the customer gave "
           "in the last 12 months",
       .min = 0,
       .max = sdk::kNone},
      {.name = kReviews,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Positive (4-5 star) public reviews of us on review sites by the "
           "customer's people in the last 12 months",
       .min = 0,
       .max = sdk::kNone},
  };
  info.params = ParamDecls(kParams);
  return info;
}

Advocacy::Advocacy(const sdk::Params& params)
    : nps_floor_(ReadParam(kParams, params, "nps_floor")),
      nps_target_(ReadParam(kParams, params, "nps_target")),
      target_{0, ReadParam(kParams, params, "target_referrals_12m"),
              ReadParam(kParams, params, "target_social_mentions_90d"),
              ReadParam(kParams, params, "target_testimonials_12m"),
              ReadParam(kParams, params, "target_reviews_12m")},
      weight_{ReadParam(kParams, params, kWeightParams[0]),
              ReadParam(kParams, params, kWeightParams[1]),
              ReadParam(kParams, params, kWeightParams[2]),
              ReadParam(kParams, params, kWeightParams[3]),
              ReadParam(kParams, params, kWeightParams[4])},
      nps_drop_alert_points_(
          ReadParam(kParams, params, "nps_drop_alert_points")),
      trend_penalty_per_point_(
          ReadParam(kParams, params, "trend_penalty_per_point")),
      trend_penalty_max_(ReadParam(kParams, params, "trend_penalty_max")),
      advocate_min_score_(ReadParam(kParams, params, "advocate_min_score")),
      at_risk_below_(ReadParam(kParams, params, "at_risk_below")) {
  if (nps_floor_ >= nps_target_) {
    throw std::invalid_argument(
        "nps_floor = " + Exact(nps_floor_) +
        " must be below nps_target = " + Exact(nps_target_));
  }
  double total = 0;
  for (double w : weight_) total += w;
  if (total <= 0) {
    throw std::invalid_argument(
        "weight_nps, weight_referrals, weight_social_mentions, "
        "weight_testimonials and weight_reviews are all 0: at least one must "
        "be positive");
  }
  if (at_risk_below_ > advocate_min_score_) {
    throw std::invalid_argument("at_risk_below = " + Exact(at_risk_below_) +
                                " must not be above advocate_min_score = " +
                                Exact(advocate_min_score_));
  }
}

bool Advocacy::Evaluate(const Row& row, Evaluation& eval) const {
  for (int c = 0; c < kNumComponents; ++c) {
    eval.present[c] = !sdk::IsMissing(row.value[c]) && weight_[c] > 0;
    if (!eval.present[c]) continue;
    if (c == 0) {
      eval.sub[0] = RampToTarget(row.value[0], nps_floor_, nps_target_);
    } else {
      eval.sub[c] = RatioSubScore(row.value[c], target_[c]);
    }
  }
  if (!WeightedMeanOfPresent(weight_, eval.present, eval.sub, eval.share,
                             eval.base)) {
    return false;
  }

  // A NaN previous round means no trend; a rise or a small fall costs nothing.
  if (!sdk::IsMissing(row.prev_nps)) {
    eval.drop_points = row.prev_nps - row.value[0];
    if (eval.drop_points >= nps_drop_alert_points_) {
      eval.trend_fired = true;
      eval.penalty =
          PointsDropPenalty(trend_penalty_per_point_, eval.drop_points,
                            trend_penalty_max_, eval.base);
    }
  }
  eval.score = std::clamp(eval.base - eval.penalty, 0.0, 100.0);
  return true;
}

void Advocacy::Explain(uint32_t index, const Row& row, const Evaluation& eval,
                       sdk::Output& out) const {
  if (eval.present[0]) {
    const double nps = row.value[0];
    double threshold = nps_target_;
    std::string versus;
    if (nps >= nps_target_) {
      versus = "at or above the " + Signed(nps_target_) + " target";
    } else if (nps > nps_floor_) {
      versus = "below the " + Signed(nps_target_) + " target";
    } else {
      threshold = nps_floor_;
      versus = "at or below the " + Signed(nps_floor_) + " floor";
    }
    out.AddReason(index,
                  {.rule_id = kRules[0],
                   .signal = kNps,
                   .observed = nps,
                   .threshold = threshold,
                   .impact = eval.share[0] * (eval.sub[0] - kBaseline),
                   .message = "Account NPS " + Signed(nps) + " is " + versus});
  }
  for (int c = 1; c < kNumComponents; ++c) {
    if (!eval.present[c]) continue;
    const double value = row.value[c];
    out.AddReason(
        index,
        {.rule_id = kRules[c],
         .signal = kSignals[c],
         .observed = value,
         .threshold = target_[c],
         .impact = eval.share[c] * (eval.sub[c] - kBaseline),
         .message = Num(value) + " " + (value == 1 ? kNouns[c] : kPlurals[c]) +
                    " in the last " + kWindows[c] + ", " +
                    (value >= target_[c] ? "at or above" : "below") +
                    " the target of " + Num(target_[c])});
  }
  if (eval.trend_fired) {
    out.AddReason(index,
                  {.rule_id = "nps_trend",
                   .signal = kNps,
                   .observed = eval.drop_points,
                   .threshold = nps_drop_alert_points_,
                   .impact = -eval.penalty,
                   .message = "Account NPS fell " + Num(eval.drop_points) +
                              " points since the previous survey (" +
                              Signed(row.prev_nps) + " -> " +
                              Signed(row.value[0]) + ")"});
    out.AddAction(index,
                  "Follow up with the contacts whose NPS answers dropped since "
                  "the previous survey");
  }

  if (eval.score >= advocate_min_score_) {
    out.AddReason(index, BandReason("strong_advocate", "Advocacy", eval.score,
                                    "at or above", advocate_min_score_,
                                    "a strong advocate"));
    out.AddAction(index,
                  "Invite the customer into the reference program: ask for a "
                  "referral, a public review or a case study");
  } else if (eval.score < at_risk_below_) {
    out.AddReason(
        index, BandReason("advocacy_at_risk", "Advocacy", eval.score, "below",
                          at_risk_below_, "detractors outweigh promoters"));
    out.AddAction(index,
                  "Close the loop with the customer's detractors: follow up on "
                  "their survey comments and fix what drives their scores");
  }
}

void Advocacy::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  std::span<const double> columns[kNumComponents];
  for (int c = 0; c < kNumComponents; ++c) {
    columns[c] = batch.Column(kSignals[c]);
  }
  const std::span<const double> prev_nps = batch.Column(kPrevNps);
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    Row row;
    for (int c = 0; c < kNumComponents; ++c) row.value[c] = columns[c][i];
    row.prev_nps = prev_nps[i];
    if (sdk::IsMissing(row.value[0])) {
      MarkInsufficientData(out, i, "missing required signal account_nps");
      continue;
    }
    // The host refuses infinities; this guards a host that does not.
    const char* infinite = nullptr;
    for (int c = 0; c < kNumComponents; ++c) {
      if (std::isinf(row.value[c])) infinite = kSignals[c];
    }
    if (std::isinf(row.prev_nps)) infinite = kPrevNps;
    if (FailIfInfinite(out, i, infinite)) continue;

    Evaluation eval;
    if (!Evaluate(row, eval)) {
      MarkInsufficientData(
          out, i,
          "no component with a non-zero weight has data: weight_nps is 0 and "
          "referrals_12m, positive_social_mentions_90d, testimonials_12m and "
          "positive_reviews_12m are missing");
      continue;
    }
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
