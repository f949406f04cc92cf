// Hot reload: reads the scorecard file, builds a new Snapshot aside and swaps
// it in only if it built completely. A bad file leaves the running snapshot
// as it was, and the error is returned, logged and counted. Plugin unloads go
// through here too, so that no reload can bind a plugin while it is taken out.
#ifndef HEALTHSCORE_SERVER_RELOAD_RELOADER_H_
#define HEALTHSCORE_SERVER_RELOAD_RELOADER_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/engine/snapshot_holder.h"
#include "server/registry/registry.h"

namespace healthscore {

// What asked for a reload; named in logs and in the counters.
enum class ReloadTrigger { kStartup, kFile, kSignal, kRpc };

// "startup", "file", "sighup", "rpc".
absl::string_view ReloadTriggerName(ReloadTrigger trigger);

// Every reload since the Reloader was made.
struct ReloadCounters {
  int64_t successes = 0;  // a good scorecard is live after it
  int64_t unchanged = 0;  // of the successes: nothing had changed
  int64_t failures = 0;   // refused; the running scorecard stayed
  std::string last_error;
  std::string last_error_trigger;
  absl::Time last_error_time = absl::InfinitePast();
  absl::Time last_success_time = absl::InfinitePast();
};

struct ReloadOutcome {
  // OK, or why the scorecard was refused (names the file, line and field).
  absl::Status status;
  // Whether a new snapshot went live.
  bool changed = false;
  // One sentence on what happened, for logs and replies.
  std::string message;
  // With rescan_plugins: ids that became READY, "path: reason" of refusals.
  std::vector<std::string> plugins_loaded;
  std::vector<std::string> plugins_failed;
  // The scorecard live just after this reload (empty if none is).
  std::string live_name;
  std::string live_version;
  std::string live_hash;
  // The counters just after this reload.
  ReloadCounters counters;
};

// Thread-safe. Reloads and unloads are serialized (one at a time); requests
// never wait for them: they read the SnapshotHolder, which is swapped in one
// step.
class Reloader {
 public:
  struct Options {
    // The scorecard YAML file.
    std::filesystem::path config_path;
    // Where Reload(rescan_plugins) looks for new plugin files.
    std::filesystem::path plugin_dir;
    // A scorecard file larger than this is refused unread (a few KB is
    // typical; the limit keeps a wrong path from being read into memory).
    size_t max_config_bytes = 4 << 20;
  };

  // `registry` and `snapshots` must outlive the Reloader.
  Reloader(Options options, Registry* registry, SnapshotHolder* snapshots);

  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // Reads the config file and makes it live if it parses and binds to the
  // registry's plugins. With `rescan_plugins`, first loads plugin files under
  // plugin_dir that are not loaded yet. If the file's content (SHA-256) is
  // the running scorecard's and no plugin was loaded or unloaded since that
  // was built, nothing is rebuilt: a success with changed = false. A failure
  // is logged (trigger, file, error) and counted; the running snapshot stays.
  ReloadOutcome Reload(ReloadTrigger trigger, bool rescan_plugins = false)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Registry::Unload(id), refused with FAILED_PRECONDITION naming the
  // dimensions while the live snapshot uses the plugin.
  absl::Status UnloadPlugin(absl::string_view id) ABSL_LOCKS_EXCLUDED(mu_);

  ReloadCounters counters() const ABSL_LOCKS_EXCLUDED(counters_mu_);

  const Options& options() const { return options_; }

 private:
  absl::StatusOr<std::shared_ptr<const Snapshot>> BuildFromFile(
      ReloadOutcome& outcome) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  Registry* const registry_;
  SnapshotHolder* const snapshots_;

  // Serializes reloads and unloads.
  absl::Mutex mu_;
  // Registry::generation() when the live snapshot was built; 0 before one is.
  uint64_t live_generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool have_live_ ABSL_GUARDED_BY(mu_) = false;

  // Apart from mu_ so that reading the counters never waits for a reload.
  mutable absl::Mutex counters_mu_;
  ReloadCounters counters_ ABSL_GUARDED_BY(counters_mu_);
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_RELOAD_RELOADER_H_
