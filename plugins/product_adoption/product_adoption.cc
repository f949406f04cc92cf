// The product_adoption dimension's declarations and scoring: see
// product_adoption.h.
#include "product_adoption.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "healthscore/sdk/scoring.h"

namespace healthscore::plugins {

namespace sdk = ::healthscore::sdk;
using Row = ProductAdoptionRow;

namespace {

// A number parameter; its default is the bound member's initializer.
sdk::Param Num(const char* name, double min, double max,
               const char* description) {
  return {.name = name, .description = description, .min = min, .max = max};
}

sdk::Signal Percent(const char* name, const char* description) {
  return {.name = name,
          .unit = "percent",
          .requirement = sdk::Requirement::kOptional,
          .description = description,
          .min = 0,
          .max = 100};
}

sdk::Rule TierRule(const std::string& tier) {
  return {.id = tier + "_feature_use",
          .signal = tier + "_feature_use_pct",
          .raises = "{observed} of " + tier + " features are in use",
          .lowers =
              "Under half of the " + tier + " features are in use ({observed})",
          .text = "Half of the " + tier + " features are in use"};
}

}  // namespace

ProductAdoption::Declaration ProductAdoption::Declare() {
  using P = ProductAdoption;
  sdk::Signal basic =
      Percent("basic_feature_use_pct", "Share of basic features in use");
  sdk::Signal intermediate = Percent("intermediate_feature_use_pct",
                                     "Share of intermediate features in use");
  sdk::Signal advanced =
      Percent("advanced_feature_use_pct", "Share of advanced features in use");
  return {
      .description =
          "How much of the product the customer uses: share of licensed "
          "features adopted, login frequency and trend, and depth of use "
          "across feature tiers",
      .signals = {{&Row::adoption,
                   {.name = "feature_adoption_pct",
                    .unit = "percent",
                    .description = "Share of licensed features in use",
                    .min = 0,
                    .max = 100}},
                  {&Row::logins,
                   {.name = "logins_30d",
                    .unit = "count",
                    .requirement = sdk::Requirement::kOptional,
                    .description = "Logins in the last 30 days",
                    .min = 0,
                    .typical_min = 0,
                    .typical_max = 60}},
                  // Lower is better: the trend's reference, so with logins_30d
                  // fixed a higher value is a steeper fall.
                  {&Row::prev_logins,
                   {.name = "logins_prev_30d",
                    .unit = "count",
                    .direction = sdk::Direction::kLowerIsBetter,
                    .requirement = sdk::Requirement::kOptional,
                    .description =
                        "Logins in the 30 days before the last 30 (the "
                        "trend's reference)",
                    .min = 0,
                    .typical_min = 0,
                    .typical_max = 60}},
                  {&Row::basic, basic},
                  {&Row::intermediate, intermediate},
                  {&Row::advanced, advanced}},
      .params =
          {{&P::robust_adoption_pct_,
            Num("robust_adoption_pct", 1, 100,
                "Feature adoption (%) at or above which adoption is robust "
                "(sub-score 100); below it the sub-score falls linearly to 0")},
           {&P::target_logins_30d_,
            Num("target_logins_30d", 1, 1e6,
                "Logins in 30 days at or above which the login sub-score is "
                "100; linear below")},
           {&P::weight_adoption_,
            Num("weight_adoption", 0, 100,
                "Weight of the feature-adoption component (renormalized over "
                "the components present)")},
           {&P::weight_logins_, Num("weight_logins", 0, 100,
                                    "Weight of the login-frequency component")},
           {&P::weight_tiers_,
            Num("weight_tiers", 0, 100,
                "Weight of the feature-tier (depth of use) component")},
           {&P::tier_weight_basic_,
            Num("tier_weight_basic", 0, 100,
                "Weight of basic_feature_use_pct within the tier component")},
           {&P::tier_weight_intermediate_,
            Num("tier_weight_intermediate", 0, 100,
                "Weight of intermediate_feature_use_pct within the tier "
                "component")},
           {&P::tier_weight_advanced_, Num("tier_weight_advanced", 0, 100,
                                           "Weight of advanced_feature_use_pct "
                                           "within the tier component")},
           {&P::login_drop_alert_pct_,
            Num("login_drop_alert_pct", 1, 100,
                "A fall of logins_30d against logins_prev_30d of this many "
                "percent or more is a warning sign and costs points")},
           {&P::trend_penalty_max_,
            Num("trend_penalty_max", 0, 100,
                "Points taken off for a 100% fall in logins; a smaller fall "
                "(at or above login_drop_alert_pct) costs proportionally "
                "less")},
           {&P::low_score_action_below_,
            Num("low_score_action_below", 0, 100,
                "Below this score the dimension recommends training on unused "
                "features")}},
      // In the order of enum Rule.
      .rules = {{.id = "feature_adoption",
                 .signal = "feature_adoption_pct",
                 .raises = "Feature adoption is {observed}; robust adoption "
                           "starts at {threshold}",
                 .lowers = "Feature adoption is {observed}, under half the "
                           "{threshold} at which adoption is robust",
                 .text = "Feature adoption is {observed}, half the "
                         "{threshold} at which adoption is robust"},
                {.id = "login_frequency",
                 .signal = "logins_30d",
                 .raises = "{observed:plural:login} in the last 30 days, "
                           "{of_target:percent} of the target of {threshold}",
                 .lowers = "{observed:plural:login} in the last 30 days, under "
                           "half the target of {threshold}",
                 .text = "{observed:plural:login} in the last 30 days, half "
                         "the target of {threshold}",
                 .args = {"of_target"}},
                TierRule("basic"),
                TierRule("intermediate"),
                TierRule("advanced"),
                {.id = "login_trend",
                 .signal = "logins_30d",
                 .unit = "percent",
                 .lowers = "Logins fell {observed} month over month, from "
                           "{prev} to {now}",
                 .text = "Logins fell {observed} month over month, from "
                         "{prev} to {now} (no points taken off)",
                 .args = {"prev", "now"}}},
      .actions = {{.id = "reengage_users",
                   .text = "Ask the customer why product use dropped and "
                           "re-engage the users who stopped logging in"},
                  {.id = "offer_training",
                   .text = "Offer training or product guidance on unused "
                           "features"}},
  };
}

void ProductAdoption::Init() {
  if (weight_adoption_ + weight_logins_ + weight_tiers_ <= 0) {
    throw std::invalid_argument(
        "weight_adoption, weight_logins and weight_tiers are all 0: at least "
        "one must be positive");
  }
  if (weight_tiers_ > 0 &&
      tier_weight_basic_ + tier_weight_intermediate_ + tier_weight_advanced_ <=
          0) {
    throw std::invalid_argument(
        "tier_weight_basic, tier_weight_intermediate and tier_weight_advanced "
        "are all 0 while weight_tiers = " +
        sdk::Exact(weight_tiers_) +
        ": at least one tier weight must be positive");
  }
}

void ProductAdoption::Evaluate(const Row& row, sdk::RowOutput& out) const {
  const double pct[3] = {row.basic, row.intermediate, row.advanced};
  const double weight[3] = {tier_weight_basic_, tier_weight_intermediate_,
                            tier_weight_advanced_};
  const double adoption_sub =
      sdk::RatioSubScore(row.adoption, robust_adoption_pct_);
  const bool has_logins = !sdk::IsMissing(row.logins) && weight_logins_ > 0;
  const double logins_sub =
      has_logins ? sdk::RatioSubScore(row.logins, target_logins_30d_) : 0;
  bool present[3];
  double tier_weight_sum = 0;
  double tier_weighted = 0;
  for (int t = 0; t < 3; ++t) {
    present[t] = !sdk::IsMissing(pct[t]) && weight[t] > 0;
    if (!present[t]) continue;
    tier_weight_sum += weight[t];
    tier_weighted += weight[t] * std::clamp(pct[t], 0.0, 100.0);
  }
  const bool has_tiers = tier_weight_sum > 0 && weight_tiers_ > 0;

  const double total = weight_adoption_ + (has_logins ? weight_logins_ : 0) +
                       (has_tiers ? weight_tiers_ : 0);
  if (total <= 0) {
    return out.InsufficientData(
        "no component with a non-zero weight has data: weight_adoption is 0 "
        "and logins_30d and the *_feature_use_pct signals are missing");
  }
  const double adoption_share = weight_adoption_ / total;
  const double logins_share = has_logins ? weight_logins_ / total : 0;
  const double tiers_share = has_tiers ? weight_tiers_ / total : 0;
  double base = adoption_share * adoption_sub + logins_share * logins_sub;
  if (has_tiers) base += tiers_share * (tier_weighted / tier_weight_sum);
  base = std::clamp(base, 0.0, 100.0);

  // prev == 0 cannot fall, and a NaN on either side means no trend.
  double fall = 0;
  double penalty = 0;
  const bool trend = sdk::PercentFall(row.logins, row.prev_logins, fall) &&
                     fall >= login_drop_alert_pct_;
  if (trend) penalty = sdk::TrendPenalty(trend_penalty_max_, fall, base);
  const double score = std::clamp(base - penalty, 0.0, 100.0);
  out.Score(score);

  if (weight_adoption_ > 0) {
    out.Reason(kAdoption, adoption_share * (adoption_sub - sdk::kNeutral),
               {.observed = row.adoption, .threshold = robust_adoption_pct_});
  }
  if (has_logins) {
    out.Reason(kLogins, logins_share * (logins_sub - sdk::kNeutral),
               {.observed = row.logins,
                .threshold = target_logins_30d_,
                .args = {100 * row.logins / target_logins_30d_}});
  }
  // One reason per tier: sum_t (w_t / W) * (pct_t - 50) == tiers_sub - 50.
  for (int t = 0; t < 3 && has_tiers; ++t) {
    if (!present[t]) continue;
    out.Reason(kBasic + t,
               tiers_share * (weight[t] / tier_weight_sum) *
                   (std::clamp(pct[t], 0.0, 100.0) - sdk::kNeutral),
               {.observed = pct[t], .threshold = sdk::kNeutral});
  }
  if (trend) {
    out.Reason(kTrend, 0.0 - penalty,  // never -0
               {.observed = fall,
                .threshold = login_drop_alert_pct_,
                .args = {row.prev_logins, row.logins}});
    out.Action(kReengage);
  }
  if (score < low_score_action_below_) out.Action(kTraining);
}

}  // namespace healthscore::plugins
