// Golden cases: one case's signals as a one-row batch, and how the plugin's
// answer differs from what the case expects.
#ifndef HEALTHSCORE_TOOLS_PLUGIN_CHECK_GOLDEN_H_
#define HEALTHSCORE_TOOLS_PLUGIN_CHECK_GOLDEN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/plugin/plugin.h"
#include "tools/plugin_check/cases.h"
#include "tools/plugin_check/host.h"

namespace healthscore::plugin_check {

// The case's signals as one row in the instance's column order; signals the
// case leaves out are missing. Fails, naming the case and the signal, when the
// case gives a signal the instance does not read or a value the server would
// refuse (outside the signal's bounds).
absl::StatusOr<Columns> CaseRow(const Case& c,
                                const std::vector<SignalInfo>& signals,
                                const std::string& source,
                                const std::string& plugin_id);

// Each way `out` (the case's one-row batch) differs from the case's
// expectation, e.g. "score 85, expected 100"; empty when it matches.
std::vector<std::string> CaseMismatches(const Case& c, const BatchOutput& out,
                                        const std::vector<Band>& bands);

}  // namespace healthscore::plugin_check

#endif  // HEALTHSCORE_TOOLS_PLUGIN_CHECK_GOLDEN_H_
