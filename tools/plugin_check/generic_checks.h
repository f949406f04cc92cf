// The checks that need no cases: random rows within the declared bounds,
// missing and infinite values, monotonicity, determinism and concurrency (the
// table in docs/plugin-check.md).
#ifndef HEALTHSCORE_TOOLS_PLUGIN_CHECK_GENERIC_CHECKS_H_
#define HEALTHSCORE_TOOLS_PLUGIN_CHECK_GENERIC_CHECKS_H_

#include <set>
#include <string>
#include <vector>

#include "server/plugin/instance.h"
#include "server/plugin/plugin.h"
#include "tools/plugin_check/host.h"

namespace healthscore::plugin_check {

// An instance to check and the signals it reads, in its column order.
// Borrowed: everything must outlive the checks.
struct Target {
  const PluginInstance* instance = nullptr;
  const std::vector<SignalInfo>* signals = nullptr;
};

struct CheckResult {
  bool passed = false;
  std::string detail;  // what was checked, or the first counter-example
};

// Every OK score of a few thousand complete random rows is finite, in 0-100.
CheckResult CheckRange(const Target& target);

// Each signal missing in turn (and all at once): OK in 0-100 or
// INSUFFICIENT_DATA; a required one gives INSUFFICIENT_DATA naming it.
CheckResult CheckMissing(const Target& target);

// +inf / -inf in each signal never comes back as an OK score outside 0-100.
CheckResult CheckInfinite(const Target& target);

// Raising a signal moves OK scores only its declared way (tolerance 1e-9).
CheckResult CheckMonotonic(const Target& target);

// Rows for the explanation checks: complete random rows, rows drawn from the
// signals' typical ranges (where declared), and rows with some signals
// missing; scored once and shared by the three checks below.
struct Sweep {
  std::vector<Columns> inputs;
  std::vector<BatchOutput> outputs;
  size_t rows = 0;
};
Sweep RunSweep(const Target& target);

// Every OK row's reasons add up: 50 + the sum of the impacts == the score,
// within 1e-6.
CheckResult CheckExplained(const Target& target, const Sweep& sweep);

// Each reason reads in a wording declared for its sign (raises for a
// positive impact, lowers for a negative one, or the neutral text); no
// template uses an observed value, threshold or argument the record leaves
// NaN; and no template says the opposite of its sign for the signal's
// direction ("below" in a raises wording of a higher-is-better signal).
CheckResult CheckWording(const Target& target, const Sweep& sweep);

// Each declared rule and action fires somewhere: in the sweep, or in a
// golden case (`fired_in_cases`, rule and action ids). The others are dead.
CheckResult CheckRulesFire(const Target& target, const Sweep& sweep,
                           const std::set<std::string>& fired_in_cases);

// The same batch twice gives the same answers.
CheckResult CheckDeterministic(const Target& target);

// The same batch from 4 threads at once, many times, agrees with the
// single-threaded answer.
CheckResult CheckConcurrent(const Target& target);

}  // namespace healthscore::plugin_check

#endif  // HEALTHSCORE_TOOLS_PLUGIN_CHECK_GENERIC_CHECKS_H_
