// An example dimension, "web_engagement": how actively a customer's people
// visit the website and open emails. Scoring logic only; plugin.cc exports it.
#ifndef EXAMPLE_WEB_ENGAGEMENT_H_
#define EXAMPLE_WEB_ENGAGEMENT_H_

#include "healthscore/sdk/dimension.h"

namespace example {

// Two components, each a sub-score 0-100:
//   visits = 100 * min(1, site_visits_7d / target_visits_7d)
//   email  = 100 * min(1, email_open_rate_pct / target_open_rate_pct)
// The score is their weighted mean (weight_visits, weight_email), with the
// weights renormalized over the components present: a customer without email
// data is scored on visits alone. site_visits_7d is required.
//
// Explanation: baseline 50; each component's reason has impact
// (its share of the weight) * (sub - 50), so 50 + the impacts == the score.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class WebEngagement : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument when both weights are 0.
  explicit WebEngagement(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  double target_visits_7d_;
  double target_open_rate_pct_;
  double weight_visits_;
  double weight_email_;
  double low_score_action_below_;
};

}  // namespace example

#endif  // EXAMPLE_WEB_ENGAGEMENT_H_
