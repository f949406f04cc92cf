// The expansion_potential dimension's declarations and scoring: see
// expansion_potential.h for the model.
#include "expansion_potential.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "plugins/common/dimension_util.h"

#ifndef HEALTHSCORE_PLUGIN_VERSION
#error \
    "HEALTHSCORE_PLUGIN_VERSION must be defined (healthscore_add_dimension does)"
#endif

namespace healthscore::plugins {
namespace {

namespace sdk = ::healthscore::sdk;

constexpr char kSeats[] = "seat_utilization_pct";
constexpr char kGrowth[] = "usage_growth_90d_pct";
constexpr char kUpsell[] = "upsell_offers_engaged_90d";

// Describe() declares these, in this order; the constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"seat_shelfware_pct", 50, 0, 1000,
     "Seat utilization (%) at or below which seats are shelfware: seat "
     "sub-score 0, and the dimension recommends activating them"},
    {"seat_expansion_pct", 90, 1, 1000,
     "Seat utilization (%) at or above which the account is near its seat "
     "limit (sub-score 100); linear between the shelfware and expansion "
     "marks"},
    {"usage_growth_floor_pct", -20, -100, 1000,
     "Usage growth over 90 days (%) at or below which the growth sub-score "
     "is 0"},
    {"usage_growth_target_pct", 20, -100, 1000,
     "Usage growth over 90 days (%) at or above which the growth sub-score is "
     "100; linear between the floor and the target"},
    {"target_upsell_engagements_90d", 2, 1, 1e6,
     "Upsell offers engaged with in 90 days at or above which the upsell "
     "sub-score is 100; linear below"},
    {"weight_seats", 0.5, 0, 100,
     "Weight of the seat-utilization component (renormalized over the "
     "components present)"},
    {"weight_growth", 0.3, 0, 100, "Weight of the usage-growth component"},
    {"weight_upsell", 0.2, 0, 100, "Weight of the upsell-engagement component"},
    {"low_score_action_below", 40, 0, 100,
     "Below this score the dimension recommends driving adoption before any "
     "expansion conversation"},
    {"high_score_action_above", 75, 0, 100,
     "Above this score the dimension recommends proposing an upgrade"},
};

}  // namespace

