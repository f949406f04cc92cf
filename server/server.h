// The healthscore server as a library: registry, snapshot, reloader and gRPC
// services wired together. main.cc turns flags into Options; tests start it
// on port 0.
#ifndef HEALTHSCORE_SERVER_SERVER_H_
#define HEALTHSCORE_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/config/scorecard.h"
#include "server/engine/snapshot_holder.h"
#include "server/history/history.h"
#include "server/history/overrides.h"
#include "server/history/recorder.h"
#include "server/history/webhooks.h"
#include "server/http/http_gateway.h"
#include "server/observe/metrics.h"
#include "server/registry/registry.h"
#include "server/reload/config_watcher.h"
#include "server/reload/reloader.h"
#include "server/security/auth.h"
#include "server/service/alerts_service.h"
#include "server/service/history_service.h"
#include "server/service/overrides_service.h"
#include "server/service/registry_service.h"
#include "server/service/scoring_queue.h"
#include "server/service/scoring_service.h"
#include "server/service/validation_service.h"
#include "server/store/store.h"

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
    // The most rows one ScoreBatch may carry. With the default scorecard a
    // batch this size fits max_message_bytes at every explain level (about
    // 14 KB a customer at FULL); a batch whose response would not fit is
    // refused before any work, with the number of rows that would.
    int max_batch = 4000;
    // The largest request the server accepts and the largest response it
    // sends, in bytes.
    int max_message_bytes = 64 << 20;
    // Admission control: the most rows queued or being scored at once, and
    // the most estimated response bytes (RESOURCE_EXHAUSTED past either,
    // naming it).
    int64_t max_queued_rows = 40000;
    int64_t max_inflight_bytes = int64_t{512} << 20;
    // Threads scoring calls run on (0: one per core); gRPC's own threads
    // stay free for health checks and the admin API.
    int scoring_threads = 0;
    // Where healthscore.v1.Registry (the admin API) listens: a loopback
    // host:port (port 0 picks a free one, see admin_port()) or unix:PATH.
    // Never the public address: the admin API can change every score.
    // Loopback only unless admin_token_file or admin_allowed_clients is
    // set. Empty: no admin API. (main.cc passes
    // --admin-listen, 127.0.0.1:50052 by default.)
    std::string admin_listen;
    // Reload the scorecard when its file changes on disk (inotify on its
    // directory). Off here, on in main.cc (--watch-config).
    bool watch_config = false;
    // How long the file must be quiet before a change is reloaded.
    absl::Duration watch_debounce = absl::Milliseconds(100);
    // The score store (--store): sqlite:PATH, a postgresql:// URI, or empty
    // for none (no history; a request asking to record is refused).
    std::string store;
    // Connections the store may open at once.
    int store_connections = 4;
    // --record: request, always or never.
    history::RecordMode record = history::RecordMode::kRequest;
    // Points with as_of older than this many days are deleted, at start
    // (before serving) and every prune_interval; 0 keeps them for ever.
    int retention_days = 0;
    absl::Duration prune_interval = absl::Hours(1);
    // A webhook besides the scorecard's (id "flag"): alert events are
    // POSTed to this http(s) URL, signed with the key in the secret file.
    // Both or neither; needs a store.
    std::string webhook_url;
    // --plugin-allowlist: SHA-256 digests LoadPlugin may load (empty: any
    // file under plugin_dir that passes the other checks).
    std::string plugin_allowlist;
    // --plugin-isolation: how a dimension whose scorecard entry sets no
    // `isolation:` runs its plugin (docs/isolation.md).
    Isolation plugin_isolation = Isolation::kInProcess;
    // --http-listen: the HTTP/JSON face, /metrics, /healthz and /readyz
    // (docs/http.md); empty: none.
    std::string http_listen;
    // Files served under / on the HTTP listener (the dashboard); empty: none.
    std::string http_static_dir;
    std::string webhook_secret_file;

    // TLS on every listener (--tls-cert, --tls-key), and mTLS with
    // --tls-client-ca (docs/security.md). Certificate files are re-read
    // when they change, checked every tls_reload_interval.
    security::TlsFiles tls;
    absl::Duration tls_reload_interval = absl::Seconds(10);
    // Without TLS, a listener on a non-loopback address is refused unless
    // this is set (--plaintext); with it, a warning says traffic is
    // unencrypted.
    bool plaintext = false;
    // The admin API takes a bearer token from this file, or a client
    // certificate named in admin_allowed_clients (mTLS). Either one also
    // lets the admin API listen on a non-loopback address.
    std::string admin_token_file;
    std::vector<std::string> admin_allowed_clients;
    // The public API (gRPC and the HTTP face, not health checks) needs this
    // file's bearer token; empty: open.
    std::string api_token_file;
    // The fraction of OK calls written to the access log (every call not OK
    // is; docs/logging.md).
    double access_log_sample = 0;
  };

  // Loads the plugins and the scorecard, builds the first snapshot and starts
  // serving (and the admin API, and the file watcher, if asked). Fails,
  // saying why, if the scorecard does not bind to the plugins, an address
  // cannot be bound or the admin address is not loopback; a plugin that fails
  // to load is logged and skipped (ListDimensions shows it FAILED). Health is
  // SERVING once this returns.
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
  // The admin port actually bound; 0 without an admin API.
  int admin_port() const { return admin_port_; }
  std::string admin_address() const;
  // Reloads from any trigger (main.cc calls it on SIGHUP).
  Reloader& reloader() { return *reloader_; }
  // Null without --store.
  store::Store* store() const { return store_.get(); }

  // Stops in three steps (SIGTERM and SIGINT, from main.cc):
  //  1. health goes NOT_SERVING and the file watcher stops, while calls are
  //     still accepted and served for `drain` (load balancers and clients
  //     see NOT_SERVING and move away);
  //  2. the listeners close (a new call gets UNAVAILABLE from gRPC), calls
  //     waiting for a scoring thread get UNAVAILABLE, calls running get up
  //     to `grace` to finish;
  //  3. calls still scoring then stop between dimensions with UNAVAILABLE
  //     (retried by standard policies, unlike CANCELLED), and gRPC ends what
  //     is left (a call stuck inside a plugin: main.cc exits regardless).
  // Idempotent.
  void Shutdown(absl::Duration grace = absl::Seconds(5),
                absl::Duration drain = absl::ZeroDuration());

  // The HTTP port actually bound; 0 without --http-listen.
  int http_port() const { return http_ != nullptr ? http_->port() : 0; }
  Metrics& metrics() { return metrics_; }

  // Scoring calls queued or running (tests and metrics).
  const ScoringQueue& scoring_queue() const { return *queue_; }

 private:
  Server() = default;

  absl::Status StartAdmin();
  // The plaintext and authentication rules for every listener address.
  absl::Status CheckListeners() const;
  // The gauges /metrics reads at each scrape.
  void AddGauges();
  // Deletes the points past the retention (logged; a failure too).
  void PruneOnce();
  // PruneOnce every prune_interval until Shutdown.
  void PruneLoop();
  void StopPruner();

  Options options_;
  // Before the store and everything that uses it: the store's timer and
  // the gauges report into it, so it is destroyed last.
  Metrics metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<history::Recorder> recorder_;
  // Before the services: destroyed after them.
  std::unique_ptr<history::OverrideCache> overrides_;
  std::unique_ptr<history::HistoryQueries> history_;
  std::unique_ptr<HistoryService> history_service_;
  history::AlertSignal alert_signal_;
  std::unique_ptr<AlertsService> alerts_service_;
  std::unique_ptr<OverridesService> overrides_service_;
  std::unique_ptr<ValidationService> validation_service_;
  Registry registry_;
  SnapshotHolder snapshots_;
  // With a store: posts alert events to the webhooks. Stopped in Shutdown,
  // and destroyed before the store, the signal and the snapshots it reads.
  std::unique_ptr<history::WebhookDeliverer> webhooks_;
  std::unique_ptr<Reloader> reloader_;
  // Set in step 1 of Shutdown: /readyz says not ready.
  std::atomic<bool> draining_{false};
  // Set in step 3 of Shutdown: scoring stops between dimensions.
  std::atomic<bool> stopping_{false};
  absl::Mutex stop_mu_;
  bool shutdown_done_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::unique_ptr<ScoringQueue> queue_;
  std::unique_ptr<ScoringService> service_;
  std::unique_ptr<RegistryService> registry_service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<grpc::Server> admin_server_;
  // Who may call the public API and the admin API (null: anyone).
  std::shared_ptr<security::TokenFile> api_token_;
  std::shared_ptr<const security::AuthPolicy> api_policy_;
  std::shared_ptr<const security::AuthPolicy> admin_policy_;
  // Calls the public services through an in-process channel: destroyed
  // (stopped) before them.
  std::unique_ptr<HttpGateway> http_;
  // Last: destroyed (stopped) first, so no reload runs during teardown.
  std::unique_ptr<ConfigWatcher> watcher_;
  std::string host_;
  int port_ = 0;
  std::string admin_host_;
  int admin_port_ = 0;
  bool shut_down_ = false;
  absl::Mutex prune_mu_;
  bool stop_pruning_ ABSL_GUARDED_BY(prune_mu_) = false;
  std::thread pruner_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVER_H_
