// An example dimension, "web_engagement": how actively a customer's people
// visit the website and open emails. Scoring logic only; plugin.cc exports it.
#ifndef EXAMPLE_WEB_ENGAGEMENT_H_
#define EXAMPLE_WEB_ENGAGEMENT_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace example {

// One customer's inputs. visits is never missing (required); open_rate may
// be NaN.
struct WebEngagementRow {
  double visits;     // site_visits_7d
  double open_rate;  // email_open_rate_pct
};

// Two components, each a sub-score 0-100:
//   visits = 100 * min(1, site_visits_7d / target_visits_7d)
//   email  = 100 * min(1, email_open_rate_pct / target_open_rate_pct)
// The score is their weighted mean (weight_visits, weight_email), with the
// weights renormalized over the components present: a customer without email
// data is scored on visits alone, and missing data neither helps nor hurts.
//
// Explanation: each component's reason has impact share * (sub - 50), where
// share is its weight over the weights present, so 50 (sdk::kNeutral) + the
// impacts == the score. A component raises the score above half its target
// and lowers it below. Below low_score_action_below the low_engagement reason
// (impact 0) says so and the dimension recommends a re-engagement campaign.
//
// Example, default parameters: 1 visit (target 5) and a 12% open rate
// (target 40%): visits 20, email 30; score 0.6 * 20 + 0.4 * 30 = 24, and
// 50 - 18 (visits: 0.6 * (20 - 50)) - 8 (email: 0.4 * (30 - 50)) = 24.
//
// Monotonic: more visits or a higher open rate never lower the score.
// Thread-safety: Evaluate() is const and reads only bound parameters.
class WebEngagement
    : public healthscore::sdk::RowDimension<WebEngagement, WebEngagementRow> {
 public:
  enum Rule : uint32_t { kSiteVisits, kEmailOpens, kLowEngagement };
  enum Action : uint32_t { kReEngage };

  static Declaration Declare();
  // Refuses both weights 0.
  void Init();
  void Evaluate(const WebEngagementRow& row,
                healthscore::sdk::RowOutput& out) const;

 private:
  // Parameters: bound by name in Declare(); the initializers are the
  // defaults.
  double target_visits_7d_ = 5;
  double target_open_rate_pct_ = 40;
  double weight_visits_ = 0.6;
  double weight_email_ = 0.4;
  double low_score_action_below_ = 40;
};

}  // namespace example

#endif  // EXAMPLE_WEB_ENGAGEMENT_H_
