// The built-in "external_factors" dimension: what is happening in the
// customer's own world (industry risk, funding, layoffs, a change of owner).
// plugin.cc exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_EXTERNAL_FACTORS_EXTERNAL_FACTORS_H_
#define HEALTHSCORE_PLUGINS_EXTERNAL_FACTORS_EXTERNAL_FACTORS_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// One customer's inputs; every one may be NaN (missing).
struct ExternalFactorsRow {
  double industry_risk;
  double funding;
  double layoffs_pct;
  double merger;
};

// Scores the customer's external situation 0-100. Every signal is optional,
// but a row with none of them is INSUFFICIENT_DATA naming all four: a neutral
// 50 would be a guess.
//
//   level   = the industry sub-score: 100 when industry_risk_score <=
//             industry_risk_low, 0 when >= industry_risk_high, linear in
//             between; the neutral 50 when industry_risk_score is missing
//   + funding_bonus        when recent_funding_flag is set
//   - layoffs penalty      when layoffs_pct_12m >= layoffs_alert_pct (> 0):
//                          layoffs_penalty_max * min(1, layoffs_pct_12m /
//                          layoffs_severe_pct)
//   - merger_penalty       when merger_or_acquisition_flag is set
//
// clamped to [0, 100]. A flag counts as set at 0.5 or more. The events adjust
// the level rather than join a mean: they are news, not levels (a customer
// that raised no money is not less healthy, it just lacks the good news).
//
// Explanation: "industry_risk" has impact level - 50, each event its points;
// 50 + the impacts == the score. When the clamp bites, the points that did not
// count come off the side that hit it: a bonus past 100 is cut to what fits;
// penalties past 0 shrink together, in proportion. "layoffs" also reports
// layoffs below the alert, with impact 0. Actions: on layoffs, on a merger or
// acquisition, and below low_score_action_below.
// Monotonic: lowering industry risk or layoffs, setting the funding flag or
// clearing the merger flag never lowers the score.
class ExternalFactors
    : public healthscore::sdk::RowDimension<ExternalFactors,
                                            ExternalFactorsRow> {
 public:
  enum Rule : uint32_t { kIndustry, kFunding, kLayoffs, kMerger };
  enum Action : uint32_t { kRemapStakeholders, kMeetNewOwner, kReviewRisks };

  static Declaration Declare();
  // Refuses industry_risk_low >= industry_risk_high and layoffs_alert_pct
  // above layoffs_severe_pct.
  void Init();
  void Evaluate(const ExternalFactorsRow& row,
                healthscore::sdk::RowOutput& out) const;

 private:
  double industry_risk_low_ = 30;
  double industry_risk_high_ = 70;
  double funding_bonus_ = 10;
  double layoffs_alert_pct_ = 5;
  double layoffs_severe_pct_ = 20;
  double layoffs_penalty_max_ = 25;
  double merger_penalty_ = 15;
  double low_score_action_below_ = 40;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_EXTERNAL_FACTORS_EXTERNAL_FACTORS_H_
