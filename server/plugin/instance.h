// A plugin instance: one Plugin bound to parameter values, and the one place
// where the host speaks the plugin ABI's callbacks (hs_host_api) and reads
// what score_batch wrote (hs_output).
#ifndef HEALTHSCORE_SERVER_PLUGIN_INSTANCE_H_
#define HEALTHSCORE_SERVER_PLUGIN_INSTANCE_H_

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "healthscore/sdk/abi.h"
#include "server/plugin/plugin.h"

namespace healthscore {

class PluginProcess;

// How an instance scores (the scorecard's `isolation` and `time_budget_ms`).
struct InstanceOptions {
  // score_batch in a healthscore-plugin-host child (PluginProcess) instead
  // of in this process. Declarations, create and describe_instance still run
  // here: the server needs them to bind the scorecard.
  bool isolated = false;
  // How long one score_batch may take, in ms; 0: no budget (in process) or
  // kDefaultProcessTimeBudgetMs (isolated). Isolated, a child over budget is
  // killed; in process, a call that returns over budget fails its batch.
  int64_t time_budget_ms = 0;
};

// One parameter value as bound to an instance.
struct ParamValue {
  std::string name;
  double value = 0;                 // a number parameter's value; else 0
  std::optional<std::string> text;  // set for a text parameter
};

// Receives the statuses and the batch error a plugin reports while it scores
// one batch, on the scoring thread only, statically (no virtual call). Every
// `row` is within the batch; messages may be NULL. A sink may also define
// `void Misuse(std::string what)` to hear about calls the ABI does not allow
// (a row past the batch), which are otherwise dropped.
template <typename S>
concept ScoreSink = requires(S& sink, uint32_t row, const char* text,
                             hs_status status) {
  sink.Status(row, status, text);
  sink.Error(text);
};

// An allocator whose resize() leaves new elements uninitialized: record
// arrays are sized for the plugin to write into, and zeroing megabytes the
// plugin then overwrites cost more than the writing.
template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>&) {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-init: no zeroing
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// The reason and action records of one batch, as the plugin wrote them
// (rows, rules and actions checked to be in range). Reused across batches.
struct Records {
  std::vector<hs_reason_record, UninitializedAllocator<hs_reason_record>>
      reasons;
  std::vector<hs_action_record, UninitializedAllocator<hs_action_record>>
      actions;
};

// Owns one instance of a plugin: created from the plugin and its bound
// parameters, destroyed with the last reference. Immutable after Create and
// safe to share between threads: the ABI lets several threads score on one
// instance at once, each with its own batch and sink.
class PluginInstance {
 public:
  // Binds `plugin` to `params`, then reads what the instance reads and says
  // (describe_instance, or else the plugin's declarations).
  // REQUIRES: `params` holds every declared parameter, in declaration order,
  // range-checked, with `text` set exactly for the text parameters.
  // `dimension` names the instance in errors and logs. Errors read "plugin
  // <id> refused its parameters: <why>" and the like; an isolated instance
  // also fails when the plugin host program is missing.
  static absl::StatusOr<std::shared_ptr<const PluginInstance>> Create(
      std::shared_ptr<const Plugin> plugin, std::vector<ParamValue> params,
      absl::string_view dimension, const InstanceOptions& options = {});

  ~PluginInstance();
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  const Plugin& plugin() const { return *plugin_; }
  const std::vector<ParamValue>& params() const { return params_; }
  // The signals the instance reads, in the column order Score takes.
  const std::vector<SignalInfo>& signals() const { return signals_; }
  const std::vector<RuleInfo>& rules() const { return rules_; }
  const std::vector<ActionInfo>& actions() const { return actions_; }
  // The children scoring for an isolated instance (their stats); nullptr in
  // process.
  const PluginProcess* process() const { return process_.get(); }
  int64_t time_budget_ms() const { return time_budget_ms_; }

  // Scores one batch: columns[i] holds scores.size() values of signals()[i]
  // (NaN: missing). A row missing a required signal is reported to `sink`
  // as INSUFFICIENT_DATA naming the signal, and the plugin never sees it.
  // Writes scores[row] for the other rows (NaN-fill beforehand: the caller
  // judges the scores), and, when `explain`, fills `records` with the
  // reasons and actions (rows are the batch's). Returns what score_batch
  // returned, or HS_ERROR (with the error reported to `sink`) when a record
  // names a row, rule or action that does not exist or carries a non-finite
  // impact.
  template <ScoreSink Sink>
  hs_result Score(std::span<const double* const> columns,
                  std::span<double> scores, bool explain, Records& records,
                  Sink& sink) const;

  // The sentence of a reason record: the rule's template for the impact's
  // sign, filled in. REQUIRES: r.rule < rules().size().
  void AppendReason(const hs_reason_record& r, std::string& out) const {
    rules_[r.rule].For(r.impact).Append(r.observed, r.threshold, r.args, out);
  }
  std::string ReasonText(const hs_reason_record& r) const {
    std::string out;
    AppendReason(r, out);
    return out;
  }
  std::string ActionText(const hs_action_record& a) const {
    std::string out;
    actions_[a.action].text.Append(0, 0, a.args, out);
    return out;
  }

 private:
  // What every adapter context starts with, for the non-template part.
  struct ContextBase {
    uint32_t num_rows;        // as the plugin sees the batch
    const uint32_t* row_map;  // the batch's row of each plugin row; or NULL
    Records* records;
    void (*error)(ContextBase*, const char*);
  };
  template <typename Sink>
  struct HostAdapter;

  PluginInstance() = default;

  hs_result ScoreRaw(std::span<const double* const> columns,
                     std::span<double> scores, bool explain,
                     const hs_host_api& host, ContextBase& ctx) const;

  std::shared_ptr<const Plugin> plugin_;
  std::vector<ParamValue> params_;
  // What create() received; points into params_ and the plugin, and stays
  // valid until destroy (as the ABI requires).
  std::vector<hs_param_value> raw_params_;
  hs_instance* instance_ = nullptr;
  std::vector<SignalInfo> signals_;
  std::vector<int> required_;  // indices into signals_
  std::vector<RuleInfo> rules_;
  std::vector<ActionInfo> actions_;
  // Set for an isolated instance; its Score is thread-safe.
  std::unique_ptr<PluginProcess> process_;
  int64_t time_budget_ms_ = 0;  // 0: none
};

// The host-callback adapter: an hs_host_api per sink type whose callbacks
// map rows back to the batch's, screen what the ABI does not allow, and
// forward the rest to the sink.
template <typename Sink>
struct PluginInstance::HostAdapter {
  struct Context : ContextBase {
    Sink* sink;
  };
  static Context& Ctx(void* ctx) { return *static_cast<Context*>(ctx); }

  static int32_t Grow(void* ctx, hs_output* out, int32_t which) {
    Records& r = *Ctx(ctx).records;
    if (which == 0) {
      r.reasons.resize(std::max<size_t>(64, 2 * r.reasons.size()));
      out->reasons = r.reasons.data();
      out->reasons_capacity = static_cast<uint32_t>(r.reasons.size());
      return 1;
    }
    if (which == 1) {
      r.actions.resize(std::max<size_t>(16, 2 * r.actions.size()));
      out->actions = r.actions.data();
      out->actions_capacity = static_cast<uint32_t>(r.actions.size());
      return 1;
    }
    return 0;
  }
  static void SetStatus(void* ctx, uint32_t row, hs_status status,
                        const char* message) {
    Context& c = Ctx(ctx);
    if (row >= c.num_rows) {
      if constexpr (requires { c.sink->Misuse(std::string()); }) {
        c.sink->Misuse(absl::StrCat("set_status for row ", row,
                                    " of a batch of ", c.num_rows, " rows"));
      }
      return;
    }
    c.sink->Status(c.row_map != nullptr ? c.row_map[row] : row, status,
                   message);
  }
  static void SetError(void* ctx, const char* message) {
    Ctx(ctx).sink->Error(message);
  }
  static void Error(ContextBase* ctx, const char* message) {
    static_cast<Context*>(ctx)->sink->Error(message);
  }

  static constexpr hs_host_api kApi = {sizeof(hs_host_api), &Grow, &SetStatus,
                                       &SetError};
};

template <ScoreSink Sink>
hs_result PluginInstance::Score(std::span<const double* const> columns,
                                std::span<double> scores, bool explain,
                                Records& records, Sink& sink) const {
  typename HostAdapter<Sink>::Context ctx;
  ctx.num_rows = static_cast<uint32_t>(scores.size());
  ctx.row_map = nullptr;
  ctx.records = &records;
  ctx.error = &HostAdapter<Sink>::Error;
  ctx.sink = &sink;
  return ScoreRaw(columns, scores, explain, HostAdapter<Sink>::kApi, ctx);
}

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_PLUGIN_INSTANCE_H_
