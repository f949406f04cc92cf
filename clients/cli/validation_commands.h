// The CLI's validation commands over healthscore.v1.Validation:
// `outcomes import --csv FILE` (RecordOutcomes) and `backtest` (Backtest),
// with an SVG picture of the ROC curve and the churn rate per band.
#ifndef HEALTHSCORE_CLIENTS_CLI_VALIDATION_COMMANDS_H_
#define HEALTHSCORE_CLIENTS_CLI_VALIDATION_COMMANDS_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/cli/commands.h"
#include "healthscore/v1/validation.grpc.pb.h"

namespace healthscore::cli {

// Parses an outcomes CSV: a header naming customer_id, date, kind and
// optionally value (other columns are refused), then one outcome per row.
// kind is churned, renewed, expanded or contracted (any case); date is
// YYYY-MM-DD or an RFC 3339 time; value a number >= 0 (empty: 0).
// Errors (INVALID_ARGUMENT) name the file, line, column and value.
absl::StatusOr<std::vector<healthscore::v1::Outcome>> ParseOutcomesCsv(
    absl::string_view text, absl::string_view source);

// outcomes import: reads the file and records it in RecordOutcomes calls of
// at most `batch_size` outcomes. Exit codes: kExitOk; kExitUsage for a bad
// file (nothing sent); kExitRpcFailed when a call fails (earlier calls'
// outcomes stay recorded; importing again is safe).
int RunOutcomesImport(healthscore::v1::Validation::StubInterface& stub,
                      const CommonOptions& options, const std::string& path,
                      size_t batch_size, std::ostream& out, std::ostream& err);

struct BacktestCommandOptions {
  int horizon_days = 90;
  // A draft scorecard file to compare with the active one.
  std::string scorecard_path;
  std::string segment;
  std::optional<absl::Time> from;
  std::optional<absl::Time> to;
  // Where to draw the ROC curve and the churn rate per band (.svg).
  std::string plot_path;
};

// backtest. Exit codes: kExitOk; kExitUsage for options or files that do
// not make a request; kExitNotFound when the server answers
// FAILED_PRECONDITION (no outcomes, too few churned customers) or
// INVALID_ARGUMENT (a draft that does not bind); kExitRpcFailed otherwise.
int RunBacktest(healthscore::v1::Validation::StubInterface& stub,
                const CommonOptions& options,
                const BacktestCommandOptions& backtest, std::ostream& out,
                std::ostream& err);

// The tables of a backtest (table), the message (json), or one row per
// figure (csv).
void PrintBacktest(const healthscore::v1::BacktestResponse& response,
                   int horizon_days, OutputFormat format, std::ostream& out);

// An SVG document: the ROC curve (active, and draft when there is one) and
// the churn rate per band with its 95% interval.
std::string BacktestSvg(const healthscore::v1::BacktestResponse& response,
                        int horizon_days);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_VALIDATION_COMMANDS_H_
