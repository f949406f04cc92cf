// The rules dimension: parsing its parameters, compiling its expressions with
// muparser, and scoring a batch. See rules.h.
#include "rules.h"

#include <muParser.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <utility>

#include "yaml-cpp/yaml.h"

namespace healthscore::plugins {
namespace {

namespace sdk = healthscore::sdk;

// The id of the reason that carries base - 50; no scorecard rule may take it.
constexpr char kBaseRule[] = "base";

// A number parameter, range-checked again (a NaN passes the host's check).
double Bounded(const sdk::Params& params, const std::string& name, double lo,
               double hi) {
  const double v = params.Get(name);
  if (!std::isfinite(v) || v < lo || v > hi) {
    throw std::invalid_argument("parameter " + name + " = " + sdk::Exact(v) +
                                " is outside [" + sdk::Exact(lo) + ", " +
                                sdk::Exact(hi) + "]");
  }
  return v;
}

std::string RuleName(size_t index, const std::string& id) {
  return "rules[" + std::to_string(index) + "]" +
         (id.empty() ? "" : " (" + id + ")");
}

bool IsIdentifier(const std::string& s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Position of `name` as a whole identifier in `expr`, for error messages.
size_t FindIdentifier(const std::string& expr, const std::string& name) {
  auto is_ident = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  for (size_t pos = expr.find(name); pos != std::string::npos;
       pos = expr.find(name, pos + 1)) {
    const bool starts = pos == 0 || !is_ident(expr[pos - 1]);
    const size_t end = pos + name.size();
    const bool ends = end == expr.size() || !is_ident(expr[end]);
    if (starts && ends) return pos;
  }
  return 0;
}

// muparser treats a lone '=' as assignment, which would write into the
// signal values: a condition may compare, never assign.
size_t FindAssignment(const std::string& expr) {
  for (size_t i = 0; i < expr.size(); ++i) {
    if (expr[i] != '=') continue;
    const char before = i > 0 ? expr[i - 1] : ' ';
    const char after = i + 1 < expr.size() ? expr[i + 1] : ' ';
    if (after == '=') {
      ++i;  // "=="
      continue;
    }
    if (before == '<' || before == '>' || before == '!' || before == '=') {
      continue;
    }
    return i;
  }
  return std::string::npos;
}

std::string Scalar(const YAML::Node& node, const std::string& field) {
  if (!node.IsDefined() || node.IsNull()) {
    throw std::invalid_argument(field + " is required");
  }
  if (!node.IsScalar()) throw std::invalid_argument(field + " must be text");
  return node.Scalar();
}

double Number(const YAML::Node& node, const std::string& field) {
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) ||
      !std::isfinite(value)) {
    throw std::invalid_argument(field + " must be a finite number");
  }
  return value;
}

YAML::Node LoadYaml(const std::string& text, const std::string& field) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(field + " is not valid YAML: " + e.msg);
  }
}

