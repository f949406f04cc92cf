// The external_factors dimension's declarations and scoring: see
// external_factors.h for the model.
#include "external_factors.h"

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

constexpr char kIndustryRisk[] = "industry_risk_score";
constexpr char kFunding[] = "recent_funding_flag";
constexpr char kLayoffs[] = "layoffs_pct_12m";
constexpr char kMerger[] = "merger_or_acquisition_flag";

// Callers send flags as 0 or 1; anything from here up counts as set, which
// keeps the score monotonic in a flag that arrives as a fraction.
constexpr double kFlagSet = 0.5;

// Describe() declares these, in this order; the constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"industry_risk_low", 30, 0, 100,
     "Industry risk score at or below which the industry is low-risk "
     "(industry sub-score 100)"},
    {"industry_risk_high", 70, 0, 100,
     "Industry risk score at or above which the industry is high-risk "
     "(sub-score 0); linear between the low and high marks"},
    {"funding_bonus", 10, 0, 100,
     "Points added when the customer raised funding in the last 12 months"},
    {"layoffs_alert_pct", 5, 0, 100,
     "Layoffs (% of headcount in 12 months) at or above which they cost "
     "points; smaller ones are routine"},
    {"layoffs_severe_pct", 20, 1, 100,
     "Layoffs (%) at or above which they cost all of layoffs_penalty_max; "
     "from layoffs_alert_pct up they cost layoffs_penalty_max * layoffs / "
     "layoffs_severe_pct"},
    {"layoffs_penalty_max", 25, 0, 100,
     "Points taken off for layoffs of layoffs_severe_pct or more"},
    {"merger_penalty", 15, 0, 100,
     "Points taken off when the customer merged or changed owner in the last "
     "12 months"},
    {"low_score_action_below", 40, 0, 100,
     "Below this score the dimension recommends reviewing the account's "
     "external risks with its sponsor"},
};

}  // namespace

sdk::Info ExternalFactors::Describe() {
  sdk::Info info;
  info.name = "external_factors";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "The customer's own situation: industry risk, recent funding, layoffs "
      "and mergers or acquisitions (at least one signal is required)";
  info.signals = {
      {.name = kIndustryRisk,
       .unit = "score",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Risk score of the customer's industry, 0 (safest) to 100 "
           "(riskiest)",
       .min = 0,
       .max = 100},
      {.name = kFunding,
       .unit = "flag",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "1 if the customer raised funding in the last 12 months",
       .min = 0,
       .max = 1},
      {.name = kLayoffs,
       .unit = "percent",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Share of the customer's headcount laid off in the last 12 months",
       .min = 0,
       .max = 100},
      {.name = kMerger,
       .unit = "flag",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "1 if the customer merged, acquired or was acquired in the last 12 "
           "months (a change of owner puts the relationship at risk)",
       .min = 0,
       .max = 1},
  };
  info.params = ParamDecls(kParams);
  return info;
}

ExternalFactors::ExternalFactors(const sdk::Params& params)
    : industry_risk_low_(ReadParam(kParams, params, "industry_risk_low")),
      industry_risk_high_(ReadParam(kParams, params, "industry_risk_high")),
      funding_bonus_(ReadParam(kParams, params, "funding_bonus")),
      layoffs_alert_pct_(ReadParam(kParams, params, "layoffs_alert_pct")),
      layoffs_severe_pct_(ReadParam(kParams, params, "layoffs_severe_pct")),
      layoffs_penalty_max_(ReadParam(kParams, params, "layoffs_penalty_max")),
      merger_penalty_(ReadParam(kParams, params, "merger_penalty")),
      low_score_action_below_(
          ReadParam(kParams, params, "low_score_action_below")) {
  if (industry_risk_low_ >= industry_risk_high_) {
    throw std::invalid_argument(
        "industry_risk_low = " + Exact(industry_risk_low_) +
        " must be below industry_risk_high = " + Exact(industry_risk_high_));
  }
  if (layoffs_alert_pct_ > layoffs_severe_pct_) {
    throw std::invalid_argument(
        "layoffs_alert_pct = " + Exact(layoffs_alert_pct_) +
        " must not be above layoffs_severe_pct = " +
        Exact(layoffs_severe_pct_));
  }
}

void ExternalFactors::Evaluate(const Row& row, Evaluation& eval) const {
  eval.has_industry = !sdk::IsMissing(row.industry_risk);
  eval.level = kBaseline;
  if (eval.has_industry) {
    if (row.industry_risk <= industry_risk_low_) {
      eval.level = 100;
    } else if (row.industry_risk >= industry_risk_high_) {
      eval.level = 0;
    } else {
      eval.level = 100.0 * (industry_risk_high_ - row.industry_risk) /
                   (industry_risk_high_ - industry_risk_low_);
    }
  }

  // NaN compares false, so a missing flag or layoffs value never fires.
  eval.funding = row.funding >= kFlagSet;
  double bonus = eval.funding ? funding_bonus_ : 0;
  eval.has_layoffs = !sdk::IsMissing(row.layoffs_pct);
  eval.layoffs_fired =
      row.layoffs_pct >= layoffs_alert_pct_ && row.layoffs_pct > 0;
  double layoffs =
      eval.layoffs_fired
          ? layoffs_penalty_max_ *
                std::min(1.0, row.layoffs_pct / layoffs_severe_pct_)
          : 0;
  eval.merger = row.merger >= kFlagSet;
  double merger = eval.merger ? merger_penalty_ : 0;

  const double raw = eval.level + bonus - layoffs - merger;
  if (raw > 100) {
    // Only the bonus can carry the score past 100 (level <= 100): cut it to
    // what fits.
    bonus = 100.0 - eval.level + layoffs + merger;
    eval.bonus_cut = true;
  } else if (raw < 0) {
    // The penalties together took more than there was: shrink both in
    // proportion so each keeps its share of the blame.
    const double scale = (eval.level + bonus) / (layoffs + merger);
    layoffs *= scale;
    merger *= scale;
    eval.penalties_shrunk = true;
  }
  eval.funding_bonus = bonus;
  eval.layoffs_penalty = layoffs;
  eval.merger_penalty = merger;
  eval.score = std::clamp(raw, 0.0, 100.0);
}

