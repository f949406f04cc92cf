// The plugin registry: every plugin the server has tried to load, with its
// state, and look-up by name or name@version. Plugins come and go at run time
// (Rescan, LoadFile, Unload); what a scorecard may bind is what is READY.
#ifndef HEALTHSCORE_SERVER_REGISTRY_REGISTRY_H_
#define HEALTHSCORE_SERVER_REGISTRY_REGISTRY_H_

#include <cstdint>
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
#include "server/config/scorecard.h"
#include "server/plugin/plugin.h"

namespace healthscore {

// The latest load attempt of one file: LOADING while Plugin::Load runs, then a
// READY plugin or a FAILED file with the reason; UNLOADED once taken out.
struct PluginRecord {
  enum class State { kLoading, kReady, kFailed, kUnloaded };
  std::filesystem::path path;
  State state = State::kFailed;
  std::string reason;                    // FAILED: why
  std::shared_ptr<const Plugin> plugin;  // READY and UNLOADED: the plugin
  absl::Time load_time;                  // when the attempt started
  absl::Time unload_time;                // UNLOADED: when
  uint64_t serial = 0;                   // identifies the attempt
};

// What one Rescan did.
struct RescanResult {
  std::vector<std::string> loaded;  // ids (name@version) that became READY
  std::vector<std::string> failed;  // "path: reason" of files that did not
};

// Thread-safe: every method may be called from any thread.
class Registry {
 public:
  // Loads every file named *.so (or *.so.N) under `dir`, recursively, in path
  // order, that the registry has not loaded yet: files that are READY,
  // LOADING or UNLOADED (an operator took them out on purpose) are skipped,
  // FAILED ones are tried again (the file may have been fixed). A file that
  // fails to load is recorded FAILED, logged with the file and the reason, and
  // skipped; the others load. Errors only if `dir` cannot be read.
  absl::StatusOr<RescanResult> Rescan(const std::filesystem::path& dir);

  // Rescan, returning the number of plugins that became READY.
  absl::StatusOr<int> LoadDirectory(const std::filesystem::path& dir);

  // Loads one file; the outcome replaces any earlier FAILED or UNLOADED record
  // of the same path. Refused: a path that is READY or LOADING already
  // (ALREADY_EXISTS, nothing recorded), and a plugin whose id (name@version)
  // is READY from another file (recorded FAILED).
  absl::StatusOr<std::shared_ptr<const Plugin>> LoadFile(
      const std::filesystem::path& path);

  // Takes the READY plugin `id` ("name@version", exactly) out of the
  // registry: Find no longer returns it, so no new scorecard can bind it. It
  // is listed UNLOADED. Snapshots that hold it keep working, and its code
  // stays mapped (see Plugin). Whether a live scorecard still uses it is the
  // caller's to check (Reloader::UnloadPlugin does). Errors: INVALID_ARGUMENT
  // for an id without a version, NOT_FOUND for one that is not READY.
  absl::Status Unload(absl::string_view id);

  // `ref` is "name" (the newest READY version) or "name@version". The error
  // lists what the registry has.
  absl::StatusOr<std::shared_ptr<const Plugin>> Find(
      absl::string_view ref) const;

  // READY plugins sorted by id, then FAILED files by path: what can be bound
  // and what could not be loaded.
  std::vector<PluginRecord> List() const;

  // Every record: READY by id, LOADING by path, UNLOADED by id, FAILED by
  // path.
  std::vector<PluginRecord> ListAll() const;

  // Goes up each time the set of READY plugins changes (a load or an
  // unload): a scorecard bound at one generation may bind differently at
  // another ("name" takes the newest READY version).
  uint64_t generation() const;

  // How a scorecard dimension that does not say `isolation:` runs its plugin
  // (the server's --plugin-isolation). In process until set. Snapshots built
  // after the call see the new default; live ones keep theirs.
  void SetDefaultIsolation(Isolation isolation);
  Isolation default_isolation() const;

 private:
  std::string DescribeReadyLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<PluginRecord> records_ ABSL_GUARDED_BY(mu_);
  uint64_t next_serial_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  Isolation default_isolation_ ABSL_GUARDED_BY(mu_) = Isolation::kInProcess;
};

// Compares dotted version strings numerically ("1.10.0" > "1.9.2"); a
// non-numeric part compares as text. Returns <0, 0 or >0.
int CompareVersions(absl::string_view a, absl::string_view b);

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_REGISTRY_REGISTRY_H_
