// The healthscore.v1.Registry handlers: list, load and unload plugins, reload
// the scorecard, dry-run a draft one.
#include "server/service/registry_service.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "server/common/status_macros.h"
#include "server/config/scorecard.h"
#include "server/engine/snapshot.h"
#include "server/service/grpc_status.h"
#include "spdlog/spdlog.h"

namespace healthscore {
namespace {

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context,
                                 const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

void SetTimestamp(absl::Time time, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(time);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
}

v1::PluginInfo::State ToProto(PluginRecord::State state) {
  switch (state) {
    case PluginRecord::State::kLoading:
      return v1::PluginInfo::STATE_LOADING;
    case PluginRecord::State::kReady:
      return v1::PluginInfo::STATE_READY;
    case PluginRecord::State::kFailed:
      return v1::PluginInfo::STATE_FAILED;
    case PluginRecord::State::kUnloaded:
      return v1::PluginInfo::STATE_UNLOADED;
  }
  return v1::PluginInfo::STATE_UNSPECIFIED;
}

void ToProto(const ReloadCounters& c, v1::ReloadCounters& out) {
  out.set_successes(c.successes);
  out.set_unchanged(c.unchanged);
  out.set_failures(c.failures);
  out.set_last_error(c.last_error);
  out.set_last_error_trigger(c.last_error_trigger);
  if (c.last_error_time != absl::InfinitePast()) {
    SetTimestamp(c.last_error_time, out.mutable_last_error_time());
  }
  if (c.last_success_time != absl::InfinitePast()) {
    SetTimestamp(c.last_success_time, out.mutable_last_success_time());
  }
}

// plugin id -> the live scorecard's dimensions that use it.
absl::flat_hash_map<std::string, std::vector<std::string>> UsersOf(
    const Snapshot* live) {
  absl::flat_hash_map<std::string, std::vector<std::string>> users;
  if (live == nullptr) return users;
  for (const Variant& variant : live->variants()) {
    for (const BoundDimension& d : variant.dimensions) {
      std::vector<std::string>& names = users[d.plugin->id()];
      if (std::find(names.begin(), names.end(), d.name) == names.end()) {
        names.push_back(d.name);
      }
    }
  }
  return users;
}

v1::PluginInfo ToProto(
    const PluginRecord& record,
    const absl::flat_hash_map<std::string, std::vector<std::string>>& users) {
  v1::PluginInfo info;
  info.set_path(record.path.string());
  info.set_state(ToProto(record.state));
  info.set_state_reason(record.reason);
  SetTimestamp(record.load_time, info.mutable_load_time());
  if (record.state == PluginRecord::State::kUnloaded) {
    SetTimestamp(record.unload_time, info.mutable_unload_time());
  }
  if (record.plugin == nullptr) {
    info.set_name(record.path.stem().string());
    return info;
  }
  const Plugin& p = *record.plugin;
  info.set_name(p.name());
  info.set_version(p.version());
  info.set_abi_version(AbiVersionString(p.abi_version()));
  info.set_description(p.description());
  if (record.state == PluginRecord::State::kReady) {
    if (auto it = users.find(p.id()); it != users.end()) {
      for (const std::string& d : it->second) info.add_used_by(d);
    }
  }
  return info;
}

// A name or version that is one path component and cannot climb out of the
// plugin directory.
bool SafeComponent(absl::string_view part) {
  if (part.empty() || part == "." || part == "..") return false;
  return std::all_of(part.begin(), part.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

// Bands by name, best first: in the order the scorecards list them (highest
// min first), the active one's, then any the draft adds.
std::vector<std::string> BandOrder(const Snapshot& active,
                                   const Snapshot& draft) {
  std::vector<std::string> order;
  for (const Snapshot* s : {&active, &draft}) {
    for (const Variant& variant : s->variants()) {
      for (const BandSpec& band : variant.bands) {
        if (std::find(order.begin(), order.end(), band.name) == order.end()) {
          order.push_back(band.name);
        }
      }
    }
  }
  return order;
}

// Compares each row's band under the active scorecard and the draft.
void SummarizeMoves(const Snapshot& active_snapshot,
                    const Snapshot& draft_snapshot,
                    const v1::ScoreBatchResponse& active,
                    const v1::ScoreBatchResponse& draft,
                    v1::DryRunResponse& response) {
  std::map<std::pair<std::string, std::string>, int> moves;
  std::map<std::string, int> active_bands;
  std::map<std::string, int> draft_bands;
  double change = 0;
  int compared = 0;
  for (int i = 0; i < draft.results_size() && i < active.results_size(); ++i) {
    const v1::CustomerResult& a = active.results(i);
    const v1::CustomerResult& d = draft.results(i);
    if (a.has_score() && !d.has_score()) {
      response.set_no_longer_scored(response.no_longer_scored() + 1);
    } else if (!a.has_score() && d.has_score()) {
      response.set_newly_scored(response.newly_scored() + 1);
    }
    if (!a.has_score() || !d.has_score()) continue;
    ++compared;
    change += d.score().score() - a.score().score();
    v1::RowChange* row = response.add_changes();
    row->set_customer_id(d.customer_id());
    row->set_active_score(a.score().score());
    row->set_active_band(a.score().band());
    row->set_draft_score(d.score().score());
    row->set_draft_band(d.score().band());
    ++active_bands[a.score().band()];
    ++draft_bands[d.score().band()];
    if (a.score().band() == d.score().band()) {
      response.set_unchanged(response.unchanged() + 1);
    } else {
      ++moves[{a.score().band(), d.score().band()}];
    }
  }
  response.set_compared(compared);
  if (compared > 0) response.set_mean_score_change(change / compared);

  std::vector<std::pair<std::pair<std::string, std::string>, int>> sorted(
      moves.begin(), moves.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& x, const auto& y) {
                     return x.second > y.second;  // most first
                   });
  for (const auto& [bands, count] : sorted) {
    v1::BandMove* move = response.add_moves();
    move->set_from_band(bands.first);
    move->set_to_band(bands.second);
    move->set_count(count);
    response.add_sentences(
        absl::StrCat(count, count == 1 ? " customer" : " customers",
                     " would go from ", bands.first, " to ", bands.second));
  }
  for (const std::string& band : BandOrder(active_snapshot, draft_snapshot)) {
    if (auto it = active_bands.find(band); it != active_bands.end()) {
      v1::BandCount* count = response.add_active_bands();
      count->set_band(band);
      count->set_count(it->second);
    }
    if (auto it = draft_bands.find(band); it != draft_bands.end()) {
      v1::BandCount* count = response.add_draft_bands();
      count->set_band(band);
      count->set_count(it->second);
    }
  }
}

}  // namespace

absl::StatusOr<std::filesystem::path> RegistryService::PluginPath(
    const std::filesystem::path& plugin_dir, absl::string_view ref) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(ref, absl::MaxSplits('@', 1));
  if (parts.size() != 2 || !SafeComponent(parts[0]) ||
      !SafeComponent(parts[1])) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plugin '", ref,
        "' is neither a path to a .so nor name@version (letters, digits, '.', "
        "'_' and '-')"));
  }
  return plugin_dir / std::string(parts[0]) / std::string(parts[1]) /
         absl::StrCat("lib", parts[0], ".so");
}

