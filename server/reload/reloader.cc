// Hot reload of the scorecard, and plugin unloads, one at a time.
#include "server/reload/reloader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status_macros.h"
#include "server/config/scorecard.h"
#include "server/engine/snapshot.h"
#include "spdlog/spdlog.h"

namespace healthscore {
namespace {

std::string Short(const std::string& hash) { return hash.substr(0, 12); }

std::string Describe(const Snapshot& snapshot) {
  return absl::StrCat("scorecard ", snapshot.spec().name, " version ",
                      snapshot.spec().version, " (sha256 ",
                      Short(snapshot.spec().hash), ")");
}

absl::StatusOr<std::string> ReadConfig(const std::filesystem::path& path,
                                       size_t max_bytes) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) {
    return absl::NotFoundError(absl::StrCat("cannot read scorecard ",
                                            path.string(), ": ", ec.message()));
  }
  if (size > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("scorecard ", path.string(), " is ", size,
                     " bytes; the limit is ", max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(
        "cannot read scorecard ", path.string(), ": ", std::strerror(errno)));
  }
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // The file may have grown between file_size and the read.
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("scorecard ", path.string(),
                                                   " is over ", max_bytes,
                                                   " bytes, the limit"));
  }
  return text;
}

}  // namespace

absl::string_view ReloadTriggerName(ReloadTrigger trigger) {
  switch (trigger) {
    case ReloadTrigger::kStartup:
      return "startup";
    case ReloadTrigger::kFile:
      return "file";
    case ReloadTrigger::kSignal:
      return "sighup";
    case ReloadTrigger::kRpc:
      return "rpc";
  }
  return "unknown";
}

Reloader::Reloader(Options options, Registry* registry,
                   SnapshotHolder* snapshots)
    : options_(std::move(options)),
      registry_(registry),
      snapshots_(snapshots) {}

absl::StatusOr<std::shared_ptr<const Snapshot>> Reloader::BuildFromFile(
    ReloadOutcome& outcome) {
  const std::string path = options_.config_path.string();
  ASSIGN_OR_RETURN(std::string text,
                   ReadConfig(options_.config_path, options_.max_config_bytes));
  // Read before binding: a plugin loaded while this builds makes the next
  // reload rebuild rather than skip.
  const uint64_t generation = registry_->generation();
  std::shared_ptr<const Snapshot> live = snapshots_->Current();
  if (have_live_ && live != nullptr && generation == live_generation_ &&
      live->spec().hash == Sha256Hex(text)) {
    outcome.message = absl::StrCat(path, " is unchanged: ", Describe(*live),
                                   " stays live; nothing to do");
    return live;
  }
  ASSIGN_OR_RETURN(ScorecardSpec spec, ParseScorecard(text, path));
  ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> next,
                   Snapshot::Build(std::move(spec), *registry_));
  live_generation_ = generation;
  outcome.changed = true;
  outcome.message = absl::StrCat(Describe(*next), " is live, from ", path,
                                 live == nullptr ? "" : "; it replaces ",
                                 live == nullptr ? "" : Describe(*live));
  return next;
}

ReloadOutcome Reloader::Reload(ReloadTrigger trigger, bool rescan_plugins) {
  ReloadOutcome outcome;
  absl::MutexLock lock(&mu_);
  if (rescan_plugins) {
    absl::StatusOr<RescanResult> rescan =
        registry_->Rescan(options_.plugin_dir);
    if (rescan.ok()) {
      outcome.plugins_loaded = std::move(rescan->loaded);
      outcome.plugins_failed = std::move(rescan->failed);
    } else {
      outcome.status = rescan.status();
    }
  }
  absl::StatusOr<std::shared_ptr<const Snapshot>> next =
      outcome.status.ok() ? BuildFromFile(outcome) : outcome.status;
  const absl::Time now = absl::Now();
  if (next.ok()) {
    if (outcome.changed) {
      snapshots_->Swap(*next);
      have_live_ = true;
    }
    spdlog::info("reload ({}): {}", std::string(ReloadTriggerName(trigger)),
                 outcome.message);
  } else {
    outcome.status = next.status();
    std::shared_ptr<const Snapshot> live = snapshots_->Current();
    outcome.message = absl::StrCat(
        "reload refused; ", live == nullptr
                                ? "no scorecard is live"
                                : absl::StrCat(Describe(*live), " stays live"));
    spdlog::error("reload ({}) of {} failed: {}; {}",
                  std::string(ReloadTriggerName(trigger)),
                  options_.config_path.string(),
                  std::string(outcome.status.message()), outcome.message);
  }
  if (std::shared_ptr<const Snapshot> live = snapshots_->Current();
      live != nullptr) {
    outcome.live_name = live->spec().name;
    outcome.live_version = live->spec().version;
    outcome.live_hash = live->spec().hash;
  }
  absl::MutexLock counters_lock(&counters_mu_);
  if (outcome.status.ok()) {
    ++counters_.successes;
    if (!outcome.changed) ++counters_.unchanged;
    counters_.last_success_time = now;
  } else {
    ++counters_.failures;
    counters_.last_error = std::string(outcome.status.message());
    counters_.last_error_trigger = std::string(ReloadTriggerName(trigger));
    counters_.last_error_time = now;
  }
  outcome.counters = counters_;
  return outcome;
}

absl::Status Reloader::UnloadPlugin(absl::string_view id) {
  absl::MutexLock lock(&mu_);
  if (std::shared_ptr<const Snapshot> live = snapshots_->Current();
      live != nullptr) {
    // Every segment's variant counts: one may bind a plugin the default
    // does not use.
    std::vector<std::string> users;
    for (const Variant& variant : live->variants()) {
      for (const BoundDimension& d : variant.dimensions) {
        if (d.plugin->id() == id &&
            std::find(users.begin(), users.end(), d.name) == users.end()) {
          users.push_back(d.name);
        }
      }
    }
    if (!users.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "plugin ", id, " is in use by the live ", Describe(*live),
          ": dimension", users.size() == 1 ? " " : "s ",
          absl::StrJoin(users, ", "),
          "; reload a scorecard that does not use it first"));
    }
  }
  return registry_->Unload(id);
}

ReloadCounters Reloader::counters() const {
  absl::MutexLock lock(&counters_mu_);
  return counters_;
}

}  // namespace healthscore
