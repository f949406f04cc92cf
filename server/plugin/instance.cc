// Creating, destroying and scoring with a plugin instance through the ABI.
#include "server/plugin/instance.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/plugin/plugin_process.h"

namespace healthscore {
namespace {

// What create() may report: an error, and nothing about rows.
struct CreateSink {
  std::string error;

  void Status(uint32_t, hs_status, const char*) {}
  void Error(const char* message) { error = message != nullptr ? message : ""; }
};

}  // namespace

absl::StatusOr<std::shared_ptr<const PluginInstance>> PluginInstance::Create(
    std::shared_ptr<const Plugin> plugin, std::vector<ParamValue> params,
    absl::string_view dimension, const InstanceOptions& options) {
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
  const hs_plugin_v2& api = p.api();

  CreateSink sink;
  Records unused;
  typename HostAdapter<CreateSink>::Context ctx;
  ctx.num_rows = 0;
  ctx.row_map = nullptr;
  ctx.records = &unused;
  ctx.error = &HostAdapter<CreateSink>::Error;
  ctx.sink = &sink;
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

  // What this instance reads and says: its own when they depend on its
  // parameters, else the plugin's declarations.
  if (api.describe_instance != nullptr) {
    hs_instance_decl decl{};
    if (api.describe_instance(instance, &decl) != HS_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("plugin ", p.id(), " could not describe its instance"));
    }
    const std::string what = absl::StrCat(p.id(), " instance for ", dimension);
    absl::StatusOr<std::vector<SignalInfo>> signals =
        ReadSignals(decl.signals, decl.num_signals, what);
    if (!signals.ok()) {
      return absl::InvalidArgumentError(signals.status().message());
    }
    self->signals_ = *std::move(signals);
    absl::StatusOr<std::vector<RuleInfo>> rules =
        ReadRules(decl.rules, decl.num_rules, self->signals_, what);
    if (!rules.ok())
      return absl::InvalidArgumentError(rules.status().message());
    self->rules_ = *std::move(rules);
    absl::StatusOr<std::vector<ActionInfo>> actions =
        ReadActions(decl.actions, decl.num_actions, what);
    if (!actions.ok()) {
      return absl::InvalidArgumentError(actions.status().message());
    }
    self->actions_ = *std::move(actions);
  } else {
    self->signals_ = p.signals();
    self->rules_ = p.rules();
    self->actions_ = p.actions();
  }
  for (size_t i = 0; i < self->signals_.size(); ++i) {
    if (self->signals_[i].required)
      self->required_.push_back(static_cast<int>(i));
  }
  self->time_budget_ms_ = options.time_budget_ms;
  if (options.isolated) {
    PluginProcess::Options process;
    process.plugin_path = p.path();
    process.plugin_id = p.id();
    process.dimension = std::string(dimension);
    process.params = self->params_;
    process.num_columns = static_cast<uint32_t>(self->signals_.size());
    if (options.time_budget_ms > 0) {
      process.time_budget_ms = options.time_budget_ms;
    }
    self->time_budget_ms_ = process.time_budget_ms;
    absl::StatusOr<std::unique_ptr<PluginProcess>> pool =
        PluginProcess::Create(std::move(process));
    if (!pool.ok()) return pool.status();
    self->process_ = *std::move(pool);
  }
  return self;
}

PluginInstance::~PluginInstance() {
  if (instance_ != nullptr) plugin_->api().destroy(instance_);
}

