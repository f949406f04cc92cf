// check_good: a well-behaved test dimension that passes every check of
// healthscore-plugin-check, and exercises what a cases file can set: a text
// parameter given as a YAML list (`features`, which adds one signal
// <feature>_pct and one rule feature_<feature> per name, so the instance's
// signals and rules depend on it) and number parameters.
//
// The score is the mean of usage_pct and the feature signals present. Each
// present signal is a reason with impact (value - 50) / n, n the number
// present, so 50 + the impacts is the mean exactly. Below low_below the
// dimension recommends raising usage. usage_pct is required: the host marks a
// row without it INSUFFICIENT_DATA and never passes it here.
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "healthscore/sdk/dimension.h"

namespace {

namespace sdk = healthscore::sdk;

class Good : public sdk::Dimension {
 public:
  enum ActionIndex : uint32_t { kRaiseUsage };

  static sdk::Info Describe() {
    return {.description = "Test plugin: mean usage over named features.",
            .signals = {UsageSignal()},
            .params = {{.name = "features",
                        .description = "feature names, a YAML list",
                        .kind = sdk::ParamKind::kText,
                        .default_text = "[]"},
                       {.name = "low_below",
                        .default_value = 50,
                        .description = "below this score, ask for more usage",
                        .min = 0,
                        .max = 100}},
            .rules = {UsageRule()},
            .actions = {{.id = "raise_usage",
                         .text = "Raise usage: the score is {score:number}, "
                                 "the aim is at least {aim:number}",
                         .args = {"score", "aim"}}}};
  }

  explicit Good(const sdk::Params& params)
      : low_below_(params.Get("low_below")),
        signals_{UsageSignal()},
        rules_{UsageRule()} {
    // "[a, b]" as the host passes a YAML list, or "a, b".
    std::string name;
    for (char c : params.GetText("features") + ",") {
      if (c == ',' || c == ']') {
        if (!name.empty()) {
          signals_.push_back(FeatureSignal(name));
          rules_.push_back(FeatureRule(name));
        }
        name.clear();
      } else if (c != ' ' && c != '[') {
        name += c;
      }
    }
  }

  // Signal i is read by rule i: usage first, then the features in order.
  std::vector<sdk::Signal> Signals() const { return signals_; }
  std::vector<sdk::Rule> Rules() const { return rules_; }

  void Score(const sdk::Batch& batch, sdk::Output& out) const override {
    std::vector<std::span<const double>> columns;
    for (size_t c = 0; c < signals_.size(); ++c) {
      columns.push_back(batch.Column(c));
    }
    for (uint32_t row = 0; row < batch.num_rows(); ++row) {
      // Within the declared bounds as the server sends them; the checker also
      // sends infinities, which have no meaningful score.
      double sum = 0;
      int n = 0;
      bool infinite = false;
      for (const auto& column : columns) {
        const double v = column[row];
        if (sdk::IsMissing(v)) continue;
        infinite = infinite || std::isinf(v);
        sum += v;
        ++n;
      }
      if (infinite) {
        out.SetFailed(row, "an infinite input");
        continue;
      }
      const double score = sum / n;  // n >= 1: usage_pct is required
      out.SetScore(row, score);
      for (uint32_t c = 0; c < columns.size(); ++c) {
        const double v = columns[c][row];
        if (sdk::IsMissing(v)) continue;
        out.Reason(row, c, (v - sdk::kNeutral) / n,
                   {.observed = v, .threshold = sdk::kNeutral});
      }
      if (score < low_below_) out.Action(row, kRaiseUsage, {score, low_below_});
    }
  }

 private:
  static sdk::Signal UsageSignal() {
    return {.name = "usage_pct",
            .unit = "percent",
            .description = "share of seats active in the last 30 days",
            .min = 0,
            .max = 100,
            .typical_min = 20,
            .typical_max = 95};
  }
  static sdk::Signal FeatureSignal(const std::string& feature) {
    return {.name = feature + "_pct",
            .unit = "percent",
            .requirement = sdk::Requirement::kOptional,
            .description = "share of seats using " + feature,
            .min = 0,
            .max = 100};
  }
  static sdk::Rule UsageRule() {
    return {.id = "usage",
            .signal = "usage_pct",
            .raises = "usage_pct is {observed}, above {threshold}",
            .lowers = "usage_pct is {observed}, below {threshold}",
            .text = "usage_pct is {observed}"};
  }
  static sdk::Rule FeatureRule(const std::string& feature) {
    return {.id = "feature_" + feature,
            .signal = feature + "_pct",
            .raises = feature + " is used by {observed} of seats, above " +
                      "{threshold}",
            .lowers = feature + " is used by only {observed} of seats, below " +
                      "{threshold}",
            .text = feature + " is used by {observed} of seats"};
  }

  double low_below_ = 50;
  std::vector<sdk::Signal> signals_;
  std::vector<sdk::Rule> rules_;
};

}  // namespace

HEALTHSCORE_DIMENSION(Good)
