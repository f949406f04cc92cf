// The built-in "feature_adoption" dimension: how much the customer uses the
// key features the scorecard names, weighted by their importance. plugin.cc
// exports it as a plugin.
#ifndef HEALTHSCORE_PLUGINS_FEATURE_ADOPTION_FEATURE_ADOPTION_H_
#define HEALTHSCORE_PLUGINS_FEATURE_ADOPTION_FEATURE_ADOPTION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// The scorecard names the key features and their weights in the text
// parameter key_features ("reports:3,integrations:2,dashboards:1"); the
// instance then reads feature_<name>_use_pct (share of active users using it)
// per key feature, after its two fixed signals, and has a rule
// key_feature_<name> and an action train_key_feature_<name> per key feature.
// So it is batch-level: Signals(), Rules() and Actions() depend on it.
//
// Scores feature adoption 0-100 from three components, each a sub-score 0-100:
//
//   key features = the feature_<name>_use_pct values present, averaged with
//                  the key features' weights
//   adoption     = feature_adoption_pct (share of licensed features in use)
//   feedback     = feature_feedback_positive_pct (share of feature feedback
//                  that is positive)
//
// The score is the weighted mean of the components present
// (weight_key_features, weight_adoption, weight_feedback, renormalized over
// them); a missing key feature is left out of the key-feature average. A row
// needs usage data (a key feature or feature_adoption_pct, with a non-zero
// weight): feedback alone is INSUFFICIENT_DATA naming the usage signals.
//
// Bands: at or above strong_min_score adoption is strong; below
// underutilized_below the product is under-utilized, and actions recommend
// training on each key feature used by fewer than underutilized_below percent
// of active users (or on unused features in general when none is). Band
// reasons have impact 0.
//
// Explanation: each component's reason has impact share * (sub - 50), so it
// raises the score when more than half use it; the key-feature component is
// one reason per key feature present, each with its weight's part of that.
// 50 + the impacts == the score. Monotonic: every signal is higher-is-better.
class FeatureAdoption : public healthscore::sdk::Dimension {
 public:
  // A scorecard names at most this many key features.
  static constexpr size_t kMaxKeyFeatures = 20;
  // The fixed rules; key_feature_<name> follow, in key_features order.
  enum Rule : uint32_t {
    kAdoption,
    kFeedback,
    kStrong,
    kUnderutilized,
    kFirstKeyFeature
  };
  // offer_training, then train_key_feature_<name> per key feature.
  enum Action : uint32_t { kOfferTraining, kFirstTrainKeyFeature };

  // One key feature as the scorecard names it.
  struct KeyFeature {
    std::string name;
    double weight = 1;
  };

  // The declaration of an instance with the default key_features.
  static healthscore::sdk::Info Describe();
  // Throws std::invalid_argument naming the parameter and its value: a
  // malformed key_features entry, a duplicate feature, both usage weights 0,
  // underutilized_below above strong_min_score.
  explicit FeatureAdoption(const healthscore::sdk::Params& params);

  std::vector<healthscore::sdk::Signal> Signals() const;
  std::vector<healthscore::sdk::Rule> Rules() const;
  std::vector<healthscore::sdk::Action> Actions() const;
  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

  // Parses key_features: name:weight pairs separated by commas or new lines,
  // optionally in YAML flow or block form ("{reports: 3}", "[reports, api]",
  // "- reports"); a name without a weight weighs 1. Throws
  // std::invalid_argument naming the bad entry.
  static std::vector<KeyFeature> ParseKeyFeatures(std::string_view text);

 private:
  FeatureAdoption() = default;  // the defaults, for Describe()
  static std::vector<healthscore::sdk::Setting<FeatureAdoption>> Settings();

  std::string key_features_text_ = "reports:3,integrations:2,dashboards:1";
  double weight_key_features_ = 0.6;
  double weight_adoption_ = 0.3;
  double weight_feedback_ = 0.1;
  double strong_min_score_ = 90;
  double underutilized_below_ = 60;
  std::vector<KeyFeature> key_features_;
  // Names the usage signals with a non-zero weight; built once.
  std::string no_data_message_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_FEATURE_ADOPTION_FEATURE_ADOPTION_H_
