// Holds the live Snapshot. A request takes Current() once at its start and
// keeps that reference to the end; a reload calls Swap() with a snapshot that
// built completely. The old snapshot dies when its last request finishes.
#ifndef HEALTHSCORE_SERVER_ENGINE_SNAPSHOT_HOLDER_H_
#define HEALTHSCORE_SERVER_ENGINE_SNAPSHOT_HOLDER_H_

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/engine/snapshot.h"

namespace healthscore {

// Thread-safe.
class SnapshotHolder {
 public:
  // Null until the first Swap().
  std::shared_ptr<const Snapshot> Current() const {
    absl::MutexLock lock(&mu_);
    return current_;
  }

  void Swap(std::shared_ptr<const Snapshot> next) {
    std::shared_ptr<const Snapshot> previous;
    {
      absl::MutexLock lock(&mu_);
      previous = std::exchange(current_, std::move(next));
    }
    // `previous` (and, if it was the last reference, its plugin instances)
    // is released outside the lock.
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const Snapshot> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_ENGINE_SNAPSHOT_HOLDER_H_
