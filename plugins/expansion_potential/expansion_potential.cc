// The expansion_potential dimension's declarations and scoring: see
// expansion_potential.h.
#include "expansion_potential.h"

#include <algorithm>
#include <stdexcept>

#include "healthscore/sdk/scoring.h"

namespace healthscore::plugins {
namespace {

namespace sdk = ::healthscore::sdk;
using Row = ExpansionRow;

sdk::Param Num(const char* name, double min, double max,
               const char* description) {
  return {.name = name, .description = description, .min = min, .max = max};
}

}  // namespace

ExpansionPotential::Declaration ExpansionPotential::Declare() {
  return {
      .description =
          "How ripe the account is for expansion: seat utilization, usage "
          "growth over 90 days and engagement with upsell offers",
      .signals =
          {{&Row::seat_pct,
            {.name = "seat_utilization_pct",
             .unit = "percent",
             .description = "Seats in use as a share of seats licensed (over "
                            "100 when more seats are used than licensed)",
             .min = 0,
             .typical_min = 0,
             .typical_max = 130}},
           {&Row::growth_pct,
            {.name = "usage_growth_90d_pct",
             .unit = "percent",
             .requirement = sdk::Requirement::kOptional,
             .description = "Change in product usage over the last 90 days "
                            "against the 90 days before",
             .min = -100,
             .typical_min = -50,
             .typical_max = 60}},
           {&Row::upsell,
            {.name = "upsell_offers_engaged_90d",
             .unit = "count",
             .requirement = sdk::Requirement::kOptional,
             .description = "Upsell offers the customer engaged with (opened, "
                            "clicked, asked about) in the last 90 days",
             .min = 0,
             .typical_min = 0,
             .typical_max = 5}}},
      .params =
          {{&ExpansionPotential::seat_shelfware_pct_,
            Num("seat_shelfware_pct", 0, 1000,
                "Seat utilization (%) at or below which seats are shelfware: "
                "seat sub-score 0, and the dimension recommends activating "
                "them")},
           {&ExpansionPotential::seat_expansion_pct_,
            Num("seat_expansion_pct", 1, 1000,
                "Seat utilization (%) at or above which the account is near "
                "its seat limit (sub-score 100); linear between the shelfware "
                "and expansion marks")},
           {&ExpansionPotential::usage_growth_floor_pct_,
            Num("usage_growth_floor_pct", -100, 1000,
                "Usage growth over 90 days (%) at or below which the growth "
                "sub-score is 0")},
           {&ExpansionPotential::usage_growth_target_pct_,
            Num("usage_growth_target_pct", -100, 1000,
                "Usage growth over 90 days (%) at or above which the growth "
                "sub-score is 100; linear between the floor and the target")},
           {&ExpansionPotential::target_upsell_,
            Num("target_upsell_engagements_90d", 1, 1e6,
                "Upsell offers engaged with in 90 days at or above which the "
                "upsell sub-score is 100; linear below")},
           {&ExpansionPotential::weight_seats_,
            Num("weight_seats", 0, 100,
                "Weight of the seat-utilization component (renormalized over "
                "the components present)")},
           {&ExpansionPotential::weight_growth_,
            Num("weight_growth", 0, 100,
                "Weight of the usage-growth component")},
           {&ExpansionPotential::weight_upsell_,
            Num("weight_upsell", 0, 100,
                "Weight of the upsell-engagement component")},
           {&ExpansionPotential::low_score_action_below_,
            Num("low_score_action_below", 0, 100,
                "Below this score the dimension recommends driving adoption "
                "before any expansion conversation")},
           {&ExpansionPotential::high_score_action_above_,
            Num("high_score_action_above", 0, 100,
                "Above this score the dimension recommends proposing an "
                "upgrade")}},
      // In the order of enum Rule. Each threshold is the value at which the
      // component is neutral (sub-score 50).
      .rules =
          {{.id = "seat_utilization",
            .signal = "seat_utilization_pct",
            .raises = "Seat utilization is {observed}, above the {threshold} "
                      "midpoint of the {shelfware:percent} shelfware and "
                      "{expansion:percent} expansion marks",
            .lowers = "Seat utilization is only {observed}, below the "
                      "{threshold} midpoint of the {shelfware:percent} "
                      "shelfware and {expansion:percent} expansion marks",
            .text = "Seat utilization is {observed}, midway between the "
                    "{shelfware:percent} shelfware and {expansion:percent} "
                    "expansion marks",
            .args = {"shelfware", "expansion"}},
           {.id = "usage_growth",
            .signal = "usage_growth_90d_pct",
            .raises = "Usage changed {observed:signed}% over the last 90 days, "
                      "above the {threshold:signed}% midpoint of the "
                      "{floor:signed}% to {target:signed}% range",
            .lowers = "Usage changed {observed:signed}% over the last 90 days, "
                      "below the {threshold:signed}% midpoint of the "
                      "{floor:signed}% to {target:signed}% range",
            .text =
                "Usage changed {observed:signed}% over the last 90 days, the "
                "midpoint of the {floor:signed}% to {target:signed}% range",
            .args = {"floor", "target"}},
           {.id = "upsell_engagement",
            .signal = "upsell_offers_engaged_90d",
            .raises =
                "Upsell offers engaged with in the last 90 days: {observed}, "
                "{of_target:percent} of the target of {threshold}",
            .lowers = "Upsell offers engaged with in the last 90 days: "
                      "{observed}, under half the target of {threshold}",
            .text = "Upsell offers engaged with in the last 90 days: "
                    "{observed}, half the target of {threshold}",
            .args = {"of_target"}}},
      .actions =
          {{.id = "activate_seats",
            .text = "Activate the unused seats (invite, train or reassign "
                    "users) before the renewal, when unused licences get cut"},
           {.id = "drive_adoption",
            .text = "Drive adoption and usage growth before proposing any "
                    "expansion"},
           {.id = "propose_upgrade",
            .text = "Propose an upgrade or more seats: the account is ripe for "
                    "expansion"}},
  };
}

void ExpansionPotential::Init() {
  if (seat_shelfware_pct_ >= seat_expansion_pct_) {
    throw std::invalid_argument(
        "seat_shelfware_pct = " + sdk::Exact(seat_shelfware_pct_) +
        " must be below seat_expansion_pct = " +
        sdk::Exact(seat_expansion_pct_));
  }
  if (usage_growth_floor_pct_ >= usage_growth_target_pct_) {
    throw std::invalid_argument(
        "usage_growth_floor_pct = " + sdk::Exact(usage_growth_floor_pct_) +
        " must be below usage_growth_target_pct = " +
        sdk::Exact(usage_growth_target_pct_));
  }
  if (weight_seats_ + weight_growth_ + weight_upsell_ <= 0) {
    throw std::invalid_argument(
        "weight_seats, weight_growth and weight_upsell are all 0: at least one "
        "must be positive");
  }
  if (low_score_action_below_ > high_score_action_above_) {
    throw std::invalid_argument(
        "low_score_action_below = " + sdk::Exact(low_score_action_below_) +
        " must not be above high_score_action_above = " +
        sdk::Exact(high_score_action_above_));
  }
}

void ExpansionPotential::Evaluate(const Row& row, sdk::RowOutput& out) const {
  const double seats_sub =
      sdk::RampToTarget(row.seat_pct, seat_shelfware_pct_, seat_expansion_pct_);
  const bool has_growth = !sdk::IsMissing(row.growth_pct) && weight_growth_ > 0;
  const double growth_sub =
      has_growth ? sdk::RampToTarget(row.growth_pct, usage_growth_floor_pct_,
                                     usage_growth_target_pct_)
                 : 0;
  const bool has_upsell = !sdk::IsMissing(row.upsell) && weight_upsell_ > 0;
  const double upsell_sub =
      has_upsell ? sdk::RatioSubScore(row.upsell, target_upsell_) : 0;
  const double total = weight_seats_ + (has_growth ? weight_growth_ : 0) +
                       (has_upsell ? weight_upsell_ : 0);
  if (total <= 0) {
    return out.InsufficientData(
        "no component with a non-zero weight has data: weight_seats is 0 and "
        "usage_growth_90d_pct and upsell_offers_engaged_90d are missing");
  }
  const double seats_share = weight_seats_ / total;
  const double growth_share = has_growth ? weight_growth_ / total : 0;
  const double upsell_share = has_upsell ? weight_upsell_ / total : 0;
  const double score =
      std::clamp(seats_share * seats_sub + growth_share * growth_sub +
                     upsell_share * upsell_sub,
                 0.0, 100.0);
  out.Score(score);
  if (!out.WantsExplanation()) return;

  if (weight_seats_ > 0) {
    out.Reason(kSeats, seats_share * (seats_sub - sdk::kNeutral),
               {.observed = row.seat_pct,
                .threshold = (seat_shelfware_pct_ + seat_expansion_pct_) / 2,
                .args = {seat_shelfware_pct_, seat_expansion_pct_}});
  }
  // Unused seats get cut at renewal whatever weight the scorecard gives them.
  if (row.seat_pct <= seat_shelfware_pct_) out.Action(kActivateSeats);
  if (has_growth) {
    out.Reason(
        kGrowth, growth_share * (growth_sub - sdk::kNeutral),
        {.observed = row.growth_pct,
         .threshold = (usage_growth_floor_pct_ + usage_growth_target_pct_) / 2,
         .args = {usage_growth_floor_pct_, usage_growth_target_pct_}});
  }
  if (has_upsell) {
    out.Reason(kUpsell, upsell_share * (upsell_sub - sdk::kNeutral),
               {.observed = row.upsell,
                .threshold = target_upsell_,
                .args = {100 * row.upsell / target_upsell_}});
  }
  if (score < low_score_action_below_) {
    out.Action(kDriveAdoption);
  } else if (score > high_score_action_above_) {
    out.Action(kProposeUpgrade);
  }
}

}  // namespace healthscore::plugins
