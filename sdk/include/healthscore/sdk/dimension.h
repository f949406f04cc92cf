// The C++ layer of the plugin SDK 2.0: a dimension is its declarations and
// how one customer is scored. Header-only; compiled into the plugin, so
// nothing of it crosses the ABI (abi.h is the boundary).
//
// Most dimensions are written row by row:
//
//   struct CsatRow { double csat; double prev_csat; };   // one customer
//
//   class Csat : public sdk::RowDimension<Csat, CsatRow> {
//    public:
//     enum Rule : uint32_t { kCsatLevel, kCsatFall };    // order of `rules`
//     static Declaration Declare();                      // see below
//     void Evaluate(const CsatRow& row, sdk::RowOutput& out) const;
//    private:
//     double satisfied_at_ = 90;                         // bound parameter
//   };
//   HEALTHSCORE_DIMENSION(Csat)
//
// Declare() lists the signals (each bound to a field of the row), the
// parameters (each bound to a member: a name is written once), the rules with
// their sentence templates and the actions. The plugin's name and version
// come from CMake (healthscore_add_dimension). The SDK runs the row loop;
// Evaluate() sets the score and records the reasons, whose impacts add up
// from sdk::kNeutral (50) to the score. The host formats sentences from the
// templates only for the reasons it returns.
//
// Contract:
// - A required signal is never missing in Evaluate(): the host marks such a
//   row INSUFFICIENT_DATA before calling. Optional signals may be NaN
//   (sdk::IsMissing). Values are finite and within their declared bounds.
// - Evaluate() and Score() may run on several threads at once on one
//   object: keep them const. Parameters are bound before Init() runs.
// - Exceptions thrown by Init(), Evaluate() or Score() are caught here and
//   reported to the host as errors; they never cross the boundary.
// - A dimension whose inputs depend on its parameters (rules written in the
//   scorecard, named features) derives from sdk::Dimension instead, scores a
//   whole batch in Score(), and may define Signals(), Rules() and Actions()
//   to say what this instance reads and says.
#ifndef HEALTHSCORE_SDK_DIMENSION_H_
#define HEALTHSCORE_SDK_DIMENSION_H_

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "healthscore/sdk/abi.h"

namespace healthscore::sdk {

// Marks a missing bound or an absent observed value / threshold.
inline constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

// The score a dimension's reasons add up from (HS_NEUTRAL_SCORE).
inline constexpr double kNeutral = HS_NEUTRAL_SCORE;

inline bool IsMissing(double value) { return std::isnan(value); }

// A number for an error message, exactly as given ("0.1", "1e+20").
inline std::string Exact(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", value);
  return buf;
}

enum class Direction { kHigherIsBetter, kLowerIsBetter };
enum class Requirement { kRequired, kOptional };

// A signal the dimension reads.
struct Signal {
  std::string name;
  // How its values read in sentences: "percent", "count", "days", "months",
  // "hours", "usd", "score", "nps", "net_percent", "flag", "ratio", "".
  std::string unit;
  Direction direction = Direction::kHigherIsBetter;
  Requirement requirement = Requirement::kRequired;
  std::string description;
  double min = kNone;  // the host refuses values below (kNone: unbounded)
  double max = kNone;
  // Where most customers are, for the checker's random rows (kNone: min/max).
  double typical_min = kNone;
  double typical_max = kNone;
};

enum class ParamKind {
  kNumber,
  // Text: a string, or a YAML list/mapping from the scorecard passed as YAML
  // text.
  kText,
};

// A parameter the scorecard may set.
struct Param {
  std::string name;
  double default_value = 0;
  std::string description;
  double min = kNone;  // the host refuses scorecard values below
  double max = kNone;
  ParamKind kind = ParamKind::kNumber;
  std::string default_text;  // kText
};

// A rule: one fact about the customer that moves the score, with the
// sentences the host formats for it. Placeholders: {observed}, {threshold}
// and the names in `args`, each optionally with a format
// ({observed:percent}, {drop:points}, {n:plural:touchpoint}); see abi.h.
// `raises` reads when the impact is positive, `lowers` when it is negative,
// `text` is a neutral wording (for impact 0, or either sign without its own).
// A rule that only ever lowers (a penalty) may declare `lowers` alone; one
// that can fire with impact 0 and has both signed wordings needs `text` too.
struct Rule {
  std::string id;
  std::string signal;  // the signal it reads, or ""
  std::string unit;    // of {observed} and {threshold}; "": the signal's
  std::string raises;
  std::string lowers;
  std::string text;
  std::vector<std::string> args;  // at most HS_MAX_ARGS
};

// A recommended action for a person; `text` may use the names in `args`.
struct Action {
  std::string id;
  std::string text;
  std::vector<std::string> args;
};

// What a dimension declares about itself. Name and version default to the
// ones CMake defines (HEALTHSCORE_PLUGIN_NAME / _VERSION).
struct Info {
  std::string name;
  std::string version;
  std::string description;
  std::vector<Signal> signals;
  std::vector<Param> params;
  std::vector<Rule> rules;
  std::vector<Action> actions;
};

// Parameter values for one scorecard dimension (defaults filled in by the
// host). Owns copies of the names, so a dimension may keep it.
class Params {
 public:
  Params(const hs_param_value* values, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) {
      values_.push_back({values[i].name, values[i].value,
                         values[i].text != nullptr ? values[i].text : ""});
    }
  }

