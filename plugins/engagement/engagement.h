// The built-in "engagement" dimension: how actively the customer's people
// engage with us by email, on social media and at events. Scoring logic only;
// plugin.cc exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_ENGAGEMENT_ENGAGEMENT_H_
#define HEALTHSCORE_PLUGINS_ENGAGEMENT_ENGAGEMENT_H_

#include <cstdint>
#include <string>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Scores engagement 0-100 from three channels, each a sub-score 0-100:
//
//   email  = 100 * min(1, email_open_rate_pct / target_email_open_rate_pct)
//   social = 100 * min(1, social_interactions_30d /
//                         target_social_interactions_30d)
//   events = 100 * min(1, events_attended_90d / target_events_attended_90d)
//
// The dimension score is the weighted mean of the channels present (weight_*,
// renormalized over them). No channel is required on its own: customers are
// reachable on different channels, and a missing one neither helps nor hurts.
// A row with no channel at all (among those with a non-zero weight) is
// INSUFFICIENT_DATA naming them.
//
// Interaction trend: when social_interactions_30d fell by
// interaction_drop_alert_pct or more against social_interactions_prev_30d, the
// score loses trend_penalty_max * fall% / 100 points (a 50% fall costs 5 of
// the default 10), never going below 0.
//
// Bands follow customer-success practice: at or above active_min_score (70) the
// customer is actively engaged; below needs_plan_below (40) the customer needs
// a targeted engagement plan, and an action says so, naming the channels below
// target. Band reasons have impact 0.
//
// Explanation: the baseline is 50. Each channel's reason has impact
// (w_i / sum of present w) * (sub_i - 50); the trend penalty is its own
// negative reason, capped at what it can take. So 50 + the sum of all impacts
// == the score. An infinite input makes the row FAILED naming the signal.
//
// Monotonic: raising any higher-is-better signal never lowers the score.
// social_interactions_prev_30d is declared lower-is-better: it is only the
// trend's reference, and with this month fixed a higher previous count means
// a steeper fall.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class Engagement : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when the
  // parameters are inconsistent (every weight 0, needs_plan_below above
  // active_min_score).
  explicit Engagement(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  // Channel order everywhere: email, social, events.
  static constexpr int kNumChannels = 3;

  struct Row {
    double level[kNumChannels];  // NaN when missing
    double prev_social;          // NaN when missing
  };

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic.
  struct Evaluation {
    bool present[kNumChannels] = {};
    double sub[kNumChannels] = {};
    // Configured weights renormalized over the present channels; they sum
    // to 1.
    double share[kNumChannels] = {};
    double base = 0;  // weighted mean of sub-scores, before the trend penalty
    bool trend_fired = false;
    double fall_pct = 0;
    double penalty = 0;  // points actually taken off (0 <= penalty <= base)
    double score = 0;
  };

  // Returns false when no channel with a non-zero weight has data.
  bool Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  double target_[kNumChannels];
  double weight_[kNumChannels];
  double interaction_drop_alert_pct_;
  double trend_penalty_max_;
  double active_min_score_;
  double needs_plan_below_;
  // The INSUFFICIENT_DATA message, built once: it names the channels that
  // count (those with a non-zero weight).
  std::string no_data_message_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_ENGAGEMENT_ENGAGEMENT_H_
