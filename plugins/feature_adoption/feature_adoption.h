// The built-in "feature_adoption" dimension: how much the customer uses the
// key features the scorecard names, weighted by their importance. Scoring
// logic only; plugin.cc exports it as a plugin.
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
// parameter key_features, e.g. "reports:3,integrations:2,dashboards:1", and
// the instance then reads one signal per key feature,
// feature_<name>_use_pct (the share of active users using it), after its
// fixed signals.
//
// Scores feature adoption 0-100 from three components, each a sub-score 0-100:
//
//   key features = the feature_<name>_use_pct values present, averaged with
//                  the key features' weights
//   adoption     = feature_adoption_pct (share of licensed features in use)
//   feedback     = feature_feedback_positive_pct (share of feature feedback
//                  that is positive)
//
// The sub-scores are the percentages themselves, so the bands read directly:
// at or above strong_min_score (90) adoption is strong; below
// underutilized_below (60) the product is under-utilized and an action
// recommends training or product guidance, naming the key features below 60%.
// Band reasons have impact 0.
//
// The dimension score is the weighted mean of the components present
// (weight_key_features, weight_adoption, weight_feedback, renormalized over
// them); a missing key feature is left out of the key-feature average. No
// signal is required on its own, but a row needs usage data: at least one key
// feature or feature_adoption_pct (feedback alone is not adoption). Without
// it the row is INSUFFICIENT_DATA naming those signals.
//
// Explanation: the baseline is 50. Each component's reason has impact
// (w_i / sum of present w) * (sub_i - 50); the key-feature component gives one
// reason per key feature present, each carrying its share of that. So 50 + the
// sum of all impacts == the score. An infinite input makes the row FAILED
// naming the signal.
//
// Monotonic: every signal is higher-is-better and raises its sub-score.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
class FeatureAdoption : public healthscore::sdk::Dimension {
 public:
  // A scorecard names at most this many key features.
  static constexpr size_t kMaxKeyFeatures = 20;

  static healthscore::sdk::Info Describe();

  // Throws std::invalid_argument naming the parameter and its value when the
  // parameters are inconsistent (a malformed key_features entry, a duplicate
  // feature, both usage weights 0, underutilized_below above
  // strong_min_score).
  explicit FeatureAdoption(const healthscore::sdk::Params& params);

  // The fixed signals, then feature_<name>_use_pct per key feature, in the
  // order key_features names them: the column order Score() sees.
  std::vector<healthscore::sdk::Signal> Signals() const;

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

  // One key feature as the scorecard names it.
  struct KeyFeature {
    std::string name;
    double weight = 1;
    std::string signal;   // feature_<name>_use_pct
    std::string rule_id;  // key_feature_<name>
  };

  // Parses key_features text: name:weight pairs separated by commas or new
  // lines ("reports:3, integrations:2"), optionally in YAML flow or block
  // form ("{reports: 3, integrations: 2}", "reports: 3\nintegrations: 2",
  // "[reports, integrations]", "- reports"); a name without a weight weighs
  // 1. Throws std::invalid_argument naming the bad entry.
  static std::vector<KeyFeature> ParseKeyFeatures(std::string_view text);

 private:
  struct Row {
    double adoption;  // NaN when missing
    double feedback;  // NaN when missing
    double use[kMaxKeyFeatures];
  };

  // The numbers behind one row's score, kept so the explanation and the score
  // come from the same arithmetic.
  struct Evaluation {
    bool has_adoption = false;
    bool has_feedback = false;
    bool has_key = false;
    // Configured weights renormalized over the present components; they sum
    // to 1.
    double key_share = 0;
    double adoption_share = 0;
    double feedback_share = 0;
    // Each present key feature's reason impact; they sum to the key-feature
    // component's.
    bool key_present[kMaxKeyFeatures] = {};
    double key_impact[kMaxKeyFeatures] = {};
    double score = 0;
  };

  // Returns false when no usage signal with a non-zero weight has data.
  bool Evaluate(const Row& row, Evaluation& eval) const;
  void Explain(uint32_t index, const Row& row, const Evaluation& eval,
               healthscore::sdk::Output& out) const;

  std::vector<KeyFeature> key_features_;
  double weight_key_features_;
  double weight_adoption_;
  double weight_feedback_;
  double strong_min_score_;
  double underutilized_below_;
  // The INSUFFICIENT_DATA message, built once: it names the usage signals
  // that count (those with a non-zero weight).
  std::string no_data_message_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_FEATURE_ADOPTION_FEATURE_ADOPTION_H_
