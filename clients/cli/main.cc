// healthscore: the command-line client of the HealthScoring, History and
// Alerts services and of the admin API (Registry). Turns the command line
// into options, opens the channel and runs one command.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "clients/cli/admin_commands.h"
#include "clients/cli/alerts_commands.h"
#include "clients/cli/commands.h"
#include "clients/cli/dates.h"
#include "clients/cli/history_commands.h"
#include "clients/cli/overrides_commands.h"
#include "clients/cli/requests.h"
#include "clients/cli/validation_commands.h"
#include "clients/cli/weights_commands.h"
#include "clients/cli/whatif_commands.h"
#include "grpcpp/channel.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/client_interceptor.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "server address host:port");
ABSL_FLAG(std::string, explain, "summary", "none | summary | full");
ABSL_FLAG(std::string, format, "table", "table | json | csv");
ABSL_FLAG(double, timeout, 30, "deadline of each RPC, in seconds");
ABSL_FLAG(std::string, customer_id, "",
          "score: the customer to score; alerts: only this customer's");
ABSL_FLAG(std::string, segment, "",
          "score: the customer's segment; movers, portfolio, alerts: only "
          "this segment");
ABSL_FLAG(std::string, json, "", "score: a JSON file holding one Customer");
ABSL_FLAG(std::string, csv, "",
          "score, dry-run, import: a CSV file of customers");
ABSL_FLAG(int64_t, batch_size, 1000,
          "score --csv, import: rows per ScoreBatch call");
ABSL_FLAG(bool, record, false, "score: record the scores in the history");
ABSL_FLAG(std::string, layout, "full",
          "score --csv: the reply's layout, full or compact");
ABSL_FLAG(std::string, from, "", "history, why, movers: the start date");
ABSL_FLAG(std::string, to, "", "history, why, movers: the end date");
ABSL_FLAG(int64_t, days, 30, "why, movers: the start, N days before --to");
ABSL_FLAG(int64_t, limit, 0,
          "history, movers, alerts, override audit: how many to list");
ABSL_FLAG(bool, full, false, "history: inputs and fired rules of each point");
ABSL_FLAG(bool, rises, false, "movers: the biggest rises, not drops");
ABSL_FLAG(bool, why, false,
          "alerts: each alert with the change that raised it");
ABSL_FLAG(std::string, as_of, "", "portfolio, rollup: the date (default now)");
ABSL_FLAG(int64_t, window_days, 30,
          "portfolio: compare with this many days earlier");
ABSL_FLAG(std::string, token_file, "",
          "a file holding the bearer token sent with every call "
          "(authorization: Bearer <token>)");
ABSL_FLAG(std::string, tls_ca, "",
          "connect with TLS, trusting this PEM CA bundle");
ABSL_FLAG(std::string, tls_cert, "",
          "with --tls-ca: the client certificate to present (mTLS)");
ABSL_FLAG(std::string, tls_key, "", "the private key of --tls-cert");
ABSL_FLAG(std::string, admin_target, "127.0.0.1:50052",
          "admin commands: the server's admin address (its --admin-listen)");
ABSL_FLAG(std::string, scorecard, "",
          "dry-run, backtest: the draft scorecard file");
ABSL_FLAG(int64_t, horizon, 90,
          "backtest, suggest-weights: churn within this many days of a "
          "point counts");
ABSL_FLAG(std::string, plot, "",
          "backtest: draw the ROC curve and churn per band to FILE.svg");
ABSL_FLAG(double, regularization, 0,
          "suggest-weights: the L2 penalty on the weights (0: the server's "
          "default, 1)");
ABSL_FLAG(std::string, out, "",
          "suggest-weights: write the draft scorecard to FILE");
ABSL_FLAG(std::string, state, "",
          "alerts: open | acknowledged | resolved (default every state)");
ABSL_FLAG(std::string, severity, "",
          "alerts: low | medium | high | critical (default every severity)");
ABSL_FLAG(bool, watch, false, "alerts: stream alert events as they happen");
ABSL_FLAG(int64_t, after_cursor, 0,
          "alerts --watch: start after this event cursor");
ABSL_FLAG(std::string, who, "",
          "ack, resolve, override clear: who is acting (required)");
ABSL_FLAG(std::string, note, "",
          "ack, resolve, override clear: a note kept with the change");
ABSL_FLAG(double, score, 0, "override set: the score to show (0-100)");
ABSL_FLAG(std::string, band, "", "override set: the band to show");
ABSL_FLAG(std::string, reason, "", "override set: why (required)");
ABSL_FLAG(std::string, author, "", "override set: who (required)");
ABSL_FLAG(std::string, expires, "",
          "override set: when it ends by itself (RFC 3339 or a date)");
ABSL_FLAG(std::string, for, "",
          "override set: how long it lasts from now (7d, 36h, 90m)");
ABSL_FLAG(bool, rescan_plugins, false,
          "reload: load new plugin files under the server's --plugin-dir "
          "first");

