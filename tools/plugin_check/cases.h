// A plugin's golden cases (cases.yaml, see docs/plugin-check.md): parameter
// values, signal values and what the plugin must answer for them.
#ifndef HEALTHSCORE_TOOLS_PLUGIN_CHECK_CASES_H_
#define HEALTHSCORE_TOOLS_PLUGIN_CHECK_CASES_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "healthscore/sdk/abi.h"
#include "server/config/scorecard.h"

namespace healthscore::plugin_check {

// What a case must produce. Every field is optional except the status, which
// defaults to OK as the doc says.
struct Expectation {
  hs_status status = HS_STATUS_OK;
  // An exact score (within kScoreTolerance), or a range (either side may be
  // absent).
  std::optional<double> score;
  std::optional<double> score_min;
  std::optional<double> score_max;
  std::optional<std::string> band;
  std::vector<std::string> reasons;     // rule ids that must appear
  std::vector<std::string> no_reasons;  // rule ids that must not appear
  std::vector<std::string> message_contains;
  std::optional<std::string> status_reason_contains;
  std::optional<bool> action;
  std::optional<std::string> action_contains;
};

// How close an exact `score:` must be.
inline constexpr double kScoreTolerance = 1e-6;

struct SignalValue {
  std::string name;
  double value = 0;  // NaN when the case writes null (missing)
  int line = 0;
};

struct Case {
  std::string name;
  int line = 0;
  // The file's params with the case's own on top, as the scorecard would
  // write them for one dimension (the server's ParamSetting, so they bind
  // exactly as a scorecard's do).
  std::vector<ParamSetting> params;
  std::vector<SignalValue> signals;
  Expectation expect;
};

struct Band {
  std::string name;
  double min = 0;
};

struct CasesFile {
  std::string source;  // the path, for messages
  // The file-level params: the configuration the plugin is checked in (the
  // generic checks use it too). Each case's `params` already include them.
  std::vector<ParamSetting> params;
  int params_line = 0;
  std::vector<Band> bands;  // highest min first; the last starts at 0
  std::vector<Case> cases;
};

// Parses cases.yaml text. Errors read "<source>:<line>: <field>: <problem>"
// (or "<source>:<line>:<column>: invalid YAML: ..." for syntax); yaml-cpp's
// exceptions never escape.
absl::StatusOr<CasesFile> ParseCases(absl::string_view yaml,
                                     absl::string_view source);

// Reads `path` and parses it.
absl::StatusOr<CasesFile> LoadCasesFile(const std::filesystem::path& path);

// The band `score` falls in: the highest band whose min it reaches.
// REQUIRES: `bands` as CasesFile::bands holds them.
const Band& BandFor(const std::vector<Band>& bands, double score);

}  // namespace healthscore::plugin_check

#endif  // HEALTHSCORE_TOOLS_PLUGIN_CHECK_CASES_H_
