// The scorecard: which dimensions count, with what weights, parameters and
// bands. Parsed from YAML and checked for everything that can be checked
// without the plugins (the snapshot checks the rest against them).
#ifndef HEALTHSCORE_SERVER_CONFIG_SCORECARD_H_
#define HEALTHSCORE_SERVER_CONFIG_SCORECARD_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace healthscore {

// A band: a color and a letter grade for scores from `min` up to the next
// band's min (the top band runs to 100).
struct BandSpec {
  std::string name;
  std::string grade;
  double min = 0;
};

// A parameter as the scorecard writes it. Whether it is a number or text is
// the plugin's to say, so both readings are kept: a scalar that parses as a
// finite number has `is_number`; `text` is the scalar as written, or a YAML
// list/mapping emitted as YAML flow text.
struct ParamSetting {
  std::string name;
  bool is_number = false;
  double value = 0;
  std::string text;
  int line = 0;  // in the scorecard file, for error messages
};

struct DimensionSpec {
  std::string name;        // the scorecard's name for it
  std::string plugin_ref;  // "plugin" or "plugin@version"
  double weight = 0;
  std::vector<ParamSetting> params;
  int line = 0;
};

struct ScorecardSpec {
  std::string name;
  std::string version;
  std::string hash;    // SHA-256 of the file's bytes, hex
  std::string source;  // the file it came from
  std::string missing_data = "renormalize";
  std::vector<DimensionSpec> dimensions;  // in file order
  std::vector<BandSpec> bands;            // highest min first
};

// Parses and checks a scorecard. Errors read
// "<source>:<line>: <field>: <problem>", e.g.
// "default.yaml:14: dimensions.support.weight: -5 is negative; weights must be
// >= 0".
absl::StatusOr<ScorecardSpec> ParseScorecard(absl::string_view yaml,
                                             absl::string_view source);

// Reads `path` and parses it.
absl::StatusOr<ScorecardSpec> LoadScorecardFile(
    const std::filesystem::path& path);

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_CONFIG_SCORECARD_H_
