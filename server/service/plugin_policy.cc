// LoadPlugin's checks on the file it is asked to load.
#include "server/service/plugin_policy.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/config/scorecard.h"

namespace healthscore {
namespace {

// Refuses `path` when its group or others may write it: whoever can write a
// plugin (or rename one into its folder) chooses the code the server runs.
absl::Status NotWritableByOthers(const std::filesystem::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot stat ", path.string()));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "%s is writable by %s (mode %04o): whoever can write it chooses the "
        "code the server runs; make it writable by its owner only (chmod "
        "go-w)",
        path.string(), (st.st_mode & S_IWOTH) != 0 ? "everyone" : "its group",
        st.st_mode & 07777));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::filesystem::path> CheckPluginFile(
    const PluginPolicy& policy, const std::filesystem::path& requested) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = fs::canonical(policy.plugin_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("--plugin-dir ", policy.plugin_dir.string(),
                     " cannot be resolved: ", ec.message()));
  }
  // Relative paths are the plugin dir's.
  const fs::path path = requested.is_absolute() ? requested : dir / requested;
  const fs::path resolved = fs::canonical(path, ec);
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat("plugin ", path.string(), ": ", ec.message()));
  }
  const auto [end, rest] =
      std::mismatch(dir.begin(), dir.end(), resolved.begin(), resolved.end());
  if (end != dir.end() || rest == resolved.end()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "plugin ", path.string(),
        resolved == path
            ? ""
            : absl::StrCat(" resolves to ", resolved.string(), ","),
        " outside --plugin-dir ", dir.string(),
        ": LoadPlugin loads only files under it (loading a plugin runs its "
        "code as the server's user; docs/admin.md)"));
  }
  if (!fs::is_regular_file(resolved, ec)) {
    return absl::PermissionDeniedError(
        absl::StrCat("plugin ", resolved.string(), " is not a regular file"));
  }
  // The file and every folder from it up to the plugin dir.
  for (fs::path p = resolved;; p = p.parent_path()) {
    if (absl::Status s = NotWritableByOthers(p); !s.ok()) {
      return absl::PermissionDeniedError(absl::StrCat(
          "plugin ", resolved.string(), " refused: ", s.message()));
    }
    if (p == dir || !p.has_parent_path() || p == p.parent_path()) break;
  }
  if (!policy.allowlist_file.empty()) {
    std::ifstream list(policy.allowlist_file);
    if (!list) {
      return absl::FailedPreconditionError(
          absl::StrCat("--plugin-allowlist ", policy.allowlist_file,
                       " cannot be read: every plugin load is refused until "
                       "it can"));
    }
    std::ifstream file(resolved, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)),
                            std::istreambuf_iterator<char>());
    const std::string digest = Sha256Hex(bytes);
    std::string line;
    while (std::getline(list, line)) {
      std::string entry(absl::StripAsciiWhitespace(
          absl::string_view(line).substr(0, line.find('#'))));
      absl::AsciiStrToLower(&entry);
      if (entry == digest) return resolved;
    }
    return absl::PermissionDeniedError(
        absl::StrCat("plugin ", resolved.string(), " (sha256 ", digest,
                     ") is not in --plugin-allowlist ", policy.allowlist_file,
                     ": add its digest there to allow it"));
  }
  return resolved;
}

}  // namespace healthscore
