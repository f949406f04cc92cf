// Parsing and checking scorecard YAML. yaml-cpp throws; every exception is
// caught here and turned into a Status that names the file, line and field.
#include "server/config/scorecard.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "server/common/status_macros.h"
#include "server/config/yaml_depth.h"
#include "server/config/yaml_reader.h"
#include "yaml-cpp/yaml.h"

namespace healthscore {
namespace {

class Parser : public YamlReader {
 public:
  Parser(absl::string_view source, bool read_secrets)
      : YamlReader(source), read_secrets_(read_secrets) {}

  absl::StatusOr<ScorecardSpec> Parse(const YAML::Node& root) const {
    ScorecardSpec spec;
    spec.source = std::string(source());
    if (!root.IsMap()) {
      return Error(root, "(top level)",
                   "expected a mapping with scorecard, version, bands and "
                   "dimensions");
    }
    RETURN_IF_ERROR(
        OnlyKeys(root, "",
                 {"scorecard", "version", "description", "missing_data",
                  "bands", "dimensions", "groups", "aggregate", "gates",
                  "actions", "min_coverage", "max_data_age_days", "segments",
                  "trend", "alerts", "webhooks", "not_actionable"}));
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
    ASSIGN_OR_RETURN(YAML::Node bands, Required(root, "", "bands"));
    ASSIGN_OR_RETURN(spec.bands, ParseBands(bands, "bands"));
    if (YAML::Node a = root["aggregate"]; a.IsDefined()) {
      ASSIGN_OR_RETURN(spec.aggregate, ParseAggregate(a, "aggregate"));
    }
    if (YAML::Node n = root["min_coverage"]; n.IsDefined()) {
      ASSIGN_OR_RETURN(double v, Number(n, "min_coverage"));
      if (v < 0 || v > 1) {
        return Error(n, "min_coverage",
                     absl::StrCat(v,
                                  " is outside 0-1 (a share of the "
                                  "weight, e.g. 0.6)"));
      }
      spec.min_coverage = v;
    }
    if (YAML::Node n = root["max_data_age_days"]; n.IsDefined()) {
      ASSIGN_OR_RETURN(double v, Number(n, "max_data_age_days"));
      if (v <= 0) {
        return Error(n, "max_data_age_days",
                     absl::StrCat(v, " must be above 0"));
      }
      spec.max_data_age_days = v;
    }
    RETURN_IF_ERROR(ParseTrend(root, spec));
    RETURN_IF_ERROR(ParseGroups(root, spec));
    RETURN_IF_ERROR(ParseGates(root, spec));
    RETURN_IF_ERROR(ParseActions(root, spec));
    RETURN_IF_ERROR(ParseSegments(root, spec));
    RETURN_IF_ERROR(ParseAlerts(root, spec));
    RETURN_IF_ERROR(ParseWebhooks(root, spec));
    RETURN_IF_ERROR(ParseNotActionable(root, spec));
    return spec;
  }

 private:
  static const DimensionSpec* FindDimension(const ScorecardSpec& spec,
                                            absl::string_view name) {
    for (const DimensionSpec& d : spec.dimensions) {
      if (d.name == name) return &d;
    }
    return nullptr;
  }

  static std::string DimensionNames(const ScorecardSpec& spec) {
    std::vector<std::string> names;
    for (const DimensionSpec& d : spec.dimensions) names.push_back(d.name);
    return absl::StrJoin(names, ", ");
  }

  absl::StatusOr<Aggregate> ParseAggregate(const YAML::Node& node,
                                           absl::string_view field) const {
    ASSIGN_OR_RETURN(std::string name, String(node, field));
    if (name == "weighted_mean") return Aggregate::kWeightedMean;
    if (name == "min") return Aggregate::kMin;
    return Error(node, field,
                 absl::StrCat("'", name,
                              "' is not an aggregator; expected weighted_mean "
                              "or min"));
  }

  absl::StatusOr<double> Weight(const YAML::Node& node,
                                absl::string_view field) const {
    ASSIGN_OR_RETURN(double weight, Number(node, field));
    if (weight < 0) {
      return Error(node, field,
                   absl::StrCat(weight, " is negative; weights must be >= 0"));
    }
    return weight;
  }

