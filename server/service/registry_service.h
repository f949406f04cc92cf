// The healthscore.v1.Registry service (gRPC callback API): plugins, reloads
// and dry runs. Registered only on the admin server (--admin-listen).
#ifndef HEALTHSCORE_SERVER_SERVICE_REGISTRY_SERVICE_H_
#define HEALTHSCORE_SERVER_SERVICE_REGISTRY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <filesystem>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "healthscore/v1/registry.grpc.pb.h"
#include "server/engine/snapshot_holder.h"
#include "server/registry/registry.h"
#include "server/reload/reloader.h"
#include "server/service/plugin_policy.h"
#include "server/service/scoring_service.h"

namespace healthscore {

// Thread-safe. Changes (load, unload, reload) are serialized by the Registry
// and the Reloader; a dry run changes nothing and runs alongside them.
class RegistryService final : public v1::Registry::CallbackService {
 public:
  // Everything must outlive the service. `scoring` scores DryRun batches, so
  // that a draft is held to exactly the checks and limits of ScoreBatch.
  // LoadPlugin loads only what `policy` allows (its plugin_dir is the
  // reloader's).
  RegistryService(Registry* registry, const SnapshotHolder* snapshots,
                  Reloader* reloader, const ScoringService* scoring,
                  std::string plugin_allowlist = "")
      : registry_(registry),
        snapshots_(snapshots),
        reloader_(reloader),
        scoring_(scoring),
        policy_{reloader->options().plugin_dir, std::move(plugin_allowlist)} {}

  grpc::ServerUnaryReactor* ListPlugins(
      grpc::CallbackServerContext* context,
      const v1::ListPluginsRequest* request,
      v1::ListPluginsResponse* response) override;
  grpc::ServerUnaryReactor* LoadPlugin(
      grpc::CallbackServerContext* context,
      const v1::LoadPluginRequest* request,
      v1::LoadPluginResponse* response) override;
  grpc::ServerUnaryReactor* UnloadPlugin(
      grpc::CallbackServerContext* context,
      const v1::UnloadPluginRequest* request,
      v1::UnloadPluginResponse* response) override;
  grpc::ServerUnaryReactor* Reload(grpc::CallbackServerContext* context,
                                   const v1::ReloadRequest* request,
                                   v1::ReloadResponse* response) override;
  grpc::ServerUnaryReactor* GetReloadStatus(
      grpc::CallbackServerContext* context,
      const v1::GetReloadStatusRequest* request,
      v1::GetReloadStatusResponse* response) override;
  grpc::ServerUnaryReactor* DryRun(grpc::CallbackServerContext* context,
                                   const v1::DryRunRequest* request,
                                   v1::DryRunResponse* response) override;

  // The handlers, without gRPC.
  void DoListPlugins(v1::ListPluginsResponse& response) const;
  absl::Status DoLoadPlugin(const v1::LoadPluginRequest& request,
                            v1::LoadPluginResponse& response);
  absl::Status DoUnloadPlugin(const v1::UnloadPluginRequest& request,
                              v1::UnloadPluginResponse& response);
  void DoReload(const v1::ReloadRequest& request, v1::ReloadResponse& response);
  void DoGetReloadStatus(v1::GetReloadStatusResponse& response) const;
  absl::Status DoDryRun(const v1::DryRunRequest& request,
                        v1::DryRunResponse& response) const;

  // Where LoadPlugin looks for "name@version":
  // <plugin_dir>/<name>/<version>/lib<name>.so. Errors (INVALID_ARGUMENT) for
  // a name or version that is empty or could step out of the directory.
  static absl::StatusOr<std::filesystem::path> PluginPath(
      const std::filesystem::path& plugin_dir, absl::string_view ref);

 private:
  // The registry's record of `id` (name@version) or of `path`, as PluginInfo.
  absl::StatusOr<v1::PluginInfo> Describe(absl::string_view id) const;

  Registry* const registry_;
  const SnapshotHolder* const snapshots_;
  Reloader* const reloader_;
  const ScoringService* const scoring_;
  const PluginPolicy policy_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_REGISTRY_SERVICE_H_
