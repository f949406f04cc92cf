// The scoring engine: runs each dimension of a snapshot over a batch, then
// weighs, aggregates and explains per customer.
#ifndef HEALTHSCORE_SERVER_ENGINE_ENGINE_H_
#define HEALTHSCORE_SERVER_ENGINE_ENGINE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "healthscore/v1/health_scoring.pb.h"
#include "server/engine/snapshot.h"

namespace healthscore {

// A batch as columns: columns[i] holds num_rows values of snapshot.signals()[i]
// (NaN = missing). Values are finite or NaN and within the signals' bounds
// (the service checks that before scoring).
struct BatchColumns {
  uint32_t num_rows = 0;
  std::vector<std::vector<double>> columns;
};

// How many top drivers up and down a SUMMARY or FULL score lists.
inline constexpr int kTopDrivers = 3;

// What a caller wants besides the scores.
struct ScoreOptions {
  // Format the drivers' sentences (a compact reply may send numbers only).
  bool driver_sentences = true;
  // Work out the recommended actions (a compact reply has none).
  bool actions = true;
};

// Scores every row of `batch` under `snapshot`, calling each dimension's
// plugin once per batch (once per variant's share of the batch). Reads each
// out[row]'s segment (which variant scores it) and as_of (for the stale-data
// warning), which the caller sets first; writes the rest: score, band, grade,
// coverage, variant, dimensions, groups, gates, warnings, drivers, actions and
// provenance. Returns one status per row: OK, or FAILED_PRECONDITION when no
// dimension could score the customer (the message says why for each).
//
// A dimension whose plugin fails the batch, returns NaN or a score outside
// 0-100 is FAILED for the rows concerned; its weight is shared out among the
// dimensions that scored, and coverage drops accordingly.
//
// Thread-safe: any number of calls may run at once on one snapshot.
// REQUIRES: batch.columns.size() == snapshot.signals().size(), each column
// has batch.num_rows values, out.size() == batch.num_rows.
std::vector<absl::Status> ScoreColumns(const Snapshot& snapshot,
                                       const BatchColumns& batch,
                                       v1::Explain explain,
                                       std::span<v1::CustomerScore* const> out,
                                       absl::Time now = absl::Now(),
                                       ScoreOptions options = {});

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_ENGINE_ENGINE_H_
