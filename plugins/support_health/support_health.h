// The built-in "support_health" dimension: how the customer's support
// experience is going. Scoring logic only; plugin.cc exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_SUPPORT_HEALTH_SUPPORT_HEALTH_H_
#define HEALTHSCORE_PLUGINS_SUPPORT_HEALTH_SUPPORT_HEALTH_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Scores support health 0-100 from six components. Every one reads a signal
// where less is better and has a sub-score of 100 at or below its "good" value,
// 0 at or above its "poor" value and linear between:
//
//   response     avg_first_response_hours    good 4 h, poor 24 h
//   resolution   avg_resolution_hours        good 24 h, poor 120 h
//   volume       support_tickets_90d         good 10, poor 40
//   severity     high_severity_tickets_90d   good 0, poor 3
//   tone         negative_tone_tickets_pct   good 10%, poor 50%
//   escalations  support_escalations_90d     good 0, poor 2
//
// The base score is the weighted mean of the components present (weight_*,
// renormalized over them); volume is always present (its signal is required),
// the others when their signal is. Missing optional data neither helps nor
// hurts.
//
// Two warning signs then take points off the base, never below 0:
// - ticket surge: support_tickets_90d rose by ticket_surge_alert_pct or more
//   against support_tickets_prev_90d (with at least surge_min_tickets tickets
//   now): surge_penalty_max * min(1, rise% / 100) points;
// - education gap: repeat_question_tickets_90d (questions asked again after an
//   answer) at or above education_gap_repeats: repeat_question_penalty points
//   per repeated question, at most repeat_penalty_max. Its reason names the
//   education gap and an action offers training.
//
// Bands: above satisfied_above (85) the customer is satisfied with support,
// below service_issues_below (60) there are service issues; each gives an
// informational reason with impact 0, and service issues an action.
//
// Explanation: the baseline is 50. Each component's reason has impact
// (w_i / sum of present w) * (sub_i - 50); each penalty is its own negative
// reason worth the points it actually took. So 50 + the sum of the impacts ==
// the score.
//
// support_tickets_90d missing (NaN) makes the row INSUFFICIENT_DATA; an
// infinite input makes it FAILED. Non-finite scores are never written as OK.
//
// Monotonic: raising any signal declared lower-is-better never raises the
// score. support_tickets_prev_90d is declared higher-is-better: it is only the
// reference for the surge, and with support_tickets_90d fixed a higher previous
// count means a smaller rise (a previous count of 0 counts as the steepest
// rise, so the score never drops as it grows from 0).
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class SupportHealth : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when the
  // parameters are inconsistent (e.g. response_good_hours >=
  // response_poor_hours, every weight 0).
  explicit SupportHealth(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  // The order of the sub-score components everywhere in this class.
  enum Component {
    kResponse,
    kResolution,
    kVolume,
    kSeverity,
    kTone,
    kEscalations,
    kNumComponents
  };

  struct Row {
    double value[kNumComponents];  // each component's signal; NaN = missing
    double prev_tickets;
    double repeats;
  };

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic.
  struct Evaluation {
    bool present[kNumComponents] = {};
    double sub[kNumComponents] = {};
    // Effective weights: configured weights renormalized over the present
    // components; they sum to 1.
    double share[kNumComponents] = {};
    double base = 0;  // weighted mean of the sub-scores, before penalties
    bool surge_fired = false;
    double rise_pct = 0;       // infinite when the previous count was 0
    double surge_penalty = 0;  // points actually taken off
    bool gap_fired = false;
    double gap_penalty = 0;  // points actually taken off
    double score = 0;
  };

  // REQUIRES: row.value[kVolume] is not NaN. Returns false when no component
  // with a non-zero weight has data.
  bool Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  // Per component: sub-score 100 at or below good_, 0 at or above poor_.
  double good_[kNumComponents];
  double poor_[kNumComponents];
  double weight_[kNumComponents];
  double ticket_surge_alert_pct_;
  double surge_min_tickets_;
  double surge_penalty_max_;
  double education_gap_repeats_;
  double repeat_question_penalty_;
  double repeat_penalty_max_;
  double satisfied_above_;
  double service_issues_below_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_SUPPORT_HEALTH_SUPPORT_HEALTH_H_