  // A number parameter. Throws std::invalid_argument for an unknown name.
  double Get(std::string_view name) const { return Find(name).value; }

  // A text parameter (a YAML list or mapping arrives as YAML flow text).
  const std::string& GetText(std::string_view name) const {
    return Find(name).text;
  }

 private:
  struct Value {
    std::string name;
    double value;
    std::string text;
  };

  const Value& Find(std::string_view name) const {
    for (const Value& v : values_) {
      if (name == v.name) return v;
    }
    throw std::invalid_argument("unknown parameter '" + std::string(name) +
                                "'");
  }

  std::vector<Value> values_;
};

// A batch of customers as columns, one per signal the instance reads.
class Batch {
 public:
  Batch(const hs_batch& batch, const std::vector<Signal>& signals)
      : batch_(batch), signals_(signals) {}

  uint32_t num_rows() const { return batch_.num_rows; }

  // The i-th signal's values. NaN = missing (never for a required signal).
  std::span<const double> Column(size_t index) const {
    if (index >= batch_.num_columns) {
      throw std::out_of_range("column " + std::to_string(index) +
                              " of a batch with " +
                              std::to_string(batch_.num_columns));
    }
    return {batch_.columns[index], batch_.num_rows};
  }

  // A signal's values by name; look it up once per batch, not per row.
  std::span<const double> Column(std::string_view name) const {
    for (size_t i = 0; i < signals_.size(); ++i) {
      if (signals_[i].name == name) return Column(i);
    }
    throw std::invalid_argument("signal '" + std::string(name) +
                                "' is not declared by this dimension");
  }

 private:
  const hs_batch& batch_;
  const std::vector<Signal>& signals_;
};

// The numbers a reason carries besides its impact. `args` are the rule's
// declared arguments, in order.
struct Facts {
  double observed = kNone;
  double threshold = kNone;
  std::array<double, HS_MAX_ARGS> args{kNone, kNone, kNone, kNone};
};

// Where a batch's results go: scores into the host's array, reason and action
// records appended to the host's arrays (no strings), statuses through the
// host's callback. Indices are checked; a bad one throws std::out_of_range
// (reported as a batch error).
class Output {
 public:
  Output(hs_output* out, const hs_host_api* host, void* ctx, uint32_t num_rows,
         uint32_t num_rules, uint32_t num_actions)
      : out_(out),
        host_(host),
        ctx_(ctx),
        num_rows_(num_rows),
        num_rules_(num_rules),
        num_actions_(num_actions),
        explain_(out->explain != 0) {}

  // False when the caller asked for no explanation: Reason() and Action()
  // then do nothing, and a plugin may skip computing them.
  bool WantsExplanation() const { return explain_; }

  void SetScore(uint32_t row, double score) {
    out_->scores[Check(row)] = score;
  }

  // Records that rule `rule` (an index into the declared rules) moved row
  // `row`'s score by `impact` points.
  void Reason(uint32_t row, uint32_t rule, double impact,
              const Facts& facts = {}) {
    if (!explain_) return;
    if (rule >= num_rules_) {
      throw std::out_of_range("rule " + std::to_string(rule) + " of " +
                              std::to_string(num_rules_) + " declared");
    }
    if (out_->num_reasons == out_->reasons_capacity) Grow(0);
    hs_reason_record& r = out_->reasons[out_->num_reasons++];
    r.row = Check(row);
    r.rule = rule;
    r.impact = impact;
    r.observed = facts.observed;
    r.threshold = facts.threshold;
    for (int i = 0; i < HS_MAX_ARGS; ++i) r.args[i] = facts.args[i];
  }

