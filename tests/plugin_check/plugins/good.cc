// check_good: a well-behaved test dimension that passes every check of
// healthscore-plugin-check, and exercises what a cases file can set: a text
// parameter given as a YAML list (`features`, which adds one signal
// <feature>_pct per name, so the instance's signals depend on it) and number
// parameters. The score is the mean of usage_pct and the feature signals
// present.
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "healthscore/sdk/dimension.h"

namespace {

namespace sdk = healthscore::sdk;

class Good : public sdk::Dimension {
 public:
  static sdk::Info Describe() {
    return {
        .name = HEALTHSCORE_PLUGIN_NAME,
        .version = HEALTHSCORE_PLUGIN_VERSION,
        .description = "Test plugin: mean usage over named features.",
        .signals = {UsageSignal()},
        .params = {
            {.name = "features",
             .description = "feature names, a YAML list",
             .kind = sdk::ParamKind::kText,
             .default_text = "[]"},
            {.name = "low_below", .default_value = 50, .min = 0, .max = 100}}};
  }

  explicit Good(const sdk::Params& params)
      : low_below_(params.Get("low_below")), signals_{UsageSignal()} {
    // "[a, b]" as the host emits a YAML list, or "a, b".
    std::string name;
    for (char c : params.GetText("features") + ",") {
      if (c == ',' || c == ']') {
        if (!name.empty()) signals_.push_back(FeatureSignal(name));
        name.clear();
      } else if (c != ' ' && c != '[') {
        name += c;
      }
    }
  }

  std::vector<sdk::Signal> Signals() const { return signals_; }

  void Score(const sdk::Batch& batch, sdk::Output& out) const override {
    for (uint32_t row = 0; row < batch.num_rows(); ++row) {
      if (sdk::IsMissing(batch.Column(0)[row])) {
        out.SetInsufficientData(row, "missing required signal usage_pct");
        continue;
      }
      double sum = 0;
      int n = 0;
      bool infinite = false;
      for (size_t c = 0; c < signals_.size(); ++c) {
        const double v = batch.Column(c)[row];
        if (sdk::IsMissing(v)) continue;
        infinite = infinite || std::isinf(v);
        sum += v;
        ++n;
      }
      if (infinite) {
        out.SetFailed(row, "an infinite input");
        continue;
      }
      const double score = sum / n;
      out.SetScore(row, score);
      for (size_t c = 0; c < signals_.size(); ++c) {
        const double v = batch.Column(c)[row];
        if (sdk::IsMissing(v)) continue;
        const std::string& name = signals_[c].name;
        out.AddReason(
            row,
            {.rule_id = c == 0 ? "usage"
                               : "feature_" + name.substr(0, name.size() - 4),
             .signal = name,
             .observed = v,
             .threshold = 50,
             .impact = (v - 50) / n,
             .message = name + " is " + std::to_string(std::lround(v))});
      }
      if (score < low_below_) out.AddAction(row, "Raise usage");
    }
  }

 private:
  static sdk::Signal UsageSignal() {
    return {.name = "usage_pct", .unit = "percent", .min = 0, .max = 100};
  }
  static sdk::Signal FeatureSignal(const std::string& feature) {
    return {.name = feature + "_pct",
            .unit = "percent",
            .requirement = sdk::Requirement::kOptional,
            .min = 0,
            .max = 100};
  }

  double low_below_;
  std::vector<sdk::Signal> signals_;
};

}  // namespace

HEALTHSCORE_DIMENSION(Good)
