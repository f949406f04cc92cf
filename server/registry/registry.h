// The plugin registry: every plugin the server has tried to load, with its
// state, and look-up by name or name@version.
#ifndef HEALTHSCORE_SERVER_REGISTRY_REGISTRY_H_
#define HEALTHSCORE_SERVER_REGISTRY_REGISTRY_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/plugin/plugin.h"

namespace healthscore {

// One load attempt: a READY plugin, or a FAILED file with the reason.
struct PluginRecord {
  enum class State { kReady, kFailed };
  std::filesystem::path path;
  State state = State::kFailed;
  std::string reason;                    // FAILED: why
  std::shared_ptr<const Plugin> plugin;  // READY: the plugin
  absl::Time load_time;
};

// Thread-safe: every method may be called from any thread.
class Registry {
 public:
  // Loads every file named *.so (or *.so.N) under `dir`, recursively, in path
  // order. A file that fails to load is recorded FAILED, logged with the file
  // and the reason, and skipped; the others load. Returns the number of
  // plugins that became READY, or an error if `dir` cannot be read.
  absl::StatusOr<int> LoadDirectory(const std::filesystem::path& dir);

  // Loads one file. A second plugin with an id (name@version) that is
  // already READY is refused.
  absl::StatusOr<std::shared_ptr<const Plugin>> LoadFile(
      const std::filesystem::path& path);

  // `ref` is "name" (the newest READY version) or "name@version". The error
  // lists what the registry has.
  absl::StatusOr<std::shared_ptr<const Plugin>> Find(
      absl::string_view ref) const;

  // Every load attempt: READY ones sorted by id, then FAILED ones by path.
  std::vector<PluginRecord> List() const;

 private:
  std::string DescribeReadyLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<PluginRecord> records_ ABSL_GUARDED_BY(mu_);
};

// Compares dotted version strings numerically ("1.10.0" > "1.9.2"); a
// non-numeric part compares as text. Returns <0, 0 or >0.
int CompareVersions(absl::string_view a, absl::string_view b);

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_REGISTRY_REGISTRY_H_
