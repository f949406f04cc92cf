// healthscore-plugin-check as a library: loads a dimension plugin the way the
// server does and runs the checks docs/plugin-check.md lists, golden cases
// from a cases.yaml included.
#ifndef HEALTHSCORE_TOOLS_PLUGIN_CHECK_CHECKER_H_
#define HEALTHSCORE_TOOLS_PLUGIN_CHECK_CHECKER_H_

#include <filesystem>
#include <optional>
#include <ostream>

namespace healthscore::plugin_check {

struct Options {
  std::filesystem::path plugin;                // the .so to check
  std::optional<std::filesystem::path> cases;  // its cases.yaml, if any
};

// Exit codes, as the doc gives them.
inline constexpr int kExitPassed = 0;
inline constexpr int kExitFailed = 1;     // some check failed
inline constexpr int kExitCannotRun = 2;  // bad cases file, plugin won't load

// Runs every check. Writes one line per check to `out`, "PASS <check>:
// <detail>" or "FAIL <check>: <what it saw>", flushed as it goes (a plugin that
// crashes the process still leaves the lines before it), then "N passed, M
// failed". Why it cannot run goes to `err`, except a plugin that does not load,
// which is the load check's FAIL line. Returns one of the exit codes above.
//
// Runs the plugin's code in this process and on several threads. The random
// rows come from a fixed seed, so two runs on the same plugin agree.
int RunChecks(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace healthscore::plugin_check

#endif  // HEALTHSCORE_TOOLS_PLUGIN_CHECK_CHECKER_H_