  // Recommends action `action` (an index into the declared actions).
  void Action(uint32_t row, uint32_t action,
              std::initializer_list<double> args = {}) {
    if (!explain_) return;
    if (action >= num_actions_) {
      throw std::out_of_range("action " + std::to_string(action) + " of " +
                              std::to_string(num_actions_) + " declared");
    }
    if (out_->num_actions == out_->actions_capacity) Grow(1);
    hs_action_record& a = out_->actions[out_->num_actions++];
    a.row = Check(row);
    a.action = action;
    int i = 0;
    for (double v : args) {
      if (i < HS_MAX_ARGS) a.args[i++] = v;
    }
    for (; i < HS_MAX_ARGS; ++i) a.args[i] = kNone;
  }

  // The row lacks data this dimension needs; name it in `message`.
  void SetInsufficientData(uint32_t row, const std::string& message) {
    out_->scores[Check(row)] = kNone;
    host_->set_status(ctx_, row, HS_STATUS_INSUFFICIENT_DATA, message.c_str());
  }

  void SetFailed(uint32_t row, const std::string& message) {
    out_->scores[Check(row)] = kNone;
    host_->set_status(ctx_, row, HS_STATUS_FAILED, message.c_str());
  }

 private:
  uint32_t Check(uint32_t row) const {
    if (row >= num_rows_) {
      throw std::out_of_range("row " + std::to_string(row) +
                              " of a batch with " + std::to_string(num_rows_));
    }
    return row;
  }

  void Grow(int32_t which) {
    if (host_->grow(ctx_, out_, which) == 0) {
      throw std::length_error("the host could not make room for more " +
                              std::string(which == 0 ? "reasons" : "actions"));
    }
  }

  hs_output* out_;
  const hs_host_api* host_;
  void* ctx_;
  uint32_t num_rows_;
  uint32_t num_rules_;
  uint32_t num_actions_;
  bool explain_;
};

// The base of a dimension that scores whole batches. One object per
// scorecard dimension, made with that dimension's parameters; immutable
// afterwards. Defines `static Info Describe()` and a constructor taking
// `const Params&`.
class Dimension {
 public:
  virtual ~Dimension() = default;
  // Thread-safety: called concurrently on one object with different batches.
  virtual void Score(const Batch& batch, Output& out) const = 0;
};

// One customer's output in a RowDimension's Evaluate().
class RowOutput {
 public:
  RowOutput(Output& out, uint32_t row) : out_(out), row_(row) {}

  bool WantsExplanation() const { return out_.WantsExplanation(); }

  // The dimension's score, 0-100. A non-finite score fails the row.
  void Score(double score) {
    score_ = score;
    scored_ = true;
  }
  // Rule `rule` moved the score by `impact` points (50 + the impacts ==
  // the score).
  void Reason(uint32_t rule, double impact, const Facts& facts = {}) {
    out_.Reason(row_, rule, impact, facts);
  }
  void Action(uint32_t action, std::initializer_list<double> args = {}) {
    out_.Action(row_, action, args);
  }
  // The customer cannot be scored: name the missing data, or the cause.
  void InsufficientData(const std::string& message) {
    out_.SetInsufficientData(row_, message);
    ended_ = true;
  }
  void Failed(const std::string& message) {
    out_.SetFailed(row_, message);
    ended_ = true;
  }

 private:
  template <typename, typename>
  friend class RowDimension;

  // Writes the score, or the reason there is none.
  void Finish() {
    if (ended_) return;
    if (!scored_) {
      out_.SetFailed(row_, "the dimension set no score for this row");
    } else if (!std::isfinite(score_)) {
      out_.SetFailed(row_, "the inputs gave a non-finite score");
    } else {
      out_.SetScore(row_, score_);
    }
  }

  Output& out_;
  uint32_t row_;
  double score_ = 0;
  bool scored_ = false;
  bool ended_ = false;
};

// A signal bound to the field of the row struct its values go to.
template <typename Row>
struct Field {
  double Row::*member;
  Signal signal;
};

