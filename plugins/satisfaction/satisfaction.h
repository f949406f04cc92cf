// The built-in "satisfaction" dimension (customer satisfaction index, CSI):
// CSAT, its quarter-over-quarter trend and the sentiment of qualitative
// feedback. plugin.cc exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_SATISFACTION_SATISFACTION_H_
#define HEALTHSCORE_PLUGINS_SATISFACTION_SATISFACTION_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// One customer's inputs. csat is never missing (required); the others may be
// NaN.
struct SatisfactionRow {
  double csat;
  double prev_csat;
  double sentiment;
};

// Scores satisfaction 0-100 from two components, each a sub-score 0-100:
//
//   csat      = csat_90d_pct (the share of survey responses rating 4 or 5)
//   sentiment = (feedback_sentiment_net_90d + 100) / 2 (net sentiment
//               -100..100; a neutral 0 maps to 50)
//
// The score is the weighted mean of the components present (weight_csat,
// weight_sentiment, renormalized over them). Missing sentiment neither helps
// nor hurts.
//
// CSAT trend: when csat_90d_pct fell by csat_drop_alert_points or more against
// csat_prev_90d_pct, the score loses trend_penalty_per_point per point of the
// fall, at most trend_penalty_max, never going below 0.
//
// Bands: at or above satisfied_min_score the customer is satisfied; below
// discontent_below discontent, with an action asking for a recovery
// conversation. Band reasons have impact 0.
//
// Explanation: each component's reason has impact share * (sub - 50); the
// trend penalty is its own negative reason; 50 + the impacts == the score.
// Monotonic: raising CSAT or sentiment never lowers the score
// (csat_prev_90d_pct is lower-is-better: with this quarter fixed, a higher
// previous CSAT is a steeper fall).
class Satisfaction
    : public healthscore::sdk::RowDimension<Satisfaction, SatisfactionRow> {
 public:
  enum Rule : uint32_t { kCsat, kSentiment, kTrend, kSatisfied, kDiscontent };
  enum Action : uint32_t { kReviewSurveys, kRecoveryPlan };

  static Declaration Declare();
  // Refuses both weights 0, and discontent_below above satisfied_min_score.
  void Init();
  void Evaluate(const SatisfactionRow& row,
                healthscore::sdk::RowOutput& out) const;

 private:
  double weight_csat_ = 0.7;
  double weight_sentiment_ = 0.3;
  double csat_drop_alert_points_ = 5;
  double trend_penalty_per_point_ = 0.5;
  double trend_penalty_max_ = 10;
  double satisfied_min_score_ = 90;
  double discontent_below_ = 70;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_SATISFACTION_SATISFACTION_H_