// `signals`: a list of names, or a mapping name -> {unit, min, max,
// higher_is_better}.
std::vector<sdk::Signal> ParseSignals(const std::string& text) {
  const YAML::Node root = LoadYaml(text, "signals");
  std::vector<sdk::Signal> signals;
  auto add = [&](const std::string& name, const YAML::Node& spec) {
    if (!IsIdentifier(name)) {
      throw std::invalid_argument("signals: '" + name +
                                  "' is not a signal name ([a-z][a-z0-9_]*)");
    }
    for (const sdk::Signal& s : signals) {
      if (s.name == name) {
        throw std::invalid_argument("signals: '" + name + "' is listed twice");
      }
    }
    sdk::Signal s{.name = name,
                  .unit = "",
                  .requirement = sdk::Requirement::kOptional,
                  .description = "read by a rule"};
    if (spec.IsDefined() && !spec.IsNull()) {
      if (!spec.IsMap()) {
        throw std::invalid_argument(
            "signals." + name +
            " must be a mapping of unit, min, max, higher_is_better");
      }
      for (const auto& kv : spec) {
        const std::string key = kv.first.as<std::string>();
        const std::string field = "signals." + name + "." + key;
        if (key == "unit") {
          s.unit = Scalar(kv.second, field);
        } else if (key == "min") {
          s.min = Number(kv.second, field);
        } else if (key == "max") {
          s.max = Number(kv.second, field);
        } else if (key == "higher_is_better") {
          s.direction = kv.second.as<bool>() ? sdk::Direction::kHigherIsBetter
                                             : sdk::Direction::kLowerIsBetter;
        } else {
          throw std::invalid_argument(
              field + " is unknown; expected unit, min, max, higher_is_better");
        }
      }
    }
    signals.push_back(std::move(s));
  };
  if (root.IsSequence()) {
    for (const YAML::Node& n : root) add(Scalar(n, "signals[]"), YAML::Node());
  } else if (root.IsMap()) {
    for (const auto& kv : root) add(kv.first.as<std::string>(), kv.second);
  } else if (!root.IsNull() && !(root.IsScalar() && root.Scalar().empty())) {
    throw std::invalid_argument(
        "signals must be a list of names or a mapping of name -> {unit, min, "
        "max, higher_is_better}");
  }
  if (signals.empty()) {
    throw std::invalid_argument(
        "signals is empty: list the signals the rules "
        "read");
  }
  return signals;
}

// A sentence template ({name} or {name:format} placeholders, "{{" a literal
// brace) may name only values the rule has: `names`, and {observed} when
// `has_observed`. The host checks the formats.
void CheckTemplate(const std::string& text, const std::string& where,
                   const std::vector<std::string>& names, bool has_observed,
                   size_t num_reads) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') continue;
    if (i + 1 < text.size() && text[i + 1] == '{') {
      ++i;
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == std::string::npos) {
      throw std::invalid_argument(where + ": '{' at position " +
                                  std::to_string(i) +
                                  " is not closed; write {{ for a literal "
                                  "brace");
    }
    const std::string inside = text.substr(i + 1, close - i - 1);
    const std::string name = inside.substr(0, inside.find(':'));
    if ((name == "observed" && has_observed) ||
        std::find(names.begin(), names.end(), name) != names.end()) {
      i = close;
      continue;
    }
    std::string known = has_observed ? "observed" : "";
    for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument(
        where + ": unknown placeholder {" + inside + "} at position " +
        std::to_string(i) + "; " +
        (name == "observed"
             ? "{observed} is the value of the one signal a rule reads, and "
               "this one reads " +
                   std::to_string(num_reads) + "; "
             : "") +
        (known.empty() ? "this rule has no values to insert"
                       : "the placeholders are: " + known) +
        " (write {{ for a literal brace)");
  }
}

}  // namespace

// One set of compiled parsers, bound to its own copies of the signal values.
class ScorecardRules::Evaluator {
 public:
  // Compiles every rule; throws std::invalid_argument naming the rule, the
  // field and the position on a syntax error or an unknown signal.
  Evaluator(const std::vector<sdk::Signal>& signals,
            const std::vector<Rule>& rules)
      : values_(signals.size(), 0.0) {
    for (size_t i = 0; i < rules.size(); ++i) {
      when_.push_back(Compile(signals, rules, i, "when", rules[i].when));
      points_.push_back(Compile(signals, rules, i, "points", rules[i].points));
    }
  }

  // Sets the signal values of the row being evaluated.
  double* values() { return values_.data(); }
  double When(size_t rule) { return when_[rule]->Eval(); }
  double Points(size_t rule) { return points_[rule]->Eval(); }

  // The signals (indices) rule `rule` reads, ascending, as muparser parsed
  // its expressions.
  std::vector<size_t> Reads(const std::vector<sdk::Signal>& signals,
                            size_t rule) const {
    std::set<size_t> reads;
    for (const mu::Parser* parser : {when_[rule].get(), points_[rule].get()}) {
      for (const auto& used : parser->GetUsedVar()) {
        for (size_t s = 0; s < signals.size(); ++s) {
          if (signals[s].name == used.first) reads.insert(s);
        }
      }
    }
    return {reads.begin(), reads.end()};
  }

