// Wiring the server together.
#include "server/server.h"

#include <arpa/inet.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "server/common/status_macros.h"
#include "server/config/scorecard.h"
#include "server/observe/access_log.h"
#include "server/plugin/plugin_process.h"
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

// Whether `address` (host:port or unix:PATH) can only be reached from this
// machine.
bool IsLoopback(absl::string_view address) {
  if (absl::StartsWith(address, "unix:") ||
      absl::StartsWith(address, "unix-abstract:")) {
    return true;
  }
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view host = address.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[") && !absl::ConsumeSuffix(&host, "]")) {
    return false;
  }
  if (host == "localhost") return true;
  const std::string text(host);
  unsigned char bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return bytes[0] == 127;
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    static constexpr unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                                     0, 0, 0, 0, 0, 0, 0, 1};
    return std::equal(bytes, bytes + 16, kLoopback6);
  }
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::BuildAndStart(
    const Options& options) {
  std::unique_ptr<Server> server(new Server);
  server->options_ = options;

  RETURN_IF_ERROR(server->CheckListeners());
  RETURN_IF_ERROR(security::CheckTlsFiles(options.tls));
  if (!options.api_token_file.empty()) {
    ASSIGN_OR_RETURN(
        server->api_token_,
        security::TokenFile::Open(options.api_token_file, "--api-token-file"));
  }
  server->api_policy_ =
      std::make_shared<security::AuthPolicy>(security::AuthPolicy::Options{
          .api = "the API", .token = server->api_token_});
  std::shared_ptr<security::TokenFile> admin_token;
  if (!options.admin_token_file.empty()) {
    ASSIGN_OR_RETURN(admin_token,
                     security::TokenFile::Open(options.admin_token_file,
                                               "--admin-token-file"));
  }
  server->admin_policy_ =
      std::make_shared<security::AuthPolicy>(security::AuthPolicy::Options{
          .api = "the admin API",
          .token = std::move(admin_token),
          .allowed_clients = options.admin_allowed_clients});

  if (options.retention_days < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--retention-days=", options.retention_days,
                     " is negative; 0 keeps points for ever"));
  }
  std::optional<WebhookSpec> flag_webhook;
  if (!options.webhook_url.empty() || !options.webhook_secret_file.empty()) {
    ASSIGN_OR_RETURN(
        flag_webhook,
        history::FlagWebhook(options.webhook_url, options.webhook_secret_file));
    if (options.store.empty()) {
      return absl::InvalidArgumentError(
          "--webhook-url needs a --store: webhook deliveries are kept in it "
          "(retries, dead letters, one delivery across replicas)");
    }
  }
  if (!options.store.empty()) {
    absl::StatusOr<std::unique_ptr<store::Store>> opened = store::OpenStore(
        options.store, options.store_connections,
        [metrics = &server->metrics_](const char* operation, double seconds) {
          metrics->RecordStore(operation, seconds);
        });
    if (!opened.ok()) {
      return absl::Status(opened.status().code(),
                          absl::StrCat("--store: ", opened.status().message()));
    }
    server->store_ = *std::move(opened);
    spdlog::info("score history in {} (--record={}, retention {})",
                 server->store_->description(),
                 std::string(history::RecordModeName(options.record)),
                 options.retention_days > 0
                     ? absl::StrCat(options.retention_days, " days")
                     : std::string("for ever"));
  }
  server->recorder_ = std::make_unique<history::Recorder>(
      server->store_.get(), history::Recorder::Options{.mode = options.record},
      &server->alert_signal_);

  // Before the first snapshot is built: it decides how plugins run.
  server->registry_.SetDefaultIsolation(options.plugin_isolation);
  ASSIGN_OR_RETURN(int ready,
                   server->registry_.LoadDirectory(options.plugin_dir));
  spdlog::info("{} plugin(s) ready from {}", ready, options.plugin_dir);
  server->reloader_ = std::make_unique<Reloader>(
      Reloader::Options{.config_path = options.config_path,
                        .plugin_dir = options.plugin_dir},
      &server->registry_, &server->snapshots_);
  // The first snapshot goes through the same path as every reload.
  ReloadOutcome first = server->reloader_->Reload(ReloadTrigger::kStartup);
  RETURN_IF_ERROR(first.status);

  if (server->store_ != nullptr) {
    ASSIGN_OR_RETURN(server->overrides_,
                     history::OverrideCache::Start(server->store_.get(), {}));
  }
  server->queue_ = std::make_unique<ScoringQueue>(
      ScoringQueue::Options{.threads = options.scoring_threads,
                            .max_queued_rows = options.max_queued_rows,
                            .max_inflight_bytes = options.max_inflight_bytes});
  server->service_ = std::make_unique<ScoringService>(
      &server->snapshots_, &server->registry_, server->recorder_.get(),
      ScoringService::Options{.max_batch = options.max_batch,
                              .max_response_bytes = options.max_message_bytes,
                              .queue = server->queue_.get(),
                              .stopping = &server->stopping_,
                              .metrics = &server->metrics_},
      server->overrides_.get());
  if (server->store_ != nullptr) {
    server->history_ = std::make_unique<history::HistoryQueries>(
        server->store_.get(), &server->snapshots_, &server->registry_);
  }
  server->history_service_ =
      std::make_unique<HistoryService>(server->history_.get());
  server->alerts_service_ = std::make_unique<AlertsService>(
      server->store_.get(), server->history_.get(), &server->alert_signal_,
      AlertsService::Options{});
  server->validation_service_ = std::make_unique<ValidationService>(
      server->store_.get(), &server->snapshots_, &server->registry_);
  server->overrides_service_ = std::make_unique<OverridesService>(
      server->store_.get(), server->overrides_.get(), &server->snapshots_);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(
      options.listen,
      security::MakeServerCredentials(options.tls, options.tls_reload_interval,
                                      server->api_policy_),
      &server->port_);
  // gRPC sets SO_REUSEPORT by default: a second server on a busy port would
  // start and silently share its traffic. An occupied port is an error.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.RegisterService(server->service_.get());
  builder.RegisterService(server->history_service_.get());
  builder.RegisterService(server->alerts_service_.get());
  builder.RegisterService(server->overrides_service_.get());
  builder.RegisterService(server->validation_service_.get());
  // Every call counted by method and code, with its latency (/metrics).
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(server->metrics_.InterceptorFactory());
  // Request ids in and out, and the access log.
  interceptors.push_back(
      AccessLogInterceptorFactory({.sample = options.access_log_sample}));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->grpc_server_ = builder.BuildAndStart();
  if (server->grpc_server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     " (--listen): address in use or not valid"));
  }
  server->host_ = options.listen.substr(0, options.listen.rfind(':'));
  if (!options.admin_listen.empty()) RETURN_IF_ERROR(server->StartAdmin());
  if (options.watch_config) {
    Reloader* reloader = server->reloader_.get();
    ASSIGN_OR_RETURN(
        server->watcher_,
        ConfigWatcher::Start(
            options.config_path, options.watch_debounce,
            [reloader] { reloader->Reload(ReloadTrigger::kFile); }));
  }
  if (server->store_ != nullptr && options.retention_days > 0) {
    // Once now, before serving, then every prune_interval.
    server->PruneOnce();
    server->pruner_ = std::thread([s = server.get()] { s->PruneLoop(); });
  }
  if (server->store_ != nullptr) {
    // Every tick reads the live scorecard's webhooks: a reload changes them.
    SnapshotHolder* snapshots = &server->snapshots_;
    server->webhooks_ = std::make_unique<history::WebhookDeliverer>(
        server->store_.get(), &server->alert_signal_,
        [snapshots, flag_webhook] {
          std::vector<WebhookSpec> hooks;
          if (flag_webhook.has_value()) hooks.push_back(*flag_webhook);
          if (std::shared_ptr<const Snapshot> live = snapshots->Current()) {
            const std::vector<WebhookSpec>& more = live->spec().webhooks;
            hooks.insert(hooks.end(), more.begin(), more.end());
          }
          return hooks;
        },
        history::WebhookDeliverer::Options{});
    server->webhooks_->Start();
  } else if (std::shared_ptr<const Snapshot> live =
                 server->snapshots_.Current();
             live != nullptr && !live->spec().webhooks.empty()) {
    spdlog::warn(
        "the scorecard configures {} webhook(s) but there is no --store: "
        "alert events (and so webhooks) need one",
        live->spec().webhooks.size());
  }
  server->AddGauges();
  if (!options.http_listen.empty()) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(options.max_message_bytes);
    args.SetMaxSendMessageSize(options.max_message_bytes);
    Server* s = server.get();
    ASSIGN_OR_RETURN(
        server->http_,
        HttpGateway::Start(
            {.listen = options.http_listen,
             .max_body_bytes = static_cast<size_t>(options.max_message_bytes),
             .channel = server->grpc_server_->InProcessChannel(args),
             .ready = [s] { return !s->draining_.load(); },
             .metrics = [s] { return s->metrics_.Render(); },
             .static_dir = options.http_static_dir,
             .tls = options.tls,
             .api_token = server->api_token_}));
    spdlog::info("HTTP/JSON and /metrics{} on {}://{}:{}/",
                 options.http_static_dir.empty() ? "" : " and the dashboard",
                 options.tls.enabled() ? "https" : "http",
                 options.http_listen.substr(0, options.http_listen.rfind(':')),
                 server->http_->port());
  }
  // The snapshot is live before the first call can arrive: SERVING is true.
  SetHealth(*server->grpc_server_, true);
  return server;
}

