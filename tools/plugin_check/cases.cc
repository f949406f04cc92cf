// Parsing cases.yaml. yaml-cpp throws; every exception is caught here and
// turned into a Status naming the file, line and field, as the scorecard
// parser does for scorecards.
#include "tools/plugin_check/cases.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status_macros.h"
#include "server/config/yaml_reader.h"
#include "yaml-cpp/yaml.h"

namespace healthscore::plugin_check {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

class Parser : public YamlReader {
 public:
  explicit Parser(absl::string_view source) : YamlReader(source) {}

  absl::StatusOr<CasesFile> Parse(const YAML::Node& root) const {
    CasesFile file;
    file.source = std::string(source());
    if (!root.IsMap()) {
      return Error(root, "(top level)",
                   "expected a mapping with cases (and optionally params and "
                   "bands)");
    }
    RETURN_IF_ERROR(OnlyKeys(root, "", {"params", "bands", "cases"}));
    if (YAML::Node params = root["params"]; params.IsDefined()) {
      ASSIGN_OR_RETURN(file.params, ParamSettings(params, "params"));
      file.params_line = params.Mark().line + 1;
    }
    if (YAML::Node bands = root["bands"]; bands.IsDefined()) {
      ASSIGN_OR_RETURN(file.bands, Bands(bands));
    } else {
      // The doc's default bands.
      file.bands = {{"green", 70}, {"yellow", 50}, {"red", 0}};
    }

    YAML::Node cases = root["cases"];
    if (!cases.IsDefined() || cases.IsNull()) {
      return Error(root, "cases", "is required");
    }
    if (!cases.IsSequence() || cases.size() == 0) {
      return Error(cases, "cases",
                   "expected a list of {name, params, signals, expect}, with "
                   "at least one case");
    }
    std::set<std::string> names;
    for (size_t i = 0; i < cases.size(); ++i) {
      ASSIGN_OR_RETURN(Case c, ParseCase(cases[i], i, file.params));
      if (!names.insert(c.name).second) {
        return Error(cases[i], absl::StrCat("cases[", i, "].name"),
                     absl::StrCat("'", c.name,
                                  "' is used by another case; "
                                  "names must be unique"));
      }
      file.cases.push_back(std::move(c));
    }
    return file;
  }

 private:
  // A list of strings; a single string is a list of one.
  absl::StatusOr<std::vector<std::string>> Strings(
      const YAML::Node& node, absl::string_view field) const {
    if (node.IsScalar()) {
      ASSIGN_OR_RETURN(std::string s, String(node, field));
      return std::vector<std::string>{std::move(s)};
    }
    if (!node.IsSequence()) {
      return Error(
          node, field,
          absl::StrCat("expected a list of strings, got ", Describe(node)));
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < node.size(); ++i) {
      ASSIGN_OR_RETURN(std::string s,
                       String(node[i], absl::StrCat(field, "[", i, "]")));
      out.push_back(std::move(s));
    }
    return out;
  }

  absl::StatusOr<std::vector<Band>> Bands(const YAML::Node& bands) const {
    if (!bands.IsSequence() || bands.size() == 0) {
      return Error(bands, "bands",
                   "expected a list of {name, min}, with at least one band");
    }
    std::vector<Band> out;
    for (size_t i = 0; i < bands.size(); ++i) {
      const YAML::Node& b = bands[i];
      const std::string field = absl::StrCat("bands[", i, "]");
      if (!b.IsMap()) {
        return Error(b, field, "expected a mapping with name and min");
      }
      RETURN_IF_ERROR(OnlyKeys(b, field, {"name", "min"}));
      Band band;
      ASSIGN_OR_RETURN(band.name, String(b["name"], Join(field, "name")));
      ASSIGN_OR_RETURN(band.min, Number(b["min"], Join(field, "min")));
      if (band.min < 0 || band.min > 100) {
        return Error(b["min"], Join(field, "min"),
                     absl::StrCat(band.min, " is outside 0-100"));
      }
      for (const Band& other : out) {
        if (other.min == band.min) {
          return Error(b, field,
                       absl::StrCat("bands ", other.name, " and ", band.name,
                                    " both start at min ", band.min));
        }
      }
      out.push_back(std::move(band));
    }
    std::sort(out.begin(), out.end(),
              [](const Band& a, const Band& b) { return a.min > b.min; });
    if (out.back().min > 0) {
      return Error(bands, "bands",
                   absl::StrCat("scores from 0 up to ", out.back().min,
                                " have no band; the lowest band must have "
                                "min: 0"));
    }
    return out;
  }