namespace healthscore::cli {
namespace {

constexpr absl::string_view kUsage =
    R"(usage: healthscore <command> [flags] [name=value ...]

commands:
  score        score one customer (Score) or a CSV file of customers (ScoreBatch)
  dimensions   list the dimension plugins the server has (ListDimensions)
  scorecard    show the active scorecard (GetScorecard)

history commands (the server's History service, --target):
  import --csv FILE [--batch-size N]
                                 record a past timeline: CSV of customer_id,
                                 segment, as_of, signals (ScoreBatch, record)
  history ID [--from D] [--to D] [--limit N] [--full]
                                 one customer's recorded points, newest first
  why ID (--from D | --days N) [--to D]
                                 why the score changed between two dates
  movers [--days N | --from D] [--to D] [--segment S] [--rises] [--limit N]
                                 the biggest drops (or rises); default 30 days
  portfolio [--as-of D] [--segment S] [--window-days N]
                                 bands, grades and mean now and N days earlier
  rollup PARENT [--as-of D]      a parent account's score: its children's
                                 scores weighted by contract value (the CSV
                                 columns parent_id and contract_value)
  D: YYYY-MM-DD (a UTC day; as --to and --as-of the whole day) or an ISO-8601
  time with a zone, 2025-12-07T09:30:00Z

alert commands (the server's Alerts service, --target):
  alerts [--state open|acknowledged|resolved] [--segment S]
         [--severity low|medium|high|critical] [--customer-id ID] [--limit N]
         [--why]                 alerts, newest first (default 50); --why adds
                                 the change that raised each one
  alerts --watch [--after-cursor N] [--segment S] [--severity ...]
                                 print alert events as they happen, until
                                 Ctrl-C; reconnects by cursor; no --timeout
  ack ID --who NAME [--note TEXT]
                                 acknowledge an alert: somebody is on it
  resolve ID --who NAME [--note TEXT]
                                 close an alert by hand

override commands (the server's Overrides service, --target):
  override set ID (--score N | --band NAME) --reason TEXT --author NAME
               [--expires TIME | --for 7d]
                                 show N (and/or the band) in every score of ID,
                                 next to the computed score; until cleared or
                                 the expiry
  override clear ID --who NAME [--note TEXT]
                                 end ID's override now
  override list [ID]             the active overrides
  override audit [ID] [--limit N]
                                 every set, clear and expiry, newest first

validation commands (the server's Validation service, --target):
  outcomes import --csv FILE     record what customers did: CSV of
                                 customer_id, date, kind (churned, renewed,
                                 expanded, contracted), value
  backtest [--horizon DAYS] [--scorecard DRAFT.yaml] [--segment S]
           [--from D] [--to D] [--plot FILE.svg]
                                 how well the score separated who churned
                                 within the horizon (default 90 days): AUC,
                                 churn per band, lead time, per dimension
  suggest-weights [--horizon DAYS] [--segment S] [--regularization R]
                  [--out DRAFT.yaml]
                                 weights fitted to the outcomes, active vs
                                 suggested on held-out customers; the draft
                                 scorecard written to --out, never applied
  what-if (ID | --customer-id ID [--signal N=V,...] | --json FILE)
          NAME=VALUE... [--explain none|summary|full]
                                 the score with some signals changed (VALUE
                                 `missing` makes one missing), dimension by
                                 dimension; ID alone: its newest recorded
                                 inputs; explains in full by default
  path-to-green (ID | --customer-id ID [--signal N=V,...] | --json FILE)
                                 the fewest signal changes that lift the
                                 customer into the next better band, each
                                 with its points, verified by re-scoring

admin commands (the server's admin address, --admin-target):
  plugins                         list plugins: version, state, load time, users
  reload [--rescan-plugins]       reload the scorecard file (and new plugins)
  load-plugin PATH|NAME@VERSION   load a plugin file into the registry
  unload-plugin NAME@VERSION      take a plugin version out of the registry
  dry-run --scorecard FILE --csv FILE
                                  score the CSV under a draft scorecard without
                                  activating it; say how bands would move

flags of every command:
  --target HOST:PORT             server address (default 127.0.0.1:50051)
  --admin-target HOST:PORT       admin address, admin commands (default 127.0.0.1:50052)
  --explain none|summary|full    how much explanation to ask for (default summary)
  --format table|json|csv        output format (default table)
  --timeout SECONDS              deadline of each RPC (default 30)
  --token-file FILE              send the bearer token in FILE with every call
  --tls-ca FILE                  connect with TLS, trusting the CA in FILE
  --tls-cert FILE --tls-key FILE with --tls-ca: a client certificate (mTLS)

score, one customer (give exactly one input):
  --customer-id ID [--segment S] [--signal NAME=VALUE[,NAME=VALUE...]]... [NAME=VALUE ...]
                                 --signal may repeat and take comma lists; bare
                                 NAME=VALUE arguments are signals too
  --json FILE                    a healthscore.v1.Customer as JSON:
                                 {"customer_id":"c1","segment":"smb","signals":{"x":1}}
score, many customers:
  --csv FILE                     header: customer_id[,segment],<signal>...; an empty
                                 cell is a missing signal
  --batch-size N                 rows per ScoreBatch call (default 1000)
  --layout full|compact          the reply's layout (default full): compact
                                 sends names once per batch and numbers per
                                 customer (no groups, gates, actions, trends)
  --record                       record the scores in the history; a recorded
                                 score shows its change against the previous one

Flags take --name=value or --name value; --customer_id works as --customer-id.
exit codes: 0 all scored / done (a watch: interrupted), 1 some customer not
scored or recorded, the server refused the change or has no points or alert
for the question, 2 bad command line or input file, 3 RPC failed.
More: docs/cli.md
)";

// The flags each command reads besides --format and --timeout; giving one
// another command does not read is a mistake worth reporting rather than
// ignoring.
const absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>&
CommandFlags() {
  static const auto* const kFlags =
      new absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>{
          {"score",
           {"target", "explain", "customer_id", "segment", "signal", "json",
            "csv", "batch_size", "record", "layout"}},
          {"import", {"target", "csv", "batch_size"}},
          {"history", {"target", "from", "to", "limit", "full"}},
          {"why", {"target", "from", "to", "days"}},
          {"movers",
           {"target", "from", "to", "days", "segment", "rises", "limit"}},
          {"portfolio", {"target", "as_of", "segment", "window_days"}},
          {"rollup", {"target", "as_of"}},
          {"alerts",
           {"target", "state", "segment", "severity", "customer_id", "limit",
            "watch", "after_cursor", "why"}},
          {"ack", {"target", "who", "note"}},
          {"resolve", {"target", "who", "note"}},
          {"override",
           {"target", "score", "band", "reason", "author", "expires", "for",
            "who", "note", "limit"}},
          {"dimensions", {"target", "explain"}},
          {"scorecard", {"target", "explain"}},
          {"plugins", {"admin_target"}},
          {"reload", {"admin_target", "rescan_plugins"}},
          {"load-plugin", {"admin_target"}},
          {"unload-plugin", {"admin_target"}},
          {"dry-run", {"admin_target", "explain", "scorecard", "csv"}},
          {"outcomes", {"target", "csv", "batch_size"}},
          {"backtest",
           {"target", "scorecard", "horizon", "segment", "from", "to", "plot"}},
          {"suggest-weights",
           {"target", "horizon", "segment", "regularization", "out"}},
          {"what-if",
           {"target", "explain", "customer_id", "segment", "signal", "json"}},
          {"path-to-green",
           {"target", "customer_id", "segment", "signal", "json"}},
      };
  return *kFlags;
}

const absl::flat_hash_set<std::string>& KnownFlags() {
  static const auto* const kFlags =
      new absl::flat_hash_set<std::string>{"target",
                                           "explain",
                                           "format",
                                           "timeout",
                                           "token_file",
                                           "tls_ca",
                                           "tls_cert",
                                           "tls_key",
                                           "customer_id",
                                           "segment",
                                           "signal",
                                           "json",
                                           "csv",
                                           "batch_size",
                                           "admin_target",
                                           "scorecard",
                                           "rescan_plugins",
                                           "record",
                                           "layout",
                                           "from",
                                           "to",
                                           "days",
                                           "limit",
                                           "full",
                                           "rises",
                                           "as_of",
                                           "window_days",
                                           "state",
                                           "severity",
                                           "watch",
                                           "after_cursor",
                                           "who",
                                           "note",
                                           "why",
                                           "score",
                                           "band",
                                           "reason",
                                           "author",
                                           "expires",
                                           "for",
                                           "horizon",
                                           "plot",
                                           "regularization",
                                           "out"};
  return *kFlags;
}

// Flags that take no value: --rescan-plugins alone means true.
bool IsBoolFlag(absl::string_view name) {
  return name == "rescan_plugins" || name == "record" || name == "full" ||
         name == "rises" || name == "watch" || name == "why";
}

std::string Dashed(absl::string_view name) {
  return absl::StrReplaceAll(name, {{"_", "-"}});
}

struct CommandLine {
  std::vector<std::string> positional;
  // Every --signal value, in order (it may repeat, unlike an absl flag).
  std::vector<std::string> signals;
  std::set<std::string> given;  // flag names seen, underscored
  bool help = false;
};

// absl::ParseCommandLine exits with status 1 on an unknown flag or a bad
// value, and the CLI promises 2 for every usage error; it also cannot repeat
// a flag or spell names with dashes. So the command line is walked here and
// each value is still parsed and stored by its absl flag.
absl::StatusOr<CommandLine> ParseCommandLine(int argc, char** argv) {
  CommandLine command_line;
  bool only_positional = false;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (only_positional || arg.size() < 2 || arg[0] != '-') {
      command_line.positional.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    absl::string_view body =
        absl::StripPrefix(absl::StripPrefix(arg, "-"), "-");
    std::optional<absl::string_view> value;
    if (const size_t eq = body.find('='); eq != absl::string_view::npos) {
      value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    const std::string name = absl::StrReplaceAll(body, {{"-", "_"}});
    if (name == "help" || name == "h") {
      command_line.help = true;
      continue;
    }
    if (!KnownFlags().contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", Dashed(name)));
    }
    if (!value.has_value() && IsBoolFlag(name)) value = "true";
    if (!value.has_value()) {
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", Dashed(name), " needs a value"));
      }
      value = argv[++i];
    }
    command_line.given.insert(name);
    if (name == "signal") {
      command_line.signals.emplace_back(*value);
      continue;
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::string error;
    if (flag == nullptr || !flag->ParseFrom(*value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", Dashed(name), "=", *value, ": ", error));
    }
  }
  return command_line;
}

absl::StatusOr<CommonOptions> GetCommonOptions() {
  CommonOptions options;
  options.target = absl::GetFlag(FLAGS_target);
  if (options.target.empty()) {
    return absl::InvalidArgumentError("--target is empty");
  }
  absl::StatusOr<healthscore::v1::Explain> explain =
      ParseExplain(absl::GetFlag(FLAGS_explain));
  if (!explain.ok()) return explain.status();
  options.explain = *explain;
  absl::StatusOr<OutputFormat> format =
      ParseOutputFormat(absl::GetFlag(FLAGS_format));
  if (!format.ok()) return format.status();
  options.format = *format;
  const double timeout = absl::GetFlag(FLAGS_timeout);
  if (!std::isfinite(timeout) || timeout <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--timeout=", timeout, " must be a positive number of seconds"));
  }
  options.timeout = absl::Seconds(timeout);
  return options;
}

absl::StatusOr<ScoreOptions> GetScoreOptions(const CommandLine& command_line) {
  ScoreOptions options;
  options.customer_id = absl::GetFlag(FLAGS_customer_id);
  options.segment = absl::GetFlag(FLAGS_segment);
  options.json_path = absl::GetFlag(FLAGS_json);
  options.csv_path = absl::GetFlag(FLAGS_csv);
  options.signals = command_line.signals;
  // Positional arguments after the command are signals as well.
  options.signals.insert(options.signals.end(),
                         command_line.positional.begin() + 1,
                         command_line.positional.end());
  const int64_t batch_size = absl::GetFlag(FLAGS_batch_size);
  if (batch_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--batch-size=", batch_size, " must be at least 1"));
  }
  if (command_line.given.contains("batch_size") && options.csv_path.empty()) {
    return absl::InvalidArgumentError("--batch-size goes with --csv");
  }
  options.batch_size = static_cast<size_t>(batch_size);
  options.record = absl::GetFlag(FLAGS_record);
  const std::string layout = absl::GetFlag(FLAGS_layout);
  if (layout != "full" && layout != "compact") {
    return absl::InvalidArgumentError(
        absl::StrCat("--layout=", layout, " is not a layout: full or compact"));
  }
  if (command_line.given.contains("layout") && options.csv_path.empty()) {
    return absl::InvalidArgumentError("--layout goes with --csv");
  }
  options.compact = layout == "compact";
  if (absl::Status status = ValidateScoreOptions(options); !status.ok()) {
    return status;
  }
  return options;
}

// A date flag: unset when not given. --to and --as-of read a bare date as
// the whole day (its last instant), --from as its first.
absl::StatusOr<std::optional<absl::Time>> GetTimeFlag(
    const CommandLine& command_line, const std::string& name,
    const std::string& value, DateMeans date_means) {
  if (!command_line.given.contains(name)) return std::nullopt;
  absl::StatusOr<absl::Time> time =
      ParseTimeFlag(Dashed(name), value, date_means);
  if (!time.ok()) return time.status();
  return *time;
}

// An integer flag that must fit an int (the proto fields are int32).
absl::StatusOr<int> GetIntFlag(const std::string& name, int64_t value) {
  if (value < INT32_MIN || value > INT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", Dashed(name), "=", value, " is out of range"));
  }
  return static_cast<int>(value);
}

// The options of the history commands (import, history, why, movers,
// portfolio); `id` is the positional customer id of history and why.
struct HistoryCommandOptions {
  ImportOptions import;
  HistoryOptions history;
  WhyOptions why;
  MoversOptions movers;
  PortfolioOptions portfolio;
  RollupOptions rollup;
};

absl::StatusOr<HistoryCommandOptions> GetHistoryCommandOptions(
    const std::string& command, const CommandLine& command_line) {
  HistoryCommandOptions options;
  const std::string id =
      command_line.positional.size() > 1 ? command_line.positional[1] : "";
  absl::StatusOr<std::optional<absl::Time>> from = GetTimeFlag(
      command_line, "from", absl::GetFlag(FLAGS_from), DateMeans::kStartOfDay);
  if (!from.ok()) return from.status();
  absl::StatusOr<std::optional<absl::Time>> to = GetTimeFlag(
      command_line, "to", absl::GetFlag(FLAGS_to), DateMeans::kEndOfDay);
  if (!to.ok()) return to.status();
  absl::StatusOr<std::optional<absl::Time>> as_of = GetTimeFlag(
      command_line, "as_of", absl::GetFlag(FLAGS_as_of), DateMeans::kEndOfDay);
  if (!as_of.ok()) return as_of.status();
  std::optional<int> days;
  if (command_line.given.contains("days")) {
    absl::StatusOr<int> value = GetIntFlag("days", absl::GetFlag(FLAGS_days));
    if (!value.ok()) return value.status();
    days = *value;
  }
  std::optional<int> limit;
  if (command_line.given.contains("limit")) {
    absl::StatusOr<int> value = GetIntFlag("limit", absl::GetFlag(FLAGS_limit));
    if (!value.ok()) return value.status();
    limit = *value;
  }

  if (command == "import") {
    options.import.csv_path = absl::GetFlag(FLAGS_csv);
    if (options.import.csv_path.empty()) {
      return absl::InvalidArgumentError(
          "import needs --csv FILE: customer_id, segment, as_of, then one "
          "column per signal");
    }
    const int64_t batch_size = absl::GetFlag(FLAGS_batch_size);
    if (batch_size < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("--batch-size=", batch_size, " must be at least 1"));
    }
    options.import.batch_size = static_cast<size_t>(batch_size);
    options.import.progress_bar = isatty(STDERR_FILENO) == 1;
  } else if (command == "history") {
    options.history.customer_id = id;
    options.history.from = *from;
    options.history.to = *to;
    if (limit.has_value()) options.history.limit = *limit;
    options.history.full = absl::GetFlag(FLAGS_full);
  } else if (command == "why") {
    options.why.customer_id = id;
    options.why.from = *from;
    options.why.to = *to;
    options.why.days = days;
  } else if (command == "movers") {
    options.movers.from = *from;
    options.movers.to = *to;
    options.movers.days = days;
    options.movers.segment = absl::GetFlag(FLAGS_segment);
    options.movers.rises = absl::GetFlag(FLAGS_rises);
    if (limit.has_value()) options.movers.limit = *limit;
  } else if (command == "portfolio") {
    options.portfolio.as_of = *as_of;
    options.portfolio.segment = absl::GetFlag(FLAGS_segment);
    absl::StatusOr<int> window =
        GetIntFlag("window_days", absl::GetFlag(FLAGS_window_days));
    if (!window.ok()) return window.status();
    options.portfolio.window_days = *window;
  } else if (command == "rollup") {
    options.rollup.parent_id = id;
    options.rollup.as_of = *as_of;
  }
  return options;
}

bool IsHistoryCommand(absl::string_view command) {
  return command == "import" || command == "history" || command == "why" ||
         command == "movers" || command == "portfolio" || command == "rollup";
}

bool IsAlertCommand(absl::string_view command) {
  return command == "alerts" || command == "ack" || command == "resolve";
}

// The options of the alert commands (alerts, alerts --watch, ack, resolve).
struct AlertCommandOptions {
  AlertsOptions list;
  bool watch = false;
  WatchOptions watch_options;
  AlertActionOptions action;
};

absl::StatusOr<AlertCommandOptions> GetAlertCommandOptions(
    const std::string& command, const CommandLine& command_line) {
  AlertCommandOptions options;
  if (command != "alerts") {  // ack, resolve
    if (command_line.positional.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          command,
          " takes one argument: the alert id (`healthscore alerts` lists "
          "them)"));
    }
    absl::StatusOr<int64_t> id = ParseAlertId(command_line.positional[1]);
    if (!id.ok()) return id.status();
    options.action.id = *id;
    options.action.who = absl::GetFlag(FLAGS_who);
    options.action.note = absl::GetFlag(FLAGS_note);
    if (options.action.who.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          command,
          " needs --who NAME: who is acting on the alert (kept with "
          "it)"));
    }
    return options;
  }
  if (command_line.positional.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unexpected argument \"", command_line.positional[1],
        "\" after alerts (ack ID and resolve ID act on one alert)"));
  }
  options.watch = absl::GetFlag(FLAGS_watch);
  if (options.watch) {
    for (const char* name : {"state", "customer_id", "limit"}) {
      if (command_line.given.contains(name)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--", Dashed(name),
            " does not apply to alerts --watch (it filters by --segment and "
            "--severity)"));
      }
    }
    if (command_line.given.contains("timeout")) {
      return absl::InvalidArgumentError(
          "--timeout does not apply to alerts --watch: the stream stays open "
          "until interrupted");
    }
    options.watch_options.after_cursor = absl::GetFlag(FLAGS_after_cursor);
    options.watch_options.segment = absl::GetFlag(FLAGS_segment);
    options.watch_options.severity = absl::GetFlag(FLAGS_severity);
    absl::StatusOr<healthscore::v1::WatchAlertsRequest> request =
        BuildWatchAlertsRequest(options.watch_options);
    if (!request.ok()) return request.status();
    return options;
  }
  if (command_line.given.contains("after_cursor")) {
    return absl::InvalidArgumentError("--after-cursor goes with --watch");
  }
  if (command_line.given.contains("state")) {
    absl::StatusOr<healthscore::v1::AlertState> state =
        ParseAlertState(absl::GetFlag(FLAGS_state));
    if (!state.ok()) return state.status();
    options.list.state = *state;
  }
  options.list.segment = absl::GetFlag(FLAGS_segment);
  options.list.severity = absl::GetFlag(FLAGS_severity);
  options.list.customer_id = absl::GetFlag(FLAGS_customer_id);
  options.list.why = absl::GetFlag(FLAGS_why);
  if (command_line.given.contains("limit")) {
    absl::StatusOr<int> limit = GetIntFlag("limit", absl::GetFlag(FLAGS_limit));
    if (!limit.ok()) return limit.status();
    options.list.limit = *limit;
  }
  absl::StatusOr<healthscore::v1::ListAlertsRequest> request =
      BuildListAlertsRequest(options.list);
  if (!request.ok()) return request.status();
  return options;
}

