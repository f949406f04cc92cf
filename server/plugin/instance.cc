// Creating, destroying and scoring with a plugin instance through the ABI.
#include "server/plugin/instance.h"

#include "absl/status/status.h"

namespace healthscore {
namespace {

// What create() may report: an error, and nothing about rows.
struct CreateSink {
  std::string error;

  bool WantsExplanation() const { return false; }
  void Reason(uint32_t, const hs_reason&) {}
  void Action(uint32_t, const char*) {}
  void Status(uint32_t, hs_status, const char*) {}
  void Error(const char* message) { error = message != nullptr ? message : ""; }
};

}  // namespace

absl::StatusOr<std::shared_ptr<const PluginInstance>> PluginInstance::Create(
    std::shared_ptr<const Plugin> plugin, std::vector<ParamValue> params,
    absl::string_view dimension) {
  // Owned from here, so an error below still destroys what create made.
  std::shared_ptr<PluginInstance> self(new PluginInstance);
  self->plugin_ = std::move(plugin);
  self->params_ = std::move(params);
  // params_ never changes again, so pointers into it stay valid.
  self->raw_params_.reserve(self->params_.size());
  for (const ParamValue& p : self->params_) {
    self->raw_params_.push_back(
        {p.name.c_str(), p.value,
         p.text.has_value() ? p.text->c_str() : nullptr});
  }
  const Plugin& p = *self->plugin_;
  const hs_plugin_v1& api = p.api();

  CreateSink sink;
  typename HostAdapter<CreateSink>::Context ctx{&sink, 0};
  hs_instance* instance = nullptr;
  if (api.create(self->raw_params_.data(),
                 static_cast<uint32_t>(self->raw_params_.size()),
                 &HostAdapter<CreateSink>::kApi, &ctx, &instance) != HS_OK ||
      instance == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("plugin ", p.id(), " refused its parameters: ",
                     sink.error.empty() ? "no reason given" : sink.error));
  }
  self->instance_ = instance;

  // What this instance reads: its own list when its inputs depend on its
  // parameters, else the declared signals.
  if (api.instance_signals != nullptr) {
    const hs_signal_decl* decls = nullptr;
    uint32_t count = 0;
    if (api.instance_signals(instance, &decls, &count) != HS_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("plugin ", p.id(), " could not list its signals"));
    }
    absl::StatusOr<std::vector<SignalInfo>> signals = ReadSignals(
        decls, count, absl::StrCat(p.id(), " instance for ", dimension));
    if (!signals.ok()) {
      return absl::InvalidArgumentError(signals.status().message());
    }
    self->signals_ = *std::move(signals);
  } else {
    self->signals_ = p.signals();
  }
  return self;
}

PluginInstance::~PluginInstance() {
  if (instance_ != nullptr) plugin_->api().destroy(instance_);
}

hs_result PluginInstance::ScoreRaw(std::span<const double* const> columns,
                                   std::span<double> scores,
                                   const hs_host_api& host, void* ctx) const {
  const hs_batch batch{static_cast<uint32_t>(scores.size()),
                       static_cast<uint32_t>(columns.size()), columns.data()};
  return plugin_->api().score_batch(instance_, &batch, &host, ctx,
                                    scores.data());
}

}  // namespace healthscore
