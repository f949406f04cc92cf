// The CLI's history commands: import (a past timeline recorded through
// HealthScoring.ScoreBatch), and history, why, movers and portfolio (the
// healthscore.v1.History queries). They run against any stub, so they can be
// tested against an in-process server; main.cc turns flags into these
// options.
#ifndef HEALTHSCORE_CLIENTS_CLI_HISTORY_COMMANDS_H_
#define HEALTHSCORE_CLIENTS_CLI_HISTORY_COMMANDS_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli/commands.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/history.grpc.pb.h"

namespace healthscore::cli {

// Flags of `import`.
struct ImportOptions {
  std::string csv_path;
  size_t batch_size = 1000;
  // Draw a progress bar (stderr is a terminal); otherwise a line per tenth.
  bool progress_bar = false;
  // The clock the elapsed time and rows/s are measured with.
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

// Flags of `history ID`.
struct HistoryOptions {
  std::string customer_id;
  std::optional<absl::Time> from;
  std::optional<absl::Time> to;
  // At most this many points, newest first.
  int limit = 52;
  bool full = false;
};

// Flags of `why ID`: the change from `from` (or `days` before `to`) to `to`
// (unset: the customer's newest point).
struct WhyOptions {
  std::string customer_id;
  std::optional<absl::Time> from;
  std::optional<absl::Time> to;
  std::optional<int> days;
};

// Flags of `movers`: between `from` (or `days` before `to`; 30 days when
// neither is given) and `to` (unset: now).
struct MoversOptions {
  std::optional<absl::Time> from;
  std::optional<absl::Time> to;
  std::optional<int> days;
  std::string segment;
  bool rises = false;
  int limit = 20;
};

// Flags of `portfolio`.
struct PortfolioOptions {
  // Unset: now.
  std::optional<absl::Time> as_of;
  std::string segment;
  int window_days = 30;
};

// Arguments of `rollup`.
struct RollupOptions {
  std::string parent_id;
  // Unset: now.
  std::optional<absl::Time> as_of;
};

// The most a History call returns at once (GetHistory's page size, movers'
// limit), as history.proto says.
inline constexpr int kMaxHistoryPage = 1000;

// Request building, checked. `now` stands for an unset --to when --days is
// given. Errors: INVALID_ARGUMENT saying which flag to change (--from with
// --days, neither, a range that ends before it starts, a count below 1 or
// over the server's limit).
absl::StatusOr<healthscore::v1::GetHistoryRequest> BuildHistoryRequest(
    const HistoryOptions& options);
absl::StatusOr<healthscore::v1::ExplainChangeRequest> BuildWhyRequest(
    const WhyOptions& options, absl::Time now);
absl::StatusOr<healthscore::v1::ListMoversRequest> BuildMoversRequest(
    const MoversOptions& options, absl::Time now);
absl::StatusOr<healthscore::v1::GetPortfolioRequest> BuildPortfolioRequest(
    const PortfolioOptions& options);

// RunImport: reads the timeline CSV (customer_id, segment, as_of, signals),
// and records it oldest as_of first in ScoreBatch calls of at most
// import.batch_size rows of one as_of, with record set and EXPLAIN_NONE.
// Progress goes to `err`, the summary to `out`. Exit codes: kExitOk when
// every row was recorded; kExitNotScored when a row got an error or was
// scored without being recorded; kExitUsage for a bad file (nothing sent);
// kExitRpcFailed when a call failed as a whole (the import stops there; what
// earlier calls recorded stays recorded, and importing again is safe).
int RunImport(healthscore::v1::HealthScoring::StubInterface& stub,
              const CommonOptions& options, const ImportOptions& import,
              std::ostream& out, std::ostream& err);

// The History queries. Exit codes: kExitOk; kExitUsage for options that do
// not make a request (see Build*Request); kExitNotFound when the server
// answers NOT_FOUND (no points for the customer, or none at a date) or
// INVALID_ARGUMENT; kExitRpcFailed for any other failed call (no server, a
// server without history: FAILED_PRECONDITION / UNIMPLEMENTED, deadline).
// RunHistory pages through GetHistory until options.limit points.
int RunHistory(healthscore::v1::History::StubInterface& stub,
               const CommonOptions& options, const HistoryOptions& history,
               std::ostream& out, std::ostream& err);
int RunWhy(healthscore::v1::History::StubInterface& stub,
           const CommonOptions& options, const WhyOptions& why,
           std::ostream& out, std::ostream& err);
int RunMovers(healthscore::v1::History::StubInterface& stub,
              const CommonOptions& options, const MoversOptions& movers,
              std::ostream& out, std::ostream& err);
int RunPortfolio(healthscore::v1::History::StubInterface& stub,
                 const CommonOptions& options,
                 const PortfolioOptions& portfolio, std::ostream& out,
                 std::ostream& err);

int RunRollup(healthscore::v1::History::StubInterface& stub,
              const CommonOptions& options, const RollupOptions& rollup,
              std::ostream& out, std::ostream& err);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_HISTORY_COMMANDS_H_
