// The plugin registry.
#include "server/registry/registry.h"

#include <algorithm>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "spdlog/spdlog.h"

namespace healthscore {
namespace {

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

absl::StatusOr<int> Registry::LoadDirectory(const std::filesystem::path& dir) {
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
  int ready = 0;
  for (const auto& file : files) {
    if (LoadFile(file).ok()) ++ready;
  }
  return ready;
}

absl::StatusOr<std::shared_ptr<const Plugin>> Registry::LoadFile(
    const std::filesystem::path& path) {
  PluginRecord record;
  record.path = path;
  record.load_time = absl::Now();
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
  if (plugin.ok()) {
    record.state = PluginRecord::State::kReady;
    record.plugin = *plugin;
    spdlog::info("loaded plugin {} from {} (ABI {})", (*plugin)->id(),
                 path.string(), AbiVersionString((*plugin)->abi_version()));
  } else {
    record.state = PluginRecord::State::kFailed;
    record.reason = std::string(plugin.status().message());
    spdlog::error("refused plugin {}", record.reason);
  }
  records_.push_back(std::move(record));
  return plugin;
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
  for (const PluginRecord& r : records_) {
    if (r.state == PluginRecord::State::kFailed) {
      absl::StrAppend(&failed, failed.empty() ? "; refused at load: " : "; ",
                      r.reason);
    }
  }
  return absl::NotFoundError(absl::StrCat("unknown plugin '", ref,
                                          "'; the registry has ",
                                          DescribeReadyLocked(), failed));
}

std::vector<PluginRecord> Registry::List() const {
  std::vector<PluginRecord> out;
  {
    absl::ReaderMutexLock lock(&mu_);
    out = records_;
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const PluginRecord& a, const PluginRecord& b) {
                     if (a.state != b.state) {
                       return a.state == PluginRecord::State::kReady;
                     }
                     if (a.state == PluginRecord::State::kReady) {
                       return a.plugin->id() < b.plugin->id();
                     }
                     return a.path < b.path;
                   });
  return out;
}

}  // namespace healthscore