// A parameter bound to the member it sets: a number (double) or a text
// (std::string) member. The kind follows the member's type, and the default
// is the member's initializer (param.default_value is not read).
template <typename T>
struct Setting {
  Setting(double T::*member, Param param)
      : number(member), param(std::move(param)) {
    this->param.kind = ParamKind::kNumber;
  }
  Setting(std::string T::*member, Param param)
      : text(member), param(std::move(param)) {
    this->param.kind = ParamKind::kText;
  }
  double T::*number = nullptr;
  std::string T::*text = nullptr;
  Param param;
};

// What a RowDimension declares: everything but the name and version.
template <typename T, typename Row>
struct RowDeclaration {
  std::string description;
  std::vector<Field<Row>> signals;
  std::vector<Setting<T>> params;
  std::vector<Rule> rules;
  std::vector<Action> actions;
};

// Sets each bound member of `object` from `values`, re-checking the range
// (the host checks it, but a NaN passes any range check and a dimension may
// be built directly in tests). Throws std::invalid_argument naming the
// parameter, its value and the range.
template <typename T>
void BindParams(const std::vector<Setting<T>>& settings, const Params& values,
                T& object) {
  for (const Setting<T>& s : settings) {
    if (s.text != nullptr) {
      object.*(s.text) = values.GetText(s.param.name);
      continue;
    }
    const double v = values.Get(s.param.name);
    const double lo = IsMissing(s.param.min) ? -HUGE_VAL : s.param.min;
    const double hi = IsMissing(s.param.max) ? HUGE_VAL : s.param.max;
    if (!std::isfinite(v) || v < lo || v > hi) {
      throw std::invalid_argument(
          "parameter " + s.param.name + " = " + Exact(v) + " is outside [" +
          (IsMissing(s.param.min) ? "-inf" : Exact(s.param.min)) + ", " +
          (IsMissing(s.param.max) ? "inf" : Exact(s.param.max)) + "]");
    }
    object.*(s.number) = v;
  }
}

// The base of a dimension scored one customer at a time. T derives from
// RowDimension<T, Row> and defines
//   static Declaration Declare();
//   void Evaluate(const Row& row, RowOutput& out) const;
// and optionally `void Init()` (runs once the parameters are bound; throw
// std::invalid_argument to refuse them, e.g. two that contradict).
// T must be default-constructible; bound members take the parameter values.
template <typename T, typename Row>
class RowDimension : public Dimension {
 public:
  using Declaration = RowDeclaration<T, Row>;

  // The declaration as the SDK's Info, with the fields' order as the signals'.
  static Info Describe() {
    const Declaration d = T::Declare();
    Info info{
        .description = d.description, .rules = d.rules, .actions = d.actions};
    for (const Field<Row>& f : d.signals) info.signals.push_back(f.signal);
    // The members' initializers are the defaults: written once. (On the
    // heap: GCC 12 warns -Warray-bounds on a temporary smaller than a
    // std::string read through a member pointer.)
    const auto defaults = std::make_unique<const T>();
    for (const Setting<T>& s : d.params) {
      Param p = s.param;
      if (s.number != nullptr) p.default_value = (*defaults).*(s.number);
      if (s.text != nullptr) p.default_text = (*defaults).*(s.text);
      info.params.push_back(std::move(p));
    }
    return info;
  }

  void Score(const Batch& batch, Output& out) const final {
    const T& self = static_cast<const T&>(*this);
    // Columns bound to fields once per batch; the loop below only indexes.
    const auto& fields = Fields();
    std::vector<std::span<const double>> columns;
    columns.reserve(fields.size());
    for (size_t f = 0; f < fields.size(); ++f) {
      columns.push_back(batch.Column(f));
    }
    Row row{};
    for (uint32_t i = 0; i < batch.num_rows(); ++i) {
      for (size_t f = 0; f < fields.size(); ++f) {
        row.*(fields[f].member) = columns[f][i];
      }
      RowOutput row_out(out, i);
      self.Evaluate(row, row_out);
      row_out.Finish();
    }
  }

 private:
  static const std::vector<Field<Row>>& Fields() {
    static const std::vector<Field<Row>> fields = T::Declare().signals;
    return fields;
  }

 public:
  // Used by the export: a T with its parameters bound and Init() run.
  static std::unique_ptr<T> Make(const Params& params) {
    auto object = std::make_unique<T>();
    BindParams(T::Declare().params, params, *object);
    if constexpr (requires(T & t) { t.Init(); }) object->Init();
    return object;
  }
};

