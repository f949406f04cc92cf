// Turns a request's signals into the engine's columns for one snapshot,
// checking every value on the way in.
#ifndef HEALTHSCORE_SERVER_SERVICE_BATCH_BUILDER_H_
#define HEALTHSCORE_SERVER_SERVICE_BATCH_BUILDER_H_

#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/engine/engine.h"
#include "server/engine/snapshot.h"

namespace healthscore {

class BatchBuilder {
 public:
  // How errors name a value: "rows[3].values[2] (logins_30d)" for
  // ScoreBatch, "customer.signals['logins_30d']" for Score.
  enum class Naming { kBatchRows, kCustomerSignals };

  // Binds `names` (the request's signal names, in value order) to the
  // snapshot's signals. Refuses empty and repeated names.
  static absl::StatusOr<BatchBuilder> Create(
      const Snapshot& snapshot, const std::vector<std::string>& names,
      Naming naming, size_t expected_rows);

  // Checks one row (`index` is its position in the request) and, if every
  // value is acceptable, adds it as the next row of the batch. Values must be
  // finite or NaN (missing) and within the signal's declared bounds. Returns
  // INVALID_ARGUMENT naming the field, the value and the limit otherwise.
  absl::Status AddRow(size_t index, std::span<const double> values);

  BatchColumns Finish() && { return std::move(batch_); }

  // Request signals no dimension of the snapshot reads.
  const std::vector<std::string>& unused_signals() const { return unused_; }

 private:
  BatchBuilder(const Snapshot& snapshot, Naming naming)
      : snapshot_(&snapshot), naming_(naming) {}
  std::string Field(size_t row, size_t column) const;

  const Snapshot* snapshot_;
  Naming naming_;
  std::vector<std::string> names_;
  std::vector<int> column_of_;  // request column -> snapshot signal, or -1
  std::vector<std::string> unused_;
  BatchColumns batch_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_BATCH_BUILDER_H_