absl::Status Server::StartAdmin() {
  registry_service_ = std::make_unique<RegistryService>(
      &registry_, &snapshots_, reloader_.get(), service_.get(),
      options_.plugin_allowlist);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(
      options_.admin_listen,
      security::MakeServerCredentials(
          options_.tls, options_.tls_reload_interval, admin_policy_),
      &admin_port_);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  builder.RegisterService(registry_service_.get());
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(
      AccessLogInterceptorFactory({.sample = options_.access_log_sample}));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  admin_server_ = builder.BuildAndStart();
  // A unix: address reports no port; it bound if the server started.
  const bool is_unix = absl::StartsWith(options_.admin_listen, "unix");
  if (admin_server_ == nullptr || (admin_port_ == 0 && !is_unix)) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.admin_listen,
                     " (--admin-listen): address in use or not valid"));
  }
  admin_host_ =
      options_.admin_listen.substr(0, options_.admin_listen.rfind(':'));
  spdlog::info("admin API (healthscore.v1.Registry) on {}{}", admin_address(),
               !admin_policy_->required()
                   ? " (no authentication: loopback only)"
               : options_.admin_token_file.empty()
                   ? " (client certificates named in "
                     "--admin-allowed-clients)"
                   : " (bearer token of --admin-token-file"
                     " or an allowed client certificate)");
  return absl::OkStatus();
}

