// The satisfaction dimension's declarations and scoring: see satisfaction.h
// for the model.
#include "satisfaction.h"

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

constexpr char kCsat[] = "csat_90d_pct";
constexpr char kPrevCsat[] = "csat_prev_90d_pct";
constexpr char kSentiment[] = "feedback_sentiment_net_90d";

// Describe() declares these, in this order; the constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"weight_csat", 0.7, 0, 100,
     "Weight of the CSAT component (renormalized over the components "
     "present)"},
    {"weight_sentiment", 0.3, 0, 100,
     "Weight of the qualitative-feedback sentiment component"},
    {"csat_drop_alert_points", 5, 0.1, 100,
     "A fall of csat_90d_pct against csat_prev_90d_pct of this many points or "
     "more is a warning sign and costs points"},
    {"trend_penalty_per_point", 0.5, 0, 10,
     "Points taken off the score per point of a CSAT fall at or above "
     "csat_drop_alert_points"},
    {"trend_penalty_max", 10, 0, 100,
     "The most points a CSAT fall can take off the score"},
    {"satisfied_min_score", 90, 0, 100,
     "At or above this score the customer is satisfied"},
    {"discontent_below", 70, 0, 100,
     "Below this score the customer is discontent, and the dimension "
     "recommends a recovery conversation"},
};

}  // namespace

sdk::Info Satisfaction::Describe() {
  sdk::Info info;
  info.name = "satisfaction";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "Customer satisfaction index (CSI): CSAT and its quarter-over-quarter "
      "trend, and the sentiment of qualitative feedback";
  info.signals = {
      {.name = kCsat,
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kRequired,
       .description =
           "CSAT over the last 90 days on the 0-100 scale: the percentage of "
           "the customer's survey responses rating 4 or 5 on a 1-5 "
           "satisfaction question",
       .min = 0,
       .max = 100},
      // Lower is better for this dimension's score: it is the reference the
      // trend compares csat_90d_pct with, so with this quarter fixed a higher
      // value means a steeper fall.
      {.name = kPrevCsat,
       .unit = "percent",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "CSAT (0-100, as csat_90d_pct) over the 90 days before "
                      "the last 90 (the trend's reference)",
       .min = 0,
       .max = 100},
      {.name = kSentiment,
       .unit = "net_percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Net sentiment of the customer's qualitative feedback (survey "
           "comments, tickets, calls) over the last 90 days: % positive minus "
           "% negative, -100 to 100",
       .min = -100,
       .max = 100},
  };
  info.params = ParamDecls(kParams);
  return info;
}

Satisfaction::Satisfaction(const sdk::Params& params)
    : weight_csat_(ReadParam(kParams, params, "weight_csat")),
      weight_sentiment_(ReadParam(kParams, params, "weight_sentiment")),
      csat_drop_alert_points_(
          ReadParam(kParams, params, "csat_drop_alert_points")),
      trend_penalty_per_point_(
          ReadParam(kParams, params, "trend_penalty_per_point")),
      trend_penalty_max_(ReadParam(kParams, params, "trend_penalty_max")),
      satisfied_min_score_(ReadParam(kParams, params, "satisfied_min_score")),
      discontent_below_(ReadParam(kParams, params, "discontent_below")) {
  if (weight_csat_ + weight_sentiment_ <= 0) {
    throw std::invalid_argument(
        "weight_csat and weight_sentiment are both 0: at least one must be "
        "positive");
  }
  if (discontent_below_ > satisfied_min_score_) {
    throw std::invalid_argument(
        "discontent_below = " + Exact(discontent_below_) +
        " must not be above satisfied_min_score = " +
        Exact(satisfied_min_score_));
  }
}

bool Satisfaction::Evaluate(const Row& row, Evaluation& eval) const {
  eval.csat_sub = std::clamp(row.csat, 0.0, 100.0);
  eval.has_sentiment = !sdk::IsMissing(row.sentiment) && weight_sentiment_ > 0;
  if (eval.has_sentiment) {
    eval.sentiment_sub = std::clamp((row.sentiment + 100.0) / 2.0, 0.0, 100.0);
  }
  const double total =
      weight_csat_ + (eval.has_sentiment ? weight_sentiment_ : 0);
  if (total <= 0) return false;
  eval.csat_share = weight_csat_ / total;
  eval.sentiment_share = eval.has_sentiment ? weight_sentiment_ / total : 0;
  eval.base = std::clamp(eval.csat_share * eval.csat_sub +
                             eval.sentiment_share * eval.sentiment_sub,
                         0.0, 100.0);

  // A NaN previous quarter means no trend; a rise or a small fall costs
  // nothing.
  if (!sdk::IsMissing(row.prev_csat)) {
    eval.drop_points = row.prev_csat - row.csat;
    if (eval.drop_points >= csat_drop_alert_points_) {
      eval.trend_fired = true;
      eval.penalty =
          PointsDropPenalty(trend_penalty_per_point_, eval.drop_points,
                            trend_penalty_max_, eval.base);
    }
  }
  eval.score = std::clamp(eval.base - eval.penalty, 0.0, 100.0);
  return true;
}