 private:
  std::unique_ptr<mu::Parser> Compile(const std::vector<sdk::Signal>& signals,
                                      const std::vector<Rule>& rules,
                                      size_t index, const std::string& field,
                                      const std::string& expr) {
    const std::string where = RuleName(index, rules[index].id) + "." + field;
    if (size_t pos = FindAssignment(expr); pos != std::string::npos) {
      throw std::invalid_argument(where + ": '=' at position " +
                                  std::to_string(pos) +
                                  " assigns; compare with == instead");
    }
    auto parser = std::make_unique<mu::Parser>();
    try {
      for (size_t s = 0; s < signals.size(); ++s) {
        parser->DefineVar(signals[s].name, &values_[s]);
      }
      parser->SetExpr(expr);
      parser->Eval();  // parses now, so errors surface at load
    } catch (const mu::Parser::exception_type& e) {
      std::string message = e.GetMsg();
      const std::string token = e.GetToken();
      if (e.GetCode() == mu::ecUNASSIGNABLE_TOKEN && !token.empty() &&
          (std::isalpha(static_cast<unsigned char>(token[0])) ||
           token[0] == '_')) {
        // muparser calls an undefined variable an "unexpected token".
        std::string known;
        for (const sdk::Signal& s : signals) {
          known += (known.empty() ? "" : ", ") + s.name;
        }
        throw std::invalid_argument(
            where + ": unknown signal '" + token + "' at position " +
            std::to_string(FindIdentifier(expr, token)) +
            "; the signals are: " + known);
      }
      throw std::invalid_argument(where + ": syntax error at position " +
                                  std::to_string(e.GetPos()) + ": " + message +
                                  " in \"" + expr + "\"");
    }
    return parser;
  }

  std::vector<double> values_;
  std::vector<std::unique_ptr<mu::Parser>> when_;
  std::vector<std::unique_ptr<mu::Parser>> points_;
};

sdk::Info ScorecardRules::Describe() {
  return {
      .description =
          "Rules written in the scorecard: a base score, then conditions over "
          "signals that add or take away points, each with its reason",
      .params =
          {{.name = "base",
            .default_value = 50,
            .description = "The score before any rule fires",
            .min = 0,
            .max = 100},
           {.name = "max_rules",
            .default_value = 50,
            .description = "The most rules the dimension accepts; more are "
                           "refused at load",
            .min = 1,
            .max = 1000},
           {.name = "signals",
            .description = "The signals the rules read: a list of names, or a "
                           "mapping name -> {unit, min, max, higher_is_better}",
            .kind = sdk::ParamKind::kText},
           {.name = "rules",
            .description =
                "A list of {id, when, points, say, raises, lowers, action}: "
                "`when` and `points` are expressions over the signals, `say` "
                "(or `raises` and `lowers`) the reason's sentence",
            .kind = sdk::ParamKind::kText}},
  };
}

