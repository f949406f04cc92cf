// The built-in "product_adoption" dimension: how much of the product a customer
// actually uses. plugin.cc exports it as a plugin; the spec is
// docs/dimensions/product_adoption.md.
#ifndef HEALTHSCORE_PLUGINS_PRODUCT_ADOPTION_PRODUCT_ADOPTION_H_
#define HEALTHSCORE_PLUGINS_PRODUCT_ADOPTION_PRODUCT_ADOPTION_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// One customer's inputs. adoption is never missing (required); the others may
// be NaN.
struct ProductAdoptionRow {
  double adoption;
  double logins;
  double prev_logins;
  double basic;
  double intermediate;
  double advanced;
};

// Scores product adoption 0-100 from three components, each a sub-score 0-100:
//
//   adoption = 100 * min(1, feature_adoption_pct / robust_adoption_pct)
//   logins   = 100 * min(1, logins_30d / target_logins_30d)
//   tiers    = the *_feature_use_pct values present, averaged with the
//              tier_weight_* (deep use counts most)
//
// The score is the weighted mean of the components present (weight_adoption,
// weight_logins, weight_tiers, renormalized over them), so missing optional
// data neither helps nor hurts.
//
// Login trend: when logins_30d fell by login_drop_alert_pct or more against
// logins_prev_30d (> 0), the score loses trend_penalty_max * fall% / 100
// points, never going below 0. Below low_score_action_below an action
// suggests training.
//
// Explanation: adoption and logins each have a reason with impact
// share * (sub - 50); the tiers component gives one reason per tier present,
// share * (w_tier / sum of present tier weights) * (pct - 50), which add up to
// the component's; the trend penalty is its own negative reason. 50 + the
// impacts == the score. Monotonic: logins_prev_30d is lower-is-better (with
// this month fixed, more logins last month is a steeper fall).
class ProductAdoption
    : public healthscore::sdk::RowDimension<ProductAdoption,
                                            ProductAdoptionRow> {
 public:
  enum Rule : uint32_t {
    kAdoption,
    kLogins,
    kBasic,
    kIntermediate,
    kAdvanced,
    kTrend
  };
  enum Action : uint32_t { kReengage, kTraining };

  static Declaration Declare();
  // Refuses every component weight 0, and every tier weight 0 while
  // weight_tiers is positive.
  void Init();
  void Evaluate(const ProductAdoptionRow& row,
                healthscore::sdk::RowOutput& out) const;

 private:
  double robust_adoption_pct_ = 85;
  double target_logins_30d_ = 20;
  double weight_adoption_ = 0.5;
  double weight_logins_ = 0.25;
  double weight_tiers_ = 0.25;
  double tier_weight_basic_ = 0.2;
  double tier_weight_intermediate_ = 0.3;
  double tier_weight_advanced_ = 0.5;
  double login_drop_alert_pct_ = 30;
  double trend_penalty_max_ = 10;
  double low_score_action_below_ = 60;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_PRODUCT_ADOPTION_PRODUCT_ADOPTION_H_
