// A test dimension whose signals come from a text parameter, as the rules
// plugin's and feature_adoption's do: `names` ("a,b" or a YAML list "[a, b]")
// names the signals it reads; it scores their mean.
#include <stdexcept>
#include <string>
#include <vector>

#include "healthscore/sdk/dimension.h"

namespace {

namespace sdk = healthscore::sdk;

class TestNamed : public sdk::Dimension {
 public:
  static sdk::Info Describe() {
    return {.name = "test_named",
            .version = HEALTHSCORE_PLUGIN_VERSION,
            .description = "Test plugin: the mean of the signals it is told.",
            .params = {{.name = "names",
                        .description = "signal names, comma separated",
                        .kind = sdk::ParamKind::kText,
                        .default_text = "alpha"}},
            .rules = {{.id = "mean",
                       .text = "the named signals average {observed}"}}};
  }

  explicit TestNamed(const sdk::Params& params) {
    std::string name;
    for (char c : params.GetText("names") + ",") {
      if (c == ',') {
        if (!name.empty()) names_.push_back(name);
        name.clear();
      } else if (c != ' ' && c != '[' && c != ']') {
        name += c;
      }
    }
    if (names_.empty()) throw std::invalid_argument("names is empty");
  }

  std::vector<sdk::Signal> Signals() const {
    std::vector<sdk::Signal> signals;
    for (const std::string& n : names_) {
      signals.push_back({.name = n,
                         .unit = "score",
                         .requirement = sdk::Requirement::kOptional,
                         .min = 0,
                         .max = 100});
    }
    return signals;
  }

  void Score(const sdk::Batch& batch, sdk::Output& out) const override {
    for (uint32_t row = 0; row < batch.num_rows(); ++row) {
      double sum = 0;
      int n = 0;
      for (size_t c = 0; c < names_.size(); ++c) {
        const double v = batch.Column(c)[row];
        if (!sdk::IsMissing(v)) {
          sum += v;
          ++n;
        }
      }
      if (n == 0) {
        out.SetInsufficientData(row, "none of the named signals");
      } else {
        out.SetScore(row, sum / n);
        out.Reason(row, 0, sum / n - 50, {.observed = sum / n});
      }
    }
  }

 private:
  std::vector<std::string> names_;
};

}  // namespace

HEALTHSCORE_DIMENSION(TestNamed)
