// Reading checked values out of a YAML document: every error names the
// source, the line and the field. Shared by the scorecard parser and the
// plugin checker's cases.yaml parser, so both read parameters the same way.
// yaml-cpp throws; callers catch YAML::Exception around the whole parse.
#ifndef HEALTHSCORE_SERVER_CONFIG_YAML_READER_H_
#define HEALTHSCORE_SERVER_CONFIG_YAML_READER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/config/scorecard.h"
#include "yaml-cpp/yaml.h"

namespace healthscore {

// Stateless apart from the source name; `source` must outlive the reader.
class YamlReader {
 public:
  explicit YamlReader(absl::string_view source) : source_(source) {}

  absl::string_view source() const { return source_; }

  // INVALID_ARGUMENT "<source>:<line>: <field>: <problem>".
  absl::Status Error(const YAML::Node& node, absl::string_view field,
                     absl::string_view problem) const;

  // "parent.key", or "key" at the top level.
  static std::string Join(absl::string_view parent, absl::string_view key);
  // "'text'", "a list", "a mapping" or "nothing", for messages.
  static std::string Describe(const YAML::Node& node);

  // Refuses keys other than `allowed`: a typo ("wieght") must not silently
  // fall back to a default.
  absl::Status OnlyKeys(const YAML::Node& map, absl::string_view field,
                        const std::vector<std::string>& allowed) const;
  absl::StatusOr<YAML::Node> Required(const YAML::Node& map,
                                      absl::string_view field,
                                      absl::string_view key) const;
  absl::StatusOr<std::string> String(const YAML::Node& node,
                                     absl::string_view field) const;
  // A finite number.
  absl::StatusOr<double> Number(const YAML::Node& node,
                                absl::string_view field) const;
  // A mapping of parameter name -> value. Whether a value is a number or text
  // is the plugin's to say, so both readings are kept (see ParamSetting).
  absl::StatusOr<std::vector<ParamSetting>> ParamSettings(
      const YAML::Node& params, absl::string_view field) const;

 private:
  absl::string_view source_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_CONFIG_YAML_READER_H_
