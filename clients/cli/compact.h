// Reading a compact ScoreBatch reply (LAYOUT_COMPACT) back into the objects
// of the full layout, so everything downstream prints one kind of result.
#ifndef HEALTHSCORE_CLIENTS_CLI_COMPACT_H_
#define HEALTHSCORE_CLIENTS_CLI_COMPACT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "healthscore/v1/health_scoring.pb.h"

namespace healthscore::cli {

// One CustomerResult per row of `response.compact`, in request order, with
// what the compact layout carries: score, band, grade, coverage, variant,
// provenance; each dimension's name, plugin, score, status, status reason,
// effective weight, contribution and points lost; the drivers (their
// sentences from `driver_message`, or else formatted here from the batch's
// rule templates, as the server would); warnings. Fails, saying which array,
// when the reply's arrays do not fit together.
absl::StatusOr<std::vector<v1::CustomerResult>> ExpandCompact(
    const v1::ScoreBatchResponse& response);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_COMPACT_H_
