// Shared by the fuzz targets: quiet logs, and a fatal error for a broken
// set-up (a missing plugin directory, a seed scorecard that no longer loads),
// which is a build problem, never a finding.
#ifndef HEALTHSCORE_FUZZ_FUZZ_UTIL_H_
#define HEALTHSCORE_FUZZ_FUZZ_UTIL_H_

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "server/config/scorecard.h"
#include "server/engine/snapshot.h"
#include "server/registry/registry.h"
#include "spdlog/spdlog.h"

namespace healthscore::fuzz {

[[noreturn]] inline void SetupFailed(const std::string& what) {
  std::fprintf(stderr, "fuzz set-up failed (not a finding): %s\n",
               what.c_str());
  std::abort();
}

inline void Quiet() { spdlog::set_level(spdlog::level::off); }

// Every plugin under `dir` (the build's plugins/), loaded once per process.
inline Registry& PluginsIn(const char* dir) {
  static Registry* registry = [dir] {
    auto* r = new Registry;
    if (auto loaded = r->LoadDirectory(dir); !loaded.ok()) {
      SetupFailed(std::string(loaded.status().message()));
    }
    return r;
  }();
  return *registry;
}

// `path` bound to the plugins in `registry`; fatal when it does not build.
inline std::shared_ptr<const Snapshot> SnapshotOf(const char* path,
                                                  const Registry& registry) {
  auto spec = LoadScorecardFile(path);
  if (!spec.ok()) SetupFailed(std::string(spec.status().message()));
  auto snapshot = Snapshot::Build(*std::move(spec), registry);
  if (!snapshot.ok()) SetupFailed(std::string(snapshot.status().message()));
  return *std::move(snapshot);
}

}  // namespace healthscore::fuzz

#endif  // HEALTHSCORE_FUZZ_FUZZ_UTIL_H_
