// The Snapshot: one scorecard, with a variant per segment, bound to the
// plugins it uses; immutable. Every request takes the current snapshot at its
// start and finishes on it; a reload builds a new one aside and swaps it in
// only if it built completely.
#ifndef HEALTHSCORE_SERVER_ENGINE_SNAPSHOT_H_
#define HEALTHSCORE_SERVER_ENGINE_SNAPSHOT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "healthscore/v1/health_scoring.pb.h"
#include "server/config/scorecard.h"
#include "server/plugin/instance.h"
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

// A scorecard dimension bound to its plugin and an instance of it. Copies
// share the instance (a variant that changes only a weight reuses the
// default's instance).
struct BoundDimension {
  std::string name;
  double weight = 0;
  std::optional<double> warn_below;
  std::shared_ptr<const Plugin> plugin;
  // Bound to every declared parameter, in order.
  std::shared_ptr<const PluginInstance> instance;
  // The signals the instance reads, in its column order, and for each its
  // index in Snapshot::signals().
  std::vector<SignalInfo> signals;
  std::vector<int> signal_columns;
  int group = 0;  // index into Variant::groups
};

// A group of dimensions and how they make one score. Without groups in the
// scorecard, a variant has one unnamed group holding every dimension.
struct GroupBinding {
  std::string name;  // empty for the implicit group
  Aggregate aggregate = Aggregate::kWeightedMean;
  double weight = 1;
  std::vector<int> dimensions;  // indices into Variant::dimensions
};

struct GateBinding {
  GateSpec spec;
  int dimension = -1;  // or
  int group = -1;
};

struct ActionBinding {
  ActionSpec spec;
  int dimension = -1;  // for a dimension action
};

// The scorecard as one segment sees it.
struct Variant {
  std::string name;  // "default" or the segment's name
  std::vector<BoundDimension> dimensions;
  std::vector<GroupBinding> groups;
  bool named_groups = false;
  Aggregate aggregate = Aggregate::kWeightedMean;  // across groups
  std::vector<BandSpec> bands;                     // highest min first
  std::vector<GateBinding> gates;
  std::vector<ActionBinding> actions;
  double total_weight = 0;  // of the dimensions

  // The band (and grade) for a 0-100 score.
  const BandSpec& BandFor(double score) const;
};

class Snapshot {
 public:
  // Binds `spec` to plugins found in `registry`: every dimension's plugin must
  // exist, every parameter must be declared by it and within its bounds, and
  // every plugin must accept its parameters, in the default scorecard and in
  // every segment's variant. Errors name the scorecard file, line and field.
  static absl::StatusOr<std::shared_ptr<const Snapshot>> Build(
      ScorecardSpec spec, const Registry& registry);

  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  const ScorecardSpec& spec() const { return spec_; }
  // Variant 0 is the default; then one per segment, in file order.
  const std::vector<Variant>& variants() const { return variants_; }
  // The variant for `segment`, or nullptr when it has none (the caller scores
  // with the default and says so).
  const Variant* FindVariant(absl::string_view segment) const;

  // The default variant's.
  const std::vector<BoundDimension>& dimensions() const {
    return variants_[0].dimensions;
  }
  double total_weight() const { return variants_[0].total_weight; }
  const BandSpec& BandFor(double score) const {
    return variants_[0].BandFor(score);
  }

  const std::vector<SignalBinding>& signals() const { return signals_; }
  // Index into signals(), or -1 when no dimension reads `name`.
  int FindSignal(absl::string_view name) const;

  // Prebuilt once: what produced every score of this snapshot.
  const v1::Provenance& provenance() const { return provenance_; }
  // The scorecard as GetScorecard returns it.
  const v1::Scorecard& scorecard_proto() const { return scorecard_proto_; }

 private:
  Snapshot() = default;

  ScorecardSpec spec_;
  std::vector<Variant> variants_;
  absl::flat_hash_map<std::string, int> variant_index_;
  std::vector<SignalBinding> signals_;
  absl::flat_hash_map<std::string, int> signal_index_;
  v1::Provenance provenance_;
  v1::Scorecard scorecard_proto_;

  friend class SnapshotBuilder;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_ENGINE_SNAPSHOT_H_
