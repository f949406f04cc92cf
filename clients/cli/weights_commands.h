// The CLI's `suggest-weights` command over healthscore.v1.Validation: the
// fitted weights next to the active ones, the held-out backtest of both side
// by side, and the draft scorecard written to a file for review.
#ifndef HEALTHSCORE_CLIENTS_CLI_WEIGHTS_COMMANDS_H_
#define HEALTHSCORE_CLIENTS_CLI_WEIGHTS_COMMANDS_H_

#include <ostream>
#include <string>

#include "clients/cli/commands.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/validation.grpc.pb.h"

namespace healthscore::cli {

struct SuggestWeightsCommandOptions {
  int horizon_days = 90;
  std::string segment;  // empty: every segment's points
  // The L2 penalty; 0 asks for the server's default (1.0).
  double regularization = 0;
  // Where to write the draft scorecard; empty: not written.
  std::string out_path;
};

// suggest-weights: GetScorecard (the active weights) and SuggestWeights,
// each with a deadline of options.timeout; prints the comparison to `out`
// and writes the draft to out_path. Exit codes: kExitOk; kExitUsage for
// options that make no request (horizon < 1, regularization < 0) or a draft
// that cannot be written; kExitNotFound when the server answers
// FAILED_PRECONDITION (no outcomes, too few churned customers) or
// INVALID_ARGUMENT; kExitRpcFailed otherwise.
int RunSuggestWeights(healthscore::v1::Validation::StubInterface& validation,
                      healthscore::v1::HealthScoring::StubInterface& scoring,
                      const CommonOptions& options,
                      const SuggestWeightsCommandOptions& command,
                      std::ostream& out, std::ostream& err);

// The dimensions' active and suggested weights and the held-out figures
// side by side (table), the response itself (json), or one row per figure
// (csv: section,name,active,suggested). `active` is the scorecard the
// suggestion started from, for its weights.
void PrintSuggestedWeights(
    const healthscore::v1::SuggestWeightsResponse& response,
    const healthscore::v1::Scorecard& active, int horizon_days,
    OutputFormat format, std::ostream& out);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_WEIGHTS_COMMANDS_H_
