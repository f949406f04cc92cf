// The built-in "renewal_readiness" dimension: how ready the customer is to
// renew, and how urgent that is. Scoring logic only; plugin.cc exports it.
#ifndef HEALTHSCORE_PLUGINS_RENEWAL_READINESS_RENEWAL_READINESS_H_
#define HEALTHSCORE_PLUGINS_RENEWAL_READINESS_RENEWAL_READINESS_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Scores renewal readiness 0-100 from two components, each a sub-score 0-100:
//
//   usage           = 0 when usage_change_30d_pct <= usage_decline_floor_pct
//                     (-30), 100 when >= usage_growth_target_pct (+10),
//                     linear between (flat usage: 75)
//   communications  = 100 * min(1, customer_communications_30d /
//                                  target_communications_30d)
//
// The score is the weighted mean of the components present (weight_usage,
// weight_communications, renormalized over them): usage always (its signal is
// required), communications when its signal is.
//
// days_to_contract_end sets the urgency, not the score: a renewal_window
// reason (impact 0) says whether the contract ends inside renewal_window_days
// (90), and when the score is below low_score_action_below (60) the action
// depends on it: inside the window (or past the end date) "start the renewal
// conversation now", outside it "plan the renewal before the window opens".
// Keeping the score independent of the date keeps it monotonic in every
// signal; the signal is declared higher-is-better (more time before the end
// date is never worse), which the score trivially keeps.
//
// Explanation: the baseline is 50; each component's reason has impact
// (w_i / sum of present w) * (sub_i - 50), so 50 + the sum of the impacts ==
// the score.
//
// days_to_contract_end or usage_change_30d_pct missing (NaN) makes the row
// INSUFFICIENT_DATA naming them: without the end date there is no renewal to
// be ready for. An infinite input makes the row FAILED. Non-finite scores are
// never written as OK.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class RenewalReadiness : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when the
  // parameters are inconsistent (e.g. usage_decline_floor_pct >=
  // usage_growth_target_pct, both weights 0).
  explicit RenewalReadiness(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  struct Row {
    double days_to_end;  // negative: the end date has passed
    double usage_change_pct;
    double communications;  // NaN when missing
  };

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic.
  struct Evaluation {
    double usage_sub = 0;
    double communications_sub = 0;
    bool has_usage = false;
    bool has_communications = false;
    // Effective weights: configured weights renormalized over the present
    // components; they sum to 1.
    double usage_share = 0;
    double communications_share = 0;
    double score = 0;
  };

  // REQUIRES: the row's required signals are not NaN. Returns false when no
  // component with a non-zero weight has data.
  bool Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  double usage_decline_floor_pct_;
  double usage_growth_target_pct_;
  double target_communications_30d_;
  double weight_usage_;
  double weight_communications_;
  double renewal_window_days_;
  double low_score_action_below_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_RENEWAL_READINESS_RENEWAL_READINESS_H_