// Ctrl-C and SIGTERM end a watch cleanly (the last cursor printed, exit 0):
// they are blocked in this thread and every thread started after it (gRPC's
// included, so call this before the channel is made), and one thread waits
// for them and interrupts the watch.
WatchInterrupt& InterruptOnSignals() {
  // Never destroyed: the thread may still wait on it while the process exits.
  static WatchInterrupt* const interrupt = new WatchInterrupt;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals] {
    int signal = 0;
    if (sigwait(&signals, &signal) == 0) interrupt->Interrupt();
  }).detach();
  return *interrupt;
}

// Adds `authorization: Bearer <token>` to every call of the channel (an
// interceptor: call credentials would not be sent over plaintext).
class TokenInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit TokenInterceptor(const std::string* header) : header_(header) {}
  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::
                PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", *header_});
    }
    methods->Proceed();
  }

 private:
  const std::string* const header_;
};

class TokenInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit TokenInterceptorFactory(std::string header)
      : header_(std::move(header)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new TokenInterceptor(&header_);
  }

 private:
  const std::string header_;
};

absl::StatusOr<std::string> ReadWholeFile(const std::string& flag,
                                          const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", path, ": cannot read the file"));
  }
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

// The channel to `target`: TLS with --tls-ca (and --tls-cert/--tls-key),
// plaintext without; --token-file's token on every call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const std::string& target, const grpc::ChannelArguments& args) {
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  const std::string ca = absl::GetFlag(FLAGS_tls_ca);
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together: give both or neither");
  }
  if (!cert.empty() && ca.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert needs --tls-ca (the CA that signed the server's "
        "certificate)");
  }
  if (!ca.empty()) {
    grpc::SslCredentialsOptions tls;
    absl::StatusOr<std::string> text = ReadWholeFile("tls-ca", ca);
    if (!text.ok()) return text.status();
    tls.pem_root_certs = *text;
    if (!cert.empty()) {
      text = ReadWholeFile("tls-cert", cert);
      if (!text.ok()) return text.status();
      tls.pem_cert_chain = *text;
      text = ReadWholeFile("tls-key", key);
      if (!text.ok()) return text.status();
      tls.pem_private_key = *text;
    }
    credentials = grpc::SslCredentials(tls);
  }
  std::vector<
      std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
      interceptors;
  const std::string token_file = absl::GetFlag(FLAGS_token_file);
  if (!token_file.empty()) {
    absl::StatusOr<std::string> text = ReadWholeFile("token-file", token_file);
    if (!text.ok()) return text.status();
    const std::string token(absl::StripAsciiWhitespace(*text));
    if (token.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--token-file=", token_file, ": the file is empty"));
    }
    interceptors.push_back(
        std::make_unique<TokenInterceptorFactory>("Bearer " + token));
  }
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      target, credentials, args, std::move(interceptors));
}

