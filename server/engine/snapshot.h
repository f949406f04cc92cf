// The Snapshot: one scorecard bound to the plugins it uses, immutable. Every
// request takes the current snapshot at its start and finishes on it; a reload
// builds a new one aside and swaps it in only if it built completely.
#ifndef HEALTHSCORE_SERVER_ENGINE_SNAPSHOT_H_
#define HEALTHSCORE_SERVER_ENGINE_SNAPSHOT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "healthscore/sdk/abi.h"
#include "healthscore/v1/health_scoring.pb.h"
#include "server/config/scorecard.h"
#include "server/plugin/plugin.h"
#include "server/registry/registry.h"

namespace healthscore {

// A signal some dimension of the snapshot reads, with the tightest bounds
// its readers declare (NaN: unbounded) and who declared them.
struct SignalBinding {
  std::string name;
  std::string unit;
  double min = 0;
  double max = 0;
  std::string min_owner;  // plugin id that set `min`
  std::string max_owner;
};

// A scorecard dimension bound to its plugin and an instance of it.
struct BoundDimension {
  std::string name;
  double weight = 0;
  std::shared_ptr<const Plugin> plugin;
  std::vector<hs_param_value> params;    // every declared parameter, in order
  std::vector<std::string> param_texts;  // what params[i].text points to
  hs_instance* instance = nullptr;       // owned by the Snapshot
  // The signals the instance reads, in its column order, and for each its
  // index in Snapshot::signals().
  std::vector<SignalInfo> signals;
  std::vector<int> signal_columns;
};

class Snapshot {
 public:
  // Binds `spec` to plugins found in `registry`: every dimension's plugin must
  // exist, every parameter must be declared by it and within its bounds, and
  // every plugin must accept its parameters. Errors name the scorecard file,
  // line and field.
  static absl::StatusOr<std::shared_ptr<const Snapshot>> Build(
      ScorecardSpec spec, const Registry& registry);

  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  const ScorecardSpec& spec() const { return spec_; }
  const std::vector<BoundDimension>& dimensions() const { return dimensions_; }
  const std::vector<SignalBinding>& signals() const { return signals_; }
  double total_weight() const { return total_weight_; }

  // Index into signals(), or -1 when no dimension reads `name`.
  int FindSignal(absl::string_view name) const;

  // The band (and grade) for a 0-100 score.
  const BandSpec& BandFor(double score) const;

  // Prebuilt once: what produced every score of this snapshot.
  const v1::Provenance& provenance() const { return provenance_; }
  // The scorecard as GetScorecard returns it.
  const v1::Scorecard& scorecard_proto() const { return scorecard_proto_; }

 private:
  Snapshot() = default;

  ScorecardSpec spec_;
  std::vector<BoundDimension> dimensions_;
  std::vector<SignalBinding> signals_;
  absl::flat_hash_map<std::string, int> signal_index_;
  double total_weight_ = 0;
  v1::Provenance provenance_;
  v1::Scorecard scorecard_proto_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_ENGINE_SNAPSHOT_H_
