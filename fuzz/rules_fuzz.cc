// Fuzz target: the rules plugin's expressions and sentences (plugins/rules:
// muparser conditions and point formulas, the sentence templates), through
// the real plugin: the built librules.so loaded as the server loads it
// (Plugin::Load), an instance created with fuzzed `rules` (PluginInstance::
// Create: compile every expression and template), then a fixed batch scored
// with explanations and every reason and action sentence filled in.
//
// Input: up to six lines (LF-separated), missing ones taking a default:
//   1 `when` of rule a     2 `points` of rule a    3 `say` of rule a
//   4 `when` of rule b     5 `points` of rule b    6 `action` of rule b
// over the signals x (0-100), y (unbounded) and z (a percentage).
// Seeds: fuzz/corpus/rules/.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "fuzz/fuzz_util.h"
#include "server/plugin/instance.h"
#include "server/plugin/plugin.h"

namespace {

using healthscore::ParamValue;
using healthscore::Plugin;
using healthscore::PluginInstance;

const std::shared_ptr<const Plugin>& RulesPlugin() {
  static const auto* plugin = [] {
    auto loaded = Plugin::Load(HS_RULES_PLUGIN);
    if (!loaded.ok()) {
      healthscore::fuzz::SetupFailed(std::string(loaded.status().message()));
    }
    return new std::shared_ptr<const Plugin>(*std::move(loaded));
  }();
  return *plugin;
}

// A YAML double-quoted scalar holding exactly `s`.
std::string Quoted(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      absl::StrAppend(&out, "\\x", absl::Hex(c, absl::kZeroPad2));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

struct Sink {
  void Status(uint32_t, hs_status, const char*) {}
  void Error(const char*) {}
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  healthscore::fuzz::Quiet();
  RulesPlugin();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<absl::string_view> f = absl::StrSplit(
      absl::string_view(reinterpret_cast<const char*>(data), size), '\n');
  auto field = [&](size_t i, absl::string_view fallback) {
    return i < f.size() ? f[i] : fallback;
  };
  const std::string rules = absl::StrCat(
      "[{id: a, when: ", Quoted(field(0, "x >= 5")),
      ", points: ", Quoted(field(1, "10")), ", say: ", Quoted(field(2, "A")),
      "}, {id: b, when: ", Quoted(field(3, "y > 0")),
      ", points: ", Quoted(field(4, "-5 * min(y, 3)")),
      ", say: \"B {observed}\", action: ", Quoted(field(5, "Call")), "}]");

  std::vector<ParamValue> params;
  for (const auto& p : RulesPlugin()->params()) {
    ParamValue v{.name = p.name, .value = p.default_value};
    if (p.name == "signals") {
      v.text =
          "{x: {unit: count, min: 0, max: 100}, y: {unit: count}, "
          "z: {unit: percent, min: 0, max: 1}}";
    } else if (p.name == "rules") {
      v.text = rules;
    } else if (p.is_text) {
      v.text = p.default_text;
    }
    params.push_back(std::move(v));
  }
  auto instance =
      PluginInstance::Create(RulesPlugin(), std::move(params), "fuzz");
  if (!instance.ok()) return 0;

  // Rows: typical, bounds, missing values, extremes within the bounds.
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  constexpr double kBig = 1e308;
  const std::vector<std::vector<double>> by_name = {
      {0, 5, 100, kNaN, 3, 99.5, 0},          // x
      {0, -1, kBig, 2, kNaN, -kBig, 1e-308},  // y
      {0, 0.5, 1, 0.25, kNaN, 0, 1},          // z
  };
  const auto& signals = (*instance)->signals();
  std::vector<const double*> columns;
  for (const auto& s : signals) {
    const int i = s.name == "x"   ? 0
                  : s.name == "y" ? 1
                  : s.name == "z" ? 2
                                  : -1;
    if (i < 0) std::abort();  // the instance reads a signal it was not given
    columns.push_back(by_name[i].data());
  }
  std::vector<double> scores(by_name[0].size(), kNaN);
  healthscore::Records records;
  Sink sink;
  (*instance)->Score(std::span<const double* const>(columns), scores,
                     /*explain=*/true, records, sink);
  std::string text;
  for (const auto& r : records.reasons) (*instance)->AppendReason(r, text);
  for (const auto& a : records.actions) text += (*instance)->ActionText(a);
  return 0;
}