int UsageError(absl::string_view message) {
  std::cerr << "error: " << message << "\n\n" << kUsage;
  return kExitUsage;
}

int Main(int argc, char** argv) {
  absl::StatusOr<CommandLine> command_line = ParseCommandLine(argc, argv);
  if (!command_line.ok()) return UsageError(command_line.status().message());
  if (command_line->help || (!command_line->positional.empty() &&
                             command_line->positional.front() == "help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (command_line->positional.empty()) return UsageError("no command given");
  const std::string& command = command_line->positional.front();

  absl::StatusOr<CommonOptions> options = GetCommonOptions();
  if (!options.ok()) return UsageError(options.status().message());

  const auto allowed = CommandFlags().find(command);
  if (allowed == CommandFlags().end()) {
    return UsageError(absl::StrCat("unknown command \"", command, "\""));
  }
  for (const std::string& name : command_line->given) {
    static const absl::flat_hash_set<std::string> kEveryCommand = {
        "format", "timeout", "token_file", "tls_ca", "tls_cert", "tls_key"};
    if (!kEveryCommand.contains(name) && !allowed->second.contains(name)) {
      return UsageError(
          absl::StrCat("--", Dashed(name), " does not apply to ", command));
    }
  }

  std::optional<ScoreOptions> score_options;
  std::optional<HistoryCommandOptions> history_options;
  std::optional<AlertCommandOptions> alert_options;
  std::optional<OverrideCommandOptions> override_options;
  std::optional<WhatIfOptions> whatif_options;
  // The one positional argument of load-plugin and unload-plugin.
  std::string plugin;
  if (command == "history" || command == "why" || command == "rollup") {
    if (command_line->positional.size() != 2) {
      return UsageError(absl::StrCat(
          command, " takes one argument: the ",
          command == "rollup" ? "parent account's id" : "customer id"));
    }
  } else if (IsHistoryCommand(command) && command_line->positional.size() > 1) {
    return UsageError(absl::StrCat("unexpected argument \"",
                                   command_line->positional[1], "\" after ",
                                   command));
  }
  if (IsHistoryCommand(command)) {
    absl::StatusOr<HistoryCommandOptions> parsed =
        GetHistoryCommandOptions(command, *command_line);
    if (!parsed.ok()) return UsageError(parsed.status().message());
    history_options = *std::move(parsed);
  } else if (IsAlertCommand(command)) {
    absl::StatusOr<AlertCommandOptions> parsed =
        GetAlertCommandOptions(command, *command_line);
    if (!parsed.ok()) return UsageError(parsed.status().message());
    alert_options = *std::move(parsed);
  } else if (command == "override") {
    OverrideFlags flags;
    flags.score = absl::GetFlag(FLAGS_score);
    flags.band = absl::GetFlag(FLAGS_band);
    flags.reason = absl::GetFlag(FLAGS_reason);
    flags.author = absl::GetFlag(FLAGS_author);
    flags.expires = absl::GetFlag(FLAGS_expires);
    flags.for_duration = absl::GetFlag(FLAGS_for);
    flags.who = absl::GetFlag(FLAGS_who);
    flags.note = absl::GetFlag(FLAGS_note);
    flags.limit = absl::GetFlag(FLAGS_limit);
    flags.given = command_line->given;
    absl::StatusOr<OverrideCommandOptions> parsed = ParseOverrideCommand(
        {command_line->positional.begin() + 1, command_line->positional.end()},
        flags, absl::Now());
    if (!parsed.ok()) return UsageError(parsed.status().message());
    override_options = *std::move(parsed);
  } else if (command == "what-if" || command == "path-to-green") {
    WhatIfFlags flags;
    flags.customer_id = absl::GetFlag(FLAGS_customer_id);
    flags.segment = absl::GetFlag(FLAGS_segment);
    flags.json_path = absl::GetFlag(FLAGS_json);
    flags.signals = command_line->signals;
    if (command_line->given.contains("explain")) {
      flags.explain = absl::GetFlag(FLAGS_explain);
    }
    flags.given = command_line->given;
    absl::StatusOr<WhatIfOptions> parsed = ParseWhatIfCommand(
        command == "what-if" ? WhatIfCommand::kWhatIf
                             : WhatIfCommand::kPathToGreen,
        {command_line->positional.begin() + 1, command_line->positional.end()},
        flags);
    if (!parsed.ok()) return UsageError(parsed.status().message());
    whatif_options = *std::move(parsed);
  } else if (command == "score") {
    absl::StatusOr<ScoreOptions> parsed = GetScoreOptions(*command_line);
    if (!parsed.ok()) return UsageError(parsed.status().message());
    score_options = *std::move(parsed);
  } else if (command == "outcomes") {
    if (command_line->positional.size() != 2 ||
        command_line->positional[1] != "import") {
      return UsageError(
          "outcomes takes one argument: import (outcomes import "
          "--csv FILE)");
    }
    if (absl::GetFlag(FLAGS_csv).empty()) {
      return UsageError(
          "outcomes import needs --csv FILE: customer_id, date, kind, value");
    }
    if (absl::GetFlag(FLAGS_batch_size) < 1) {
      return UsageError(
          absl::StrCat("--batch-size=", absl::GetFlag(FLAGS_batch_size),
                       " must be at least 1"));
    }
  } else if (command == "load-plugin" || command == "unload-plugin") {
    if (command_line->positional.size() != 2) {
      return UsageError(absl::StrCat(command, " takes one argument: ",
                                     command == "load-plugin"
                                         ? "a path to a .so or name@version"
                                         : "name@version"));
    }
    plugin = command_line->positional[1];
  } else if (command_line->positional.size() > 1) {
    return UsageError(absl::StrCat("unexpected argument \"",
                                   command_line->positional[1], "\" after ",
                                   command));
  }

  // Plaintext unless --tls-ca; --token-file's token on every call
  // (docs/security.md).
  if (allowed->second.contains("admin_target")) {
    options->target = absl::GetFlag(FLAGS_admin_target);
    options->admin = true;
    if (options->target.empty()) return UsageError("--admin-target is empty");
    absl::StatusOr<std::shared_ptr<grpc::Channel>> admin_channel =
        MakeChannel(options->target, grpc::ChannelArguments());
    if (!admin_channel.ok()) {
      return UsageError(admin_channel.status().message());
    }
    std::unique_ptr<healthscore::v1::Registry::Stub> admin =
        healthscore::v1::Registry::NewStub(*admin_channel);
    if (command == "plugins") {
      return RunPlugins(*admin, *options, std::cout, std::cerr);
    }
    if (command == "reload") {
      return RunReload(*admin, *options, absl::GetFlag(FLAGS_rescan_plugins),
                       std::cout, std::cerr);
    }
    if (command == "load-plugin") {
      return RunLoadPlugin(*admin, *options, plugin, std::cout, std::cerr);
    }
    if (command == "unload-plugin") {
      return RunUnloadPlugin(*admin, *options, plugin, std::cout, std::cerr);
    }
    DryRunOptions dry_run{absl::GetFlag(FLAGS_scorecard),
                          absl::GetFlag(FLAGS_csv)};
    if (dry_run.scorecard_path.empty() || dry_run.csv_path.empty()) {
      return UsageError(
          "dry-run needs --scorecard FILE (the draft) and --csv FILE (the "
          "customers)");
    }
    return RunDryRun(*admin, *options, dry_run, std::cout, std::cerr);
  }

  // Full explanations of a large batch outgrow gRPC's 4 MiB default; accept
  // what the server may send (its own limit is 64 MiB).
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(64 << 20);
  if (alert_options.has_value() && alert_options->watch) {
    WatchInterrupt& interrupt = InterruptOnSignals();
    // A dropped watch retries within seconds (its own backoff); let the
    // channel try to reconnect as often.
    channel_args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
    channel_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
    absl::StatusOr<std::shared_ptr<grpc::Channel>> made =
        MakeChannel(options->target, channel_args);
    if (!made.ok()) return UsageError(made.status().message());
    const std::shared_ptr<grpc::Channel> channel = *made;
    std::unique_ptr<healthscore::v1::Alerts::Stub> alerts =
        healthscore::v1::Alerts::NewStub(channel);
    WatchOptions watch = alert_options->watch_options;
    // The backoff after a drop ends early once the channel connects again,
    // so that a restarted server is picked up at once (the channel is told
    // to retry now rather than after its own backoff).
    watch.sleep = [&channel, &interrupt](absl::Duration duration) {
      if (channel->GetState(false) == GRPC_CHANNEL_READY) {
        return interrupt.Sleep(duration);
      }
      grpc::experimental::ChannelResetConnectionBackoff(channel.get());
      const absl::Time end = absl::Now() + duration;
      while (!interrupt.interrupted() && absl::Now() < end) {
        const absl::Time slice =
            std::min(end, absl::Now() + absl::Milliseconds(100));
        if (channel->WaitForConnected(absl::ToChronoTime(slice))) break;
      }
      return !interrupt.interrupted();
    };
    return RunWatchAlerts(GrpcAlertStreamOpener(*alerts), *options, watch,
                          interrupt, std::cout, std::cerr);
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> made =
      MakeChannel(options->target, channel_args);
  if (!made.ok()) return UsageError(made.status().message());
  const std::shared_ptr<grpc::Channel> channel = *made;
  if (whatif_options.has_value()) {
    std::unique_ptr<healthscore::v1::Validation::Stub> validation =
        healthscore::v1::Validation::NewStub(channel);
    return RunWhatIf(*validation, *options, *whatif_options, std::cout,
                     std::cerr);
  }
  if (command == "suggest-weights") {
    SuggestWeightsCommandOptions weights;
    weights.horizon_days = static_cast<int>(
        std::clamp<int64_t>(absl::GetFlag(FLAGS_horizon), -1, 100000));
    weights.segment = absl::GetFlag(FLAGS_segment);
    weights.regularization = absl::GetFlag(FLAGS_regularization);
    weights.out_path = absl::GetFlag(FLAGS_out);
    std::unique_ptr<healthscore::v1::Validation::Stub> validation =
        healthscore::v1::Validation::NewStub(channel);
    std::unique_ptr<healthscore::v1::HealthScoring::Stub> scoring =
        healthscore::v1::HealthScoring::NewStub(channel);
    return RunSuggestWeights(*validation, *scoring, *options, weights,
                             std::cout, std::cerr);
  }
  if (command == "outcomes" || command == "backtest") {
    std::unique_ptr<healthscore::v1::Validation::Stub> validation =
        healthscore::v1::Validation::NewStub(channel);
    if (command == "outcomes") {
      return RunOutcomesImport(
          *validation, *options, absl::GetFlag(FLAGS_csv),
          static_cast<size_t>(absl::GetFlag(FLAGS_batch_size)), std::cout,
          std::cerr);
    }
    BacktestCommandOptions backtest;
    backtest.horizon_days = static_cast<int>(
        std::clamp<int64_t>(absl::GetFlag(FLAGS_horizon), -1, 100000));
    backtest.scorecard_path = absl::GetFlag(FLAGS_scorecard);
    backtest.segment = absl::GetFlag(FLAGS_segment);
    backtest.plot_path = absl::GetFlag(FLAGS_plot);
    for (auto [flag, slot] :
         {std::pair{"from", &backtest.from}, std::pair{"to", &backtest.to}}) {
      const std::string text = flag == std::string("from")
                                   ? absl::GetFlag(FLAGS_from)
                                   : absl::GetFlag(FLAGS_to);
      if (text.empty()) continue;
      absl::StatusOr<absl::Time> t =
          ParseTimeFlag(flag, text,
                        flag == std::string("from") ? DateMeans::kStartOfDay
                                                    : DateMeans::kEndOfDay);
      if (!t.ok()) return UsageError(t.status().message());
      *slot = *t;
    }
    return RunBacktest(*validation, *options, backtest, std::cout, std::cerr);
  }
  if (override_options.has_value()) {
    std::unique_ptr<healthscore::v1::Overrides::Stub> overrides =
        healthscore::v1::Overrides::NewStub(channel);
    return RunOverride(*overrides, *options, *override_options, std::cout,
                       std::cerr);
  }
  if (alert_options.has_value()) {
    std::unique_ptr<healthscore::v1::Alerts::Stub> alerts =
        healthscore::v1::Alerts::NewStub(channel);
    if (command == "alerts") {
      return RunAlerts(*alerts, *options, alert_options->list, std::cout,
                       std::cerr);
    }
    return RunAlertAction(
        *alerts, *options,
        command == "ack" ? AlertAction::kAcknowledge : AlertAction::kResolve,
        alert_options->action, std::cout, std::cerr);
  }
  if (history_options.has_value() && command != "import") {
    std::unique_ptr<healthscore::v1::History::Stub> history =
        healthscore::v1::History::NewStub(channel);
    if (command == "history") {
      return RunHistory(*history, *options, history_options->history, std::cout,
                        std::cerr);
    }
    if (command == "why") {
      return RunWhy(*history, *options, history_options->why, std::cout,
                    std::cerr);
    }
    if (command == "movers") {
      return RunMovers(*history, *options, history_options->movers, std::cout,
                       std::cerr);
    }
    if (command == "rollup") {
      return RunRollup(*history, *options, history_options->rollup, std::cout,
                       std::cerr);
    }
    return RunPortfolio(*history, *options, history_options->portfolio,
                        std::cout, std::cerr);
  }
  std::unique_ptr<healthscore::v1::HealthScoring::Stub> stub =
      healthscore::v1::HealthScoring::NewStub(channel);
  if (history_options.has_value()) {
    return RunImport(*stub, *options, history_options->import, std::cout,
                     std::cerr);
  }
  if (score_options.has_value()) {
    return RunScore(*stub, *options, *score_options, std::cout, std::cerr);
  }
  if (command == "dimensions") {
    return RunDimensions(*stub, *options, std::cout, std::cerr);
  }
  return RunScorecard(*stub, *options, std::cout, std::cerr);
}

}  // namespace
}  // namespace healthscore::cli

int main(int argc, char** argv) { return healthscore::cli::Main(argc, argv); }