void Satisfaction::Explain(uint32_t index, const Row& row,
                           const Evaluation& eval, sdk::Output& out) const {
  if (weight_csat_ > 0) {
    // Compare CSAT with the band marks: with sub = CSAT, they say which band
    // CSAT alone would put the customer in.
    double threshold = satisfied_min_score_;
    std::string versus;
    if (row.csat >= satisfied_min_score_) {
      versus =
          "at or above the " + Num(satisfied_min_score_) + "% satisfied mark";
    } else if (row.csat >= discontent_below_) {
      versus = "below the " + Num(satisfied_min_score_) + "% satisfied mark";
    } else {
      threshold = discontent_below_;
      versus = "below the " + Num(discontent_below_) + "% discontent mark";
    }
    out.AddReason(index,
                  {.rule_id = "csat",
                   .signal = kCsat,
                   .observed = row.csat,
                   .threshold = threshold,
                   .impact = eval.csat_share * (eval.csat_sub - kBaseline),
                   .message = "CSAT " + Num(row.csat) +
                              "% over the last 90 days is " + versus});
  }
  if (eval.has_sentiment) {
    const char* tone = row.sentiment > 0   ? "net positive"
                       : row.sentiment < 0 ? "net negative"
                                           : "neutral";
    out.AddReason(
        index,
        {.rule_id = "feedback_sentiment",
         .signal = kSentiment,
         .observed = row.sentiment,
         .threshold = 0,
         .impact = eval.sentiment_share * (eval.sentiment_sub - kBaseline),
         .message = std::string("Qualitative feedback over the last 90 days "
                                "is ") +
                    tone + " (" + Signed(row.sentiment) + ")"});
  }
  if (eval.trend_fired) {
    out.AddReason(index, {.rule_id = "csat_trend",
                          .signal = kCsat,
                          .observed = eval.drop_points,
                          .threshold = csat_drop_alert_points_,
                          .impact = -eval.penalty,
                          .message = "CSAT fell " + Num(eval.drop_points) +
                                     " points quarter over quarter (" +
                                     Num(row.prev_csat) + "% -> " +
                                     Num(row.csat) + "%)"});
    out.AddAction(index,
                  "Review this quarter's surveys and support cases with the "
                  "customer to find what lowered satisfaction");
  }

  if (eval.score >= satisfied_min_score_) {
    out.AddReason(index,
                  BandReason("satisfied", "Satisfaction", eval.score,
                             "at or above", satisfied_min_score_, "satisfied"));
  } else if (eval.score < discontent_below_) {
    out.AddReason(index, BandReason("discontent", "Satisfaction", eval.score,
                                    "below", discontent_below_, "discontent"));
    out.AddAction(index,
                  "Call the customer's sponsor to understand the "
                  "dissatisfaction and agree on a recovery plan");
  }
}

void Satisfaction::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  const std::span<const double> csat = batch.Column(kCsat);
  const std::span<const double> prev_csat = batch.Column(kPrevCsat);
  const std::span<const double> sentiment = batch.Column(kSentiment);
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    const Row row{csat[i], prev_csat[i], sentiment[i]};
    if (sdk::IsMissing(row.csat)) {
      MarkInsufficientData(out, i, "missing required signal csat_90d_pct");
      continue;
    }
    // The host refuses infinities; this guards a host that does not.
    if (FailIfInfinite(out, i,
                       LastInfinite({{row.csat, kCsat},
                                     {row.prev_csat, kPrevCsat},
                                     {row.sentiment, kSentiment}})))
      continue;

    Evaluation eval;
    if (!Evaluate(row, eval)) {
      MarkInsufficientData(
          out, i,
          "no component with a non-zero weight has data: weight_csat is 0 and "
          "feedback_sentiment_net_90d is missing");
      continue;
    }
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
