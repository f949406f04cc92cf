// The built-in "expansion_potential" dimension: how ripe the account is for
// more seats or a bigger plan. plugin.cc exports it as a plugin;
// docs/dimensions/expansion_potential.md is the spec.
#ifndef HEALTHSCORE_PLUGINS_EXPANSION_POTENTIAL_EXPANSION_POTENTIAL_H_
#define HEALTHSCORE_PLUGINS_EXPANSION_POTENTIAL_EXPANSION_POTENTIAL_H_

#include <cstdint>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// One customer's inputs. seat_pct is never missing (required); the others
// may be NaN.
struct ExpansionRow {
  double seat_pct;
  double growth_pct;
  double upsell;
};

// Scores expansion potential 0-100 from three components, each a sub-score
// 0-100:
//
//   seats  = 0 at or below seat_shelfware_pct (50), 100 at or above
//            seat_expansion_pct (90), linear between
//   growth = 0 at or below usage_growth_floor_pct (-20), 100 at or above
//            usage_growth_target_pct (+20), linear between
//   upsell = 100 * min(1, upsell_offers_engaged_90d /
//                         target_upsell_engagements_90d)
//
// The score is the weighted mean of the components present (weight_seats,
// weight_growth, weight_upsell, renormalized over them); missing optional data
// neither helps nor hurts.
//
// Explanation: each component's reason has impact share * (sub - 50), so
// 50 + the impacts == the score. Actions: seats at or below the shelfware
// mark, activate them; a score below low_score_action_below, drive adoption;
// above high_score_action_above, propose an upgrade.
// Monotonic: raising any signal never lowers the score.
class ExpansionPotential
    : public healthscore::sdk::RowDimension<ExpansionPotential, ExpansionRow> {
 public:
  enum Rule : uint32_t { kSeats, kGrowth, kUpsell };
  enum Action : uint32_t { kActivateSeats, kDriveAdoption, kProposeUpgrade };

  static Declaration Declare();
  // Refuses seat_shelfware_pct >= seat_expansion_pct, usage_growth_floor_pct
  // >= usage_growth_target_pct, every weight 0, and low_score_action_below
  // above high_score_action_above.
  void Init();
  void Evaluate(const ExpansionRow& row,
                healthscore::sdk::RowOutput& out) const;

 private:
  double seat_shelfware_pct_ = 50;
  double seat_expansion_pct_ = 90;
  double usage_growth_floor_pct_ = -20;
  double usage_growth_target_pct_ = 20;
  double target_upsell_ = 2;
  double weight_seats_ = 0.5;
  double weight_growth_ = 0.3;
  double weight_upsell_ = 0.2;
  double low_score_action_below_ = 40;
  double high_score_action_above_ = 75;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_EXPANSION_POTENTIAL_EXPANSION_POTENTIAL_H_
