// healthscore-server: flags -> Server::Options, serve until SIGTERM/SIGINT,
// then shut down gracefully; SIGHUP reloads the scorecard.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/debugging/failure_signal_handler.h"
#include "absl/debugging/symbolize.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "healthscore/sdk/abi.h"
#include "server/observe/logging.h"
#include "server/server.h"
#include "server/version.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "Address to serve on, host:port (port 0 picks a free port).");
ABSL_FLAG(std::string, config, "scorecards/default.yaml",
          "The scorecard YAML file.");
ABSL_FLAG(std::string, plugin_dir, "build/plugins",
          "Directory searched recursively for dimension plugins (*.so).");
ABSL_FLAG(int, max_batch, 4000,
          "The most rows one ScoreBatch may carry. At the default, a batch "
          "of the default scorecard fits --max-message-bytes at every "
          "explain level; a batch whose response would not fit is refused "
          "before any work.");
ABSL_FLAG(int, max_message_bytes, 64 << 20,
          "The largest request the server accepts and the largest response "
          "it sends, in bytes.");
ABSL_FLAG(int64_t, max_queued_rows, 40000,
          "Admission control: the most rows queued or being scored at once; "
          "past it a call gets RESOURCE_EXHAUSTED.");
ABSL_FLAG(int64_t, max_inflight_mb, 512,
          "Admission control: the most estimated response megabytes of the "
          "calls queued or being scored at once.");
ABSL_FLAG(int, drain_seconds, 0,
          "On SIGTERM or SIGINT: seconds of NOT_SERVING while calls are still "
          "served (let load balancers move away), before the listeners "
          "close. Kubernetes: about the readiness probe's period.");
ABSL_FLAG(int, grace_seconds, 5,
          "After the drain: seconds calls in flight get to finish. Calls "
          "still scoring then end with UNAVAILABLE; the process exits at "
          "most 2 s later, even with a plugin stuck.");
ABSL_FLAG(std::string, admin_listen, "127.0.0.1:50052",
          "Address of the admin API (healthscore.v1.Registry: plugins, "
          "reload, dry run): host:port or unix:PATH; empty turns it off. "
          "Loopback only unless --admin-token-file or "
          "--admin-allowed-clients is given. Never the --listen address.");
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
ABSL_FLAG(std::string, plugin_allowlist, "",
          "A file of SHA-256 digests (hex, one a line, # comments): the "
          "admin LoadPlugin loads only files whose digest it lists. Either "
          "way it loads only files under --plugin-dir (links resolved) that "
          "neither group nor others can write.");
ABSL_FLAG(std::string, plugin_isolation, "in_process",
          "How a dimension whose scorecard entry sets no `isolation:` runs "
          "its plugin: in_process, or process (a healthscore-plugin-host "
          "child per plugin instance; a crash or a hang fails that dimension, "
          "not the server: docs/isolation.md).");
ABSL_FLAG(std::string, http_listen, "",
          "host:port of the HTTP/JSON face (every public RPC as JSON, "
          "/metrics, /healthz, /readyz; docs/http.md); empty: none. "
          "scripts/serve uses 127.0.0.1:8080.");
ABSL_FLAG(std::string, http_static_dir, "",
          "Files served under / on --http-listen (the dashboard).");
ABSL_FLAG(std::string, log_level, "info",
          "trace, debug, info, warn, error or critical.");
ABSL_FLAG(std::string, log_format, "text",
          "text (spdlog's lines) or json (one object per line: time, level, "
          "message, and on access lines request_id, method, code, "
          "duration_ms, rows; docs/logging.md).");
ABSL_FLAG(double, access_log_sample, 1.0,
          "The fraction (0 to 1) of OK calls written to the access log; "
          "every call that is not OK is written. 0 logs only failures.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain the listeners (--listen, --admin-listen, "
          "--http-listen) present: TLS on all of them. Re-read when the file "
          "changes (--tls-reload-seconds). Needs --tls-key.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls-cert.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: with it, clients must present a certificate it "
          "signed (mTLS) on every listener. Needs --tls-cert.");
ABSL_FLAG(int, tls_reload_seconds, 10,
          "How often the TLS files are checked for changes (a rotated "
          "certificate is served without a restart).");
ABSL_FLAG(bool, plaintext, false,
          "Serve without TLS on a non-loopback address (the server refuses "
          "to start without TLS or this flag; a warning is logged). "
          "Loopback addresses are plaintext without it.");
