// The external_factors dimension's declarations and scoring: see
// external_factors.h.
#include "external_factors.h"

#include <algorithm>
#include <stdexcept>

#include "healthscore/sdk/scoring.h"

namespace healthscore::plugins {

namespace sdk = ::healthscore::sdk;
using Row = ExternalFactorsRow;

// Callers send flags as 0 or 1; anything from here up counts as set, which
// keeps the score monotonic in a flag that arrives as a fraction.
constexpr double kFlagSet = 0.5;

ExternalFactors::Declaration ExternalFactors::Declare() {
  const auto param = [](double ExternalFactors::*member, const char* name,
                        double min, const char* description) {
    return sdk::Setting<ExternalFactors>(
        member,
        {.name = name, .description = description, .min = min, .max = 100});
  };
  constexpr auto kLower = sdk::Direction::kLowerIsBetter;
  constexpr auto kOptional = sdk::Requirement::kOptional;
  return {
      .description =
          "The customer's own situation: industry risk, recent funding, "
          "layoffs and mergers or acquisitions (at least one signal is "
          "required)",
      .signals =
          {{&Row::industry_risk,
            {.name = "industry_risk_score",
             .unit = "score",
             .direction = kLower,
             .requirement = kOptional,
             .description = "Risk score of the customer's industry, 0 "
                            "(safest) to 100 (riskiest)",
             .min = 0,
             .max = 100}},
           {&Row::funding,
            {.name = "recent_funding_flag",
             .unit = "flag",
             .requirement = kOptional,
             .description =
                 "1 if the customer raised funding in the last 12 months",
             .min = 0,
             .max = 1}},
           {&Row::layoffs_pct,
            {.name = "layoffs_pct_12m",
             .unit = "percent",
             .direction = kLower,
             .requirement = kOptional,
             .description = "Share of the customer's headcount laid off in "
                            "the last 12 months",
             .min = 0,
             .max = 100,
             .typical_min = 0,
             .typical_max = 30}},
           {&Row::merger,
            {.name = "merger_or_acquisition_flag",
             .unit = "flag",
             .direction = kLower,
             .requirement = kOptional,
             .description = "1 if the customer merged, acquired or was "
                            "acquired in the last 12 months (a change of "
                            "owner puts the relationship at risk)",
             .min = 0,
             .max = 1}}},
      .params =
          {param(&ExternalFactors::industry_risk_low_, "industry_risk_low", 0,
                 "Industry risk score at or below which the industry is "
                 "low-risk (industry sub-score 100)"),
           param(&ExternalFactors::industry_risk_high_, "industry_risk_high", 0,
                 "Industry risk score at or above which the industry is "
                 "high-risk (sub-score 0); linear between the low and high "
                 "marks"),
           param(&ExternalFactors::funding_bonus_, "funding_bonus", 0,
                 "Points added when the customer raised funding in the last "
                 "12 months"),
           param(&ExternalFactors::layoffs_alert_pct_, "layoffs_alert_pct", 0,
                 "Layoffs (% of headcount in 12 months) at or above which "
                 "they cost points; smaller ones are routine"),
           param(&ExternalFactors::layoffs_severe_pct_, "layoffs_severe_pct", 1,
                 "Layoffs (%) at or above which they cost all of "
                 "layoffs_penalty_max; from layoffs_alert_pct up they cost "
                 "layoffs_penalty_max * layoffs / layoffs_severe_pct"),
           param(&ExternalFactors::layoffs_penalty_max_, "layoffs_penalty_max",
                 0,
                 "Points taken off for layoffs of layoffs_severe_pct or more"),
           param(&ExternalFactors::merger_penalty_, "merger_penalty", 0,
                 "Points taken off when the customer merged or changed owner "
                 "in the last 12 months"),
           param(&ExternalFactors::low_score_action_below_,
                 "low_score_action_below", 0,
                 "Below this score the dimension recommends reviewing the "
                 "account's external risks with its sponsor")},
      // In the order of enum Rule.
      .rules = {{.id = "industry_risk",
                 .signal = "industry_risk_score",
                 .raises = "Industry risk score {observed} is on the low-risk "
                           "side (low-risk mark {low}, high-risk mark {high})",
                 .lowers = "Industry risk score {observed} is on the high-risk "
                           "side (low-risk mark {low}, high-risk mark {high})",
                 .text = "Industry risk score {observed} is midway between the "
                         "low-risk ({low}) and high-risk ({high}) marks",
                 .args = {"low", "high"}},
                {.id = "recent_funding",
                 .signal = "recent_funding_flag",
                 .text = "Raised funding in the last 12 months: budget to grow "
                         "the account"},
                {.id = "layoffs",
                 .signal = "layoffs_pct_12m",
                 .lowers = "{observed} of headcount laid off in the last 12 "
                           "months, at or above the {threshold} alert mark",
                 .text =
                     "{observed} of headcount laid off in the last 12 months "
                     "(layoffs cost points from {threshold})"},
                {.id = "merger_or_acquisition",
                 .signal = "merger_or_acquisition_flag",
                 .text =
                     "Merger or acquisition in the last 12 months: a change of "
                     "owner puts the relationship at risk"}},
      .actions = {{.id = "remap_stakeholders",
                   .text = "Check whether the customer's champions and key "
                           "users were affected by the layoffs, and re-map "
                           "its stakeholders"},
                  {.id = "meet_new_owner",
                   .text = "Meet the new owner's decision makers and "
                           "re-confirm the executive sponsor before the "
                           "renewal"},
                  {.id = "review_external_risks",
                   .text = "Review the account's external risks with its "
                           "executive sponsor and plan for a smaller or "
                           "delayed renewal"}},
  };
}

void ExternalFactors::Init() {
  if (industry_risk_low_ >= industry_risk_high_) {
    throw std::invalid_argument(
        "industry_risk_low = " + sdk::Exact(industry_risk_low_) +
        " must be below industry_risk_high = " +
        sdk::Exact(industry_risk_high_));
  }
  if (layoffs_alert_pct_ > layoffs_severe_pct_) {
    throw std::invalid_argument(
        "layoffs_alert_pct = " + sdk::Exact(layoffs_alert_pct_) +
        " must not be above layoffs_severe_pct = " +
        sdk::Exact(layoffs_severe_pct_));
  }
}

void ExternalFactors::Evaluate(const Row& row, sdk::RowOutput& out) const {
  const bool has_industry = !sdk::IsMissing(row.industry_risk);
  const bool has_layoffs = !sdk::IsMissing(row.layoffs_pct);
  if (!has_industry && !has_layoffs && sdk::IsMissing(row.funding) &&
      sdk::IsMissing(row.merger)) {
    return out.InsufficientData(
        "missing signals industry_risk_score, recent_funding_flag, "
        "layoffs_pct_12m and merger_or_acquisition_flag: at least one is "
        "required");
  }
  const double level =
      has_industry ? sdk::RampSubScore(row.industry_risk, industry_risk_high_,
                                       industry_risk_low_)
                   : sdk::kNeutral;
  // NaN compares false, so a missing flag or layoffs value never fires.
  const bool funding = row.funding >= kFlagSet;
  const bool layoffs_fired =
      row.layoffs_pct >= layoffs_alert_pct_ && row.layoffs_pct > 0;
  const bool merger = row.merger >= kFlagSet;
  double bonus = funding ? funding_bonus_ : 0;
  double layoffs =
      layoffs_fired ? layoffs_penalty_max_ *
                          std::min(1.0, row.layoffs_pct / layoffs_severe_pct_)
                    : 0;
  double merger_points = merger ? merger_penalty_ : 0;
  const double raw = level + bonus - layoffs - merger_points;
  if (raw > 100) {
    // Only the bonus can carry the score past 100: cut it to what fits.
    bonus = 100.0 - level + layoffs + merger_points;
  } else if (raw < 0) {
    // The penalties took more than there was: shrink both in proportion, so
    // each keeps its share of the blame.
    const double scale = (level + bonus) / (layoffs + merger_points);
    layoffs *= scale;
    merger_points *= scale;
  }
  const double score = std::clamp(raw, 0.0, 100.0);
  out.Score(score);

  if (has_industry) {
    out.Reason(kIndustry, level - sdk::kNeutral,
               {.observed = row.industry_risk,
                .threshold = (industry_risk_low_ + industry_risk_high_) / 2,
                .args = {industry_risk_low_, industry_risk_high_}});
  }
  if (funding) {
    out.Reason(kFunding, bonus,
               {.observed = row.funding, .threshold = kFlagSet});
  }
  if (has_layoffs) {
    out.Reason(kLayoffs, 0.0 - layoffs,  // 0.0 - 0 is 0, never -0
               {.observed = row.layoffs_pct, .threshold = layoffs_alert_pct_});
    if (layoffs_fired) out.Action(kRemapStakeholders);
  }
  if (merger) {
    out.Reason(kMerger, 0.0 - merger_points,
               {.observed = row.merger, .threshold = kFlagSet});
    out.Action(kMeetNewOwner);
  }
  if (score < low_score_action_below_) out.Action(kReviewRisks);
}

}  // namespace healthscore::plugins
