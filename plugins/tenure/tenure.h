// The built-in "tenure" dimension: how long the customer has been one, and how
// often they renewed. Scoring logic only; plugin.cc exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_TENURE_TENURE_H_
#define HEALTHSCORE_PLUGINS_TENURE_TENURE_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Scores tenure 0-100. Longer-standing customers churn less: the first months
// are the riskiest, and a customer who has stayed for years has the product
// woven into how they work.
//
//   curve = 100 * (1 - (1 - established_score / 100)
//                      ^ (months_as_customer / established_months))
//
// a saturating curve: 0 at month 0, established_score (90) at
// established_months (24), and the remaining gap to 100 shrinks by the same
// factor every established_months after that (96.8 at 36 months). It crosses
// the neutral 50 at about 7.2 months with the defaults.
//
// Early tenure: below early_tenure_months (3, the first 90 days) the score
// loses early_tenure_penalty * (1 - months / early_tenure_months) points (all
// of early_tenure_penalty at month 0, fading to none at early_tenure_months,
// so the score has no step there), never going below 0.
//
// Renewals (optional): each renewal adds renewal_bonus points, at most
// max_renewal_bonus in all, never going above 100. A renewal is evidence of a
// decision to stay, so it can only add; a missing renewal_count adds nothing,
// the same as 0 renewals, because there is no such evidence.
//
// Explanation: the baseline is 50. The "tenure" reason has impact curve - 50,
// the "early_tenure" reason minus the points it actually took off, the
// "renewals" reason the points it actually added. So 50 + the sum of the
// impacts == the score. Actions: an onboarding check-in during early tenure,
// and extra attention when the score is below low_score_action_below.
//
// months_as_customer missing (NaN) makes the row INSUFFICIENT_DATA; an
// infinite input makes it FAILED. Non-finite scores are never written as OK.
// Monotonic: raising months_as_customer or renewal_count never lowers the
// score (the curve rises and the early penalty fades as months grow).
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class Tenure : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when a
  // value is out of bounds or NaN.
  explicit Tenure(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  struct Row {
    double months;
    double renewals;  // NaN when missing
  };

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic.
  struct Evaluation {
    double curve = 0;  // the tenure curve's value, 0-100
    bool early = false;
    double penalty = 0;  // points actually taken off (0 <= penalty <= curve)
    bool has_renewals = false;
    double bonus = 0;           // points actually added (score stays <= 100)
    bool bonus_capped = false;  // renewals earned more than max_renewal_bonus
    bool at_ceiling = false;    // the bonus was cut to stay at 100
    double score = 0;
  };

  // REQUIRES: row.months is finite and >= 0; row.renewals is NaN or finite.
  void Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  double established_months_;
  double established_score_;
  double early_tenure_months_;
  double early_tenure_penalty_;
  double renewal_bonus_;
  double max_renewal_bonus_;
  double low_score_action_below_;
  // 1 - established_score / 100: the share of the gap to 100 left after
  // each established_months.
  double gap_per_period_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_TENURE_TENURE_H_