  absl::StatusOr<double> Score(const YAML::Node& node,
                               absl::string_view field) const {
    ASSIGN_OR_RETURN(double v, Number(node, field));
    if (v < 0 || v > 100) {
      return Error(node, field, absl::StrCat(v, " is outside 0-100"));
    }
    return v;
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
      RETURN_IF_ERROR(OnlyKeys(body, field,
                               {"plugin", "weight", "params", "warn_below",
                                "isolation", "time_budget_ms"}));
      ASSIGN_OR_RETURN(YAML::Node plugin, Required(body, field, "plugin"));
      ASSIGN_OR_RETURN(d.plugin_ref, String(plugin, Join(field, "plugin")));
      ASSIGN_OR_RETURN(YAML::Node weight, Required(body, field, "weight"));
      ASSIGN_OR_RETURN(d.weight, Weight(weight, Join(field, "weight")));
      total += d.weight;
      if (YAML::Node params = body["params"]; params.IsDefined()) {
        ASSIGN_OR_RETURN(d.params,
                         ParamSettings(params, Join(field, "params")));
      }
      if (YAML::Node warn = body["warn_below"]; warn.IsDefined()) {
        ASSIGN_OR_RETURN(d.warn_below, Score(warn, Join(field, "warn_below")));
      }
      if (YAML::Node n = body["isolation"]; n.IsDefined()) {
        const std::string ifield = Join(field, "isolation");
        ASSIGN_OR_RETURN(std::string text, String(n, ifield));
        absl::StatusOr<Isolation> isolation = ParseIsolation(text);
        if (!isolation.ok()) {
          return Error(n, ifield, isolation.status().message());
        }
        d.isolation = *isolation;
      }
      if (YAML::Node n = body["time_budget_ms"]; n.IsDefined()) {
        const std::string bfield = Join(field, "time_budget_ms");
        ASSIGN_OR_RETURN(double ms, Number(n, bfield));
        if (ms != std::floor(ms) || ms < 1 || ms > kMaxTimeBudgetMs) {
          return Error(n, bfield,
                       absl::StrCat(n.Scalar(),
                                    " is not a whole number of ms from 1 to ",
                                    kMaxTimeBudgetMs));
        }
        d.time_budget_ms = static_cast<int64_t>(ms);
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

  absl::StatusOr<std::vector<BandSpec>> ParseBands(
      const YAML::Node& bands, absl::string_view bfield) const {
    if (!bands.IsSequence() || bands.size() == 0) {
      return Error(bands, bfield,
                   "expected a list of {name, grade, min}, with at least one "
                   "band");
    }
    std::vector<std::pair<BandSpec, YAML::Node>> parsed;
    for (size_t i = 0; i < bands.size(); ++i) {
      const YAML::Node& b = bands[i];
      const std::string field = absl::StrCat(bfield, "[", i, "]");
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
      ASSIGN_OR_RETURN(band.min, Score(min, Join(field, "min")));
      parsed.emplace_back(std::move(band), b);
    }
    std::stable_sort(
        parsed.begin(), parsed.end(),
        [](const auto& a, const auto& b) { return a.first.min > b.first.min; });
    for (size_t i = 1; i < parsed.size(); ++i) {
      if (parsed[i].first.min == parsed[i - 1].first.min) {
        return Error(
            parsed[i].second, bfield,
            absl::StrCat("bands ", parsed[i - 1].first.name, "/",
                         parsed[i - 1].first.grade, " and ",
                         parsed[i].first.name, "/", parsed[i].first.grade,
                         " overlap: both start at min ", parsed[i].first.min));
      }
    }
    if (parsed.back().first.min > 0) {
      return Error(bands, bfield,
                   absl::StrCat("scores from 0 up to ", parsed.back().first.min,
                                " have no band; the lowest band must have "
                                "min: 0"));
    }
    std::vector<BandSpec> out;
    for (auto& [band, node] : parsed) out.push_back(std::move(band));
    return out;
  }

  // alerts: the early warnings, checked when a score is recorded.
  absl::Status ParseAlerts(const YAML::Node& root, ScorecardSpec& spec) const {
    YAML::Node alerts = root["alerts"];
    if (!alerts.IsDefined()) return absl::OkStatus();
    if (!alerts.IsSequence()) {
      return Error(alerts, "alerts",
                   absl::StrCat("expected a list of alert rules like {id: "
                                "red, kind: score_below, enter: 50, exit: "
                                "55, say: ...}, got ",
                                Describe(alerts)));
    }
    if (alerts.size() > kMaxAlertRules) {
      return Error(
          alerts, "alerts",
          absl::StrCat(alerts.size(), " rules; the limit is ", kMaxAlertRules));
    }
    std::set<std::string> ids;
    for (size_t i = 0; i < alerts.size(); ++i) {
      const YAML::Node& a = alerts[i];
      const std::string field = absl::StrCat("alerts[", i, "]");
      if (!a.IsMap()) {
        return Error(a, field,
                     absl::StrCat("expected a mapping, got ", Describe(a)));
      }
      RETURN_IF_ERROR(OnlyKeys(
          a, field,
          {"id", "kind", "severity", "say", "action", "cooldown_days", "enter",
           "exit", "dimension", "points", "within_days", "declines"}));
      AlertRuleSpec rule;
      rule.line = a.Mark().line + 1;
      ASSIGN_OR_RETURN(YAML::Node id, Required(a, field, "id"));
      ASSIGN_OR_RETURN(rule.id, String(id, Join(field, "id")));
      if (!ids.insert(rule.id).second) {
        return Error(id, Join(field, "id"),
                     absl::StrCat("'", rule.id, "' is used twice"));
      }
      ASSIGN_OR_RETURN(YAML::Node kind, Required(a, field, "kind"));
      ASSIGN_OR_RETURN(std::string kind_name,
                       String(kind, Join(field, "kind")));
      static constexpr AlertKind kKinds[] = {
          AlertKind::kScoreBelow,     AlertKind::kBandChange,
          AlertKind::kDrop,           AlertKind::kFalling,
          AlertKind::kDimensionBelow, AlertKind::kCoverageBelow};
      bool known = false;
      for (AlertKind k : kKinds) {
        if (AlertKindName(k) == kind_name) {
          rule.kind = k;
          known = true;
        }
      }
      if (!known) {
        return Error(kind, Join(field, "kind"),
                     absl::StrCat("'", kind_name,
                                  "' is not a kind of alert; expected "
                                  "score_below, band_change, drop, falling, "
                                  "dimension_below or coverage_below"));
      }
      if (YAML::Node n = a["severity"]; n.IsDefined()) {
        ASSIGN_OR_RETURN(rule.severity, String(n, Join(field, "severity")));
        if (rule.severity != "low" && rule.severity != "medium" &&
            rule.severity != "high" && rule.severity != "critical") {
          return Error(n, Join(field, "severity"),
                       absl::StrCat("'", rule.severity,
                                    "' is not low, medium, high or critical"));
        }
      }
      ASSIGN_OR_RETURN(YAML::Node say, Required(a, field, "say"));
      ASSIGN_OR_RETURN(rule.say, String(say, Join(field, "say")));
      if (YAML::Node n = a["action"]; n.IsDefined()) {
        ASSIGN_OR_RETURN(rule.action, String(n, Join(field, "action")));
      }
      if (YAML::Node n = a["cooldown_days"]; n.IsDefined()) {
        ASSIGN_OR_RETURN(rule.cooldown_days,
                         Number(n, Join(field, "cooldown_days")));
        if (rule.cooldown_days < 0 ||
            rule.cooldown_days > kMaxTrendWindowDays) {
          return Error(n, Join(field, "cooldown_days"),
                       absl::StrCat(rule.cooldown_days, " is outside 0-",
                                    kMaxTrendWindowDays));
        }
      }
      // Which keys each kind takes; the others are refused rather than
      // silently ignored.
      std::vector<std::string> takes;
      switch (rule.kind) {
        case AlertKind::kScoreBelow:
        case AlertKind::kCoverageBelow:
          takes = {"enter", "exit"};
          break;
        case AlertKind::kDimensionBelow:
          takes = {"dimension", "enter", "exit"};
          break;
        case AlertKind::kDrop:
          takes = {"points", "within_days", "exit"};
          break;
        case AlertKind::kFalling:
          takes = {"declines"};
          break;
        case AlertKind::kBandChange:
          break;
      }
      for (const char* key : {"enter", "exit", "dimension", "points",
                              "within_days", "declines"}) {
        if (a[key].IsDefined() &&
            std::find(takes.begin(), takes.end(), key) == takes.end()) {
          return Error(
              a[key], Join(field, key),
              absl::StrCat(
                  "a ", kind_name, " alert takes no ", key,
                  takes.empty()
                      ? std::string()
                      : absl::StrCat(" (it takes ", absl::StrJoin(takes, ", "),
                                     ")")));
        }
      }
      const bool coverage = rule.kind == AlertKind::kCoverageBelow;
      const double top = coverage ? 1 : 100;
      auto bounded = [&](absl::string_view key, double lo, double hi,
                         double* out) -> absl::Status {
        ASSIGN_OR_RETURN(YAML::Node n, Required(a, field, key));
        ASSIGN_OR_RETURN(*out, Number(n, Join(field, key)));
        if (*out < lo || *out > hi) {
          return Error(n, Join(field, key),
                       absl::StrCat(*out, " is outside ", lo, "-", hi));
        }
        return absl::OkStatus();
      };
      if (rule.kind == AlertKind::kDimensionBelow) {
        ASSIGN_OR_RETURN(YAML::Node d, Required(a, field, "dimension"));
        ASSIGN_OR_RETURN(rule.dimension, String(d, Join(field, "dimension")));
        if (FindDimension(spec, rule.dimension) == nullptr) {
          return Error(
              d, Join(field, "dimension"),
              absl::StrCat("unknown dimension '", rule.dimension,
                           "'; the dimensions are ", DimensionNames(spec)));
        }
      }
      if (std::find(takes.begin(), takes.end(), "enter") != takes.end()) {
        RETURN_IF_ERROR(bounded("enter", 0, top, &rule.enter));
        RETURN_IF_ERROR(bounded("exit", 0, top, &rule.exit));
        if (rule.exit <= rule.enter) {
          return Error(
              a["exit"], Join(field, "exit"),
              absl::StrCat(rule.exit, " is not above enter (", rule.enter,
                           "): an alert that opens below enter "
                           "closes at or above exit"));
        }
      }
      if (rule.kind == AlertKind::kDrop) {
        RETURN_IF_ERROR(bounded("points", 0.1, 100, &rule.points));
        RETURN_IF_ERROR(
            bounded("within_days", 1, kMaxTrendWindowDays, &rule.within_days));
        rule.exit = rule.points / 2;
        if (a["exit"].IsDefined()) {
          RETURN_IF_ERROR(bounded("exit", 0, 100, &rule.exit));
          if (rule.exit >= rule.points) {
            return Error(
                a["exit"], Join(field, "exit"),
                absl::StrCat(rule.exit, " is not below points (", rule.points,
                             "): a drop alert closes when the drop "
                             "is back under exit"));
          }
        }
      }
      if (rule.kind == AlertKind::kFalling) {
        double declines = 0;
        RETURN_IF_ERROR(bounded("declines", 2, 52, &declines));
        if (declines != std::floor(declines)) {
          return Error(a["declines"], Join(field, "declines"),
                       absl::StrCat(declines, " is not a whole number"));
        }
        rule.declines = static_cast<int>(declines);
      }
      spec.alerts.push_back(std::move(rule));
    }
    return absl::OkStatus();
  }

  // webhooks: [{id, url, secret_env | secret_file, events, max_attempts,
  // initial_backoff_ms, max_backoff_ms, timeout_ms}]. The secret is read
  // here, so that a missing one fails the load, not the first delivery.
  absl::Status ParseWebhooks(const YAML::Node& root,
                             ScorecardSpec& spec) const {
    YAML::Node hooks = root["webhooks"];
    if (!hooks.IsDefined()) return absl::OkStatus();
    if (!hooks.IsSequence()) {
      return Error(hooks, "webhooks",
                   absl::StrCat("expected a list of {id, url, secret_env or "
                                "secret_file, ...}, got ",
                                Describe(hooks)));
    }
    if (hooks.size() > kMaxWebhooks) {
      return Error(
          hooks, "webhooks",
          absl::StrCat(hooks.size(), " webhooks; the limit is ", kMaxWebhooks));
    }
    std::set<std::string> ids;
    for (size_t i = 0; i < hooks.size(); ++i) {
      const YAML::Node& h = hooks[i];
      const std::string field = absl::StrCat("webhooks[", i, "]");
      if (!h.IsMap()) {
        return Error(h, field,
                     absl::StrCat("expected a mapping, got ", Describe(h)));
      }
      RETURN_IF_ERROR(OnlyKeys(
          h, field,
          {"id", "url", "secret_env", "secret_file", "events", "max_attempts",
           "initial_backoff_ms", "max_backoff_ms", "timeout_ms"}));
      WebhookSpec hook;
      hook.line = h.Mark().line + 1;
      ASSIGN_OR_RETURN(YAML::Node id, Required(h, field, "id"));
      ASSIGN_OR_RETURN(hook.id, String(id, Join(field, "id")));
      if (hook.id == kFlagWebhookId) {
        return Error(id, Join(field, "id"),
                     absl::StrCat("'", hook.id,
                                  "' is the id of the --webhook-url webhook; "
                                  "name this one otherwise"));
      }
      if (!ids.insert(hook.id).second) {
        return Error(id, Join(field, "id"),
                     absl::StrCat("'", hook.id, "' is used twice"));
      }
      ASSIGN_OR_RETURN(YAML::Node url, Required(h, field, "url"));
      ASSIGN_OR_RETURN(hook.url, String(url, Join(field, "url")));
      if (absl::Status s = CheckWebhookUrl(hook.url, Join(field, "url"));
          !s.ok()) {
        return Error(url, Join(field, "url"), ProblemOf(s));
      }
      RETURN_IF_ERROR(ParseWebhookSecret(h, field, hook));
      if (YAML::Node events = h["events"]; events.IsDefined()) {
        ASSIGN_OR_RETURN(hook.events,
                         ParseWebhookEvents(events, Join(field, "events")));
      }
      auto whole = [&](absl::string_view key, int64_t lo, int64_t hi,
                       int64_t* out) -> absl::Status {
        YAML::Node n = h[std::string(key)];
        if (!n.IsDefined()) return absl::OkStatus();
        ASSIGN_OR_RETURN(double v, Number(n, Join(field, key)));
        if (v != std::floor(v) || v < static_cast<double>(lo) ||
            v > static_cast<double>(hi)) {
          return Error(n, Join(field, key),
                       absl::StrCat(n.Scalar(), " is not a whole number from ",
                                    lo, " to ", hi));
        }
        *out = static_cast<int64_t>(v);
        return absl::OkStatus();
      };
      int64_t attempts = hook.max_attempts;
      RETURN_IF_ERROR(whole("max_attempts", 1, 100, &attempts));
      hook.max_attempts = static_cast<int>(attempts);
      constexpr int64_t kDayMs = 86400000;
      RETURN_IF_ERROR(
          whole("initial_backoff_ms", 1, kDayMs, &hook.initial_backoff_ms));
      RETURN_IF_ERROR(whole("max_backoff_ms", 1, kDayMs, &hook.max_backoff_ms));
      if (hook.max_backoff_ms < hook.initial_backoff_ms) {
        const YAML::Node n = h["max_backoff_ms"].IsDefined()
                                 ? h["max_backoff_ms"]
                                 : h["initial_backoff_ms"];
        return Error(
            n, Join(field, "max_backoff_ms"),
            absl::StrCat(hook.max_backoff_ms, " is below initial_backoff_ms (",
                         hook.initial_backoff_ms,
                         "); the backoff doubles from the initial "
                         "one up to the max"));
      }
      RETURN_IF_ERROR(whole("timeout_ms", 100, 120000, &hook.timeout_ms));
      spec.webhooks.push_back(std::move(hook));
    }
    return absl::OkStatus();
  }

  // A Status's message without its "field: " prefix, for Error().
  static std::string ProblemOf(const absl::Status& s) {
    absl::string_view m = s.message();
    const size_t colon = m.find(": ");
    return std::string(colon == absl::string_view::npos ? m
                                                        : m.substr(colon + 2));
  }

  absl::Status ParseWebhookSecret(const YAML::Node& h, const std::string& field,
                                  WebhookSpec& hook) const {
    const YAML::Node env = h["secret_env"];
    const YAML::Node file = h["secret_file"];
    if (env.IsDefined() == file.IsDefined()) {
      return Error(h, field,
                   "needs exactly one of secret_env (an environment "
                   "variable's name) or secret_file (a file, relative to the "
                   "scorecard's directory)");
    }
    if (!read_secrets_) {
      // A scorecard replayed or drafted posts nothing: its secrets are not
      // read (they may be gone since, or live on another machine).
      hook.secret_from =
          env.IsDefined() ? "secret_env (not read)" : "secret_file (not read)";
      return absl::OkStatus();
    }
    if (env.IsDefined()) {
      const std::string efield = Join(field, "secret_env");
      ASSIGN_OR_RETURN(std::string name, String(env, efield));
      const bool valid =
          !std::isdigit(static_cast<unsigned char>(name[0])) &&
          std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
          });
      if (!valid) {
        return Error(env, efield,
                     absl::StrCat("'", name,
                                  "' is not an environment variable name "
                                  "(letters, digits and _)"));
      }
      const char* value = std::getenv(name.c_str());
      if (value == nullptr || *value == '\0') {
        return Error(
            env, efield,
            absl::StrCat("the environment variable ", name,
                         value == nullptr ? " is not set" : " is empty"));
      }
      hook.secret = value;
      hook.secret_from = absl::StrCat("secret_env ", name);
      return absl::OkStatus();
    }
    const std::string ffield = Join(field, "secret_file");
    ASSIGN_OR_RETURN(std::string name, String(file, ffield));
    std::filesystem::path path(name);
    if (path.is_relative()) {
      path = std::filesystem::path(std::string(source())).parent_path() / path;
    }
    absl::StatusOr<std::string> secret = ReadWebhookSecretFile(path, ffield);
    if (!secret.ok()) return Error(file, ffield, ProblemOf(secret.status()));
    hook.secret = *std::move(secret);
    hook.secret_from = absl::StrCat("secret_file ", path.string());
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<WebhookEvent>> ParseWebhookEvents(
      const YAML::Node& events, const std::string& field) const {
    if (!events.IsSequence() || events.size() == 0) {
      return Error(events, field,
                   absl::StrCat("expected a non-empty list of opened, "
                                "acknowledged, resolved; got ",
                                Describe(events)));
    }
    std::vector<WebhookEvent> out;
    for (size_t j = 0; j < events.size(); ++j) {
      const std::string efield = absl::StrCat(field, "[", j, "]");
      ASSIGN_OR_RETURN(std::string name, String(events[j], efield));
      std::optional<WebhookEvent> event;
      for (WebhookEvent e : {WebhookEvent::kOpened, WebhookEvent::kAcknowledged,
                             WebhookEvent::kResolved}) {
        if (WebhookEventName(e) == name) event = e;
      }
      if (!event.has_value()) {
        return Error(events[j], efield,
                     absl::StrCat("'", name,
                                  "' is not an alert event; expected opened, "
                                  "acknowledged or resolved"));
      }
      if (std::find(out.begin(), out.end(), *event) != out.end()) {
        return Error(events[j], efield,
                     absl::StrCat("'", name, "' is listed twice"));
      }
      out.push_back(*event);
    }
    return out;
  }

  // not_actionable: [industry_risk_score, months_as_customer, ...]: signals
  // PathToGreen never moves. Names only here; the snapshot checks that a
  // dimension reads each.
  absl::Status ParseNotActionable(const YAML::Node& root,
                                  ScorecardSpec& spec) const {
    YAML::Node list = root["not_actionable"];
    if (!list.IsDefined() || list.IsNull()) return absl::OkStatus();
    if (!list.IsSequence()) {
      return Error(list, "not_actionable",
                   absl::StrCat("expected a list of signal names, got ",
                                Describe(list)));
    }
    if (list.size() > kMaxNotActionable) {
      return Error(list, "not_actionable",
                   absl::StrCat(list.size(), " signals; the limit is ",
                                kMaxNotActionable));
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string field = absl::StrCat("not_actionable[", i, "]");
      ASSIGN_OR_RETURN(std::string name, String(list[i], field));
      const bool identifier =
          !name.empty() && name[0] >= 'a' && name[0] <= 'z' &&
          std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
          });
      if (!identifier) {
        return Error(list[i], field,
                     absl::StrCat("'", name,
                                  "' is not a signal name ([a-z][a-z0-9_]*)"));
      }
      const auto seen = std::find(spec.not_actionable.begin(),
                                  spec.not_actionable.end(), name);
      if (seen != spec.not_actionable.end()) {
        return Error(list[i], field,
                     absl::StrCat("'", name,
                                  "' is listed twice (also as "
                                  "not_actionable[",
                                  seen - spec.not_actionable.begin(), "])"));
      }
      spec.not_actionable.push_back(name);
      spec.not_actionable_lines.push_back(list[i].Mark().line + 1);
    }
    return absl::OkStatus();
  }