ABSL_FLAG(std::string, admin_token_file, "",
          "A file holding the admin API's bearer token (clients send "
          "`authorization: Bearer <token>`); re-read when it changes.");
ABSL_FLAG(std::vector<std::string>, admin_allowed_clients, {},
          "NAME[,NAME...]: mTLS client certificates (subject CN or a SAN DNS "
          "name) let into the admin API without a token. Needs "
          "--tls-client-ca.");
ABSL_FLAG(std::string, api_token_file, "",
          "A file holding a bearer token the public API (gRPC and the HTTP "
          "face, /metrics included; not health checks, /healthz, /readyz) "
          "then requires; re-read when it changes. Empty: open.");

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

constexpr char kUsage[] =
    "healthscore-server: serves healthscore.v1 over gRPC (and JSON over "
    "HTTP with --http-listen).\n"
    "  healthscore-server --listen=127.0.0.1:50051 "
    "--config=scorecards/default.yaml --plugin-dir=build/plugins\n"
    "Flags are written --name=value (dashes or underscores); a bool flag "
    "alone is true, --noname is false.";

// `text` wrapped at 78 columns, each line indented by `indent`.
std::string Wrap(const std::string& text, int indent) {
  std::string out;
  std::string line;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (!line.empty() && line.size() + 1 + word.size() + indent > 78) {
      absl::StrAppend(&out, std::string(indent, ' '), line, "\n");
      line.clear();
    }
    absl::StrAppend(&line, line.empty() ? "" : " ", word);
  }
  if (!line.empty())
    absl::StrAppend(&out, std::string(indent, ' '), line, "\n");
  return out;
}

// --help: every flag defined in the server's own files, with its default
// and meaning, spelled with dashes as the docs do.
std::string Help() {
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (absl::StrContains(flag->Filename(), "server/")) flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](auto* a, auto* b) { return a->Name() < b->Name(); });
  std::string out = absl::StrCat(kUsage, "\n\nFlags:\n");
  for (const absl::CommandLineFlag* flag : flags) {
    const std::string name = absl::StrReplaceAll(flag->Name(), {{"_", "-"}});
    std::string def = flag->DefaultValue();
    if (def.empty()) def = "\"\"";
    absl::StrAppend(&out, "  --", name, "  (default: ", def, ")\n",
                    Wrap(flag->Help(), 6));
  }
  absl::StrAppend(&out, "  --help     this list\n  --version  ",
                  "the version, the plugin ABI and the git commit\n");
  return out;
}

