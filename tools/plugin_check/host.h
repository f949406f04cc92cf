// A minimal plugin host for the checker: scores a batch through a
// PluginInstance (the server's own adapter of the C ABI) and records exactly
// what the plugin said (scores, statuses, reasons, actions, batch errors),
// without the engine's clean-up, so the checks see the plugin's own answers.
#ifndef HEALTHSCORE_TOOLS_PLUGIN_CHECK_HOST_H_
#define HEALTHSCORE_TOOLS_PLUGIN_CHECK_HOST_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "healthscore/sdk/abi.h"
#include "server/plugin/instance.h"

namespace healthscore::plugin_check {

// One reason record as written, with the rule it names and the sentence the
// host formats for it.
struct RecordedReason {
  uint32_t rule = 0;  // index into the instance's rules
  std::optional<std::string> rule_id;
  std::optional<std::string> signal;
  double observed = 0;
  double threshold = 0;
  double impact = 0;
  std::array<double, HS_MAX_ARGS> args{};
  std::optional<std::string> message;
};

// What the plugin reported for one row. `score` is whatever score_batch left
// in the host's array (NaN-filled beforehand, as the engine does).
struct RowOutput {
  double score = 0;
  hs_status status = HS_STATUS_OK;
  std::string status_message;
  std::vector<RecordedReason> reasons;
  std::vector<std::string> actions;
};

struct BatchOutput {
  hs_result result = HS_OK;
  std::optional<std::string> error;  // set_error's message
  std::vector<RowOutput> rows;
  // Callbacks the ABI does not allow (a status for a row past the batch),
  // described; the engine drops these silently.
  std::vector<std::string> misuse;
};

// A batch as columns, one per signal in the instance's order; NaN = missing.
struct Columns {
  uint32_t num_rows = 0;
  std::vector<std::vector<double>> values;
};

// Calls score_batch once through the host's own adapter (so rows missing a
// required signal are INSUFFICIENT_DATA before the plugin sees them, and bad
// records fail the batch), with explanations wanted. Thread-safe: each call
// has its own recording context, so several threads may score on one instance
// at once (as the ABI allows).
BatchOutput ScoreAndRecord(const PluginInstance& instance, const Columns& columns);

// "" when the two runs agree on the result, the batch error, and for every
// row the status, status message, reasons and actions, and (for OK rows) the
// score, bit for bit; otherwise the first difference, e.g.
// "row 12: score 50.5 vs 50". `a_name` / `b_name` label the two sides.
std::string FirstDifference(const BatchOutput& a, const BatchOutput& b,
                            const std::string& a_name,
                            const std::string& b_name);

// "ok", "insufficient_data", "failed" (or "status <n>" for a value the ABI
// does not define).
std::string StatusName(hs_status status);

// The shortest text that reads back as exactly `value` ("nan", "inf" too):
// two different scores never print the same.
std::string Exact(double value);

}  // namespace healthscore::plugin_check

#endif  // HEALTHSCORE_TOOLS_PLUGIN_CHECK_HOST_H_