  // trend: {windows_days: [7, 30, 90]}: the windows a recorded score's
  // trend reports its change over (the leading indicators).
  absl::Status ParseTrend(const YAML::Node& root, ScorecardSpec& spec) const {
    YAML::Node trend = root["trend"];
    if (!trend.IsDefined()) return absl::OkStatus();
    if (!trend.IsMap()) {
      return Error(trend, "trend",
                   absl::StrCat("expected a mapping like {windows_days: [7, "
                                "30, 90]}, got ",
                                Describe(trend)));
    }
    RETURN_IF_ERROR(OnlyKeys(trend, "trend", {"windows_days"}));
    ASSIGN_OR_RETURN(YAML::Node windows,
                     Required(trend, "trend", "windows_days"));
    if (!windows.IsSequence() || windows.size() == 0) {
      return Error(windows, "trend.windows_days",
                   absl::StrCat("expected a list of 1 to ", kMaxTrendWindows,
                                " day counts, got ", Describe(windows)));
    }
    if (windows.size() > kMaxTrendWindows) {
      return Error(windows, "trend.windows_days",
                   absl::StrCat(windows.size(), " windows; the limit is ",
                                kMaxTrendWindows));
    }
    spec.trend_windows_days.clear();
    for (size_t i = 0; i < windows.size(); ++i) {
      const std::string field = absl::StrCat("trend.windows_days[", i, "]");
      ASSIGN_OR_RETURN(double days, Number(windows[i], field));
      if (days < 1 || days > kMaxTrendWindowDays || days != std::floor(days)) {
        return Error(windows[i], field,
                     absl::StrCat(days,
                                  " is not a whole number of days from 1 "
                                  "to ",
                                  kMaxTrendWindowDays));
      }
      if (!spec.trend_windows_days.empty() &&
          days <= spec.trend_windows_days.back()) {
        return Error(windows[i], field,
                     absl::StrCat(days, " is not above the window before it (",
                                  spec.trend_windows_days.back(),
                                  "); list windows shortest first, once each"));
      }
      spec.trend_windows_days.push_back(static_cast<int>(days));
    }
    return absl::OkStatus();
  }

