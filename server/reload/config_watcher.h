// Watches the scorecard file with Linux inotify and calls back once per burst
// of changes, so that an edit is live within a fraction of a second.
#ifndef HEALTHSCORE_SERVER_RELOAD_CONFIG_WATCHER_H_
#define HEALTHSCORE_SERVER_RELOAD_CONFIG_WATCHER_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace healthscore {

// Watches the file's DIRECTORY, not the file: editors and config tools
// replace a file by writing a temporary one and renaming it over (the
// original inode, and a watch on it, are gone), Kubernetes swaps a "..data"
// symlink. A change is a close after writing, a rename onto the file's name
// or a creation with it (or of "..data"). Changes are debounced: the callback
// runs once the directory has been quiet for `debounce` (or at most 10 x
// `debounce` after the first change, if it never goes quiet), on the
// watcher's own thread, never twice at once.
//
// Thread-safe: the destructor (or Stop) may be called from any thread but
// the callback's; it wakes the thread and joins it.
class ConfigWatcher {
 public:
  static absl::StatusOr<std::unique_ptr<ConfigWatcher>> Start(
      const std::filesystem::path& file, absl::Duration debounce,
      std::function<void()> on_change);

  ~ConfigWatcher();
  ConfigWatcher(const ConfigWatcher&) = delete;
  ConfigWatcher& operator=(const ConfigWatcher&) = delete;

  // Stops watching and joins the thread. Idempotent.
  void Stop();

 private:
  ConfigWatcher() = default;
  void Run();

  std::string directory_;
  std::string file_name_;
  absl::Duration debounce_;
  std::function<void()> on_change_;
  int inotify_fd_ = -1;
  // An eventfd that Stop() writes to wake poll(): closing inotify_fd_ under
  // a blocked poll() is not a reliable wake-up.
  int wake_fd_ = -1;
  std::thread thread_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_RELOAD_CONFIG_WATCHER_H_
