// The built-in "satisfaction" dimension (customer satisfaction index, CSI):
// CSAT, its quarter-over-quarter trend and the sentiment of qualitative
// feedback. Scoring logic only; plugin.cc exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_SATISFACTION_SATISFACTION_H_
#define HEALTHSCORE_PLUGINS_SATISFACTION_SATISFACTION_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Scores satisfaction 0-100 from two components, each a sub-score 0-100:
//
//   csat      = csat_90d_pct (CSAT is already a 0-100 percentage: the share of
//               survey responses rating 4 or 5 on a 1-5 scale)
//   sentiment = (feedback_sentiment_net_90d + 100) / 2 (net sentiment
//   -100..100;
//               a neutral 0 maps to the neutral 50)
//
// The dimension score is the weighted mean of the components present
// (weight_csat, weight_sentiment, renormalized over them): CSAT is required,
// sentiment counts when present. Missing sentiment neither helps nor hurts.
//
// CSAT trend: when csat_90d_pct fell by csat_drop_alert_points or more against
// csat_prev_90d_pct (the quarter before), the score loses
// trend_penalty_per_point points per point of the fall, at most
// trend_penalty_max, never going below 0 (a 10-point fall costs 5 by default).
//
// Bands follow customer-success practice: at or above satisfied_min_score (90)
// the customer is satisfied; below discontent_below (70) discontent, and an
// action asks for a recovery conversation. Band reasons have impact 0.
//
// Explanation: the baseline is 50. Each component's reason has impact
// (w_i / sum of present w) * (sub_i - 50); the trend penalty is its own
// negative reason. So 50 + the sum of all impacts == the score.
//
// csat_90d_pct missing (NaN) makes the row INSUFFICIENT_DATA; an infinite
// input makes it FAILED. Non-finite scores are never written as OK.
//
// Monotonic: raising CSAT or sentiment never lowers the score.
// csat_prev_90d_pct is declared lower-is-better: it is only the trend's
// reference, and with this quarter fixed a higher previous CSAT means a
// steeper fall.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class Satisfaction : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when the
  // parameters are inconsistent (both weights 0, discontent_below above
  // satisfied_min_score).
  explicit Satisfaction(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  struct Row {
    double csat;
    double prev_csat;  // NaN when missing
    double sentiment;  // NaN when missing
  };

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic.
  struct Evaluation {
    double csat_sub = 0;
    double sentiment_sub = 0;
    bool has_sentiment = false;
    // Configured weights renormalized over the present components; they sum
    // to 1.
    double csat_share = 0;
    double sentiment_share = 0;
    double base = 0;  // weighted mean of sub-scores, before the trend penalty
    bool trend_fired = false;
    double drop_points = 0;
    double penalty = 0;  // points actually taken off (0 <= penalty <= base)
    double score = 0;
  };

  // REQUIRES: row.csat is not NaN. Returns false when no component with a
  // non-zero weight has data.
  bool Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  double weight_csat_;
  double weight_sentiment_;
  double csat_drop_alert_points_;
  double trend_penalty_per_point_;
  double trend_penalty_max_;
  double satisfied_min_score_;
  double discontent_below_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_SATISFACTION_SATISFACTION_H_