std::string Version() {
  return absl::StrCat("healthscore-server ", HEALTHSCORE_VERSION,
                      "\nplugin ABI ", HS_ABI_VERSION_MAJOR, ".",
                      HS_ABI_VERSION_MINOR, "\ngit commit ",
                      HEALTHSCORE_GIT_COMMIT, "\n");
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<std::string> args = NormalizeFlagNames(argc, argv);
  for (size_t i = 1; i < args.size() && args[i] != "--"; ++i) {
    if (args[i] == "--help" || args[i] == "-h" || args[i] == "--helpfull") {
      std::cout << Help();
      return 0;
    }
    if (args[i] == "--version") {
      std::cout << Version();
      return 0;
    }
  }
  std::vector<char*> arg_ptrs;
  for (std::string& arg : args) arg_ptrs.push_back(arg.data());
  absl::ParseCommandLine(static_cast<int>(arg_ptrs.size()), arg_ptrs.data());
  // A crash (SIGSEGV, SIGABRT, ...) logs the signal and a symbolized stack
  // to stderr before the process dies.
  absl::InitializeSymbolizer(argv[0]);
  absl::InstallFailureSignalHandler({});

  const std::string level = absl::GetFlag(FLAGS_log_level);
  const spdlog::level::level_enum parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    std::cerr << "--log-level=" << level
              << " is not one of trace, debug, info, warn, error, critical, "
                 "off\n";
    return 2;
  }
  spdlog::set_level(parsed);
  healthscore::LogFormat log_format;
  if (absl::Status s = healthscore::ParseLogFormat(
          absl::GetFlag(FLAGS_log_format), &log_format);
      !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  healthscore::SetLogFormat(log_format);
  const double access_log_sample = absl::GetFlag(FLAGS_access_log_sample);
  if (!(access_log_sample >= 0 && access_log_sample <= 1)) {
    std::cerr << "--access-log-sample=" << access_log_sample
              << " is not between 0 and 1 (the fraction of OK calls logged)\n";
    return 2;
  }
  const int tls_reload_seconds = absl::GetFlag(FLAGS_tls_reload_seconds);
  if (tls_reload_seconds < 1) {
    std::cerr << "--tls-reload-seconds=" << tls_reload_seconds
              << " must be at least 1\n";
    return 2;
  }
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
  const int max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  const int64_t max_queued_rows = absl::GetFlag(FLAGS_max_queued_rows);
  const int64_t max_inflight_mb = absl::GetFlag(FLAGS_max_inflight_mb);
  const int drain_seconds = absl::GetFlag(FLAGS_drain_seconds);
  const int grace_seconds = absl::GetFlag(FLAGS_grace_seconds);
  struct AtLeast {
    const char* flag;
    int64_t value;
    int64_t min;
  };
  for (const AtLeast& c :
       {AtLeast{"--max-message-bytes", max_message_bytes, 4096},
        AtLeast{"--max-queued-rows", max_queued_rows, 1},
        AtLeast{"--max-inflight-mb", max_inflight_mb, 1},
        AtLeast{"--drain-seconds", drain_seconds, 0},
        AtLeast{"--grace-seconds", grace_seconds, 0}}) {
    if (c.value < c.min) {
      std::cerr << c.flag << "=" << c.value << " must be at least " << c.min
                << "\n";
      return 2;
    }
  }
  if (max_batch > max_queued_rows) {
    std::cerr << "--max-batch=" << max_batch
              << " is more than --max-queued-rows=" << max_queued_rows
              << ": a full batch could never be admitted\n";
    return 2;
  }
  absl::StatusOr<healthscore::Isolation> isolation =
      healthscore::ParseIsolation(absl::GetFlag(FLAGS_plugin_isolation));
  if (!isolation.ok()) {
    std::cerr << "--plugin-isolation: " << isolation.status().message() << "\n";
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
  options.max_message_bytes = max_message_bytes;
  options.max_queued_rows = max_queued_rows;
  options.max_inflight_bytes = max_inflight_mb << 20;
  options.admin_listen = absl::GetFlag(FLAGS_admin_listen);
  options.watch_config = absl::GetFlag(FLAGS_watch_config);
  options.store = store;
  options.record = *record;
  options.retention_days = retention_days;
  options.webhook_url = absl::GetFlag(FLAGS_webhook_url);
  options.plugin_allowlist = absl::GetFlag(FLAGS_plugin_allowlist);
  options.plugin_isolation = *isolation;
  options.http_listen = absl::GetFlag(FLAGS_http_listen);
  options.http_static_dir = absl::GetFlag(FLAGS_http_static_dir);
  options.webhook_secret_file = absl::GetFlag(FLAGS_webhook_secret_file);
  options.tls = {.cert_file = absl::GetFlag(FLAGS_tls_cert),
                 .key_file = absl::GetFlag(FLAGS_tls_key),
                 .client_ca_file = absl::GetFlag(FLAGS_tls_client_ca)};
  options.tls_reload_interval = absl::Seconds(tls_reload_seconds);
  options.plaintext = absl::GetFlag(FLAGS_plaintext);
  options.admin_token_file = absl::GetFlag(FLAGS_admin_token_file);
  options.admin_allowed_clients = absl::GetFlag(FLAGS_admin_allowed_clients);
  options.api_token_file = absl::GetFlag(FLAGS_api_token_file);
  options.access_log_sample = access_log_sample;
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
      "received signal {} ({}); shutting down: {}s of drain, then up to {}s "
      "for calls in flight",
      received, strsignal(received), drain_seconds, grace_seconds);
  // A call stuck inside a plugin cannot be interrupted in process: past the
  // drain, the grace and a margin, exit regardless.
  const int bound = drain_seconds + grace_seconds + 2;
  std::thread([bound] {
    std::this_thread::sleep_for(std::chrono::seconds(bound));
    spdlog::error(
        "calls still running {}s after the shutdown began (a plugin stuck? "
        "docs/isolation.md); exiting now",
        bound);
    spdlog::default_logger()->flush();
    std::_Exit(1);
  }).detach();
  (*server)->Shutdown(absl::Seconds(grace_seconds),
                      absl::Seconds(drain_seconds));
  server->reset();
  spdlog::info("stopped");
  return 0;
}
