// The plugin registry.
#include "server/registry/registry.h"

#include <algorithm>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "server/common/status_macros.h"
#include "spdlog/spdlog.h"

namespace healthscore {
namespace {

// Paths as written, made comparable: the registry keys its records by the
// path a file was loaded from.
bool SamePath(const std::filesystem::path& a, const std::filesystem::path& b) {
  return a.lexically_normal() == b.lexically_normal();
}

bool LooksLikeSharedLibrary(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  return name.size() > 3 &&
         (name.ends_with(".so") || name.find(".so.") != std::string::npos);
}

}  // namespace

int CompareVersions(absl::string_view a, absl::string_view b) {
  std::vector<absl::string_view> pa = absl::StrSplit(a, '.');
  std::vector<absl::string_view> pb = absl::StrSplit(b, '.');
  for (size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    absl::string_view x = i < pa.size() ? pa[i] : "0";
    absl::string_view y = i < pb.size() ? pb[i] : "0";
    uint64_t nx = 0;
    uint64_t ny = 0;
    if (absl::SimpleAtoi(x, &nx) && absl::SimpleAtoi(y, &ny)) {
      if (nx != ny) return nx < ny ? -1 : 1;
    } else if (int c = x.compare(y); c != 0) {
      return c < 0 ? -1 : 1;
    }
  }
  return 0;
}

absl::StatusOr<RescanResult> Registry::Rescan(
    const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("--plugin-dir ", dir.string(), " is not a directory"));
  }
  std::vector<std::filesystem::path> files;
  // Symlinked directories are followed (operators link plugin trees in); the
  // depth limit keeps a symlink cycle from recursing forever.
  constexpr int kMaxDepth = 8;
  for (auto it = std::filesystem::recursive_directory_iterator(
           dir, std::filesystem::directory_options::follow_directory_symlink,
           ec);
       !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    if (it.depth() >= kMaxDepth) it.disable_recursion_pending();
    if (!it->is_regular_file(ec)) continue;
    if (LooksLikeSharedLibrary(it->path())) {
      files.push_back(it->path());
    } else {
      spdlog::debug("plugin dir: skipping {} (not named *.so)",
                    it->path().string());
    }
  }
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot read --plugin-dir ", dir.string(), ": ", ec.message()));
  }
  std::sort(files.begin(), files.end());
  RescanResult result;
  for (const auto& file : files) {
    {
      absl::ReaderMutexLock lock(&mu_);
      const bool known = std::any_of(
          records_.begin(), records_.end(), [&](const PluginRecord& r) {
            return r.state != PluginRecord::State::kFailed &&
                   SamePath(r.path, file);
          });
      if (known) continue;
    }
    absl::StatusOr<std::shared_ptr<const Plugin>> plugin = LoadFile(file);
    if (plugin.ok()) {
      result.loaded.push_back((*plugin)->id());
    } else {
      result.failed.push_back(std::string(plugin.status().message()));
    }
  }
  return result;
}

absl::StatusOr<int> Registry::LoadDirectory(const std::filesystem::path& dir) {
  ASSIGN_OR_RETURN(RescanResult result, Rescan(dir));
  return static_cast<int>(result.loaded.size());
}

absl::StatusOr<std::shared_ptr<const Plugin>> Registry::LoadFile(
    const std::filesystem::path& path) {
  uint64_t serial = 0;
  {
    absl::MutexLock lock(&mu_);
    for (const PluginRecord& r : records_) {
      if (!SamePath(r.path, path)) continue;
      if (r.state == PluginRecord::State::kReady) {
        return absl::AlreadyExistsError(absl::StrCat(
            path.string(), " is already loaded, as plugin ", r.plugin->id()));
      }
      if (r.state == PluginRecord::State::kLoading) {
        return absl::AlreadyExistsError(
            absl::StrCat(path.string(), " is being loaded already"));
      }
    }
    // Listed LOADING while the library loads, outside the lock: a slow
    // plugin constructor must not stall Find() on the request path.
    PluginRecord loading;
    loading.path = path;
    loading.state = PluginRecord::State::kLoading;
    loading.load_time = absl::Now();
    loading.serial = serial = next_serial_++;
    records_.push_back(std::move(loading));
  }
  absl::StatusOr<std::shared_ptr<const Plugin>> plugin = Plugin::Load(path);
  absl::MutexLock lock(&mu_);
  if (plugin.ok()) {
    for (const PluginRecord& r : records_) {
      if (r.state == PluginRecord::State::kReady &&
          r.plugin->id() == (*plugin)->id()) {
        plugin = absl::AlreadyExistsError(
            absl::StrCat(path.string(), ": plugin ", (*plugin)->id(),
                         " is already loaded from ", r.path.string()));
        break;
      }
    }
  }
  // The latest attempt is the one that counts: earlier FAILED or UNLOADED
  // records of this file go.
  records_.erase(
      std::remove_if(records_.begin(), records_.end(),
                     [&](const PluginRecord& r) {
                       return r.serial != serial && SamePath(r.path, path) &&
                              (r.state == PluginRecord::State::kFailed ||
                               r.state == PluginRecord::State::kUnloaded);
                     }),
      records_.end());
  auto record =
      std::find_if(records_.begin(), records_.end(),
                   [&](const PluginRecord& r) { return r.serial == serial; });
  if (plugin.ok()) {
    record->state = PluginRecord::State::kReady;
    record->plugin = *plugin;
    ++generation_;
    spdlog::info("loaded plugin {} from {} (ABI {})", (*plugin)->id(),
                 path.string(), AbiVersionString((*plugin)->abi_version()));
  } else {
    record->state = PluginRecord::State::kFailed;
    record->reason = std::string(plugin.status().message());
    spdlog::error("refused plugin {}", record->reason);
  }
  return plugin;
}

