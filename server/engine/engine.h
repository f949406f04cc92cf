// The scoring engine: runs each dimension of a snapshot over a batch, then
// weighs, aggregates and explains per customer.
#ifndef HEALTHSCORE_SERVER_ENGINE_ENGINE_H_
#define HEALTHSCORE_SERVER_ENGINE_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "healthscore/v1/health_scoring.pb.h"
#include "server/engine/snapshot.h"

namespace healthscore {

// A batch as columns: column(c) points at num_rows() values of
// snapshot.signals()[c] (NaN = missing), all in one allocation (a unary call
// costs one, not one per signal). Values are finite or NaN and within the
// signals' bounds (the service checks that before scoring).
class BatchColumns {
 public:
  BatchColumns() = default;
  // `num_columns` columns of `num_rows` rows, every value missing.
  BatchColumns(size_t num_columns, uint32_t num_rows)
      : num_rows_(num_rows),
        num_columns_(num_columns),
        values_(num_columns * num_rows,
                std::numeric_limits<double>::quiet_NaN()) {}

  uint32_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return num_columns_; }
  double* column(size_t c) { return values_.data() + c * num_rows_; }
  const double* column(size_t c) const {
    return values_.data() + c * num_rows_;
  }
  double& at(size_t c, uint32_t row) { return column(c)[row]; }
  double at(size_t c, uint32_t row) const { return column(c)[row]; }

  // Keeps only the rows `keep` (ascending), in that order: a batch whose
  // rows were filled in place drops the ones that failed their checks.
  void KeepRows(std::span<const uint32_t> keep) {
    const uint32_t kept = static_cast<uint32_t>(keep.size());
    for (size_t c = 0; c < num_columns_; ++c) {
      const double* from = column(c);
      double* to = values_.data() + c * kept;  // never ahead of `from`
      for (uint32_t k = 0; k < kept; ++k) to[k] = from[keep[k]];
    }
    num_rows_ = kept;
    values_.resize(num_columns_ * kept);
  }

 private:
  uint32_t num_rows_ = 0;
  size_t num_columns_ = 0;
  std::vector<double> values_;
};

// How many top drivers up and down a SUMMARY or FULL score lists.
inline constexpr int kTopDrivers = 3;

// When a call's work should stop before it is done: its deadline passed, or
// the server is stopping. The engine checks between dimensions (a plugin
// call itself is never interrupted: process isolation is the remedy for a
// plugin that hangs).
struct StopCheck {
  absl::Time deadline = absl::InfiniteFuture();
  // Set by the server when its drain's grace is over.
  const std::atomic<bool>* server_stopping = nullptr;

  // OK to go on; DEADLINE_EXCEEDED or UNAVAILABLE (retry elsewhere) to stop.
  absl::Status Check() const {
    if (server_stopping != nullptr &&
        server_stopping->load(std::memory_order_relaxed)) {
      return absl::UnavailableError(
          "the server is shutting down; retry the call (another replica, or "
          "this one once it is back)");
    }
    if (deadline != absl::InfiniteFuture() && absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          "the call's deadline passed before its scoring was done; the work "
          "stopped");
    }
    return absl::OkStatus();
  }
};

// What a caller wants besides the scores.
struct ScoreOptions {
  // Format the drivers' sentences (a compact reply may send numbers only).
  bool driver_sentences = true;
  // Work out the recommended actions (a compact reply has none).
  bool actions = true;
  // Give each score the snapshot's provenance (a compact reply has it once
  // per batch; a recorded score needs its own).
  bool provenance = true;
  // Checked between dimensions: a stopped call's rows all get its status.
  StopCheck stop;
};

// Scores every row of `batch` under `snapshot`, calling each dimension's
// plugin once per batch (once per variant's share of the batch). Reads each
// out[row]'s segment (which variant scores it) and as_of (for the stale-data
// warning), which the caller sets first; writes the rest: score, band, grade,
// coverage, variant, dimensions, groups, gates, warnings, drivers, actions and
// provenance. Returns one status per row: OK, FAILED_PRECONDITION when no
// dimension could score the customer (the message says why for each), or
// options.stop's status for the rows of a share it stopped (their scores are
// then incomplete: the caller fails the call).
//
// A dimension whose plugin fails the batch, returns NaN or a score outside
// 0-100 is FAILED for the rows concerned; its weight is shared out among the
// dimensions that scored, and coverage drops accordingly.
//
// Thread-safe: any number of calls may run at once on one snapshot.
// REQUIRES: batch.num_columns() == snapshot.signals().size(),
// out.size() == batch.num_rows().
std::vector<absl::Status> ScoreColumns(const Snapshot& snapshot,
                                       const BatchColumns& batch,
                                       v1::Explain explain,
                                       std::span<v1::CustomerScore* const> out,
                                       absl::Time now = absl::Now(),
                                       ScoreOptions options = {});

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_ENGINE_ENGINE_H_
