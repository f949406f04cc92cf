// The CLI's what-if commands against healthscore.v1.Validation: `what-if`
// (Simulate: a customer's score with some signals changed) and
// `path-to-green` (PathToGreen: the fewest changes that lift it into the next
// better band). main.cc hands over the words after the command and the flags
// given; the commands run against any stub, so both can be tested without a
// network.
#ifndef HEALTHSCORE_CLIENTS_CLI_WHATIF_COMMANDS_H_
#define HEALTHSCORE_CLIENTS_CLI_WHATIF_COMMANDS_H_

#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/cli/commands.h"
#include "healthscore/v1/validation.grpc.pb.h"

namespace healthscore::cli {

enum class WhatIfCommand { kWhatIf, kPathToGreen };

// The flags the what-if commands read, as main.cc parsed them; `given` holds
// the names of those on the command line (underscored).
struct WhatIfFlags {
  std::string customer_id;
  std::string segment;
  std::string json_path;
  // Every --signal value, in order: the customer's signals.
  std::vector<std::string> signals;
  std::string explain;  // what-if only; empty: the server's default (full)
  std::set<std::string> given;
};

struct WhatIfOptions {
  WhatIfCommand command = WhatIfCommand::kWhatIf;
  // The customer: an id alone (the server takes its newest recorded inputs),
  // --customer-id with --signal, or --json FILE. `json_path` is read by the
  // run, so that a missing file is an input error there.
  std::string customer_id;
  std::string segment;
  std::vector<std::string> signals;
  std::string json_path;
  // what-if: signal -> new value (NaN: make it missing).
  std::map<std::string, double> changes;
  healthscore::v1::Explain explain = healthscore::v1::EXPLAIN_UNSPECIFIED;
};

// `words` are the positional arguments after the command. what-if takes
//   what-if ID NAME=VALUE...
//   what-if (--customer-id ID [--segment S] [--signal N=V,...]... |
//            --json FILE) NAME=VALUE...
// where each NAME=VALUE is a change (VALUE a finite number, or `missing` /
// `nan` to make the signal missing); path-to-green takes ID, or the same
// customer flags and no change. Errors: INVALID_ARGUMENT saying what to
// change (no customer, two ways of giving one, no change, a change given
// twice or not a number, a flag the command does not read).
absl::StatusOr<WhatIfOptions> ParseWhatIfCommand(
    WhatIfCommand command, const std::vector<std::string>& words,
    const WhatIfFlags& flags);

// Builds the request, calls Simulate or PathToGreen with a deadline of
// options.timeout, and prints the reply (whatif_format.h) to `out`, errors to
// `err`. Returns an ExitCode: 2 for a bad --json file, 1 when the server
// refuses (INVALID_ARGUMENT, NOT_FOUND: no recorded point, FAILED_PRECONDITION:
// no --store or nothing to score), 3 when the call fails otherwise. A
// path-to-green that finds no path exits 0 and prints why.
int RunWhatIf(healthscore::v1::Validation::StubInterface& stub,
              const CommonOptions& options, const WhatIfOptions& command,
              std::ostream& out, std::ostream& err);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_WHATIF_COMMANDS_H_