  absl::Status ParseGroups(const YAML::Node& root, ScorecardSpec& spec) const {
    YAML::Node groups = root["groups"];
    if (!groups.IsDefined()) return absl::OkStatus();
    if (!groups.IsMap() || groups.size() == 0) {
      return Error(groups, "groups",
                   "expected a mapping of group name -> {dimensions, weight, "
                   "aggregate}");
    }
    std::map<std::string, std::string> group_of;  // dimension -> group
    for (const auto& kv : groups) {
      GroupSpec g;
      ASSIGN_OR_RETURN(g.name, String(kv.first, "groups"));
      g.line = kv.first.Mark().line + 1;
      const std::string field = Join("groups", g.name);
      const YAML::Node& body = kv.second;
      if (!body.IsMap()) {
        return Error(kv.first, field,
                     "expected a mapping with dimensions, weight and "
                     "aggregate");
      }
      RETURN_IF_ERROR(
          OnlyKeys(body, field, {"dimensions", "weight", "aggregate"}));
      ASSIGN_OR_RETURN(YAML::Node dims, Required(body, field, "dimensions"));
      if (!dims.IsSequence() || dims.size() == 0) {
        return Error(dims, Join(field, "dimensions"),
                     "expected a non-empty list of dimension names");
      }
      for (const YAML::Node& d : dims) {
        ASSIGN_OR_RETURN(std::string name,
                         String(d, Join(field, "dimensions")));
        if (FindDimension(spec, name) == nullptr) {
          return Error(
              d, Join(field, "dimensions"),
              absl::StrCat("unknown dimension '", name,
                           "'; the dimensions are ", DimensionNames(spec)));
        }
        if (auto [it, added] = group_of.try_emplace(name, g.name); !added) {
          return Error(
              d, Join(field, "dimensions"),
              absl::StrCat("dimension '", name, "' is already in group '",
                           it->second, "'; a dimension belongs to one group"));
        }
        g.dimensions.push_back(name);
      }
      if (YAML::Node w = body["weight"]; w.IsDefined()) {
        ASSIGN_OR_RETURN(g.weight, Weight(w, Join(field, "weight")));
      }
      if (YAML::Node a = body["aggregate"]; a.IsDefined()) {
        ASSIGN_OR_RETURN(g.aggregate,
                         ParseAggregate(a, Join(field, "aggregate")));
      }
      spec.groups.push_back(std::move(g));
    }
    for (const DimensionSpec& d : spec.dimensions) {
      if (!group_of.contains(d.name)) {
        return Error(groups, "groups",
                     absl::StrCat("dimension '", d.name,
                                  "' is in no group; with groups, every "
                                  "dimension belongs to one"));
      }
    }
    return absl::OkStatus();
  }

