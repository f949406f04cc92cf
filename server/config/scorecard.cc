// Parsing and checking scorecard YAML. yaml-cpp throws; every exception is
// caught here and turned into a Status that names the file, line and field.
#include "server/config/scorecard.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "server/common/status_macros.h"
#include "yaml-cpp/yaml.h"

namespace healthscore {
namespace {

class Parser {
 public:
  explicit Parser(absl::string_view source) : source_(source) {}

  absl::Status Error(const YAML::Node& node, absl::string_view field,
                     absl::string_view problem) const {
    const int line = node.IsDefined() ? node.Mark().line + 1 : 0;
    return absl::InvalidArgumentError(
        line > 0 ? absl::StrCat(source_, ":", line, ": ", field, ": ", problem)
                 : absl::StrCat(source_, ": ", field, ": ", problem));
  }

  // Refuses keys other than `allowed`: a typo ("wieght") must not silently
  // fall back to a default.
  absl::Status OnlyKeys(const YAML::Node& map, absl::string_view field,
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

  absl::StatusOr<YAML::Node> Required(const YAML::Node& map,
                                      absl::string_view field,
                                      absl::string_view key) const {
    YAML::Node node = map[std::string(key)];
    if (!node.IsDefined() || node.IsNull()) {
      return Error(map, Join(field, key), "is required");
    }
    return node;
  }

  absl::StatusOr<std::string> String(const YAML::Node& node,
                                     absl::string_view field) const {
    if (!node.IsScalar() || node.Scalar().empty()) {
      return Error(node, field, "expected a non-empty string");
    }
    return node.Scalar();
  }

  absl::StatusOr<double> Number(const YAML::Node& node,
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

  absl::StatusOr<ScorecardSpec> Parse(const YAML::Node& root) const {
    ScorecardSpec spec;
    spec.source = std::string(source_);
    if (!root.IsMap()) {
      return Error(root, "(top level)",
                   "expected a mapping with scorecard, version, bands and "
                   "dimensions");
    }
    RETURN_IF_ERROR(OnlyKeys(root, "",
                             {"scorecard", "version", "description",
                              "missing_data", "bands", "dimensions"}));
    ASSIGN_OR_RETURN(YAML::Node name, Required(root, "", "scorecard"));
    ASSIGN_OR_RETURN(spec.name, String(name, "scorecard"));
    ASSIGN_OR_RETURN(YAML::Node version, Required(root, "", "version"));
    ASSIGN_OR_RETURN(spec.version, String(version, "version"));
    if (YAML::Node md = root["missing_data"]; md.IsDefined()) {
      ASSIGN_OR_RETURN(spec.missing_data, String(md, "missing_data"));
      if (spec.missing_data != "renormalize") {
        return Error(md, "missing_data",
                     absl::StrCat("'", spec.missing_data,
                                  "' is not supported; expected renormalize"));
      }
    }
    RETURN_IF_ERROR(ParseDimensions(root, spec));
    RETURN_IF_ERROR(ParseBands(root, spec));
    return spec;
  }

 private:
  static std::string Join(absl::string_view parent, absl::string_view key) {
    return parent.empty() ? std::string(key) : absl::StrCat(parent, ".", key);
  }

  static std::string Describe(const YAML::Node& node) {
    if (node.IsScalar()) return absl::StrCat("'", node.Scalar(), "'");
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a mapping";
    return "nothing";
  }

  absl::Status ParseDimensions(const YAML::Node& root,
                               ScorecardSpec& spec) const {
    ASSIGN_OR_RETURN(YAML::Node dims, Required(root, "", "dimensions"));
    if (!dims.IsMap() || dims.size() == 0) {
      return Error(dims, "dimensions",
                   "expected a mapping of dimension name -> {plugin, weight, "
                   "params}, with at least one dimension");
    }
    double total = 0;
    std::set<std::string> names;
    for (const auto& kv : dims) {
      DimensionSpec d;
      ASSIGN_OR_RETURN(d.name, String(kv.first, "dimensions"));
      d.line = kv.first.Mark().line + 1;
      const std::string field = Join("dimensions", d.name);
      if (!names.insert(d.name).second) {
        return Error(kv.first, field, "is defined twice");
      }
      const YAML::Node& body = kv.second;
      if (!body.IsMap()) {
        return Error(kv.first, field,
                     "expected a mapping with plugin, weight and params");
      }
      RETURN_IF_ERROR(OnlyKeys(body, field, {"plugin", "weight", "params"}));
      ASSIGN_OR_RETURN(YAML::Node plugin, Required(body, field, "plugin"));
      ASSIGN_OR_RETURN(d.plugin_ref, String(plugin, Join(field, "plugin")));
      ASSIGN_OR_RETURN(YAML::Node weight, Required(body, field, "weight"));
      ASSIGN_OR_RETURN(d.weight, Number(weight, Join(field, "weight")));
      if (d.weight < 0) {
        return Error(
            weight, Join(field, "weight"),
            absl::StrCat(d.weight, " is negative; weights must be >= 0"));
      }
      total += d.weight;
      if (YAML::Node params = body["params"]; params.IsDefined()) {
        const std::string pfield = Join(field, "params");
        if (!params.IsMap()) {
          return Error(params, pfield,
                       "expected a mapping of parameter name -> value");
        }
        for (const auto& p : params) {
          ParamSetting setting;
          ASSIGN_OR_RETURN(setting.name, String(p.first, pfield));
          setting.line = p.first.Mark().line + 1;
          const YAML::Node& value = p.second;
          if (value.IsScalar()) {
            setting.text = value.Scalar();
            setting.is_number =
                YAML::convert<double>::decode(value, setting.value) &&
                std::isfinite(setting.value);
          } else if (value.IsSequence() || value.IsMap()) {
            YAML::Emitter out;
            out << YAML::Flow << value;
            setting.text = out.c_str();
          } else {
            return Error(value, Join(pfield, setting.name),
                         "expected a number, text, a list or a mapping");
          }
          d.params.push_back(std::move(setting));
        }
      }
      spec.dimensions.push_back(std::move(d));
    }
    if (total <= 0) {
      return Error(dims, "dimensions",
                   absl::StrCat("the weights add up to ", total,
                                "; the total weight must be above 0"));
    }
    return absl::OkStatus();
  }

  absl::Status ParseBands(const YAML::Node& root, ScorecardSpec& spec) const {
    ASSIGN_OR_RETURN(YAML::Node bands, Required(root, "", "bands"));
    if (!bands.IsSequence() || bands.size() == 0) {
      return Error(bands, "bands",
                   "expected a list of {name, grade, min}, with at least one "
                   "band");
    }
    std::vector<std::pair<BandSpec, YAML::Node>> parsed;
    for (size_t i = 0; i < bands.size(); ++i) {
      const YAML::Node& b = bands[i];
      const std::string field = absl::StrCat("bands[", i, "]");
      if (!b.IsMap()) {
        return Error(b, field, "expected a mapping with name, grade and min");
      }
      RETURN_IF_ERROR(OnlyKeys(b, field, {"name", "grade", "min"}));
      BandSpec band;
      ASSIGN_OR_RETURN(YAML::Node name, Required(b, field, "name"));
      ASSIGN_OR_RETURN(band.name, String(name, Join(field, "name")));
      ASSIGN_OR_RETURN(YAML::Node grade, Required(b, field, "grade"));
      ASSIGN_OR_RETURN(band.grade, String(grade, Join(field, "grade")));
      ASSIGN_OR_RETURN(YAML::Node min, Required(b, field, "min"));
      ASSIGN_OR_RETURN(band.min, Number(min, Join(field, "min")));
      if (band.min < 0 || band.min > 100) {
        return Error(min, Join(field, "min"),
                     absl::StrCat(band.min, " is outside 0-100"));
      }
      parsed.emplace_back(std::move(band), b);
    }
    std::stable_sort(
        parsed.begin(), parsed.end(),
        [](const auto& a, const auto& b) { return a.first.min > b.first.min; });
    for (size_t i = 1; i < parsed.size(); ++i) {
      if (parsed[i].first.min == parsed[i - 1].first.min) {
        return Error(
            parsed[i].second, "bands",
            absl::StrCat("bands ", parsed[i - 1].first.name, "/",
                         parsed[i - 1].first.grade, " and ",
                         parsed[i].first.name, "/", parsed[i].first.grade,
                         " overlap: both start at min ", parsed[i].first.min));
      }
    }
    if (parsed.back().first.min > 0) {
      return Error(bands, "bands",
                   absl::StrCat("scores from 0 up to ", parsed.back().first.min,
                                " have no band; the lowest band must have "
                                "min: 0"));
    }
    for (auto& [band, node] : parsed) spec.bands.push_back(std::move(band));
    return absl::OkStatus();
  }

  absl::string_view source_;
};

}  // namespace

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(),
             nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

absl::StatusOr<ScorecardSpec> ParseScorecard(absl::string_view yaml,
                                             absl::string_view source) {
  Parser parser(source);
  absl::StatusOr<ScorecardSpec> spec;
  try {
    spec = parser.Parse(YAML::Load(std::string(yaml)));
  } catch (const YAML::Exception& e) {
    // Syntax errors carry their own position.
    return absl::InvalidArgumentError(absl::StrCat(source, ":", e.mark.line + 1,
                                                   ":", e.mark.column + 1,
                                                   ": invalid YAML: ", e.msg));
  }
  if (spec.ok()) spec->hash = Sha256Hex(yaml);
  return spec;
}

absl::StatusOr<ScorecardSpec> LoadScorecardFile(
    const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read scorecard ", path.string()));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseScorecard(buffer.str(), path.string());
}

}  // namespace healthscore