namespace internal {

inline hs_signal_decl ToDecl(const Signal& s) {
  return {s.name.c_str(),
          s.unit.c_str(),
          s.direction == Direction::kHigherIsBetter ? 1 : 0,
          s.requirement == Requirement::kRequired ? 1 : 0,
          s.description.c_str(),
          s.min,
          s.max,
          s.typical_min,
          s.typical_max};
}

inline const char* OrNull(const std::string& s) {
  return s.empty() ? nullptr : s.c_str();
}

inline hs_rule_decl ToDecl(const Rule& r) {
  hs_rule_decl d{r.id.c_str(),
                 OrNull(r.signal),
                 OrNull(r.unit),
                 OrNull(r.raises),
                 OrNull(r.lowers),
                 OrNull(r.text),
                 {nullptr, nullptr, nullptr, nullptr}};
  for (size_t i = 0; i < r.args.size() && i < HS_MAX_ARGS; ++i) {
    d.args[i] = r.args[i].c_str();
  }
  return d;
}

inline hs_action_decl ToDecl(const Action& a) {
  hs_action_decl d{
      a.id.c_str(), a.text.c_str(), {nullptr, nullptr, nullptr, nullptr}};
  for (size_t i = 0; i < a.args.size() && i < HS_MAX_ARGS; ++i) {
    d.args[i] = a.args[i].c_str();
  }
  return d;
}

// The declarations one instance exposes, with their C views.
struct Declared {
  std::vector<Signal> signals;
  std::vector<Rule> rules;
  std::vector<Action> actions;
  std::vector<hs_signal_decl> signal_decls;
  std::vector<hs_rule_decl> rule_decls;
  std::vector<hs_action_decl> action_decls;

  void Build() {
    for (const Signal& s : signals) signal_decls.push_back(ToDecl(s));
    for (const Rule& r : rules) rule_decls.push_back(ToDecl(r));
    for (const Action& a : actions) action_decls.push_back(ToDecl(a));
  }
};

// Turns a Dimension subclass T into the C entry point's table.
template <typename T>
class Adapter {
 public:
  static const hs_plugin_v2* Entry() noexcept {
    try {
      return &GetTables().plugin;
    } catch (...) {
      return nullptr;  // the host reports "hs_plugin_entry returned NULL"
    }
  }

 private:
  struct Tables;
  // Built once, on first use; static storage, as abi.h requires.
  static const Tables& GetTables() {
    static const Tables tables(T::Describe());
    return tables;
  }

  struct Tables {
    explicit Tables(Info described) {
      declared.signals = std::move(described.signals);
      declared.rules = std::move(described.rules);
      declared.actions = std::move(described.actions);
      declared.Build();
      info = std::move(described);
#ifdef HEALTHSCORE_PLUGIN_NAME
      if (info.name.empty()) info.name = HEALTHSCORE_PLUGIN_NAME;
#endif
#ifdef HEALTHSCORE_PLUGIN_VERSION
      if (info.version.empty()) info.version = HEALTHSCORE_PLUGIN_VERSION;
#endif
      for (const Param& p : info.params) {
        params.push_back(
            {p.name.c_str(), p.default_value, p.min, p.max,
             p.description.c_str(),
             p.kind == ParamKind::kText ? HS_PARAM_TEXT : HS_PARAM_NUMBER,
             p.default_text.c_str()});
      }
      plugin.struct_size = sizeof(hs_plugin_v2);
      plugin.name = info.name.c_str();
      plugin.version = info.version.c_str();
      plugin.description = info.description.c_str();
      plugin.signals = declared.signal_decls.data();
      plugin.num_signals = static_cast<uint32_t>(declared.signals.size());
      plugin.params = params.data();
      plugin.num_params = static_cast<uint32_t>(params.size());
      plugin.rules = declared.rule_decls.data();
      plugin.num_rules = static_cast<uint32_t>(declared.rules.size());
      plugin.actions = declared.action_decls.data();
      plugin.num_actions = static_cast<uint32_t>(declared.actions.size());
      plugin.create = &Create;
      plugin.destroy = &Destroy;
      plugin.describe_instance = &DescribeInstance;
      plugin.score_batch = &ScoreBatch;
    }
    Info info;
    Declared declared;
    std::vector<hs_param_decl> params;
    hs_plugin_v2 plugin{};
  };

