// Active overrides in memory, so that every score of an overridden customer
// shows the override without a store read, and expiry happens by itself.
#ifndef HEALTHSCORE_SERVER_HISTORY_OVERRIDES_H_
#define HEALTHSCORE_SERVER_HISTORY_OVERRIDES_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "healthscore/v1/health_scoring.pb.h"
#include "server/engine/snapshot.h"
#include "server/store/store.h"

namespace healthscore::history {

// The store's active overrides (customer id -> OverrideRow) as an immutable
// map behind an atomic pointer: Apply, on every score reply, costs one
// atomic load when no customer has an override.
//
// It stays current by itself: a thread polls the store's OverridesVersion()
// every `poll` and reloads when it moved (another replica changed an
// override); the service calls Refresh() after its own changes, so the
// replica that made a change shows it at once. The same thread ends expired
// overrides in the store (Store::ExpireOverrides, which writes the "expired"
// audit entry once however many replicas sweep) as soon as the earliest
// cached expiry passes, and at least every `sweep`. Apply checks expiry too:
// an expired override never shows, even before the sweep.
//
// Thread-safe. The store must outlive the cache.
class OverrideCache {
 public:
  struct Options {
    // How often the store's version is read.
    absl::Duration poll = absl::Seconds(1);
    // The longest time between two sweeps of expired overrides.
    absl::Duration sweep = absl::Seconds(5);
  };

  // Loads the active overrides (an error if the store cannot say) and
  // starts the polling thread.
  static absl::StatusOr<std::unique_ptr<OverrideCache>> Start(
      store::Store* store, Options options);
  // Stops the thread.
  ~OverrideCache();

  OverrideCache(const OverrideCache&) = delete;
  OverrideCache& operator=(const OverrideCache&) = delete;

  // Shows `score`'s customer's active override, if any: score, band and
  // grade become the overridden ones (a score override without a band shows
  // the band and grade that score falls in, in `score`'s variant of
  // `snapshot`; a band override the grade of that band) and
  // `score.override` holds the computed ones with reason, author, set_at
  // and expires_at. REQUIRES: `score` as the engine wrote it (score, band,
  // grade, variant set) and not already overridden.
  void Apply(const Snapshot& snapshot, v1::CustomerScore* score) const;

  // Reloads from the store now. Called after a change on this replica.
  absl::Status Refresh();

 private:
  using Map = absl::flat_hash_map<std::string, store::OverrideRow>;

  OverrideCache(store::Store* store, Options options)
      : store_(store), options_(options) {}

  // One round of the thread: sweep if due, reload if the version moved.
  void Tick();
  void Loop();
  // How long the thread may sleep before its next round.
  absl::Duration NextWait() const;

  store::Store* const store_;
  const Options options_;

  // Null when there are no overrides; `any_` says so in one load.
  std::atomic<std::shared_ptr<const Map>> map_;
  std::atomic<bool> any_{false};
  // The earliest expiry in `map_` (microseconds; INT64_MAX: none).
  std::atomic<int64_t> earliest_expiry_us_{INT64_MAX};

  // Serializes reloads, so that an older read never replaces a newer one.
  absl::Mutex refresh_mu_;
  int64_t version_ ABSL_GUARDED_BY(refresh_mu_) = -1;

  // Touched by the thread only.
  absl::Time last_sweep_ = absl::InfinitePast();
  bool warned_ = false;  // a failure was logged; log the recovery

  absl::Mutex stop_mu_;
  bool stop_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread thread_;
};

}  // namespace healthscore::history

#endif  // HEALTHSCORE_SERVER_HISTORY_OVERRIDES_H_
