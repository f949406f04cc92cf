// The built-in "support_health" dimension: how the customer's support
// experience is going. plugin.cc exports it as a plugin; the spec is
// docs/dimensions/support_health.md.
#ifndef HEALTHSCORE_PLUGINS_SUPPORT_HEALTH_SUPPORT_HEALTH_H_
#define HEALTHSCORE_PLUGINS_SUPPORT_HEALTH_SUPPORT_HEALTH_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// One customer's inputs. tickets is never missing (required); the others may
// be NaN.
struct SupportHealthRow {
  double response;
  double resolution;
  double tickets;
  double severity;
  double tone;
  double escalations;
  double prev_tickets;
  double repeats;
};

// Scores support health 0-100 from six components, each reading a signal
// where less is better: sub-score 100 at or below its good mark, 0 at or above
// its poor mark, linear between.
//
//   response     avg_first_response_hours    good 4 h, poor 24 h
//   resolution   avg_resolution_hours        good 24 h, poor 120 h
//   volume       support_tickets_90d         good 10, poor 40 (always present)
//   severity     high_severity_tickets_90d   good 0, poor 3
//   tone         negative_tone_tickets_pct   good 10%, poor 50%
//   escalations  support_escalations_90d     good 0, poor 2
//
// The base is the weighted mean of the components present (weight_*,
// renormalized over them). Two warning signs then take points off, never
// below 0:
// - ticket surge: tickets rose ticket_surge_alert_pct or more against
//   support_tickets_prev_90d (from 0: the steepest rise), with at least
//   surge_min_tickets now: surge_penalty_max * min(1, rise% / 100) points;
// - education gap: repeat_question_tickets_90d >= education_gap_repeats:
//   repeat_question_penalty per repeat, at most repeat_penalty_max.
//
// Bands: above satisfied_above satisfied with support, below
// service_issues_below service issues (with an action); impact 0.
//
// Explanation: each component's reason has impact share * (sub - 50); each
// penalty is its own negative reason; 50 + the impacts == the score.
// Monotonic: raising a lower-is-better signal never raises the score
// (support_tickets_prev_90d is higher-is-better: it is the surge's reference).
class SupportHealth
    : public healthscore::sdk::RowDimension<SupportHealth, SupportHealthRow> {
 public:
  // The components first, in the order of the table above.
  enum Rule : uint32_t {
    kResponse,
    kResolution,
    kVolume,
    kSeverity,
    kTone,
    kEscalations,
    kSurge,
    kEducationGap,
    kSatisfied,
    kServiceIssues
  };
  enum Action : uint32_t { kSurgeCause, kTraining, kServiceReview };
  static constexpr int kNumComponents = kEscalations + 1;

  static Declaration Declare();
  // Refuses a good mark not below its poor mark, every weight 0, and
  // service_issues_below above satisfied_above.
  void Init();
  void Evaluate(const SupportHealthRow& row,
                healthscore::sdk::RowOutput& out) const;

 private:
  double response_good_hours_ = 4;
  double response_poor_hours_ = 24;
  double resolution_good_hours_ = 24;
  double resolution_poor_hours_ = 120;
  double tickets_good_90d_ = 10;
  double tickets_poor_90d_ = 40;
  double high_severity_poor_90d_ = 3;
  double negative_tone_good_pct_ = 10;
  double negative_tone_poor_pct_ = 50;
  double escalations_poor_90d_ = 2;
  double weight_response_ = 0.2;
  double weight_resolution_ = 0.2;
  double weight_volume_ = 0.15;
  double weight_severity_ = 0.15;
  double weight_tone_ = 0.15;
  double weight_escalations_ = 0.15;
  double ticket_surge_alert_pct_ = 50;
  double surge_min_tickets_ = 5;
  double surge_penalty_max_ = 10;
  double education_gap_repeats_ = 3;
  double repeat_question_penalty_ = 2;
  double repeat_penalty_max_ = 10;
  double satisfied_above_ = 85;
  double service_issues_below_ = 60;

  // Set by Init(), per component in enum Rule order.
  double good_[kNumComponents] = {};
  double poor_[kNumComponents] = {};
  double weight_[kNumComponents] = {};
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_SUPPORT_HEALTH_SUPPORT_HEALTH_H_
