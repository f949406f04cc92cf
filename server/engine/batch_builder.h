// Turns a request's signals into the engine's columns for one snapshot,
// checking every value on the way in.
#ifndef HEALTHSCORE_SERVER_ENGINE_BATCH_BUILDER_H_
#define HEALTHSCORE_SERVER_ENGINE_BATCH_BUILDER_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/map.h"
#include "server/engine/engine.h"
#include "server/engine/snapshot.h"

namespace healthscore {

// One customer's signals (Score, WhatIf) as a one-row batch. Values must be
// finite (a missing signal is left out) and within the signals' declared
// bounds; INVALID_ARGUMENT names the first bad one in name order,
// "customer.signals['logins_30d'] = -1 is below the minimum 0 (...)".
// `unused` gets the names no dimension of the snapshot reads, sorted.
// No sort and no copy of the names on the way when every value is good.
absl::StatusOr<BatchColumns> CustomerColumns(
    const Snapshot& snapshot,
    const google::protobuf::Map<std::string, double>& signals,
    std::vector<std::string>* unused = nullptr);

// A ScoreBatch request's rows as columns. Each row is checked and written
// into its own slot, so rows may be added from several threads at once;
// Finish keeps the slots of the rows that passed.
class BatchBuilder {
 public:
  // Binds `names` (the request's signal names, in value order) to the
  // snapshot's signals and makes room for `rows` rows. Refuses empty and
  // repeated names.
  static absl::StatusOr<BatchBuilder> Create(
      const Snapshot& snapshot,
      const google::protobuf::RepeatedPtrField<std::string>& names,
      size_t rows);

  // Checks row `index` of the request and, if every value is acceptable,
  // writes it into slot `index`. Values must be finite or NaN (missing) and
  // within the signal's declared bounds. Returns INVALID_ARGUMENT naming the
  // field, the value and the limit otherwise, "rows[3].values[2]
  // (logins_30d) = inf: ...". Thread-safe for distinct indexes.
  absl::Status SetRow(size_t index, std::span<const double> values);

  // The batch of the slots `keep` (ascending): the rows that passed.
  BatchColumns Finish(std::span<const uint32_t> keep) &&;

  // Request signals no dimension of the snapshot reads, in request order.
  const std::vector<std::string>& unused_signals() const { return unused_; }

 private:
  explicit BatchBuilder(const Snapshot& snapshot) : snapshot_(&snapshot) {}

  const Snapshot* snapshot_;
  const google::protobuf::RepeatedPtrField<std::string>* names_ = nullptr;
  std::vector<int> column_of_;  // request column -> snapshot signal, or -1
  std::vector<std::string> unused_;
  BatchColumns batch_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_ENGINE_BATCH_BUILDER_H_
