// The product_adoption dimension's declarations and scoring: see
// product_adoption.h for the model.
#include "product_adoption.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>

#include "plugins/common/components.h"
#include "plugins/common/dimension_util.h"

#ifndef HEALTHSCORE_PLUGIN_VERSION
#error \
    "HEALTHSCORE_PLUGIN_VERSION must be defined (healthscore_add_dimension does)"
#endif

namespace healthscore::plugins {
namespace {

namespace sdk = ::healthscore::sdk;

constexpr char kAdoption[] = "feature_adoption_pct";
constexpr char kLogins[] = "logins_30d";
constexpr char kPrevLogins[] = "logins_prev_30d";
constexpr const char* kTierSignals[] = {"basic_feature_use_pct",
                                        "intermediate_feature_use_pct",
                                        "advanced_feature_use_pct"};
constexpr const char* kTierNames[] = {"basic", "intermediate", "advanced"};
constexpr const char* kTierRules[] = {
    "basic_feature_use", "intermediate_feature_use", "advanced_feature_use"};

// Describe() declares these, in this order; the constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"robust_adoption_pct", 85, 1, 100,
     "Feature adoption (%) at or above which adoption is robust (sub-score "
     "100); below it the sub-score falls linearly to 0"},
    {"target_logins_30d", 20, 1, 1e6,
     "Logins in 30 days at or above which the login sub-score is 100; linear "
     "below"},
    {"weight_adoption", 0.5, 0, 100,
     "Weight of the feature-adoption component (renormalized over the "
     "components present)"},
    {"weight_logins", 0.25, 0, 100, "Weight of the login-frequency component"},
    {"weight_tiers", 0.25, 0, 100,
     "Weight of the feature-tier (depth of use) component"},
    {"tier_weight_basic", 0.2, 0, 100,
     "Weight of basic_feature_use_pct within the tier component"},
    {"tier_weight_intermediate", 0.3, 0, 100,
     "Weight of intermediate_feature_use_pct within the tier component"},
    {"tier_weight_advanced", 0.5, 0, 100,
     "Weight of advanced_feature_use_pct within the tier component"},
    {"login_drop_alert_pct", 30, 1, 100,
     "A fall of logins_30d against logins_prev_30d of this many percent or "
     "more is a warning sign and costs points"},
    {"trend_penalty_max", 10, 0, 100,
     "Points taken off for a 100% fall in logins; a smaller fall (at or above "
     "login_drop_alert_pct) costs proportionally less"},
    {"low_score_action_below", 60, 0, 100,
     "Below this score the dimension recommends training on unused features"},
};

}  // namespace