  bool IsGroup(const ScorecardSpec& spec, absl::string_view name) const {
    for (const GroupSpec& g : spec.groups) {
      if (g.name == name) return true;
    }
    return false;
  }

  absl::Status ParseGates(const YAML::Node& root, ScorecardSpec& spec) const {
    YAML::Node gates = root["gates"];
    if (!gates.IsDefined()) return absl::OkStatus();
    if (!gates.IsSequence()) {
      return Error(gates, "gates",
                   "expected a list of {id, dimension, below, cap, say}");
    }
    std::set<std::string> ids;
    for (size_t i = 0; i < gates.size(); ++i) {
      const YAML::Node& g = gates[i];
      const std::string field = absl::StrCat("gates[", i, "]");
      if (!g.IsMap()) {
        return Error(g, field,
                     "expected a mapping {id, dimension, below, cap, say}");
      }
      RETURN_IF_ERROR(OnlyKeys(
          g, field, {"id", "dimension", "group", "below", "cap", "say"}));
      GateSpec gate;
      gate.line = g.Mark().line + 1;
      ASSIGN_OR_RETURN(YAML::Node id, Required(g, field, "id"));
      ASSIGN_OR_RETURN(gate.id, String(id, Join(field, "id")));
      if (!ids.insert(gate.id).second) {
        return Error(id, Join(field, "id"),
                     absl::StrCat("'", gate.id, "' repeats an earlier gate"));
      }
      const YAML::Node dim = g["dimension"];
      const YAML::Node group = g["group"];
      if (dim.IsDefined() == group.IsDefined()) {
        return Error(g, field, "needs exactly one of dimension or group");
      }
      if (dim.IsDefined()) {
        ASSIGN_OR_RETURN(gate.target, String(dim, Join(field, "dimension")));
        if (FindDimension(spec, gate.target) == nullptr) {
          return Error(
              dim, Join(field, "dimension"),
              absl::StrCat("unknown dimension '", gate.target,
                           "'; the dimensions are ", DimensionNames(spec)));
        }
      } else {
        ASSIGN_OR_RETURN(gate.target, String(group, Join(field, "group")));
        if (!IsGroup(spec, gate.target)) {
          return Error(group, Join(field, "group"),
                       absl::StrCat("unknown group '", gate.target, "'"));
        }
      }
      ASSIGN_OR_RETURN(YAML::Node below, Required(g, field, "below"));
      ASSIGN_OR_RETURN(gate.below, Score(below, Join(field, "below")));
      ASSIGN_OR_RETURN(YAML::Node cap, Required(g, field, "cap"));
      ASSIGN_OR_RETURN(gate.cap, Score(cap, Join(field, "cap")));
      if (YAML::Node say = g["say"]; say.IsDefined()) {
        ASSIGN_OR_RETURN(gate.say, String(say, Join(field, "say")));
      } else {
        gate.say = absl::StrCat(gate.target, " below ", gate.below,
                                " caps the score at ", gate.cap);
      }
      spec.gates.push_back(std::move(gate));
    }
    return absl::OkStatus();
  }

