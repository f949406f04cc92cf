// healthscore-server: flags -> Server::Options, serve until SIGTERM/SIGINT,
// then shut down gracefully; SIGHUP reloads the scorecard.
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "server/server.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "Address to serve on, host:port (port 0 picks a free port).");
ABSL_FLAG(std::string, config, "scorecards/default.yaml",
          "The scorecard YAML file.");
ABSL_FLAG(std::string, plugin_dir, "build/plugins",
          "Directory searched recursively for dimension plugins (*.so).");
ABSL_FLAG(int, max_batch, 10000, "The most rows one ScoreBatch may carry.");
ABSL_FLAG(std::string, admin_listen, "127.0.0.1:50052",
          "Address of the admin API (healthscore.v1.Registry: plugins, "
          "reload, dry run): loopback host:port or unix:PATH; empty turns it "
          "off. Never the --listen address: it has no authentication.");
ABSL_FLAG(bool, watch_config, true,
          "Reload the scorecard when its file changes on disk (inotify). "
          "SIGHUP and the admin Reload RPC reload it either way.");
ABSL_FLAG(std::string, store, "sqlite:build/data/healthscore.db",
          "Where scores are recorded (healthscore.v1.History): sqlite:PATH "
          "(created with its directory), a PostgreSQL URI "
          "(postgresql://user@host:port/db) for replicas that share one "
          "history, or none.");
ABSL_FLAG(std::string, record, "request",
          "Which scores are recorded: request (those whose request sets "
          "record), always, or never (a request asking is refused).");
ABSL_FLAG(int, retention_days, 0,
          "Delete recorded points older than this many days (checked at "
          "start and hourly); 0 keeps them for ever.");
ABSL_FLAG(std::string, webhook_url, "",
          "Also POST alert events to this http(s) URL (webhook id \"flag\"; "
          "scorecards configure more under webhooks:). Needs "
          "--webhook-secret-file and a --store.");
ABSL_FLAG(std::string, webhook_secret_file, "",
          "The file holding the key of --webhook-url's "
          "X-Healthscore-Signature (HMAC-SHA256 of the body).");
ABSL_FLAG(std::string, log_level, "info",
          "trace, debug, info, warn, error or critical.");

namespace {

// The documented spelling is --plugin-dir, --max-batch, --log-level; absl
// flag names cannot hold dashes. Accept both by rewriting dashes in the name
// part of each --flag[=value] to underscores before parsing.
std::vector<std::string> NormalizeFlagNames(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 1; i < args.size(); ++i) {
    std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() <= 2 || arg.compare(0, 2, "--") != 0) continue;
    const size_t end = std::min(arg.find('='), arg.size());
    std::replace(arg.begin() + 2, arg.begin() + end, '-', '_');
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves healthscore.v1 over gRPC.\n"
      "  healthscore-server --listen=127.0.0.1:50051 "
      "--config=scorecards/default.yaml --plugin-dir=build/plugins");
  std::vector<std::string> args = NormalizeFlagNames(argc, argv);
  std::vector<char*> arg_ptrs;
  for (std::string& arg : args) arg_ptrs.push_back(arg.data());
  absl::ParseCommandLine(static_cast<int>(arg_ptrs.size()), arg_ptrs.data());

  const std::string level = absl::GetFlag(FLAGS_log_level);
  const spdlog::level::level_enum parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    std::cerr << "--log-level=" << level
              << " is not one of trace, debug, info, warn, error, critical, "
                 "off\n";
    return 2;
  }
  spdlog::set_level(parsed);
  const int max_batch = absl::GetFlag(FLAGS_max_batch);
  if (max_batch < 1) {
    std::cerr << "--max-batch=" << max_batch << " must be at least 1\n";
    return 2;
  }

  absl::StatusOr<healthscore::history::RecordMode> record =
      healthscore::history::ParseRecordMode(absl::GetFlag(FLAGS_record));
  if (!record.ok()) {
    std::cerr << record.status().message() << "\n";
    return 2;
  }
  const int retention_days = absl::GetFlag(FLAGS_retention_days);
  if (retention_days < 0) {
    std::cerr << "--retention-days=" << retention_days
              << " is negative; 0 keeps points for ever\n";
    return 2;
  }
  std::string store = absl::GetFlag(FLAGS_store);
  if (store == "none") store.clear();

  // Block the signals before any thread starts, so that every thread inherits
  // the mask and only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  healthscore::Server::Options options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.config_path = absl::GetFlag(FLAGS_config);
  options.plugin_dir = absl::GetFlag(FLAGS_plugin_dir);
  options.max_batch = max_batch;
  options.admin_listen = absl::GetFlag(FLAGS_admin_listen);
  options.watch_config = absl::GetFlag(FLAGS_watch_config);
  options.store = store;
  options.record = *record;
  options.retention_days = retention_days;
  options.webhook_url = absl::GetFlag(FLAGS_webhook_url);
  options.webhook_secret_file = absl::GetFlag(FLAGS_webhook_secret_file);
  auto server = healthscore::Server::BuildAndStart(options);
  if (!server.ok()) {
    spdlog::critical("cannot start: {}", server.status().ToString());
    return 1;
  }
  spdlog::info(
      "healthscore-server ready on {}; try: build/bin/healthscore score "
      "--target={} --csv=build/sample/portfolio.csv",
      (*server)->address(), (*server)->address());

  int received = 0;
  while (true) {
    sigwait(&signals, &received);
    if (received != SIGHUP) break;
    // The reloader logs the outcome; a refused file keeps the running
    // scorecard, so serving goes on either way.
    (*server)->reloader().Reload(healthscore::ReloadTrigger::kSignal);
  }
  spdlog::info(
      "received signal {}; shutting down (up to 5s for calls in "
      "flight)",
      received);
  (*server)->Shutdown(absl::Seconds(5));
  spdlog::info("stopped");
  return 0;
}