ScorecardRules::ScorecardRules(const sdk::Params& params)
    : base_(Bounded(params, "base", 0, 100)),
      signals_(ParseSignals(params.GetText("signals"))) {
  const double max_rules = Bounded(params, "max_rules", 1, 1000);
  const YAML::Node list = LoadYaml(params.GetText("rules"), "rules");
  if (!list.IsSequence() || list.size() == 0) {
    throw std::invalid_argument(
        "rules must be a non-empty list of {id, when, points, say}");
  }
  if (list.size() > max_rules) {
    throw std::invalid_argument("rules has " + std::to_string(list.size()) +
                                " rules; the limit is " +
                                sdk::Exact(max_rules) + " (max_rules)");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node& node = list[i];
    if (!node.IsMap()) {
      throw std::invalid_argument(RuleName(i, "") +
                                  " must be a mapping {id, when, points, say}");
    }
    Rule rule;
    rule.id = Scalar(node["id"], RuleName(i, "") + ".id");
    const std::string name = RuleName(i, rule.id);
    if (!IsIdentifier(rule.id)) {
      throw std::invalid_argument(name + ".id must be [a-z][a-z0-9_]*");
    }
    if (rule.id == kBaseRule) {
      throw std::invalid_argument(
          name + ".id 'base' is reserved for the reason of the base score");
    }
    if (!ids.insert(rule.id).second) {
      throw std::invalid_argument(name + ".id repeats an earlier rule's id");
    }
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (key != "id" && key != "when" && key != "points" && key != "say" &&
          key != "raises" && key != "lowers" && key != "action") {
        throw std::invalid_argument(
            name + "." + key +
            " is unknown; expected id, when, points, say, raises, lowers, "
            "action");
      }
    }
    rule.when = Scalar(node["when"], name + ".when");
    rule.points = Scalar(node["points"], name + ".points");
    // A sentence given empty would say nothing: refused.
    auto sentence = [&](const char* key) {
      std::string text = Scalar(node[key], name + "." + key);
      if (text.empty())
        throw std::invalid_argument(name + "." + key + " is empty");
      return text;
    };
    const bool raises = node["raises"].IsDefined();
    const bool lowers = node["lowers"].IsDefined();
    const bool say = node["say"].IsDefined();
    if (raises) rule.raises = sentence("raises");
    if (lowers) rule.lowers = sentence("lowers");
    // A sentence for either sign: `say`, or both `raises` and `lowers`.
    if (!say && raises != lowers) {
      throw std::invalid_argument(
          name + ".say is required unless both raises and lowers are given");
    }
    if (say || !(raises && lowers)) rule.say = sentence("say");
    // An empty action is no action.
    if (node["action"].IsDefined()) {
      rule.action = Scalar(node["action"], name + ".action");
    }
    rules_.push_back(std::move(rule));
  }
  // Compiling one evaluator checks every expression now, at load; it then
  // serves the first Score() call.
  auto evaluator = std::make_unique<Evaluator>(signals_, rules_);
  int num_actions = 0;
  for (size_t i = 0; i < rules_.size(); ++i) {
    Rule& rule = rules_[i];
    rule.reads = evaluator->Reads(signals_, i);
    std::vector<std::string> names;
    for (size_t s : rule.reads) {
      const std::string& n = signals_[s].name;
      if (names.size() == HS_MAX_ARGS || n == "observed" || n == "threshold") {
        continue;
      }
      rule.args.push_back(s);
      names.push_back(n);
    }
    const std::string name = RuleName(i, rule.id);
    const bool one = rule.reads.size() == 1;
    for (const auto& [field, text] :
         {std::pair<const char*, const std::string*>{"say", &rule.say},
          {"raises", &rule.raises},
          {"lowers", &rule.lowers}}) {
      if (!text->empty()) {
        CheckTemplate(*text, name + "." + field, names, one, rule.reads.size());
      }
    }
    if (!rule.action.empty()) {
      CheckTemplate(rule.action, name + ".action", names, false,
                    rule.reads.size());
      rule.action_index = num_actions++;
    }
  }
  pool_.push_back(std::move(evaluator));
  for (const sdk::Signal& s : signals_) {
    signal_names_ += (signal_names_.empty() ? "" : ", ") + s.name;
  }
}

ScorecardRules::~ScorecardRules() = default;

std::vector<sdk::Rule> ScorecardRules::Rules() const {
  std::vector<sdk::Rule> rules;
  for (const Rule& r : rules_) {
    sdk::Rule d{.id = r.id,
                .signal = r.reads.size() == 1 ? signals_[r.reads[0]].name : "",
                .raises = r.raises,
                .lowers = r.lowers,
                .text = r.say};
    for (size_t s : r.args) d.args.push_back(signals_[s].name);
    rules.push_back(std::move(d));
  }
  if (base_ != sdk::kNeutral) {
    rules.push_back(
        {.id = kBaseRule,
         .raises = "The scorecard sets this dimension's base score to "
                   "{observed:score}, above the neutral {threshold:score}",
         .lowers = "The scorecard sets this dimension's base score to "
                   "{observed:score}, below the neutral {threshold:score}"});
  }
  return rules;
}