  absl::Status ParseActions(const YAML::Node& root, ScorecardSpec& spec) const {
    YAML::Node actions = root["actions"];
    if (!actions.IsDefined()) return absl::OkStatus();
    if (!actions.IsSequence()) {
      return Error(actions, "actions",
                   "expected a list of {band, say} or {dimension, below, "
                   "say}");
    }
    for (size_t i = 0; i < actions.size(); ++i) {
      const YAML::Node& a = actions[i];
      const std::string field = absl::StrCat("actions[", i, "]");
      if (!a.IsMap()) {
        return Error(a, field,
                     "expected {band, say} or {dimension, below, say}");
      }
      RETURN_IF_ERROR(
          OnlyKeys(a, field, {"band", "dimension", "below", "say"}));
      ActionSpec action;
      action.line = a.Mark().line + 1;
      ASSIGN_OR_RETURN(YAML::Node say, Required(a, field, "say"));
      ASSIGN_OR_RETURN(action.say, String(say, Join(field, "say")));
      const YAML::Node band = a["band"];
      const YAML::Node dim = a["dimension"];
      if (band.IsDefined() == dim.IsDefined()) {
        return Error(a, field, "needs exactly one of band or dimension");
      }
      if (band.IsDefined()) {
        ASSIGN_OR_RETURN(action.band, String(band, Join(field, "band")));
        const bool known = std::any_of(
            spec.bands.begin(), spec.bands.end(),
            [&](const BandSpec& b) { return b.name == action.band; });
        if (!known) {
          return Error(band, Join(field, "band"),
                       absl::StrCat("unknown band '", action.band, "'"));
        }
        if (a["below"].IsDefined()) {
          return Error(a["below"], Join(field, "below"),
                       "goes with dimension, not band");
        }
      } else {
        ASSIGN_OR_RETURN(action.dimension,
                         String(dim, Join(field, "dimension")));
        if (FindDimension(spec, action.dimension) == nullptr) {
          return Error(
              dim, Join(field, "dimension"),
              absl::StrCat("unknown dimension '", action.dimension,
                           "'; the dimensions are ", DimensionNames(spec)));
        }
        ASSIGN_OR_RETURN(YAML::Node below, Required(a, field, "below"));
        ASSIGN_OR_RETURN(action.below, Score(below, Join(field, "below")));
      }
      spec.actions.push_back(std::move(action));
    }
    return absl::OkStatus();
  }

