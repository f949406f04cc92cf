// Output of the CLI's admin commands: table, CSV and JSON renderings of the
// healthscore.v1.Registry replies (plugins, reload, dry run). Everything writes
// to a caller's std::ostream so that tests can assert on the exact text.
#ifndef HEALTHSCORE_CLIENTS_CLI_ADMIN_FORMAT_H_
#define HEALTHSCORE_CLIENTS_CLI_ADMIN_FORMAT_H_

#include <ostream>
#include <string>

#include "clients/cli/requests.h"
#include "healthscore/v1/registry.pb.h"

namespace healthscore::cli {

// "READY", "FAILED", ... for a plugin state.
std::string PluginStateName(healthscore::v1::PluginInfo::State state);

// ListPlugins (or the one plugin LoadPlugin / UnloadPlugin answer with).
// - kTable: one line per plugin, name@version, state, ABI, load time (UTC)
//   and the active scorecard's dimensions that use it; then, for a plugin
//   that is not READY, its file and why.
// - kCsv: name,version,state,abi_version,load_time,unload_time,used_by,path,
//   state_reason (used_by joined with ';').
// - kJson: the response as one line.
void PrintPlugins(const healthscore::v1::ListPluginsResponse& response,
                  OutputFormat format, std::ostream& out);

// A Reload reply.
// - kTable: "reloaded: ..." / "unchanged: ..." / "refused: <error>", the
//   scorecard live now, and the counters.
// - kCsv: ok,changed,scorecard,version,hash,successes,unchanged,failures,
//   error.
// - kJson: the reply as one line.
void PrintReload(const healthscore::v1::ReloadResponse& response,
                 OutputFormat format, std::ostream& out);

// A DryRun reply.
// - kTable: the draft and the active scorecard, one sentence per band move
//   ("12 customers would go from green to yellow"), then a summary: rows
//   compared, kept and moved, the mean score change, the band counts now and
//   under the draft.
// - kCsv: customer_id,active_score,active_band,draft_score,draft_band,moved
//   for every row scored under both.
// - kJson: the reply as one line.
void PrintDryRun(const healthscore::v1::DryRunResponse& response,
                 OutputFormat format, std::ostream& out);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_ADMIN_FORMAT_H_
