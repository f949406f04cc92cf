// The CLI's override commands: override set, clear, list and audit, against
// healthscore.v1.Overrides. The command line is parsed here (main.cc hands
// over the words after `override` and the flags given) and the commands run
// against any stub, so both can be tested without a network.
#ifndef HEALTHSCORE_CLIENTS_CLI_OVERRIDES_COMMANDS_H_
#define HEALTHSCORE_CLIENTS_CLI_OVERRIDES_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/cli/commands.h"
#include "healthscore/v1/overrides.grpc.pb.h"

namespace healthscore::cli {

enum class OverrideCommand { kSet, kClear, kList, kAudit };

// The flags the override commands read, as main.cc parsed them; `given`
// holds the names of those on the command line (underscored).
struct OverrideFlags {
  double score = 0;
  std::string band;
  std::string reason;
  std::string author;
  std::string expires;
  std::string for_duration;  // --for
  std::string who;
  std::string note;
  int64_t limit = 0;
  std::set<std::string> given;
};

struct OverrideCommandOptions {
  OverrideCommand command = OverrideCommand::kList;
  // Empty for list and audit: every customer.
  std::string customer_id;
  // set
  std::optional<double> score;
  std::string band;
  std::string reason;
  std::string author;
  // --expires, or now + --for; unset: until cleared.
  std::optional<absl::Time> expires;
  // clear
  std::string who;
  std::string note;
  // audit: at most this many entries (the server's limit is 1000).
  int limit = 100;
};

// The largest --limit of `override audit` (GetOverrideAudit's).
inline constexpr int kMaxOverrideAudit = 1000;

// "7d", "36h", "90m", "45s", or a Go-style duration absl reads ("1h30m").
// Errors: INVALID_ARGUMENT quoting the text, for --for.
absl::StatusOr<absl::Duration> ParseForDuration(absl::string_view text);

// `words` are the positional arguments after `override` (the subcommand
// first). Checks that each flag given applies to the subcommand; that set
// has a customer, --score and/or --band, --reason, --author, and at most one
// of --expires and --for (from `now`); that clear has a customer and --who.
// Errors: INVALID_ARGUMENT saying what to change.
absl::StatusOr<OverrideCommandOptions> ParseOverrideCommand(
    const std::vector<std::string>& words, const OverrideFlags& flags,
    absl::Time now);

// Runs the command: SetOverride, ClearOverride, ListOverrides or
// GetOverrideAudit, each with a deadline of options.timeout; writes the
// reply to `out` (overrides_format.h) and errors to `err`. Returns an
// ExitCode: 1 when the server refuses (INVALID_ARGUMENT, NOT_FOUND: no such
// customer or no active override, FAILED_PRECONDITION: no --store), 3 when
// the call fails otherwise.
int RunOverride(healthscore::v1::Overrides::StubInterface& stub,
                const CommonOptions& options,
                const OverrideCommandOptions& command, std::ostream& out,
                std::ostream& err);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_OVERRIDES_COMMANDS_H_
