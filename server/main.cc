// healthscore-server: flags -> Server::Options, serve until SIGTERM/SIGINT,
// then shut down gracefully.
#include <signal.h>

#include <cstdio>
#include <iostream>

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
ABSL_FLAG(std::string, log_level, "info",
          "trace, debug, info, warn, error or critical.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves healthscore.v1 over gRPC.\n"
      "  healthscore-server --listen=127.0.0.1:50051 "
      "--config=scorecards/default.yaml --plugin-dir=build/plugins");
  absl::ParseCommandLine(argc, argv);

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

  // Block the signals before any thread starts, so that every thread inherits
  // the mask and only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  healthscore::Server::Options options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.config_path = absl::GetFlag(FLAGS_config);
  options.plugin_dir = absl::GetFlag(FLAGS_plugin_dir);
  options.max_batch = max_batch;
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
  sigwait(&signals, &received);
  spdlog::info("received signal {}; shutting down (up to 5s for calls in "
               "flight)",
               received);
  (*server)->Shutdown(absl::Seconds(5));
  spdlog::info("stopped");
  return 0;
}
