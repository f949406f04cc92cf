// The built-in "product_adoption" dimension: how much of the product a customer
// actually uses. Scoring logic only; plugin.cc exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_PRODUCT_ADOPTION_PRODUCT_ADOPTION_H_
#define HEALTHSCORE_PLUGINS_PRODUCT_ADOPTION_PRODUCT_ADOPTION_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Scores product adoption 0-100 from three components, each a sub-score 0-100:
//
//   adoption = 100 * min(1, feature_adoption_pct / robust_adoption_pct)
//              (customer-success practice: 85% of licensed features in use is
//              "robust" adoption, so at or above it the sub-score is 100)
//   logins   = 100 * min(1, logins_30d / target_logins_30d)
//   tiers    = mean of the basic/intermediate/advanced_feature_use_pct values
//              present, weighted by tier_weight_* (deep use counts most)
//
// The dimension score is the weighted mean of the components present
// (weight_adoption, weight_logins, weight_tiers, renormalized over them):
// adoption is always present, logins when logins_30d is, tiers when any tier
// signal is. Missing optional data therefore neither helps nor hurts.
//
// Login trend: when logins_30d fell by login_drop_alert_pct or more against
// logins_prev_30d, the score loses trend_penalty_max * fall% / 100 points (a
// 40% fall costs 4 of the default 10), never going below 0.
//
// Explanation: the baseline is 50. Each component's reason has impact
// (w_i / sum of present w) * (sub_i - 50); the tiers component gives one reason
// per tier signal, each carrying its share of that. The trend penalty is its
// own negative reason. So 50 + the sum of all impacts == the score. When the
// score is below low_score_action_below an action suggests training.
//
// feature_adoption_pct missing (NaN) makes the row INSUFFICIENT_DATA; an
// infinite input makes it FAILED. Non-finite scores are never written as OK.
//
// Monotonic: raising any signal declared higher-is-better never lowers the
// score. logins_prev_30d is declared lower-is-better: it is only the reference
// for the trend, and with logins_30d fixed a higher previous count means a
// steeper fall.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class ProductAdoption : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when the
  // parameters are inconsistent (e.g. every weight 0).
  explicit ProductAdoption(const healthscore::sdk::Params& params);

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  // Tier order everywhere: basic, intermediate, advanced.
  static constexpr int kNumTiers = 3;

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic.
  struct Evaluation {
    double adoption_sub = 0;
    double logins_sub = 0;
    bool has_logins = false;
    bool has_tiers = false;
    // Effective weights: configured weights renormalized over present
    // components; they sum to 1.
    double adoption_share = 0;
    double logins_share = 0;
    double tiers_share = 0;
    // Each present tier's reason impact; they sum to the tiers component's.
    bool tier_present[kNumTiers] = {};
    double tier_impact[kNumTiers] = {};
    double base = 0;  // weighted mean of sub-scores, before the trend penalty
    bool trend_fired = false;
    double fall_pct = 0;
    double penalty = 0;  // points actually taken off (0 <= penalty <= base)
    double score = 0;
  };

  struct Row {
    double adoption_pct;
    double logins;
    double prev_logins;
    double tier_pct[kNumTiers];
  };

  // REQUIRES: row.adoption_pct is not NaN. Returns false when no component
  // with a non-zero weight has data.
  bool Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  double robust_adoption_pct_;
  double target_logins_30d_;
  double weight_adoption_;
  double weight_logins_;
  double weight_tiers_;
  double tier_weight_[kNumTiers];
  double login_drop_alert_pct_;
  double trend_penalty_max_;
  double low_score_action_below_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_PRODUCT_ADOPTION_PRODUCT_ADOPTION_H_
