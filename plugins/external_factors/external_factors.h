// The built-in "external_factors" dimension: what is happening in the
// customer's own world (industry risk, funding, layoffs, a change of owner).
// Scoring logic only; plugin.cc exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_EXTERNAL_FACTORS_EXTERNAL_FACTORS_H_
#define HEALTHSCORE_PLUGINS_EXTERNAL_FACTORS_EXTERNAL_FACTORS_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Scores the customer's external situation 0-100 from signals the caller
// supplies (a firmographics or news feed, say). Every signal is optional, but
// a row with none of them is INSUFFICIENT_DATA naming all four: there is
// nothing to score, and a neutral 50 would be a guess.
//
//   level   = the industry sub-score: 100 when industry_risk_score <=
//             industry_risk_low, 0 when >= industry_risk_high, linear in
//             between; the neutral 50 when industry_risk_score is missing
//   + funding_bonus        when recent_funding_flag is set
//   - layoffs penalty      when layoffs_pct_12m >= layoffs_alert_pct:
//                          layoffs_penalty_max * min(1, layoffs_pct_12m /
//                          layoffs_severe_pct)
//   - merger_penalty       when merger_or_acquisition_flag is set
//
// clamped to [0, 100]. A flag counts as set at 0.5 or more (callers send 0 or
// 1). The events are adjustments to the level rather than components of a
// mean because they are news, not levels: a customer that raised no money is
// not less healthy than the neutral 50, it just lacks the good news.
//
// Explanation: the baseline is 50. "industry_risk" has impact level - 50, each
// event its points. When the clamp bites, the points that did not count come
// off the side that hit it: a bonus past 100 is cut to what fits; penalties
// past 0 shrink together, in proportion. So 50 + the sum of the impacts == the
// score. "layoffs" also reports layoffs below the alert, with impact 0.
// Actions: on layoffs, on a merger or acquisition, and when the score is below
// low_score_action_below.
//
// An infinite input makes the row FAILED. Non-finite scores are never written
// as OK. Monotonic: lowering industry risk or layoffs, setting the funding
// flag or clearing the merger flag never lowers the score.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class ExternalFactors : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when the
  // parameters are inconsistent (e.g. industry_risk_low >= industry_risk_high).
  explicit ExternalFactors(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  struct Row {
    double industry_risk;  // NaN when missing, as every field
    double funding;
    double layoffs_pct;
    double merger;
  };

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic. Bonus and penalties are the points that
  // actually counted, after the clamp.
  struct Evaluation {
    bool has_industry = false;
    double level = 0;
    bool funding = false;
    double funding_bonus = 0;
    bool has_layoffs = false;
    bool layoffs_fired = false;
    double layoffs_penalty = 0;
    bool merger = false;
    double merger_penalty = 0;
    bool bonus_cut = false;         // the clamp at 100 cut the bonus
    bool penalties_shrunk = false;  // the clamp at 0 shrank the penalties
    double score = 0;
  };

  // REQUIRES: at least one field of `row` is present, none is infinite.
  void Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  double industry_risk_low_;
  double industry_risk_high_;
  double funding_bonus_;
  double layoffs_alert_pct_;
  double layoffs_severe_pct_;
  double layoffs_penalty_max_;
  double merger_penalty_;
  double low_score_action_below_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_EXTERNAL_FACTORS_EXTERNAL_FACTORS_H_