absl::Status Server::CheckListeners() const {
  const Options& o = options_;
  if (!o.admin_allowed_clients.empty() && !o.tls.mutual()) {
    return absl::InvalidArgumentError(
        "--admin-allowed-clients names client certificates, which only mTLS "
        "verifies: it needs --tls-client-ca (with --tls-cert and --tls-key)");
  }
  const bool admin_auth =
      !o.admin_token_file.empty() || !o.admin_allowed_clients.empty();
  if (!o.admin_listen.empty() && !IsLoopback(o.admin_listen) && !admin_auth) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--admin-listen=", o.admin_listen,
        ": without authentication the admin API listens only on loopback "
        "(127.0.0.1, [::1], localhost) or unix:PATH, because it can change "
        "every score; give --admin-token-file or --admin-allowed-clients "
        "(docs/security.md)"));
  }
  struct Listener {
    const char* flag;
    const std::string& address;
  };
  for (const Listener& l : {Listener{"--listen", o.listen},
                            Listener{"--admin-listen", o.admin_listen},
                            Listener{"--http-listen", o.http_listen}}) {
    if (l.address.empty() || o.tls.enabled() || IsLoopback(l.address)) {
      continue;
    }
    if (!o.plaintext) {
      return absl::InvalidArgumentError(absl::StrCat(
          l.flag, "=", l.address,
          " is not a loopback address and there is no --tls-cert: give "
          "--tls-cert and --tls-key, or --plaintext to serve it unencrypted "
          "(docs/security.md)"));
    }
    spdlog::warn(
        "{}={}: plaintext on a non-loopback address (--plaintext): traffic, "
        "tokens included, is unencrypted",
        l.flag, l.address);
  }
  return absl::OkStatus();
}

std::string Server::address() const { return absl::StrCat(host_, ":", port_); }

std::string Server::admin_address() const {
  if (absl::StartsWith(options_.admin_listen, "unix")) {
    return options_.admin_listen;
  }
  return absl::StrCat(admin_host_, ":", admin_port_);
}

void Server::PruneOnce() {
  const absl::Time cutoff =
      absl::Now() - absl::Hours(24) * options_.retention_days;
  absl::StatusOr<int64_t> pruned =
      store_->PruneBefore(absl::ToUnixMicros(cutoff));
  if (!pruned.ok()) {
    spdlog::warn("retention: pruning points before {} failed: {}",
                 absl::FormatTime(cutoff), pruned.status().ToString());
  } else if (*pruned > 0) {
    spdlog::info("retention: deleted {} point(s) older than {} days", *pruned,
                 options_.retention_days);
  }
}

void Server::PruneLoop() {
  absl::MutexLock lock(&prune_mu_);
  while (!prune_mu_.AwaitWithTimeout(absl::Condition(&stop_pruning_),
                                     options_.prune_interval)) {
    prune_mu_.Unlock();
    PruneOnce();
    prune_mu_.Lock();
  }
}

void Server::StopPruner() {
  if (!pruner_.joinable()) return;
  {
    absl::MutexLock lock(&prune_mu_);
    stop_pruning_ = true;
  }
  pruner_.join();
}

