// Request values -> checked engine columns.
#include "server/service/batch_builder.h"

#include <cmath>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace healthscore {

absl::StatusOr<BatchBuilder> BatchBuilder::Create(
    const Snapshot& snapshot, const std::vector<std::string>& names,
    Naming naming, size_t expected_rows) {
  BatchBuilder builder(snapshot, naming);
  absl::flat_hash_map<absl::string_view, size_t> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("signal_names[", i, "] is empty"));
    }
    auto [it, added] = seen.try_emplace(names[i], i);
    if (!added) {
      return absl::InvalidArgumentError(
          absl::StrCat("signal_names[", i, "] '", names[i],
                       "' repeats signal_names[", it->second, "]"));
    }
    const int column = snapshot.FindSignal(names[i]);
    builder.column_of_.push_back(column);
    if (column < 0) builder.unused_.push_back(names[i]);
  }
  builder.names_ = names;
  builder.batch_.columns.resize(snapshot.signals().size());
  for (auto& column : builder.batch_.columns) column.reserve(expected_rows);
  return builder;
}

std::string BatchBuilder::Field(size_t row, size_t column) const {
  if (naming_ == Naming::kCustomerSignals) {
    return absl::StrCat("customer.signals['", names_[column], "']");
  }
  return absl::StrCat("rows[", row, "].values[", column, "] (", names_[column],
                      ")");
}

absl::Status BatchBuilder::AddRow(size_t index,
                                  std::span<const double> values) {
  if (values.size() != names_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("rows[", index, "] has ", values.size(),
                     " values; signal_names has ", names_.size()));
  }
  const auto& signals = snapshot_->signals();
  for (size_t c = 0; c < values.size(); ++c) {
    const double v = values[c];
    if (std::isinf(v)) {
      return absl::InvalidArgumentError(absl::StrCat(
          Field(index, c), " = ", v > 0 ? "inf" : "-inf",
          ": values must be finite",
          naming_ == Naming::kBatchRows ? " (NaN marks a missing value)" : ""));
    }
    if (std::isnan(v)) {
      if (naming_ == Naming::kCustomerSignals) {
        return absl::InvalidArgumentError(absl::StrCat(
            Field(index, c),
            " = NaN: values must be finite; leave a missing signal out"));
      }
      continue;
    }
    if (column_of_[c] < 0) continue;
    const SignalBinding& s = signals[column_of_[c]];
    if (!std::isnan(s.min) && v < s.min) {
      return absl::InvalidArgumentError(absl::StrCat(
          Field(index, c), " = ", v, " is below the minimum ", s.min, " (",
          s.unit, ", declared by ", s.min_owner, ")"));
    }
    if (!std::isnan(s.max) && v > s.max) {
      return absl::InvalidArgumentError(absl::StrCat(
          Field(index, c), " = ", v, " is above the maximum ", s.max, " (",
          s.unit, ", declared by ", s.max_owner, ")"));
    }
  }
  // Every value is fine: only now does the row join the batch, so a bad row
  // leaves no partial trace.
  constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
  for (auto& column : batch_.columns) column.push_back(kMissing);
  for (size_t c = 0; c < values.size(); ++c) {
    if (column_of_[c] >= 0) batch_.columns[column_of_[c]].back() = values[c];
  }
  ++batch_.num_rows;
  return absl::OkStatus();
}

}  // namespace healthscore
