// The CLI's admin commands (plugins, reload, load-plugin, unload-plugin,
// dry-run) against any healthscore.v1.Registry stub, so that they can be
// tested against an in-process server. They talk to the admin address
// (--admin-target), not the public one.
#ifndef HEALTHSCORE_CLIENTS_CLI_ADMIN_COMMANDS_H_
#define HEALTHSCORE_CLIENTS_CLI_ADMIN_COMMANDS_H_

#include <ostream>
#include <string>

#include "clients/cli/commands.h"
#include "healthscore/v1/registry.grpc.pb.h"

namespace healthscore::cli {

// Flags of `dry-run`: the draft scorecard and the customers to try it on.
struct DryRunOptions {
  std::string scorecard_path;
  std::string csv_path;
};

// Each Run* writes results to `out`, errors to `err`, and returns an
// ExitCode: kExitRefused when the server refused the change (a scorecard that
// does not bind, a plugin that does not load, an unload of a plugin in use, a
// draft that does not bind), kExitRpcFailed when the call itself failed.
// options.target is the admin address and options.admin is true.
int RunPlugins(healthscore::v1::Registry::StubInterface& stub,
               const CommonOptions& options, std::ostream& out,
               std::ostream& err);
int RunReload(healthscore::v1::Registry::StubInterface& stub,
              const CommonOptions& options, bool rescan_plugins,
              std::ostream& out, std::ostream& err);
// `plugin`: a path to a .so, or name@version under the server's plugin dir.
int RunLoadPlugin(healthscore::v1::Registry::StubInterface& stub,
                  const CommonOptions& options, const std::string& plugin,
                  std::ostream& out, std::ostream& err);
// `plugin`: name@version.
int RunUnloadPlugin(healthscore::v1::Registry::StubInterface& stub,
                    const CommonOptions& options, const std::string& plugin,
                    std::ostream& out, std::ostream& err);
// Sends the whole CSV file as one batch (the server's --max-batch applies).
int RunDryRun(healthscore::v1::Registry::StubInterface& stub,
              const CommonOptions& options, const DryRunOptions& dry_run,
              std::ostream& out, std::ostream& err);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_ADMIN_COMMANDS_H_