void Server::AddGauges() {
  metrics_.AddGauge("healthscore_queued_rows",
                    "Rows queued or being scored (admission control counts "
                    "them against --max-queued-rows).",
                    {}, [this] {
                      return std::vector<std::pair<Metrics::Labels, double>>{
                          {{}, static_cast<double>(queue_->queued_rows())}};
                    });
  metrics_.AddGauge("healthscore_scoring_calls_running",
                    "Scoring calls running on the scoring threads.", {},
                    [this] {
                      return std::vector<std::pair<Metrics::Labels, double>>{
                          {{}, static_cast<double>(queue_->running())}};
                    });
  metrics_.AddGauge(
      "healthscore_reloads", "Scorecard reloads since start, by outcome.",
      {"outcome"}, [this] {
        const ReloadCounters c = reloader_->counters();
        return std::vector<std::pair<Metrics::Labels, double>>{
            {{"success"}, static_cast<double>(c.successes - c.unchanged)},
            {{"unchanged"}, static_cast<double>(c.unchanged)},
            {{"refused"}, static_cast<double>(c.failures)}};
      });
  metrics_.AddGauge(
      "healthscore_plugins", "Plugin files known to the registry, by state.",
      {"state"}, [this] {
        std::map<std::string, double> by_state = {
            {"loading", 0}, {"ready", 0}, {"failed", 0}, {"unloaded", 0}};
        for (const PluginRecord& r : registry_.List()) {
          switch (r.state) {
            case PluginRecord::State::kLoading:
              ++by_state["loading"];
              break;
            case PluginRecord::State::kReady:
              ++by_state["ready"];
              break;
            case PluginRecord::State::kFailed:
              ++by_state["failed"];
              break;
            case PluginRecord::State::kUnloaded:
              ++by_state["unloaded"];
              break;
          }
        }
        std::vector<std::pair<Metrics::Labels, double>> out;
        for (const auto& [state, n] : by_state) out.push_back({{state}, n});
        return out;
      });
  if (webhooks_ != nullptr) {
    metrics_.AddCounter(
        "healthscore_webhook_deliveries_total",
        "Alert webhook delivery attempts since start, by outcome: delivered, "
        "failed (to be tried again), dead_lettered (failed for the last "
        "time).",
        {"outcome"}, [this] {
          const history::WebhookDeliverer::Counts c = webhooks_->counts();
          return std::vector<std::pair<Metrics::Labels, double>>{
              {{"delivered"}, static_cast<double>(c.delivered)},
              {{"failed"}, static_cast<double>(c.failed)},
              {{"dead_lettered"}, static_cast<double>(c.dead_lettered)}};
        });
  }
  metrics_.AddGauge(
      "healthscore_plugin_processes",
      "Isolated plugin processes since start: started, died, killed over "
      "their time budget.",
      {"event"}, [] {
        const PluginProcess::Stats s = PluginProcess::TotalStats();
        return std::vector<std::pair<Metrics::Labels, double>>{
            {{"started"}, static_cast<double>(s.spawns)},
            {{"died"}, static_cast<double>(s.deaths)},
            {{"budget_killed"}, static_cast<double>(s.budget_kills)}};
      });
}

void Server::Shutdown(absl::Duration grace, absl::Duration drain) {
  if (shut_down_ || grpc_server_ == nullptr) {
    if (webhooks_ != nullptr) webhooks_->Stop();
    StopPruner();
    return;
  }
  shut_down_ = true;
  // 1. NOT_SERVING, still serving.
  draining_.store(true);
  if (watcher_ != nullptr) watcher_->Stop();
  SetHealth(*grpc_server_, false);
  if (drain > absl::ZeroDuration()) {
    spdlog::info("draining for {} (health NOT_SERVING, calls still served)",
                 absl::FormatDuration(drain));
    absl::SleepFor(drain);
  }
  if (webhooks_ != nullptr) webhooks_->Stop();
  StopPruner();
  // 2. No new calls; those not started get UNAVAILABLE.
  queue_->Stop();
  // 3. At the end of the grace, calls still scoring stop with UNAVAILABLE
  // (a little before gRPC's own deadline, which would CANCEL them).
  const absl::Time end = absl::Now() + grace;
  const absl::Time stop_at =
      std::max(absl::Now(), end - absl::Milliseconds(250));
  std::thread stopper([this, stop_at] {
    absl::MutexLock lock(&stop_mu_);
    stop_mu_.AwaitWithDeadline(absl::Condition(&shutdown_done_), stop_at);
    stopping_.store(true);
  });
  // The HTTP face closes, once the calls it made are answered (bounded by
  // the grace: the stopper ends those still scoring).
  http_.reset();
  const auto deadline = absl::ToChronoTime(end);
  if (admin_server_ != nullptr) admin_server_->Shutdown(deadline);
  grpc_server_->Shutdown(deadline);
  {
    absl::MutexLock lock(&stop_mu_);
    shutdown_done_ = true;
  }
  stopper.join();
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

}  // namespace healthscore