void ExternalFactors::Explain(uint32_t index, const Row& row,
                              const Evaluation& eval, sdk::Output& out) const {
  const std::string floor_note =
      eval.penalties_shrunk ? " (limited by the score's floor of 0)" : "";
  if (eval.has_industry) {
    std::string message = "Industry risk score " + Num(row.industry_risk);
    double threshold = industry_risk_high_;
    if (row.industry_risk >= industry_risk_high_) {
      message +=
          " is at or above the " + Num(industry_risk_high_) + " high-risk mark";
    } else if (row.industry_risk > industry_risk_low_) {
      message += " is between the low-risk (" + Num(industry_risk_low_) +
                 ") and high-risk (" + Num(industry_risk_high_) + ") marks";
    } else {
      threshold = industry_risk_low_;
      message +=
          " is at or below the " + Num(industry_risk_low_) + " low-risk mark";
    }
    out.AddReason(index, {.rule_id = "industry_risk",
                          .signal = kIndustryRisk,
                          .observed = row.industry_risk,
                          .threshold = threshold,
                          .impact = eval.level - kBaseline,
                          .message = std::move(message)});
  }
  if (eval.funding) {
    std::string message =
        "Raised funding in the last 12 months: budget to grow the account";
    if (eval.bonus_cut) message += " (limited by the score's ceiling of 100)";
    out.AddReason(index, {.rule_id = "recent_funding",
                          .signal = kFunding,
                          .observed = row.funding,
                          .threshold = kFlagSet,
                          .impact = eval.funding_bonus,
                          .message = std::move(message)});
  }
  if (eval.has_layoffs) {
    std::string message =
        Num(row.layoffs_pct) + "% of headcount laid off in the last 12 months";
    if (eval.layoffs_fired) {
      message +=
          row.layoffs_pct >= layoffs_severe_pct_
              ? ", at or above the " + Num(layoffs_severe_pct_) +
                    "% severe mark"
              : ", at or above the " + Num(layoffs_alert_pct_) + "% alert mark";
      message += floor_note;
    } else {
      message += ", below the " + Num(layoffs_alert_pct_) + "% alert mark";
    }
    out.AddReason(index, {.rule_id = "layoffs",
                          .signal = kLayoffs,
                          .observed = row.layoffs_pct,
                          .threshold = layoffs_alert_pct_,
                          .impact = 0.0 - eval.layoffs_penalty,  // never -0
                          .message = std::move(message)});
    if (eval.layoffs_fired) {
      out.AddAction(index,
                    "Check whether the customer's champions and key users "
                    "were affected by the layoffs, and re-map its "
                    "stakeholders");
    }
  }
  if (eval.merger) {
    out.AddReason(index,
                  {.rule_id = "merger_or_acquisition",
                   .signal = kMerger,
                   .observed = row.merger,
                   .threshold = kFlagSet,
                   .impact = 0.0 - eval.merger_penalty,
                   .message = "Merger or acquisition in the last 12 months: "
                              "a change of owner puts the relationship at "
                              "risk" +
                              floor_note});
    out.AddAction(index,
                  "Meet the new owner's decision makers and re-confirm the "
                  "executive sponsor before the renewal");
  }
  if (eval.score < low_score_action_below_) {
    out.AddAction(index,
                  "Review the account's external risks with its executive "
                  "sponsor and plan for a smaller or delayed renewal");
  }
}

void ExternalFactors::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  const std::span<const double> industry_risk = batch.Column(kIndustryRisk);
  const std::span<const double> funding = batch.Column(kFunding);
  const std::span<const double> layoffs = batch.Column(kLayoffs);
  const std::span<const double> merger = batch.Column(kMerger);
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    const Row row{industry_risk[i], funding[i], layoffs[i], merger[i]};
    // Every signal is optional on its own (the SDK's requirement is per
    // signal), but with none of them there is nothing to score.
    if (sdk::IsMissing(row.industry_risk) && sdk::IsMissing(row.funding) &&
        sdk::IsMissing(row.layoffs_pct) && sdk::IsMissing(row.merger)) {
      MarkInsufficientData(
          out, i,
          "missing signals industry_risk_score, recent_funding_flag, "
          "layoffs_pct_12m and merger_or_acquisition_flag: at least one is "
          "required");
      continue;
    }
    // The host refuses infinities; this guards a host that does not.
    if (FailIfInfinite(out, i,
                       LastInfinite({{row.industry_risk, kIndustryRisk},
                                     {row.funding, kFunding},
                                     {row.layoffs_pct, kLayoffs},
                                     {row.merger, kMerger}})))
      continue;

    Evaluation eval;
    Evaluate(row, eval);
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