  absl::Status ParseSegments(const YAML::Node& root,
                             ScorecardSpec& spec) const {
    YAML::Node segments = root["segments"];
    if (!segments.IsDefined()) return absl::OkStatus();
    if (!segments.IsMap()) {
      return Error(segments, "segments",
                   "expected a mapping of segment name -> {weights, params, "
                   "group_weights, bands}");
    }
    for (const auto& kv : segments) {
      SegmentSpec seg;
      ASSIGN_OR_RETURN(seg.name, String(kv.first, "segments"));
      seg.line = kv.first.Mark().line + 1;
      const std::string field = Join("segments", seg.name);
      if (seg.name == "default") {
        return Error(kv.first, field,
                     "'default' is the scorecard itself; name the segment "
                     "otherwise");
      }
      const YAML::Node& body = kv.second;
      if (!body.IsMap()) {
        return Error(kv.first, field,
                     "expected a mapping with weights, params, group_weights "
                     "or bands");
      }
      RETURN_IF_ERROR(OnlyKeys(
          body, field, {"weights", "params", "group_weights", "bands"}));
      if (YAML::Node w = body["weights"]; w.IsDefined()) {
        const std::string wfield = Join(field, "weights");
        if (!w.IsMap()) {
          return Error(w, wfield, "expected a mapping of dimension -> weight");
        }
        double total = 0;
        for (const DimensionSpec& d : spec.dimensions) total += d.weight;
        for (const auto& e : w) {
          ASSIGN_OR_RETURN(std::string dim, String(e.first, wfield));
          const DimensionSpec* d = FindDimension(spec, dim);
          if (d == nullptr) {
            return Error(e.first, Join(wfield, dim),
                         absl::StrCat("unknown dimension; the dimensions are ",
                                      DimensionNames(spec)));
          }
          ASSIGN_OR_RETURN(double weight, Weight(e.second, Join(wfield, dim)));
          total += weight - d->weight;
          seg.weights[dim] = weight;
          seg.weight_lines[dim] = e.first.Mark().line + 1;
        }
        if (total <= 0) {
          return Error(w, wfield,
                       absl::StrCat("the segment's weights add up to ", total,
                                    "; the total weight must be above 0"));
        }
      }
      if (YAML::Node p = body["params"]; p.IsDefined()) {
        const std::string pfield = Join(field, "params");
        if (!p.IsMap()) {
          return Error(p, pfield,
                       "expected a mapping of dimension -> {parameter: value}");
        }
        for (const auto& e : p) {
          ASSIGN_OR_RETURN(std::string dim, String(e.first, pfield));
          if (FindDimension(spec, dim) == nullptr) {
            return Error(e.first, Join(pfield, dim),
                         absl::StrCat("unknown dimension; the dimensions are ",
                                      DimensionNames(spec)));
          }
          ASSIGN_OR_RETURN(seg.params[dim],
                           ParamSettings(e.second, Join(pfield, dim)));
          seg.param_lines[dim] = e.first.Mark().line + 1;
        }
      }
      if (YAML::Node g = body["group_weights"]; g.IsDefined()) {
        const std::string gfield = Join(field, "group_weights");
        if (!g.IsMap()) {
          return Error(g, gfield, "expected a mapping of group -> weight");
        }
        for (const auto& e : g) {
          ASSIGN_OR_RETURN(std::string group, String(e.first, gfield));
          if (!IsGroup(spec, group)) {
            return Error(e.first, Join(gfield, group), "unknown group");
          }
          ASSIGN_OR_RETURN(seg.group_weights[group],
                           Weight(e.second, Join(gfield, group)));
        }
      }
      if (YAML::Node b = body["bands"]; b.IsDefined()) {
        ASSIGN_OR_RETURN(seg.bands, ParseBands(b, Join(field, "bands")));
      }
      spec.segments.push_back(std::move(seg));
    }
    return absl::OkStatus();
  }

