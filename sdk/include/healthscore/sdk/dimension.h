// The C++ layer of the plugin SDK: write a dimension as a normal C++ class and
// export it with one macro. Header-only; it is compiled into the plugin, so
// nothing of it crosses the ABI (abi.h is the boundary).
//
//   class Tenure : public healthscore::sdk::Dimension {
//    public:
//     static healthscore::sdk::Info Describe();          // name, signals,
//     params explicit Tenure(const healthscore::sdk::Params& params);  // may
//     throw void Score(const healthscore::sdk::Batch& batch,
//                healthscore::sdk::Output& out) const override;
//   };
//   HEALTHSCORE_DIMENSION(Tenure)
//
// Contract for authors:
// - A dimension whose inputs depend on its parameters (rules, named features)
//   also defines `std::vector<Signal> Signals() const`: what this object
//   reads, in the column order Score() sees. Text parameters (ParamKind::kText)
//   are read with Params::GetText.
// - Score() gets a whole batch (column spans, NaN = missing) and must write a
//   score for every row, or mark the row INSUFFICIENT_DATA / FAILED.
// - Score() may run on several threads at once on one object: keep it const.
// - Exceptions thrown by the constructor or by Score() are caught here and
//   reported to the host as errors; they never cross the boundary.
#ifndef HEALTHSCORE_SDK_DIMENSION_H_
#define HEALTHSCORE_SDK_DIMENSION_H_

#include <cmath>
#include <concepts>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "healthscore/sdk/abi.h"

namespace healthscore::sdk {

// Marks a missing bound or an absent observed value / threshold.
inline constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

inline bool IsMissing(double value) { return std::isnan(value); }

enum class Direction { kHigherIsBetter, kLowerIsBetter };
enum class Requirement { kRequired, kOptional };

// A signal the dimension reads, in the order Score() sees its columns.
struct Signal {
  std::string name;
  std::string unit;
  Direction direction = Direction::kHigherIsBetter;
  Requirement requirement = Requirement::kRequired;
  std::string description;
  double min = kNone;  // the host refuses values below (kNone: unbounded)
  double max = kNone;
};

enum class ParamKind {
  kNumber,
  // Text: a string, or a YAML list/mapping from the scorecard passed as YAML
  // text. Read it with Params::GetText.
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

// What a dimension declares about itself.
struct Info {
  std::string name;
  std::string version;
  std::string description;
  std::vector<Signal> signals;
  std::vector<Param> params;
};

// One rule that moved the score. `impact` is signed points on the dimension's
// 0-100 scale.
struct Reason {
  std::string rule_id;
  std::string signal;
  double observed = kNone;
  double threshold = kNone;
  double impact = 0;
  std::string message;
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

  // A number parameter. REQUIRES: `name` is a declared parameter; throws
  // std::invalid_argument otherwise.
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

// A batch of customers as columns, one per declared signal.
class Batch {
 public:
  Batch(const hs_batch& batch, const std::vector<Signal>& signals)
      : batch_(batch), signals_(signals) {}

  uint32_t num_rows() const { return batch_.num_rows; }

  // The i-th declared signal's values. NaN = missing.
  std::span<const double> Column(size_t index) const {
    if (index >= batch_.num_columns) {
      throw std::out_of_range("column " + std::to_string(index) +
                              " of a batch with " +
                              std::to_string(batch_.num_columns));
    }
    return {batch_.columns[index], batch_.num_rows};
  }

  // A declared signal's values by name; look it up once per batch, not per
  // row. Throws std::invalid_argument for an undeclared name.
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

// Where Score() writes: scores into the host's array, the rest through the
// host's callbacks. Row indices are checked; a bad one throws
// std::out_of_range (reported as a batch error).
class Output {
 public:
  Output(const hs_host_api* host, void* ctx, double* scores, uint32_t num_rows)
      : host_(host),
        ctx_(ctx),
        scores_(scores),
        num_rows_(num_rows),
        explain_(host->wants_explanation(ctx) != 0) {}

  // False when the caller asked for no explanation: skip building reasons.
  bool WantsExplanation() const { return explain_; }

  void SetScore(uint32_t row, double score) { scores_[Check(row)] = score; }

  void AddReason(uint32_t row, const Reason& reason) {
    if (!explain_) return;
    hs_reason r{reason.rule_id.c_str(),
                reason.signal.empty() ? nullptr : reason.signal.c_str(),
                reason.observed,
                reason.threshold,
                reason.impact,
                reason.message.c_str()};
    host_->emit_reason(ctx_, Check(row), &r);
  }

  void AddAction(uint32_t row, const std::string& action) {
    if (!explain_) return;
    host_->emit_action(ctx_, Check(row), action.c_str());
  }

  // The row lacks data this dimension needs; name the signals in `message`.
  void SetInsufficientData(uint32_t row, const std::string& message) {
    host_->set_status(ctx_, Check(row), HS_STATUS_INSUFFICIENT_DATA,
                      message.c_str());
  }

  void SetFailed(uint32_t row, const std::string& message) {
    host_->set_status(ctx_, Check(row), HS_STATUS_FAILED, message.c_str());
  }

