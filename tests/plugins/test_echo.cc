// A test dimension whose behaviour the scorecard controls, so that one plugin
// drives the engine's arithmetic and containment tests: it scores
// `scale * x` (or `scale * y`), and can be told to throw, return NaN, refuse
// its parameters or mark a row FAILED.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "healthscore/sdk/dimension.h"

// Version 1.1.0 of this plugin is built with a bonus (tests/plugins/
// CMakeLists.txt), so that a test can tell from a score which version ran.
#ifndef TEST_ECHO_BONUS
#define TEST_ECHO_BONUS 0
#endif

namespace {

namespace sdk = healthscore::sdk;

class TestEcho : public sdk::Dimension {
 public:
  static sdk::Info Describe() {
    return {
        .name = "test_echo",
        .version = HEALTHSCORE_PLUGIN_VERSION,
        .description = "Test plugin: scores scale * x (or y).",
        .signals = {{.name = "x",
                     .unit = "score",
                     .requirement = sdk::Requirement::kOptional,
                     .description = "echoed",
                     .min = 0,
                     .max = 100},
                    {.name = "y",
                     .unit = "count",
                     .requirement = sdk::Requirement::kOptional,
                     .description = "echoed when use_y is 1",
                     .min = 0}},
        .params = {{.name = "use_y", .default_value = 0, .min = 0, .max = 1},
                   {.name = "scale", .default_value = 1, .min = 0, .max = 10},
                   {.name = "throw_on", .default_value = -1},
                   {.name = "nan_on", .default_value = -1},
                   {.name = "fail_on", .default_value = -1},
                   {.name = "refuse", .default_value = 0, .min = 0, .max = 1}},
        .rules = {{.id = "echo",
                   .raises = "the echoed value {observed} is above 50",
                   .lowers = "the echoed value {observed} is below 50",
                   .text = "the echoed value is {observed}"}},
        .actions = {{.id = "raise_x", .text = "raise x"},
                    {.id = "raise_y", .text = "raise y"}}};
  }

  explicit TestEcho(const sdk::Params& params)
      : use_y_(params.Get("use_y") == 1),
        scale_(params.Get("scale")),
        throw_on_(params.Get("throw_on")),
        nan_on_(params.Get("nan_on")),
        fail_on_(params.Get("fail_on")) {
    if (params.Get("refuse") == 1) {
      throw std::invalid_argument("refuse is 1, so the parameters are refused");
    }
  }

  void Score(const sdk::Batch& batch, sdk::Output& out) const override {
    const auto values = batch.Column(use_y_ ? "y" : "x");
    const std::string signal = use_y_ ? "y" : "x";
    for (uint32_t row = 0; row < batch.num_rows(); ++row) {
      const double v = values[row];
      if (sdk::IsMissing(v)) {
        out.SetInsufficientData(row, "missing signal " + signal);
        continue;
      }
      if (v == throw_on_) throw std::runtime_error("boom on " + signal);
      if (v == fail_on_) {
        out.SetFailed(row,
                      "cannot score " + signal + " = " + std::to_string(v));
        continue;
      }
      const double score = v == nan_on_
                               ? std::numeric_limits<double>::quiet_NaN()
                               : v * scale_ + TEST_ECHO_BONUS;
      out.SetScore(row, score);
      if (std::isnan(score)) continue;  // the host fails the row: nothing to explain
      out.Reason(row, 0, score - 50, {.observed = v, .threshold = 50});
      if (score < 50) out.Action(row, use_y_ ? 1 : 0);
    }
  }

 private:
  bool use_y_;
  double scale_;
  double throw_on_;
  double nan_on_;
  double fail_on_;
};

}  // namespace

HEALTHSCORE_DIMENSION(TestEcho)
