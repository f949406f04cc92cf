// Alert rules evaluated where points are recorded: which alerts a batch of
// recorded scores opens and closes (with hysteresis and cooldowns), how a
// stored alert reads as healthscore.v1.Alert, and the signal that wakes the
// WatchAlerts streams of this process.
#ifndef HEALTHSCORE_SERVER_HISTORY_ALERTS_H_
#define HEALTHSCORE_SERVER_HISTORY_ALERTS_H_

#include <cstdint>
#include <span>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "healthscore/v1/alerts.pb.h"
#include "healthscore/v1/health_scoring.pb.h"
#include "server/engine/snapshot.h"
#include "server/store/store.h"

namespace healthscore::history {

// The evaluator Record runs in its transaction for `scores` (aligned with
// the points being recorded) under `snapshot`'s alert rules. `snapshot` and
// `scores` must outlive the call to Record.
store::AlertEvaluator MakeAlertEvaluator(
    const Snapshot& snapshot, std::span<v1::CustomerScore* const> scores);

// The API's view of a stored alert.
v1::Alert ToAlert(const store::AlertRow& row);

// Wakes the WatchAlerts streams of this process when an alert event
// commits (other replicas' events are found by polling). Thread-safe.
class AlertSignal {
 public:
  void Notify() ABSL_LOCKS_EXCLUDED(mu_);
  // The current generation; pass it to Wait.
  uint64_t generation() const ABSL_LOCKS_EXCLUDED(mu_);
  // Returns when the generation is past `seen` or `timeout` passed.
  void Wait(uint64_t seen, absl::Duration timeout) const
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace healthscore::history

#endif  // HEALTHSCORE_SERVER_HISTORY_ALERTS_H_