 private:
  const bool read_secrets_;
};

}  // namespace

absl::string_view IsolationName(Isolation isolation) {
  return isolation == Isolation::kProcess ? "process" : "in_process";
}

absl::StatusOr<Isolation> ParseIsolation(absl::string_view text) {
  if (text == "in_process") return Isolation::kInProcess;
  if (text == "process") return Isolation::kProcess;
  return absl::InvalidArgumentError(
      absl::StrCat("'", text.substr(0, 64),
                   "' is not an isolation; expected in_process or process"));
}

absl::string_view AggregateName(Aggregate aggregate) {
  return aggregate == Aggregate::kMin ? "min" : "weighted_mean";
}

absl::string_view AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kScoreBelow:
      return "score_below";
    case AlertKind::kBandChange:
      return "band_change";
    case AlertKind::kDrop:
      return "drop";
    case AlertKind::kFalling:
      return "falling";
    case AlertKind::kDimensionBelow:
      return "dimension_below";
    case AlertKind::kCoverageBelow:
      return "coverage_below";
  }
  return "?";
}

absl::string_view WebhookEventName(WebhookEvent event) {
  switch (event) {
    case WebhookEvent::kOpened:
      return "opened";
    case WebhookEvent::kAcknowledged:
      return "acknowledged";
    case WebhookEvent::kResolved:
      return "resolved";
  }
  return "?";
}

absl::Status CheckWebhookUrl(absl::string_view url, absl::string_view field) {
  absl::string_view rest = url;
  const bool http = absl::ConsumePrefix(&rest, "http://") ||
                    absl::ConsumePrefix(&rest, "https://");
  const bool printable = std::all_of(
      url.begin(), url.end(), [](char c) { return c > ' ' && c < 0x7f; });
  if (!http || !printable) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", url.substr(0, 200),
                     "' is not an http:// or https:// URL"));
  }
  if (rest.empty() || rest[0] == '/' || rest[0] == '?' || rest[0] == '#') {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": '", url.substr(0, 200), "' names no host after the scheme"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWebhookSecretFile(
    const std::filesystem::path& path, absl::string_view field) {
  constexpr size_t kMaxSecretBytes = 4096;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": cannot read the secret file ", path.string(),
        error ? absl::StrCat(" (", error.message(), ")") : " (not a file)"));
  }
  std::ifstream in(path, std::ios::binary);
  std::string secret;
  if (in) {
    secret.resize(kMaxSecretBytes + 1);
    in.read(secret.data(), static_cast<std::streamsize>(secret.size()));
    secret.resize(static_cast<size_t>(in.gcount()));
  }
  if (!in && !in.eof()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": cannot read the secret file ", path.string()));
  }
  if (secret.size() > kMaxSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": the secret file ", path.string(), " holds more than ",
        kMaxSecretBytes, " bytes; the limit is ", kMaxSecretBytes));
  }
  // A trailing newline (echo secret > file) is not part of the secret.
  while (!secret.empty() &&
         std::isspace(static_cast<unsigned char>(secret.back()))) {
    secret.pop_back();
  }
  if (secret.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": the secret file ", path.string(), " is empty"));
  }
  return secret;
}

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
                                             absl::string_view source,
                                             SecretReading secrets) {
  // yaml-cpp parses recursively: refuse absurd nesting before it recurses.
  RETURN_IF_ERROR(CheckYamlDepth(yaml, source));
  Parser parser(source, secrets == SecretReading::kRead);
  absl::StatusOr<ScorecardSpec> spec;
  try {
    spec = parser.Parse(YAML::Load(std::string(yaml)));
  } catch (const YAML::Exception& e) {
    // Syntax errors carry their own position.
    return absl::InvalidArgumentError(absl::StrCat(source, ":", e.mark.line + 1,
                                                   ":", e.mark.column + 1,
                                                   ": invalid YAML: ", e.msg));
  }
  if (spec.ok()) {
    spec->hash = Sha256Hex(yaml);
    spec->text = std::string(yaml);
  }
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