sdk::Info ExpansionPotential::Describe() {
  sdk::Info info;
  info.name = "expansion_potential";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "How ripe the account is for expansion: seat utilization, usage growth "
      "over 90 days and engagement with upsell offers";
  info.signals = {
      {.name = kSeats,
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kRequired,
       .description =
           "Seats in use as a share of seats licensed (over 100 when more "
           "seats are used than licensed)",
       .min = 0,
       .max = sdk::kNone},
      {.name = kGrowth,
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Change in product usage over the last 90 days against the 90 "
           "days before",
       .min = -100,
       .max = sdk::kNone},
      {.name = kUpsell,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Upsell offers the customer engaged with (opened, clicked, asked "
           "about) in the last 90 days",
       .min = 0,
       .max = sdk::kNone},
  };
  info.params = ParamDecls(kParams);
  return info;
}

ExpansionPotential::ExpansionPotential(const sdk::Params& params)
    : seat_shelfware_pct_(ReadParam(kParams, params, "seat_shelfware_pct")),
      seat_expansion_pct_(ReadParam(kParams, params, "seat_expansion_pct")),
      usage_growth_floor_pct_(
          ReadParam(kParams, params, "usage_growth_floor_pct")),
      usage_growth_target_pct_(
          ReadParam(kParams, params, "usage_growth_target_pct")),
      target_upsell_engagements_(
          ReadParam(kParams, params, "target_upsell_engagements_90d")),
      weight_seats_(ReadParam(kParams, params, "weight_seats")),
      weight_growth_(ReadParam(kParams, params, "weight_growth")),
      weight_upsell_(ReadParam(kParams, params, "weight_upsell")),
      low_score_action_below_(
          ReadParam(kParams, params, "low_score_action_below")),
      high_score_action_above_(
          ReadParam(kParams, params, "high_score_action_above")) {
  if (seat_shelfware_pct_ >= seat_expansion_pct_) {
    throw std::invalid_argument(
        "seat_shelfware_pct = " + Exact(seat_shelfware_pct_) +
        " must be below seat_expansion_pct = " + Exact(seat_expansion_pct_));
  }
  if (usage_growth_floor_pct_ >= usage_growth_target_pct_) {
    throw std::invalid_argument(
        "usage_growth_floor_pct = " + Exact(usage_growth_floor_pct_) +
        " must be below usage_growth_target_pct = " +
        Exact(usage_growth_target_pct_));
  }
  if (weight_seats_ + weight_growth_ + weight_upsell_ <= 0) {
    throw std::invalid_argument(
        "weight_seats, weight_growth and weight_upsell are all 0: at least "
        "one must be positive");
  }
  if (low_score_action_below_ > high_score_action_above_) {
    throw std::invalid_argument(
        "low_score_action_below = " + Exact(low_score_action_below_) +
        " must not be above high_score_action_above = " +
        Exact(high_score_action_above_));
  }
}

bool ExpansionPotential::Evaluate(const Row& row, Evaluation& eval) const {
  eval.seats_sub =
      RampToTarget(row.seat_pct, seat_shelfware_pct_, seat_expansion_pct_);
  eval.has_growth = !sdk::IsMissing(row.growth_pct) && weight_growth_ > 0;
  if (eval.has_growth) {
    eval.growth_sub = RampToTarget(row.growth_pct, usage_growth_floor_pct_,
                                   usage_growth_target_pct_);
  }
  eval.has_upsell = !sdk::IsMissing(row.upsell) && weight_upsell_ > 0;
  if (eval.has_upsell) {
    eval.upsell_sub = RatioSubScore(row.upsell, target_upsell_engagements_);
  }

  const double total = weight_seats_ + (eval.has_growth ? weight_growth_ : 0) +
                       (eval.has_upsell ? weight_upsell_ : 0);
  if (total <= 0) return false;
  eval.seats_share = weight_seats_ / total;
  eval.growth_share = eval.has_growth ? weight_growth_ / total : 0;
  eval.upsell_share = eval.has_upsell ? weight_upsell_ / total : 0;
  eval.score = std::clamp(eval.seats_share * eval.seats_sub +
                              eval.growth_share * eval.growth_sub +
                              eval.upsell_share * eval.upsell_sub,
                          0.0, 100.0);
  return true;
}

void ExpansionPotential::Explain(uint32_t index, const Row& row,
                                 const Evaluation& eval,
                                 sdk::Output& out) const {
  const bool shelfware =
      weight_seats_ > 0 && row.seat_pct <= seat_shelfware_pct_;
  if (weight_seats_ > 0) {
    std::string message = "Seat utilization " + Num(row.seat_pct) + "% is ";
    double threshold = seat_expansion_pct_;
    if (row.seat_pct >= seat_expansion_pct_) {
      message += "at or above the " + Num(seat_expansion_pct_) +
                 "% expansion mark" +
                 (row.seat_pct > 100 ? ": more seats in use than licensed"
                                     : ": near the seat limit");
    } else if (!shelfware) {
      message += "between the " + Num(seat_shelfware_pct_) +
                 "% shelfware and " + Num(seat_expansion_pct_) +
                 "% expansion marks";
    } else {
      threshold = seat_shelfware_pct_;
      message += "at or below the " + Num(seat_shelfware_pct_) +
                 "% shelfware mark: many licensed seats go unused";
    }
    out.AddReason(index,
                  {.rule_id = "seat_utilization",
                   .signal = kSeats,
                   .observed = row.seat_pct,
                   .threshold = threshold,
                   .impact = eval.seats_share * (eval.seats_sub - kBaseline),
                   .message = std::move(message)});
  }
  if (eval.has_growth) {
    std::string message =
        "Usage " + ChangePhrase(row.growth_pct) + " over the last 90 days, ";
    double threshold = usage_growth_target_pct_;
    if (row.growth_pct >= usage_growth_target_pct_) {
      message += "at or above the " + Num(usage_growth_target_pct_) +
                 "% growth target";
    } else if (row.growth_pct > usage_growth_floor_pct_) {
      message +=
          "below the " + Num(usage_growth_target_pct_) + "% growth target";
    } else {
      threshold = usage_growth_floor_pct_;
      message += "at or below the " + Num(usage_growth_floor_pct_) + "% floor";
    }
    out.AddReason(index,
                  {.rule_id = "usage_growth",
                   .signal = kGrowth,
                   .observed = row.growth_pct,
                   .threshold = threshold,
                   .impact = eval.growth_share * (eval.growth_sub - kBaseline),
                   .message = std::move(message)});
  }
  if (eval.has_upsell) {
    const bool on_target = row.upsell >= target_upsell_engagements_;
    std::string message =
        row.upsell > 0
            ? "Engaged with " + Num(row.upsell) +
                  (row.upsell == 1 ? " upsell offer" : " upsell offers") +
                  " in the last 90 days, " +
                  (on_target ? "at or above" : "below") + " the target of " +
                  Num(target_upsell_engagements_)
            : "No engagement with upsell offers in the last 90 days";
    out.AddReason(index,
                  {.rule_id = "upsell_engagement",
                   .signal = kUpsell,
                   .observed = row.upsell,
                   .threshold = target_upsell_engagements_,
                   .impact = eval.upsell_share * (eval.upsell_sub - kBaseline),
                   .message = std::move(message)});
  }

  if (shelfware) {
    out.AddAction(index,
                  "Activate the unused seats (invite, train or reassign "
                  "users) before the renewal, when unused licences get cut");
  }
  if (eval.score < low_score_action_below_) {
    out.AddAction(index,
                  "Drive adoption and usage growth before proposing any "
                  "expansion");
  } else if (eval.score > high_score_action_above_) {
    out.AddAction(index,
                  "Propose an upgrade or more seats: the account is ripe for "
                  "expansion");
  }
}

void ExpansionPotential::Score(const sdk::Batch& batch,
                               sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  const std::span<const double> seats = batch.Column(kSeats);
  const std::span<const double> growth = batch.Column(kGrowth);
  const std::span<const double> upsell = batch.Column(kUpsell);
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    const Row row{seats[i], growth[i], upsell[i]};
    if (sdk::IsMissing(row.seat_pct)) {
      MarkInsufficientData(out, i,
                           "missing required signal seat_utilization_pct");
      continue;
    }
    // The host refuses infinities; this guards a host that does not.
    if (FailIfInfinite(out, i,
                       LastInfinite({{row.seat_pct, kSeats},
                                     {row.growth_pct, kGrowth},
                                     {row.upsell, kUpsell}})))
      continue;

    Evaluation eval;
    if (!Evaluate(row, eval)) {
      MarkInsufficientData(
          out, i,
          "no component with a non-zero weight has data: weight_seats is 0 "
          "and usage_growth_90d_pct and upsell_offers_engaged_90d are "
          "missing");
      continue;
    }
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
