// Wiring the server together.
#include "server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/config/scorecard.h"
#include "spdlog/spdlog.h"

namespace healthscore {
namespace {

constexpr char kServiceName[] = "healthscore.v1.HealthScoring";

void SetHealth(grpc::Server& server, bool serving) {
  grpc::HealthCheckServiceInterface* health = server.GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus("", serving);
  health->SetServingStatus(kServiceName, serving);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::BuildAndStart(
    const Options& options) {
  std::unique_ptr<Server> server(new Server);
  server->options_ = options;

  ASSIGN_OR_RETURN(int ready,
                   server->registry_.LoadDirectory(options.plugin_dir));
  spdlog::info("{} plugin(s) ready from {}", ready, options.plugin_dir);
  ASSIGN_OR_RETURN(ScorecardSpec spec, LoadScorecardFile(options.config_path));
  ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot,
                   Snapshot::Build(std::move(spec), server->registry_));
  spdlog::info("scorecard {} version {} (sha256 {}) live: {} dimension(s)",
               snapshot->spec().name, snapshot->spec().version,
               snapshot->spec().hash.substr(0, 12),
               snapshot->dimensions().size());
  server->snapshots_.Swap(std::move(snapshot));

  server->service_ = std::make_unique<ScoringService>(
      &server->snapshots_, &server->registry_,
      ScoringService::Options{options.max_batch});

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(),
                           &server->port_);
  // gRPC sets SO_REUSEPORT by default: a second server on a busy port would
  // start and silently share its traffic. An occupied port is an error.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.RegisterService(server->service_.get());
  server->grpc_server_ = builder.BuildAndStart();
  if (server->grpc_server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     " (--listen): address in use or not valid"));
  }
  server->host_ = options.listen.substr(0, options.listen.rfind(':'));
  // The snapshot is live before the first call can arrive: SERVING is true.
  SetHealth(*server->grpc_server_, true);
  return server;
}

std::string Server::address() const { return absl::StrCat(host_, ":", port_); }

void Server::Shutdown(absl::Duration grace) {
  if (shut_down_ || grpc_server_ == nullptr) return;
  shut_down_ = true;
  SetHealth(*grpc_server_, false);
  grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

}  // namespace healthscore
