// The CLI's commands (score, dimensions, scorecard) run against any
// HealthScoring stub, so they can be tested against an in-process server.
// main.cc only turns flags into these options and picks the command.
#ifndef HEALTHSCORE_CLIENTS_CLI_COMMANDS_H_
#define HEALTHSCORE_CLIENTS_CLI_COMMANDS_H_

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "clients/cli/requests.h"
#include "grpcpp/support/status.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"

namespace healthscore::cli {

// The process exit codes; docs/cli.md lists them for scripts.
enum ExitCode : int {
  kExitOk = 0,
  // At least one customer could not be scored (a batch row's error, or the
  // server refusing a single customer's data with INVALID_ARGUMENT).
  kExitNotScored = 1,
  // Bad command line or bad input file; nothing was sent.
  kExitUsage = 2,
  // An RPC failed: no server, deadline exceeded, server-side failure.
  kExitRpcFailed = 3,
  // Admin commands: the server refused the change (a scorecard or draft that
  // does not bind, a plugin that does not load, an unload of a plugin in
  // use). Shares 1 with kExitNotScored: "the server said no to the input".
  kExitRefused = 1,
  // History queries: the server has no points for the question (NOT_FOUND)
  // or refused it (INVALID_ARGUMENT). Also 1: "the server answered no".
  kExitNotFound = 1,
};

// Flags every command takes.
struct CommonOptions {
  std::string target = "127.0.0.1:50051";
  healthscore::v1::Explain explain = healthscore::v1::EXPLAIN_SUMMARY;
  OutputFormat format = OutputFormat::kTable;
  // The deadline of each RPC (each batch has its own).
  absl::Duration timeout = absl::Seconds(30);
  // `target` is the admin API (--admin-target), for the hints in errors.
  bool admin = false;
};

// Flags of `score`. Exactly one input: customer_id (with segment and
// signals), json_path or csv_path.
struct ScoreOptions {
  std::string customer_id;
  std::string segment;
  // "name=value" items or comma lists of them, from --signal and from
  // positional arguments, in the order given.
  std::vector<std::string> signals;
  std::string json_path;
  std::string csv_path;
  size_t batch_size = 1000;
  // Ask the server to record the scores in the history (--record); each
  // recorded score comes back with its trend.
  bool record = false;
  // --layout=compact: ask for the compact batch layout (with --csv), decoded
  // back into full results before printing.
  bool compact = false;
};

// Checks that `score` got exactly one input and that the other flags fit it.
// Errors: INVALID_ARGUMENT saying what to change.
absl::Status ValidateScoreOptions(const ScoreOptions& options);

// Each Run* writes results to `out`, errors and notes to `err`, and returns an
// ExitCode. Each RPC gets a deadline of options.timeout.
//
// RunScore: one customer through Score, or --csv in batches of
// options.batch_size through ScoreBatch, printed in input order.
// REQUIRES: ValidateScoreOptions(score_options).ok().
int RunScore(healthscore::v1::HealthScoring::StubInterface& stub,
             const CommonOptions& options, const ScoreOptions& score_options,
             std::ostream& out, std::ostream& err);
int RunDimensions(healthscore::v1::HealthScoring::StubInterface& stub,
                  const CommonOptions& options, std::ostream& out,
                  std::ostream& err);
int RunScorecard(healthscore::v1::HealthScoring::StubInterface& stub,
                 const CommonOptions& options, std::ostream& out,
                 std::ostream& err);

// "error: UNAVAILABLE: <message>; is the server running at <target>?" and
// similar hints for the codes a person can act on.
std::string DescribeRpcError(const grpc::Status& status,
                             const CommonOptions& options);

// The deadline of one RPC: now + options.timeout.
void SetDeadline(grpc::ClientContext& context, const CommonOptions& options);

// Prints `status` (DescribeRpcError) to `err` and returns the exit code: 1
// (kExitRefused) when the server understood the request and said no
// (INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS), 3
// (kExitRpcFailed) for anything else.
int RefusedOrFailed(const grpc::Status& status, const CommonOptions& options,
                    std::ostream& err);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_COMMANDS_H_
