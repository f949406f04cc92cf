// A plugin instance: one Plugin bound to parameter values, and the one place
// where the host speaks the plugin ABI's callbacks (hs_host_api).
#ifndef HEALTHSCORE_SERVER_PLUGIN_INSTANCE_H_
#define HEALTHSCORE_SERVER_PLUGIN_INSTANCE_H_

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

// One parameter value as bound to an instance.
struct ParamValue {
  std::string name;
  double value = 0;                 // a number parameter's value; else 0
  std::optional<std::string> text;  // set for a text parameter
};

// Receives what a plugin reports while it scores one batch. The adapter in
// PluginInstance::Score calls it on the scoring thread only, statically (no
// virtual call): the engine's hot path pays nothing for the indirection.
// Every `row` is within the batch and `reason` / `action` are never NULL (the
// adapter screens out such calls); messages may be NULL. A sink may also
// define `void Misuse(std::string what)` to hear about the calls screened out
// (a row past the batch, a NULL reason or action); otherwise they are
// dropped without cost.
template <typename S>
concept ScoreSink = requires(S& sink, uint32_t row, const hs_reason& reason,
                             const char* text, hs_status status) {
  { sink.WantsExplanation() } -> std::convertible_to<bool>;
  sink.Reason(row, reason);
  sink.Action(row, text);
  sink.Status(row, status, text);
  sink.Error(text);
};

// Owns one instance of a plugin: created from the plugin and its bound
// parameters, destroyed with the last reference. Immutable after Create and
// safe to share between threads: the ABI lets several threads score on one
// instance at once, each with its own batch and sink.
class PluginInstance {
 public:
  // Binds `plugin` to `params`, then reads the signals the instance reads
  // (instance_signals, or else the plugin's declared signals).
  // REQUIRES: `params` holds every declared parameter, in declaration order,
  // range-checked, with `text` set exactly for the text parameters.
  // `dimension` names the instance in errors. Errors read "plugin <id>
  // refused its parameters: <why>" and the like.
  static absl::StatusOr<std::shared_ptr<const PluginInstance>> Create(
      std::shared_ptr<const Plugin> plugin, std::vector<ParamValue> params,
      absl::string_view dimension);

  ~PluginInstance();
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  const Plugin& plugin() const { return *plugin_; }
  const std::vector<ParamValue>& params() const { return params_; }
  // The signals the instance reads, in the column order Score takes.
  const std::vector<SignalInfo>& signals() const { return signals_; }

  // Scores one batch: columns[i] holds scores.size() values of signals()[i]
  // (NaN: missing). Writes scores[row] for every row and reports reasons,
  // actions, statuses and a batch error to `sink`. Returns what score_batch
  // returned; the caller judges the scores (NaN-fill them beforehand).
  template <ScoreSink Sink>
  hs_result Score(std::span<const double* const> columns,
                  std::span<double> scores, Sink& sink) const;

 private:
  template <typename Sink>
  struct HostAdapter;

  PluginInstance() = default;

  hs_result ScoreRaw(std::span<const double* const> columns,
                     std::span<double> scores, const hs_host_api& host,
                     void* ctx) const;

  std::shared_ptr<const Plugin> plugin_;
  std::vector<ParamValue> params_;
  // What create() received; points into params_ and the plugin, and stays
  // valid until destroy (as the ABI requires).
  std::vector<hs_param_value> raw_params_;
  hs_instance* instance_ = nullptr;
  std::vector<SignalInfo> signals_;
};

// The host-callback adapter: an hs_host_api per sink type whose callbacks
// screen what the ABI does not allow and forward the rest to the sink.
template <typename Sink>
struct PluginInstance::HostAdapter {
  struct Context {
    Sink* sink;
    uint32_t num_rows;
  };
  static Context& Ctx(void* ctx) { return *static_cast<Context*>(ctx); }

  static void Misuse(Context& c, const char* callback, uint32_t row,
                     const char* null_argument) {
    if constexpr (requires { c.sink->Misuse(std::string()); }) {
      if (null_argument == nullptr) {
        c.sink->Misuse(absl::StrCat(callback, " for row ", row,
                                    " of a batch of ", c.num_rows, " rows"));
      } else {
        c.sink->Misuse(absl::StrCat(callback, " with a NULL ", null_argument,
                                    " for row ", row));
      }
    }
  }

  static int32_t WantsExplanation(void* ctx) {
    return Ctx(ctx).sink->WantsExplanation() ? 1 : 0;
  }
  static void EmitReason(void* ctx, uint32_t row, const hs_reason* reason) {
    Context& c = Ctx(ctx);
    if (row >= c.num_rows) return Misuse(c, "emit_reason", row, nullptr);
    if (reason == nullptr) return Misuse(c, "emit_reason", row, "reason");
    c.sink->Reason(row, *reason);
  }
  static void EmitAction(void* ctx, uint32_t row, const char* action) {
    Context& c = Ctx(ctx);
    if (row >= c.num_rows) return Misuse(c, "emit_action", row, nullptr);
    if (action == nullptr) return Misuse(c, "emit_action", row, "action");
    c.sink->Action(row, action);
  }
  static void SetStatus(void* ctx, uint32_t row, hs_status status,
                        const char* message) {
    Context& c = Ctx(ctx);
    if (row >= c.num_rows) return Misuse(c, "set_status", row, nullptr);
    c.sink->Status(row, status, message);
  }
  static void SetError(void* ctx, const char* message) {
    Ctx(ctx).sink->Error(message);
  }

  static constexpr hs_host_api kApi = {sizeof(hs_host_api), &WantsExplanation,
                                       &EmitReason,         &EmitAction,
                                       &SetStatus,          &SetError};
};

template <ScoreSink Sink>
hs_result PluginInstance::Score(std::span<const double* const> columns,
                                std::span<double> scores, Sink& sink) const {
  typename HostAdapter<Sink>::Context ctx{&sink,
                                          static_cast<uint32_t>(scores.size())};
  return ScoreRaw(columns, scores, HostAdapter<Sink>::kApi, &ctx);
}

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_PLUGIN_INSTANCE_H_
