// The healthscore server as a library: registry, snapshot and gRPC services
// wired together. main.cc turns flags into Options; tests start it on port 0.
#ifndef HEALTHSCORE_SERVER_SERVER_H_
#define HEALTHSCORE_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/engine/snapshot_holder.h"
#include "server/registry/registry.h"
#include "server/service/scoring_service.h"

namespace healthscore {

class Server {
 public:
  struct Options {
    // host:port; port 0 picks a free one (see port()).
    std::string listen = "127.0.0.1:50051";
    // The scorecard YAML file.
    std::string config_path;
    // Searched recursively for plugins (*.so).
    std::string plugin_dir;
    // The most rows one ScoreBatch may carry.
    int max_batch = 10000;
    // The largest request the server accepts, in bytes.
    int max_message_bytes = 64 << 20;
  };

  // Loads the plugins and the scorecard, builds the first snapshot and starts
  // serving. Fails, saying why, if the scorecard does not bind to the plugins
  // or the address cannot be bound; a plugin that fails to load is logged and
  // skipped (ListDimensions shows it FAILED). Health is SERVING once this
  // returns.
  static absl::StatusOr<std::unique_ptr<Server>> BuildAndStart(
      const Options& options);

  ~Server();

  // The port actually bound.
  int port() const { return port_; }
  std::string address() const;
  std::shared_ptr<const Snapshot> snapshot() const {
    return snapshots_.Current();
  }
  const Registry& registry() const { return registry_; }

  // Health goes NOT_SERVING, new calls are refused, calls in flight get up to
  // `grace` to finish, then are cancelled. Idempotent.
  void Shutdown(absl::Duration grace = absl::Seconds(5));

 private:
  Server() = default;

  Options options_;
  Registry registry_;
  SnapshotHolder snapshots_;
  std::unique_ptr<ScoringService> service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::string host_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVER_H_
