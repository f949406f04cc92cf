// What LoadPlugin may load. Loading a plugin runs its code (its constructors
// first, before any check of ours) as the server's user, with everything the
// server can reach: the admin API only loads files an operator put in place.
#ifndef HEALTHSCORE_SERVER_SERVICE_PLUGIN_POLICY_H_
#define HEALTHSCORE_SERVER_SERVICE_PLUGIN_POLICY_H_

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"

namespace healthscore {

struct PluginPolicy {
  // --plugin-dir: a file must resolve (links followed) to a path under it.
  std::filesystem::path plugin_dir;
  // --plugin-allowlist: a file of SHA-256 digests (hex, one a line, '#'
  // comments); when set, a file whose digest is not listed is refused. Read
  // at each load, so that it can change without a restart.
  std::string allowlist_file;
};

// The resolved path of `requested` if `policy` allows loading it; else
// PERMISSION_DENIED (or NOT_FOUND) saying what is wrong and what to do:
// outside the plugin dir after resolving links, not a regular file, the file
// or a folder between it and the plugin dir writable by group or others, or
// a digest missing from the allow-list.
absl::StatusOr<std::filesystem::path> CheckPluginFile(
    const PluginPolicy& policy, const std::filesystem::path& requested);

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_PLUGIN_POLICY_H_
