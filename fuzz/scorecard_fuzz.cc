// Fuzz target: the scorecard parser (server/config: YAML in, a checked
// ScorecardSpec out) and, for a scorecard that parses, binding it to the
// built-in plugins (Snapshot::Build: plugin lookup, parameter checks, every
// plugin's create() on its parameters, the rules plugin's expressions).
//
// Input: the scorecard file's bytes. Seeds: fuzz/corpus/scorecard/.
// Webhook secrets are not read (SecretReading::kSkip): the fuzzer must not
// read files or the environment named by its input.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  healthscore::fuzz::Quiet();
  healthscore::fuzz::PluginsIn(HS_PLUGIN_DIR);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view yaml(reinterpret_cast<const char*>(data), size);
  auto spec = healthscore::ParseScorecard(yaml, "fuzz.yaml",
                                          healthscore::SecretReading::kSkip);
  if (!spec.ok()) return 0;
  auto snapshot = healthscore::Snapshot::Build(
      *std::move(spec), healthscore::fuzz::PluginsIn(HS_PLUGIN_DIR));
  if (snapshot.ok()) {
    // Touch what a live snapshot serves: the scorecard as GetScorecard
    // returns it, and the band of every score.
    (void)(*snapshot)->scorecard_proto().ByteSizeLong();
    for (double s : {0.0, 49.5, 100.0})
      (void)(*snapshot)->BandFor(s).name.size();
  }
  return 0;
}