  struct Instance {
    std::unique_ptr<T> dimension;
    // Set when the instance's declarations differ from the plugin's.
    std::unique_ptr<Declared> own;
    const Declared& declared() const {
      return own ? *own : GetTables().declared;
    }
  };

  static std::unique_ptr<T> Make(const Params& params) {
    if constexpr (requires { T::Make(params); }) {
      return T::Make(params);
    } else {
      return std::make_unique<T>(params);
    }
  }

  // A dimension whose inputs or rules depend on its parameters defines
  // Signals(), Rules() or Actions() (called once, after construction).
  static std::unique_ptr<Declared> OwnDeclarations(const T& d) {
    constexpr bool has_signals = requires {
      { d.Signals() } -> std::same_as<std::vector<Signal>>;
    };
    constexpr bool has_rules = requires {
      { d.Rules() } -> std::same_as<std::vector<Rule>>;
    };
    constexpr bool has_actions = requires {
      { d.Actions() } -> std::same_as<std::vector<Action>>;
    };
    if constexpr (!has_signals && !has_rules && !has_actions) {
      return nullptr;
    } else {
      auto own = std::make_unique<Declared>();
      const Declared& base = GetTables().declared;
      if constexpr (has_signals) {
        own->signals = d.Signals();
      } else {
        own->signals = base.signals;
      }
      if constexpr (has_rules) {
        own->rules = d.Rules();
      } else {
        own->rules = base.rules;
      }
      if constexpr (has_actions) {
        own->actions = d.Actions();
      } else {
        own->actions = base.actions;
      }
      own->Build();
      return own;
    }
  }

  static hs_result Create(const hs_param_value* values, uint32_t count,
                          const hs_host_api* host, void* ctx,
                          hs_instance** out) noexcept {
    try {
      auto instance = std::make_unique<Instance>();
      instance->dimension = Make(Params(values, count));
      instance->own = OwnDeclarations(*instance->dimension);
      *out = reinterpret_cast<hs_instance*>(instance.release());
      return HS_OK;
    } catch (const std::exception& e) {
      host->set_error(ctx, e.what());
    } catch (...) {
      host->set_error(ctx, "unknown exception in the dimension's constructor");
    }
    return HS_ERROR;
  }

  static void Destroy(hs_instance* instance) noexcept {
    delete reinterpret_cast<Instance*>(instance);
  }

  static hs_result DescribeInstance(const hs_instance* handle,
                                    hs_instance_decl* out) noexcept {
    const Declared& d = reinterpret_cast<const Instance*>(handle)->declared();
    out->signals = d.signal_decls.data();
    out->num_signals = static_cast<uint32_t>(d.signal_decls.size());
    out->rules = d.rule_decls.data();
    out->num_rules = static_cast<uint32_t>(d.rule_decls.size());
    out->actions = d.action_decls.data();
    out->num_actions = static_cast<uint32_t>(d.action_decls.size());
    return HS_OK;
  }

  static hs_result ScoreBatch(const hs_instance* handle, const hs_batch* batch,
                              hs_output* output, const hs_host_api* host,
                              void* ctx) noexcept {
    try {
      const auto* instance = reinterpret_cast<const Instance*>(handle);
      const Declared& d = instance->declared();
      Batch in(*batch, d.signals);
      Output out(output, host, ctx, batch->num_rows,
                 static_cast<uint32_t>(d.rules.size()),
                 static_cast<uint32_t>(d.actions.size()));
      instance->dimension->Score(in, out);
      return HS_OK;
    } catch (const std::exception& e) {
      host->set_error(ctx, e.what());
    } catch (...) {
      host->set_error(ctx, "unknown exception in Score()");
    }
    return HS_ERROR;
  }
};

}  // namespace internal
}  // namespace healthscore::sdk

// Exports dimension class `Class` as this shared library's plugin: defines the
// two SDK entry points. Use once per plugin, at namespace scope. A library
// built with healthscore_add_dimension that lacks it fails to link.
#define HEALTHSCORE_DIMENSION(Class)                               \
  extern "C" HS_EXPORT uint32_t hs_plugin_abi_version(void) {      \
    return HS_ABI_VERSION;                                         \
  }                                                                \
  extern "C" HS_EXPORT const hs_plugin_v2* hs_plugin_entry(void) { \
    return ::healthscore::sdk::internal::Adapter<Class>::Entry();  \
  }

#endif  // HEALTHSCORE_SDK_DIMENSION_H_