absl::Status Registry::Unload(absl::string_view id) {
  const size_t at = id.find('@');
  if (at == absl::string_view::npos || at == 0 || at + 1 == id.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", id,
                     "' is not name@version: unloading takes out one "
                     "version of a plugin"));
  }
  absl::MutexLock lock(&mu_);
  for (PluginRecord& r : records_) {
    if (r.state == PluginRecord::State::kReady && r.plugin->id() == id) {
      r.state = PluginRecord::State::kUnloaded;
      r.unload_time = absl::Now();
      ++generation_;
      spdlog::info("unloaded plugin {} ({}); its code stays mapped",
                   std::string(id), r.path.string());
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(absl::StrCat("plugin ", id,
                                          " is not loaded; the registry has ",
                                          DescribeReadyLocked()));
}

uint64_t Registry::generation() const {
  absl::ReaderMutexLock lock(&mu_);
  return generation_;
}

void Registry::SetDefaultIsolation(Isolation isolation) {
  absl::MutexLock lock(&mu_);
  default_isolation_ = isolation;
}

Isolation Registry::default_isolation() const {
  absl::ReaderMutexLock lock(&mu_);
  return default_isolation_;
}

std::string Registry::DescribeReadyLocked() const {
  std::vector<std::string> ids;
  for (const PluginRecord& r : records_) {
    if (r.state == PluginRecord::State::kReady) ids.push_back(r.plugin->id());
  }
  std::sort(ids.begin(), ids.end());
  return ids.empty() ? "no plugins" : absl::StrJoin(ids, ", ");
}

absl::StatusOr<std::shared_ptr<const Plugin>> Registry::Find(
    absl::string_view ref) const {
  std::vector<absl::string_view> parts =
      absl::StrSplit(ref, absl::MaxSplits('@', 1));
  const absl::string_view name = parts[0];
  const absl::string_view version = parts.size() > 1 ? parts[1] : "";
  absl::ReaderMutexLock lock(&mu_);
  std::shared_ptr<const Plugin> best;
  for (const PluginRecord& r : records_) {
    if (r.state != PluginRecord::State::kReady || r.plugin->name() != name) {
      continue;
    }
    if (!version.empty()) {
      if (r.plugin->version() == version) return r.plugin;
    } else if (best == nullptr ||
               CompareVersions(r.plugin->version(), best->version()) > 0) {
      best = r.plugin;
    }
  }
  if (best != nullptr) return best;
  std::string failed;
  std::vector<std::string> unloaded;
  for (const PluginRecord& r : records_) {
    if (r.state == PluginRecord::State::kFailed) {
      absl::StrAppend(&failed, failed.empty() ? "; refused at load: " : "; ",
                      r.reason);
    } else if (r.state == PluginRecord::State::kUnloaded &&
               r.plugin->name() == name) {
      unloaded.push_back(r.plugin->id());
    }
  }
  std::sort(unloaded.begin(), unloaded.end());
  return absl::NotFoundError(absl::StrCat(
      "unknown plugin '", ref, "'; the registry has ", DescribeReadyLocked(),
      unloaded.empty() ? "" : "; unloaded: ", absl::StrJoin(unloaded, ", "),
      failed));
}

std::vector<PluginRecord> Registry::List() const {
  std::vector<PluginRecord> out = ListAll();
  out.erase(std::remove_if(out.begin(), out.end(),
                           [](const PluginRecord& r) {
                             return r.state != PluginRecord::State::kReady &&
                                    r.state != PluginRecord::State::kFailed;
                           }),
            out.end());
  return out;
}

std::vector<PluginRecord> Registry::ListAll() const {
  std::vector<PluginRecord> out;
  {
    absl::ReaderMutexLock lock(&mu_);
    out = records_;
  }
  auto rank = [](PluginRecord::State state) {
    switch (state) {
      case PluginRecord::State::kReady:
        return 0;
      case PluginRecord::State::kLoading:
        return 1;
      case PluginRecord::State::kUnloaded:
        return 2;
      case PluginRecord::State::kFailed:
        return 3;
    }
    return 4;
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const PluginRecord& a, const PluginRecord& b) {
                     if (a.state != b.state) {
                       return rank(a.state) < rank(b.state);
                     }
                     if (a.plugin != nullptr && b.plugin != nullptr) {
                       return a.plugin->id() < b.plugin->id();
                     }
                     return a.path < b.path;
                   });
  return out;
}

}  // namespace healthscore