sdk::Info ProductAdoption::Describe() {
  sdk::Info info;
  info.name = "product_adoption";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "How much of the product the customer uses: share of licensed features "
      "adopted, login frequency and trend, and depth of use across feature "
      "tiers";
  info.signals = {
      {.name = kAdoption,
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kRequired,
       .description = "Share of licensed features in use",
       .min = 0,
       .max = 100},
      {.name = kLogins,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Logins in the last 30 days",
       .min = 0,
       .max = sdk::kNone},
      // Lower is better for this dimension's score: it is the reference the
      // trend compares logins_30d with, so with logins_30d fixed a higher
      // value means a steeper fall.
      {.name = kPrevLogins,
       .unit = "count",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Logins in the 30 days before the last 30 (the trend's reference)",
       .min = 0,
       .max = sdk::kNone},
      {.name = kTierSignals[0],
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Share of basic features in use",
       .min = 0,
       .max = 100},
      {.name = kTierSignals[1],
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Share of intermediate features in use",
       .min = 0,
       .max = 100},
      {.name = kTierSignals[2],
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Share of advanced features in use",
       .min = 0,
       .max = 100},
  };
  info.params = ParamDecls(kParams);
  return info;
}

ProductAdoption::ProductAdoption(const sdk::Params& params)
    : robust_adoption_pct_(ReadParam(kParams, params, "robust_adoption_pct")),
      target_logins_30d_(ReadParam(kParams, params, "target_logins_30d")),
      weight_adoption_(ReadParam(kParams, params, "weight_adoption")),
      weight_logins_(ReadParam(kParams, params, "weight_logins")),
      weight_tiers_(ReadParam(kParams, params, "weight_tiers")),
      tier_weight_{ReadParam(kParams, params, "tier_weight_basic"),
                   ReadParam(kParams, params, "tier_weight_intermediate"),
                   ReadParam(kParams, params, "tier_weight_advanced")},
      login_drop_alert_pct_(ReadParam(kParams, params, "login_drop_alert_pct")),
      trend_penalty_max_(ReadParam(kParams, params, "trend_penalty_max")),
      low_score_action_below_(
          ReadParam(kParams, params, "low_score_action_below")) {
  if (weight_adoption_ + weight_logins_ + weight_tiers_ <= 0) {
    throw std::invalid_argument(
        "weight_adoption, weight_logins and weight_tiers are all 0: at least "
        "one must be positive");
  }
  if (weight_tiers_ > 0 &&
      tier_weight_[0] + tier_weight_[1] + tier_weight_[2] <= 0) {
    throw std::invalid_argument(
        "tier_weight_basic, tier_weight_intermediate and tier_weight_advanced "
        "are all 0 while weight_tiers = " +
        Exact(weight_tiers_) + ": at least one tier weight must be positive");
  }
}

bool ProductAdoption::Evaluate(const Row& row, Evaluation& eval) const {
  eval.adoption_sub = RatioSubScore(row.adoption_pct, robust_adoption_pct_);
  eval.has_logins = !sdk::IsMissing(row.logins) && weight_logins_ > 0;
  if (eval.has_logins) {
    eval.logins_sub = RatioSubScore(row.logins, target_logins_30d_);
  }

  double tier_weight_sum = 0;
  double tier_weighted = 0;
  for (int t = 0; t < kNumTiers; ++t) {
    eval.tier_present[t] =
        !sdk::IsMissing(row.tier_pct[t]) && tier_weight_[t] > 0;
    if (!eval.tier_present[t]) continue;
    tier_weight_sum += tier_weight_[t];
    tier_weighted += tier_weight_[t] * std::clamp(row.tier_pct[t], 0.0, 100.0);
  }
  eval.has_tiers = tier_weight_sum > 0 && weight_tiers_ > 0;

  const double total = weight_adoption_ +
                       (eval.has_logins ? weight_logins_ : 0) +
                       (eval.has_tiers ? weight_tiers_ : 0);
  if (total <= 0) return false;
  eval.adoption_share = weight_adoption_ / total;
  eval.logins_share = eval.has_logins ? weight_logins_ / total : 0;
  eval.tiers_share = eval.has_tiers ? weight_tiers_ / total : 0;

  eval.base = eval.adoption_share * eval.adoption_sub +
              eval.logins_share * eval.logins_sub;
  if (eval.has_tiers) {
    const double tiers_sub = tier_weighted / tier_weight_sum;
    eval.base += eval.tiers_share * tiers_sub;
    // Split the component's impact so each tier signal gets its own reason:
    // sum_t (w_t / W) * (pct_t - 50) == tiers_sub - 50.
    for (int t = 0; t < kNumTiers; ++t) {
      if (!eval.tier_present[t]) continue;
      eval.tier_impact[t] =
          eval.tiers_share * (tier_weight_[t] / tier_weight_sum) *
          (std::clamp(row.tier_pct[t], 0.0, 100.0) - kBaseline);
    }
  }
  eval.base = std::clamp(eval.base, 0.0, 100.0);

  // prev == 0 cannot fall, and a NaN on either side means no trend.
  if (PercentFall(row.logins, row.prev_logins, eval.fall_pct) &&
      eval.fall_pct >= login_drop_alert_pct_) {
    eval.trend_fired = true;
    eval.penalty = TrendPenalty(trend_penalty_max_, eval.fall_pct, eval.base);
  }
  eval.score = std::clamp(eval.base - eval.penalty, 0.0, 100.0);
  return true;
}

void ProductAdoption::Explain(uint32_t index, const Row& row,
                              const Evaluation& eval, sdk::Output& out) const {
  if (weight_adoption_ > 0) {
    const bool robust = row.adoption_pct >= robust_adoption_pct_;
    out.AddReason(
        index,
        {.rule_id = "feature_adoption",
         .signal = kAdoption,
         .observed = row.adoption_pct,
         .threshold = robust_adoption_pct_,
         .impact = eval.adoption_share * (eval.adoption_sub - kBaseline),
         .message = "Feature adoption " + Num(row.adoption_pct) + "% is " +
                    (robust ? "at or above" : "below") + " the " +
                    Num(robust_adoption_pct_) + "% robust-adoption mark"});
  }
  if (eval.has_logins) {
    const bool on_target = row.logins >= target_logins_30d_;
    out.AddReason(
        index, {.rule_id = "login_frequency",
                .signal = kLogins,
                .observed = row.logins,
                .threshold = target_logins_30d_,
                .impact = eval.logins_share * (eval.logins_sub - kBaseline),
                .message = Num(row.logins) + " logins in the last 30 days, " +
                           (on_target ? "at or above" : "below") +
                           " the target of " + Num(target_logins_30d_)});
  }
  if (eval.has_tiers) {
    for (int t = 0; t < kNumTiers; ++t) {
      if (!eval.tier_present[t]) continue;
      out.AddReason(
          index,
          {.rule_id = kTierRules[t],
           .signal = kTierSignals[t],
           .observed = row.tier_pct[t],
           .threshold = kBaseline,
           .impact = eval.tier_impact[t],
           .message = Num(row.tier_pct[t]) + "% of " + kTierNames[t] +
                      " features are in use (" +
                      (row.tier_pct[t] >= kBaseline ? "at or above" : "below") +
                      " the 50% neutral mark)"});
    }
  }
  if (eval.trend_fired) {
    out.AddReason(index,
                  {.rule_id = "login_trend",
                   .signal = kLogins,
                   .observed = eval.fall_pct,
                   .threshold = login_drop_alert_pct_,
                   .impact = -eval.penalty,
                   .message = "Logins fell " + Num(eval.fall_pct) +
                              "% month over month (" + Num(row.prev_logins) +
                              " -> " + Num(row.logins) + ")"});
    out.AddAction(index,
                  "Ask the customer why product use dropped and re-engage "
                  "the users who stopped logging in");
  }
  if (eval.score < low_score_action_below_) {
    out.AddAction(index,
                  "Offer training or product guidance on unused features");
  }
}

void ProductAdoption::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  const std::span<const double> adoption = batch.Column(kAdoption);
  const std::span<const double> logins = batch.Column(kLogins);
  const std::span<const double> prev_logins = batch.Column(kPrevLogins);
  const std::span<const double> tiers[kNumTiers] = {
      batch.Column(kTierSignals[0]), batch.Column(kTierSignals[1]),
      batch.Column(kTierSignals[2])};
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    const Row row{adoption[i],
                  logins[i],
                  prev_logins[i],
                  {tiers[0][i], tiers[1][i], tiers[2][i]}};
    if (sdk::IsMissing(row.adoption_pct)) {
      MarkInsufficientData(out, i,
                           "missing required signal feature_adoption_pct");
      continue;
    }
    // The host refuses infinities; this guards a host that does not.
    const char* infinite = LastInfinite({{row.adoption_pct, kAdoption},
                                         {row.logins, kLogins},
                                         {row.prev_logins, kPrevLogins}});
    for (int t = 0; t < kNumTiers; ++t) {
      if (std::isinf(row.tier_pct[t])) infinite = kTierSignals[t];
    }
    if (FailIfInfinite(out, i, infinite)) continue;

    Evaluation eval;
    if (!Evaluate(row, eval)) {
      MarkInsufficientData(
          out, i,
          "no component with a non-zero weight has data: weight_adoption is "
          "0 and logins_30d and the *_feature_use_pct signals are missing");
      continue;
    }
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