absl::StatusOr<v1::PluginInfo> RegistryService::Describe(
    absl::string_view id) const {
  std::shared_ptr<const Snapshot> live = snapshots_->Current();
  const auto users = UsersOf(live.get());
  // The latest record of that plugin: a READY one wins over older ones.
  for (const PluginRecord& r : registry_->ListAll()) {
    if (r.plugin != nullptr && r.plugin->id() == id) return ToProto(r, users);
  }
  return absl::NotFoundError(absl::StrCat("plugin ", id, " is not listed"));
}

void RegistryService::DoListPlugins(v1::ListPluginsResponse& response) const {
  std::shared_ptr<const Snapshot> live = snapshots_->Current();
  const auto users = UsersOf(live.get());
  for (const PluginRecord& record : registry_->ListAll()) {
    *response.add_plugins() = ToProto(record, users);
  }
}

absl::Status RegistryService::DoLoadPlugin(const v1::LoadPluginRequest& request,
                                           v1::LoadPluginResponse& response) {
  const std::string& ref = request.plugin();
  if (ref.empty()) {
    return absl::InvalidArgumentError(
        "plugin is empty: give a path to a .so file or name@version");
  }
  std::filesystem::path path;
  if (absl::StrContains(ref, '/') || absl::EndsWith(ref, ".so")) {
    path = ref;
  } else {
    ASSIGN_OR_RETURN(path, PluginPath(reloader_->options().plugin_dir, ref));
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return absl::NotFoundError(
          absl::StrCat("plugin ", ref, ": no file at ", path.string(),
                       " (<plugin-dir>/<name>/<version>/lib<name>.so)"));
    }
  }
  // Loading runs the plugin's code: only files the policy allows. A refusal
  // is logged too: whoever runs the server should see who tried what.
  absl::StatusOr<std::filesystem::path> allowed =
      CheckPluginFile(policy_, path);
  if (!allowed.ok()) {
    spdlog::warn("LoadPlugin {} refused: {}", path.string(),
                 std::string(allowed.status().message()));
    return allowed.status();
  }
  path = *std::move(allowed);
  ASSIGN_OR_RETURN(std::shared_ptr<const Plugin> plugin,
                   registry_->LoadFile(path));
  ASSIGN_OR_RETURN(*response.mutable_plugin(), Describe(plugin->id()));
  return absl::OkStatus();
}