 private:
  uint32_t Check(uint32_t row) const {
    if (row >= num_rows_) {
      throw std::out_of_range("row " + std::to_string(row) +
                              " of a batch with " + std::to_string(num_rows_));
    }
    return row;
  }

  const hs_host_api* host_;
  void* ctx_;
  double* scores_;
  uint32_t num_rows_;
  bool explain_;
};

// The base class of every dimension. One object per scorecard dimension, made
// with that dimension's parameters; immutable afterwards.
class Dimension {
 public:
  virtual ~Dimension() = default;
  // Thread-safety: called concurrently on one object with different batches.
  virtual void Score(const Batch& batch, Output& out) const = 0;
};

namespace internal {

inline hs_signal_decl ToDecl(const Signal& s) {
  return {s.name.c_str(),
          s.unit.c_str(),
          s.direction == Direction::kHigherIsBetter ? 1 : 0,
          s.requirement == Requirement::kRequired ? 1 : 0,
          s.description.c_str(),
          s.min,
          s.max};
}

// Turns a Dimension subclass T into the C entry point's table. T must have
// `static Info Describe()` and a constructor taking `const Params&`.
template <typename T>
class Adapter {
 public:
  static const hs_plugin_v1* Entry() noexcept {
    try {
      return &GetTables().plugin;
    } catch (...) {
      return nullptr;  // the host reports "hs_plugin_entry returned NULL"
    }
  }

 private:
  struct Tables;
  // Built once, on first use, from T::Describe(); static storage, as abi.h
  // requires.
  static const Tables& GetTables() {
    static const Tables tables(T::Describe());
    return tables;
  }

  struct Tables {
    explicit Tables(Info described) : info(std::move(described)) {
      for (const Signal& s : info.signals) signals.push_back(ToDecl(s));
      for (const Param& p : info.params) {
        params.push_back(
            {p.name.c_str(), p.default_value, p.min, p.max,
             p.description.c_str(),
             p.kind == ParamKind::kText ? HS_PARAM_TEXT : HS_PARAM_NUMBER,
             p.default_text.c_str()});
      }
      plugin.struct_size = sizeof(hs_plugin_v1);
      plugin.name = info.name.c_str();
      plugin.version = info.version.c_str();
      plugin.description = info.description.c_str();
      plugin.signals = signals.data();
      plugin.num_signals = static_cast<uint32_t>(signals.size());
      plugin.params = params.data();
      plugin.num_params = static_cast<uint32_t>(params.size());
      plugin.create = &Create;
      plugin.destroy = &Destroy;
      plugin.score_batch = &ScoreBatch;
      plugin.instance_signals = &InstanceSignals;
    }
    Info info;
    std::vector<hs_signal_decl> signals;
    std::vector<hs_param_decl> params;
    hs_plugin_v1 plugin{};
  };

  struct Instance {
    std::unique_ptr<T> dimension;
    std::vector<Signal> signals;  // what this instance reads, in column order
    std::vector<hs_signal_decl> decls;
  };

  // A dimension whose inputs depend on its parameters defines
  //   std::vector<Signal> Signals() const;
  // (called once, after the constructor); others read the declared signals.
  static std::vector<Signal> SignalsOf(const T& dimension) {
    if constexpr (requires {
                    {
                      dimension.Signals()
                      } -> std::same_as<std::vector<Signal>>;
                  }) {
      return dimension.Signals();
    } else {
      return GetTables().info.signals;
    }
  }

  static hs_result Create(const hs_param_value* values, uint32_t count,
                          const hs_host_api* host, void* ctx,
                          hs_instance** out) noexcept {
    try {
      auto instance = std::make_unique<Instance>();
      instance->dimension = std::make_unique<T>(Params(values, count));
      instance->signals = SignalsOf(*instance->dimension);
      for (const Signal& s : instance->signals) {
        instance->decls.push_back(ToDecl(s));
      }
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

  static hs_result InstanceSignals(const hs_instance* handle,
                                   const hs_signal_decl** signals,
                                   uint32_t* count) noexcept {
    const auto* instance = reinterpret_cast<const Instance*>(handle);
    *signals = instance->decls.data();
    *count = static_cast<uint32_t>(instance->decls.size());
    return HS_OK;
  }

  static hs_result ScoreBatch(const hs_instance* handle, const hs_batch* batch,
                              const hs_host_api* host, void* ctx,
                              double* scores) noexcept {
    try {
      const auto* instance = reinterpret_cast<const Instance*>(handle);
      Batch in(*batch, instance->signals);
      Output out(host, ctx, scores, batch->num_rows);
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
// two SDK entry points. Use once per plugin, at namespace scope.
#define HEALTHSCORE_DIMENSION(Class)                               \
  extern "C" HS_EXPORT uint32_t hs_plugin_abi_version(void) {      \
    return HS_ABI_VERSION;                                         \
  }                                                                \
  extern "C" HS_EXPORT const hs_plugin_v1* hs_plugin_entry(void) { \
    return ::healthscore::sdk::internal::Adapter<Class>::Entry();  \
  }

#endif  // HEALTHSCORE_SDK_DIMENSION_H_