  absl::StatusOr<Case> ParseCase(
      const YAML::Node& node, size_t index,
      const std::vector<ParamSetting>& file_params) const {
    const std::string field = absl::StrCat("cases[", index, "]");
    if (!node.IsMap()) {
      return Error(node, field,
                   "expected a mapping with name, params, signals and expect");
    }
    RETURN_IF_ERROR(
        OnlyKeys(node, field, {"name", "params", "signals", "expect"}));
    Case c;
    c.line = node.Mark().line + 1;
    YAML::Node name = node["name"];
    if (!name.IsDefined() || name.IsNull()) {
      return Error(node, Join(field, "name"), "is required");
    }
    ASSIGN_OR_RETURN(c.name, String(name, Join(field, "name")));

    // The case's parameters on top of the file's: a file-level setting the
    // case overrides is dropped, so each name appears once.
    std::vector<ParamSetting> own;
    if (YAML::Node params = node["params"]; params.IsDefined()) {
      ASSIGN_OR_RETURN(own, ParamSettings(params, Join(field, "params")));
    }
    for (const ParamSetting& p : file_params) {
      const bool overridden =
          std::any_of(own.begin(), own.end(),
                      [&](const ParamSetting& o) { return o.name == p.name; });
      if (!overridden) c.params.push_back(p);
    }
    c.params.insert(c.params.end(), own.begin(), own.end());

    if (YAML::Node signals = node["signals"]; signals.IsDefined()) {
      const std::string sfield = Join(field, "signals");
      if (!signals.IsMap()) {
        return Error(signals, sfield,
                     "expected a mapping of signal name -> value");
      }
      for (const auto& kv : signals) {
        SignalValue s;
        ASSIGN_OR_RETURN(s.name, String(kv.first, sfield));
        s.line = kv.first.Mark().line + 1;
        if (kv.second.IsNull()) {
          s.value = kMissing;  // written out as missing: the same as leaving
                               // it out, but says so
        } else {
          ASSIGN_OR_RETURN(s.value, Number(kv.second, Join(sfield, s.name)));
        }
        c.signals.push_back(std::move(s));
      }
    }

    if (YAML::Node expect = node["expect"]; expect.IsDefined()) {
      ASSIGN_OR_RETURN(c.expect, ParseExpect(expect, Join(field, "expect")));
    }
    return c;
  }

  absl::StatusOr<Expectation> ParseExpect(const YAML::Node& node,
                                          const std::string& field) const {
    if (!node.IsMap()) {
      return Error(node, field, "expected a mapping of expectations");
    }
    RETURN_IF_ERROR(OnlyKeys(
        node, field,
        {"status", "score", "band", "reasons", "no_reasons", "message_contains",
         "status_reason_contains", "action", "action_contains"}));
    Expectation e;
    if (YAML::Node n = node["status"]; n.IsDefined()) {
      ASSIGN_OR_RETURN(std::string status, String(n, Join(field, "status")));
      if (status == "ok") {
        e.status = HS_STATUS_OK;
      } else if (status == "insufficient_data") {
        e.status = HS_STATUS_INSUFFICIENT_DATA;
      } else if (status == "failed") {
        e.status = HS_STATUS_FAILED;
      } else {
        return Error(n, Join(field, "status"),
                     absl::StrCat("'", status,
                                  "' is not a status; expected ok, "
                                  "insufficient_data or failed"));
      }
    }
    if (YAML::Node n = node["score"]; n.IsDefined()) {
      const std::string sfield = Join(field, "score");
      if (n.IsMap()) {
        RETURN_IF_ERROR(OnlyKeys(n, sfield, {"min", "max"}));
        if (n["min"].IsDefined()) {
          ASSIGN_OR_RETURN(e.score_min, Number(n["min"], Join(sfield, "min")));
        }
        if (n["max"].IsDefined()) {
          ASSIGN_OR_RETURN(e.score_max, Number(n["max"], Join(sfield, "max")));
        }
        if (!e.score_min && !e.score_max) {
          return Error(n, sfield, "a range needs min, max or both");
        }
        if (e.score_min && e.score_max && *e.score_min > *e.score_max) {
          return Error(n, sfield,
                       absl::StrCat("min ", *e.score_min, " is above max ",
                                    *e.score_max));
        }
      } else {
        ASSIGN_OR_RETURN(e.score, Number(n, sfield));
      }
    }
    if (YAML::Node n = node["band"]; n.IsDefined()) {
      ASSIGN_OR_RETURN(e.band, String(n, Join(field, "band")));
    }
    if (YAML::Node n = node["reasons"]; n.IsDefined()) {
      ASSIGN_OR_RETURN(e.reasons, Strings(n, Join(field, "reasons")));
    }
    if (YAML::Node n = node["no_reasons"]; n.IsDefined()) {
      ASSIGN_OR_RETURN(e.no_reasons, Strings(n, Join(field, "no_reasons")));
    }
    if (YAML::Node n = node["message_contains"]; n.IsDefined()) {
      ASSIGN_OR_RETURN(e.message_contains,
                       Strings(n, Join(field, "message_contains")));
    }
    if (YAML::Node n = node["status_reason_contains"]; n.IsDefined()) {
      ASSIGN_OR_RETURN(e.status_reason_contains,
                       String(n, Join(field, "status_reason_contains")));
    }
    if (YAML::Node n = node["action"]; n.IsDefined()) {
      bool action = false;
      if (!n.IsScalar() || !YAML::convert<bool>::decode(n, action)) {
        return Error(n, Join(field, "action"),
                     absl::StrCat("expected true or false, got ", Describe(n)));
      }
      e.action = action;
    }
    if (YAML::Node n = node["action_contains"]; n.IsDefined()) {
      ASSIGN_OR_RETURN(e.action_contains,
                       String(n, Join(field, "action_contains")));
    }
    return e;
  }
};

}  // namespace

absl::StatusOr<CasesFile> ParseCases(absl::string_view yaml,
                                     absl::string_view source) {
  Parser parser(source);
  try {
    return parser.Parse(YAML::Load(std::string(yaml)));
  } catch (const YAML::Exception& e) {
    // Syntax errors (and any conversion the checks above missed) carry their
    // own position.
    return absl::InvalidArgumentError(absl::StrCat(source, ":", e.mark.line + 1,
                                                   ":", e.mark.column + 1,
                                                   ": invalid YAML: ", e.msg));
  }
}

absl::StatusOr<CasesFile> LoadCasesFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read cases file ", path.string()));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseCases(buffer.str(), path.string());
}

const Band& BandFor(const std::vector<Band>& bands, double score) {
  for (const Band& band : bands) {
    if (score >= band.min) return band;
  }
  return bands.back();
}

}  // namespace healthscore::plugin_check
