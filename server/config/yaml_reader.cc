// Checked reads from YAML nodes.
#include "server/config/yaml_reader.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status_macros.h"

namespace healthscore {

absl::Status YamlReader::Error(const YAML::Node& node, absl::string_view field,
                               absl::string_view problem) const {
  const int line = node.IsDefined() ? node.Mark().line + 1 : 0;
  return absl::InvalidArgumentError(
      line > 0 ? absl::StrCat(source_, ":", line, ": ", field, ": ", problem)
               : absl::StrCat(source_, ": ", field, ": ", problem));
}

std::string YamlReader::Join(absl::string_view parent, absl::string_view key) {
  return parent.empty() ? std::string(key) : absl::StrCat(parent, ".", key);
}

std::string YamlReader::Describe(const YAML::Node& node) {
  if (node.IsScalar()) return absl::StrCat("'", node.Scalar(), "'");
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}

absl::Status YamlReader::OnlyKeys(
    const YAML::Node& map, absl::string_view field,
    const std::vector<std::string>& allowed) const {
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Error(kv.first, Join(field, key),
                   absl::StrCat("unknown field; expected one of ",
                                absl::StrJoin(allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<YAML::Node> YamlReader::Required(const YAML::Node& map,
                                                absl::string_view field,
                                                absl::string_view key) const {
  YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) {
    return Error(map, Join(field, key), "is required");
  }
  return node;
}

absl::StatusOr<std::string> YamlReader::String(const YAML::Node& node,
                                               absl::string_view field) const {
  if (!node.IsScalar() || node.Scalar().empty()) {
    return Error(
        node, field,
        absl::StrCat("expected a non-empty string, got ", Describe(node)));
  }
  return node.Scalar();
}

absl::StatusOr<double> YamlReader::Number(const YAML::Node& node,
                                          absl::string_view field) const {
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value)) {
    return Error(node, field,
                 absl::StrCat("expected a number, got ", Describe(node)));
  }
  if (!std::isfinite(value)) {
    return Error(node, field,
                 absl::StrCat(node.Scalar(), " is not a finite number"));
  }
  return value;
}

absl::StatusOr<std::vector<ParamSetting>> YamlReader::ParamSettings(
    const YAML::Node& params, absl::string_view field) const {
  if (!params.IsMap()) {
    return Error(params, field,
                 "expected a mapping of parameter name -> value");
  }
  std::vector<ParamSetting> out;
  for (const auto& p : params) {
    ParamSetting setting;
    ASSIGN_OR_RETURN(setting.name, String(p.first, field));
    setting.line = p.first.Mark().line + 1;
    const YAML::Node& value = p.second;
    if (value.IsScalar()) {
      setting.text = value.Scalar();
      setting.is_number = YAML::convert<double>::decode(value, setting.value) &&
                          std::isfinite(setting.value);
    } else if (value.IsSequence() || value.IsMap()) {
      YAML::Emitter emitter;
      emitter << YAML::Flow << value;
      setting.text = emitter.c_str();
    } else {
      return Error(value, Join(field, setting.name),
                   "expected a number, text, a list or a mapping");
    }
    out.push_back(std::move(setting));
  }
  return out;
}

}  // namespace healthscore