absl::Status RegistryService::DoUnloadPlugin(
    const v1::UnloadPluginRequest& request,
    v1::UnloadPluginResponse& response) {
  RETURN_IF_ERROR(reloader_->UnloadPlugin(request.plugin()));
  ASSIGN_OR_RETURN(*response.mutable_plugin(), Describe(request.plugin()));
  return absl::OkStatus();
}

void RegistryService::DoReload(const v1::ReloadRequest& request,
                               v1::ReloadResponse& response) {
  const ReloadOutcome outcome =
      reloader_->Reload(ReloadTrigger::kRpc, request.rescan_plugins());
  response.set_ok(outcome.status.ok());
  if (!outcome.status.ok()) {
    response.set_error(std::string(outcome.status.message()));
    response.set_error_code(static_cast<int32_t>(outcome.status.code()));
  }
  response.set_changed(outcome.changed);
  response.set_message(outcome.message);
  response.set_scorecard_name(outcome.live_name);
  response.set_scorecard_version(outcome.live_version);
  response.set_scorecard_hash(outcome.live_hash);
  ToProto(outcome.counters, *response.mutable_counters());
  for (const std::string& id : outcome.plugins_loaded) {
    response.add_plugins_loaded(id);
  }
  for (const std::string& failure : outcome.plugins_failed) {
    response.add_plugins_failed(failure);
  }
}

void RegistryService::DoGetReloadStatus(
    v1::GetReloadStatusResponse& response) const {
  if (std::shared_ptr<const Snapshot> live = snapshots_->Current();
      live != nullptr) {
    response.set_scorecard_name(live->spec().name);
    response.set_scorecard_version(live->spec().version);
    response.set_scorecard_hash(live->spec().hash);
  }
  response.set_config_path(reloader_->options().config_path.string());
  ToProto(reloader_->counters(), *response.mutable_counters());
}

absl::Status RegistryService::DoDryRun(const v1::DryRunRequest& request,
                                       v1::DryRunResponse& response) const {
  const std::string source =
      request.source().empty() ? "draft" : request.source();
  const std::string& yaml = request.scorecard_yaml();
  if (yaml.empty()) {
    return absl::InvalidArgumentError(
        "scorecard_yaml is empty: give the draft scorecard's YAML");
  }
  const size_t limit = reloader_->options().max_config_bytes;
  if (yaml.size() > limit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scorecard_yaml is ", yaml.size(), " bytes; the limit is ", limit));
  }
  std::shared_ptr<const Snapshot> active = snapshots_->Current();
  if (active == nullptr) {
    return absl::UnavailableError("no scorecard is live yet");
  }
  ASSIGN_OR_RETURN(ScorecardSpec spec,
                   ParseScorecard(yaml, source, SecretReading::kSkip));
  // Built exactly as a reload would build it, and never swapped in: the
  // draft's plugin instances die with this call.
  ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> draft,
                   Snapshot::Build(std::move(spec), *registry_));
  v1::ScoreBatchResponse draft_scores;
  RETURN_IF_ERROR(
      scoring_->ScoreBatchUnder(*draft, request.batch(), draft_scores));
  v1::ScoreBatchResponse active_scores;
  RETURN_IF_ERROR(
      scoring_->ScoreBatchUnder(*active, request.batch(), active_scores));
  SummarizeMoves(*active, *draft, active_scores, draft_scores, response);
  *response.mutable_draft() = draft->provenance();
  *response.mutable_active() = active->provenance();
  response.mutable_results()->Swap(draft_scores.mutable_results());
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* RegistryService::ListPlugins(
    grpc::CallbackServerContext* context, const v1::ListPluginsRequest*,
    v1::ListPluginsResponse* response) {
  DoListPlugins(*response);
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* RegistryService::LoadPlugin(
    grpc::CallbackServerContext* context, const v1::LoadPluginRequest* request,
    v1::LoadPluginResponse* response) {
  return Finish(context, DoLoadPlugin(*request, *response));
}

grpc::ServerUnaryReactor* RegistryService::UnloadPlugin(
    grpc::CallbackServerContext* context,
    const v1::UnloadPluginRequest* request,
    v1::UnloadPluginResponse* response) {
  return Finish(context, DoUnloadPlugin(*request, *response));
}

grpc::ServerUnaryReactor* RegistryService::Reload(
    grpc::CallbackServerContext* context, const v1::ReloadRequest* request,
    v1::ReloadResponse* response) {
  DoReload(*request, *response);
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* RegistryService::GetReloadStatus(
    grpc::CallbackServerContext* context, const v1::GetReloadStatusRequest*,
    v1::GetReloadStatusResponse* response) {
  DoGetReloadStatus(*response);
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* RegistryService::DryRun(
    grpc::CallbackServerContext* context, const v1::DryRunRequest* request,
    v1::DryRunResponse* response) {
  return Finish(context, DoDryRun(*request, *response));
}

}  // namespace healthscore