hs_result PluginInstance::ScoreRaw(std::span<const double* const> columns,
                                   std::span<double> scores, bool explain,
                                   const hs_host_api& host,
                                   ContextBase& ctx) const {
  const uint32_t n = static_cast<uint32_t>(scores.size());
  // `records` is reused: whatever path returns, it holds this batch's only.
  ctx.records->reasons.clear();
  ctx.records->actions.clear();
  // Rows missing a required signal: INSUFFICIENT_DATA here, naming it, and
  // never passed on. The common case (none) costs one scan and no copy.
  std::vector<uint32_t> kept;
  bool all = true;
  for (uint32_t row = 0; row < n; ++row) {
    int missing = -1;
    for (int c : required_) {
      if (std::isnan(columns[c][row])) {
        missing = c;
        break;
      }
    }
    if (missing < 0) {
      if (!all) kept.push_back(row);
      continue;
    }
    if (all) {
      all = false;
      for (uint32_t r = 0; r < row; ++r) kept.push_back(r);
    }
    const std::string message =
        absl::StrCat("missing required signal ", signals_[missing].name);
    host.set_status(&ctx, row, HS_STATUS_INSUFFICIENT_DATA, message.c_str());
  }

  std::vector<std::vector<double>> gathered;
  std::vector<const double*> compact_columns;
  std::vector<double> compact_scores;
  std::span<const double* const> in = columns;
  std::span<double> out_scores = scores;
  if (!all) {
    if (kept.empty()) return HS_OK;  // nobody left to score
    gathered.resize(columns.size());
    for (size_t c = 0; c < columns.size(); ++c) {
      gathered[c].reserve(kept.size());
      for (uint32_t row : kept) gathered[c].push_back(columns[c][row]);
      compact_columns.push_back(gathered[c].data());
    }
    compact_scores.assign(kept.size(), std::nan(""));
    in = compact_columns;
    out_scores = compact_scores;
    ctx.row_map = kept.data();
  }
  const uint32_t m = static_cast<uint32_t>(out_scores.size());
  ctx.num_rows = m;

  Records& records = *ctx.records;
  // Room for a few reasons a row up front; grow() doubles it when needed.
  const size_t per_row = std::min<size_t>(rules_.size(), 4);
  records.reasons.resize(explain ? std::max<size_t>(64, m * per_row) : 0);
  records.actions.resize(explain && !actions_.empty() ? 16 : 0);
  hs_output output{out_scores.data(),
                   explain ? 1 : 0,
                   records.reasons.data(),
                   0,
                   static_cast<uint32_t>(records.reasons.size()),
                   records.actions.data(),
                   0,
                   static_cast<uint32_t>(records.actions.size())};
  const hs_batch batch{m, static_cast<uint32_t>(in.size()), in.data()};
  hs_result result;
  if (process_ != nullptr) {
    result = process_->Score(batch, output, records, host, &ctx);
  } else if (time_budget_ms_ <= 0) {
    result =
        plugin_->api().score_batch(instance_, &batch, &output, &host, &ctx);
  } else {
    const absl::Time start = absl::Now();
    result =
        plugin_->api().score_batch(instance_, &batch, &output, &host, &ctx);
    const int64_t took = absl::ToInt64Milliseconds(absl::Now() - start);
    if (took > time_budget_ms_) {
      // A plugin in this process cannot be stopped, only judged afterwards.
      const std::string why = absl::StrCat(
          "plugin took ", took, " ms, ", took - time_budget_ms_,
          " ms over its time budget of ", time_budget_ms_,
          " ms; isolation: process stops a plugin that can hang at its "
          "budget");
      host.set_error(&ctx, why.c_str());
      result = HS_ERROR;
    }
  }
  records.reasons.resize(
      std::min<size_t>(output.num_reasons, records.reasons.size()));
  records.actions.resize(
      std::min<size_t>(output.num_actions, records.actions.size()));
  if (!explain) {
    records.reasons.clear();
    records.actions.clear();
  }

  // Records are the plugin's word about rows, rules and actions: check them
  // before anyone indexes with them. A non-finite impact fails its row only.
  std::string bad;
  size_t kept_reasons = 0;
  for (size_t i = 0; i < records.reasons.size() && bad.empty(); ++i) {
    hs_reason_record r = records.reasons[i];
    if (r.row >= m) {
      bad = absl::StrCat("reason record ", i, " is for row ", r.row,
                         " of a batch of ", m, " rows");
    } else if (r.rule >= rules_.size()) {
      bad = absl::StrCat("reason record ", i, " names rule ", r.rule, "; ",
                         rules_.size(), " are declared");
    } else if (!std::isfinite(r.impact)) {
      const std::string why =
          absl::StrCat("the reason for rule ", rules_[r.rule].id,
                       " has a non-finite impact");
      host.set_status(&ctx, r.row, HS_STATUS_FAILED, why.c_str());
    } else {
      if (ctx.row_map != nullptr) r.row = ctx.row_map[r.row];
      records.reasons[kept_reasons++] = r;
    }
  }
  records.reasons.resize(bad.empty() ? kept_reasons : 0);
  for (size_t i = 0; i < records.actions.size() && bad.empty(); ++i) {
    hs_action_record& a = records.actions[i];
    if (a.row >= m) {
      bad = absl::StrCat("action record ", i, " is for row ", a.row,
                         " of a batch of ", m, " rows");
    } else if (a.action >= actions_.size()) {
      bad = absl::StrCat("action record ", i, " names action ", a.action, "; ",
                         actions_.size(), " are declared");
    } else if (ctx.row_map != nullptr) {
      a.row = ctx.row_map[a.row];
    }
  }
  if (result == HS_OK && !bad.empty()) {
    ctx.error(&ctx, bad.c_str());
    result = HS_ERROR;
  }
  if (result != HS_OK) {
    records.reasons.clear();
    records.actions.clear();
  }
  if (!all) {
    for (uint32_t k = 0; k < m; ++k) scores[kept[k]] = compact_scores[k];
  }
  return result;
}

}  // namespace healthscore