std::vector<sdk::Action> ScorecardRules::Actions() const {
  std::vector<sdk::Action> actions;
  for (const Rule& r : rules_) {
    if (r.action_index < 0) continue;
    sdk::Action a{.id = r.id, .text = r.action};
    for (size_t s : r.args) a.args.push_back(signals_[s].name);
    actions.push_back(std::move(a));
  }
  return actions;
}

std::unique_ptr<ScorecardRules::Evaluator> ScorecardRules::Acquire() const {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!pool_.empty()) {
      auto evaluator = std::move(pool_.back());
      pool_.pop_back();
      return evaluator;
    }
  }
  // More concurrent batches than evaluators: compile one more (the rules
  // compiled once already, so this cannot fail).
  return std::make_unique<Evaluator>(signals_, rules_);
}

void ScorecardRules::Release(std::unique_ptr<Evaluator> evaluator) const {
  std::lock_guard<std::mutex> lock(pool_mu_);
  pool_.push_back(std::move(evaluator));
}

void ScorecardRules::Score(const sdk::Batch& batch, sdk::Output& out) const {
  std::vector<std::span<const double>> columns;
  for (size_t s = 0; s < signals_.size(); ++s) {
    columns.push_back(batch.Column(s));
  }
  std::unique_ptr<Evaluator> evaluator = Acquire();
  struct Returner {
    const ScorecardRules* rules;
    std::unique_ptr<Evaluator>* evaluator;
    ~Returner() { rules->Release(std::move(*evaluator)); }
  } returner{this, &evaluator};

  const auto base_rule = static_cast<uint32_t>(rules_.size());
  double* values = evaluator->values();
  std::vector<double> fired(rules_.size());
  for (uint32_t row = 0; row < batch.num_rows(); ++row) {
    bool any_present = false;
    for (size_t s = 0; s < signals_.size(); ++s) {
      values[s] = columns[s][row];
      any_present = any_present || !sdk::IsMissing(values[s]);
    }
    if (!any_present) {
      out.SetInsufficientData(
          row,
          "none of the signals the rules read is present: " + signal_names_);
      continue;
    }
    double total = 0;
    for (size_t r = 0; r < rules_.size(); ++r) {
      fired[r] = std::numeric_limits<double>::quiet_NaN();
      const bool has_inputs =
          std::all_of(rules_[r].reads.begin(), rules_[r].reads.end(),
                      [&](size_t s) { return !sdk::IsMissing(values[s]); });
      if (!has_inputs || evaluator->When(r) == 0) continue;
      const double points = evaluator->Points(r);
      if (!std::isfinite(points)) continue;  // e.g. log(0): the rule is moot
      fired[r] = points;
      total += points;
    }
    const double score = std::clamp(base_ + total, 0.0, 100.0);
    out.SetScore(row, score);
    if (!out.WantsExplanation()) continue;
    if (base_ != sdk::kNeutral) {
      out.Reason(row, base_rule, base_ - sdk::kNeutral,
                 {.observed = base_, .threshold = sdk::kNeutral});
    }
    // Clamping scales every rule's impact alike, so base + impacts == score.
    const double scale = score == base_ + total ? 1 : (score - base_) / total;
    for (size_t r = 0; r < rules_.size(); ++r) {
      if (std::isnan(fired[r])) continue;
      const Rule& rule = rules_[r];
      sdk::Facts facts;
      if (rule.reads.size() == 1) facts.observed = values[rule.reads[0]];
      for (size_t a = 0; a < rule.args.size(); ++a) {
        facts.args[a] = values[rule.args[a]];
      }
      out.Reason(row, static_cast<uint32_t>(r), fired[r] * scale, facts);
      if (rule.action_index >= 0) {
        out.Action(
            row, static_cast<uint32_t>(rule.action_index),
            {facts.args[0], facts.args[1], facts.args[2], facts.args[3]});
      }
    }
  }
}

}  // namespace healthscore::plugins
