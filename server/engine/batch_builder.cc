// Request values -> checked engine columns.
#include "server/engine/batch_builder.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/common/echo.h"
#include "server/common/status_macros.h"

namespace healthscore {
namespace {

// The bounds check both request shapes share. `signal` is null for a name
// the snapshot does not read (only finiteness is checked then).
// `field` names the value in an error, e.g. "customer.signals['x']".
template <typename Field>
absl::Status CheckValue(double v, const SignalBinding* signal,
                        bool nan_is_missing, Field field) {
  if (std::isinf(v)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field(), " = ", v > 0 ? "inf" : "-inf", ": values must be finite",
        nan_is_missing ? " (NaN marks a missing value)" : ""));
  }
  if (std::isnan(v)) {
    if (nan_is_missing) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        field(), " = NaN: values must be finite; leave a missing signal out"));
  }
  if (signal == nullptr) return absl::OkStatus();
  if (!std::isnan(signal->min) && v < signal->min) {
    return absl::InvalidArgumentError(absl::StrCat(
        field(), " = ", v, " is below the minimum ", signal->min, " (",
        signal->unit, ", declared by ", signal->min_owner, ")"));
  }
  if (!std::isnan(signal->max) && v > signal->max) {
    return absl::InvalidArgumentError(absl::StrCat(
        field(), " = ", v, " is above the maximum ", signal->max, " (",
        signal->unit, ", declared by ", signal->max_owner, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckSignal(const Snapshot& snapshot, const std::string& name,
                         double value, int column) {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        "customer.signals has an entry with an empty name");
  }
  return CheckValue(value, column < 0 ? nullptr : &snapshot.signals()[column],
                    /*nan_is_missing=*/false, [&] {
                      return absl::StrCat("customer.signals[", Echo(name), "]");
                    });
}

}  // namespace

absl::StatusOr<BatchColumns> CustomerColumns(
    const Snapshot& snapshot,
    const google::protobuf::Map<std::string, double>& signals,
    std::vector<std::string>* unused) {
  BatchColumns batch(snapshot.signals().size(), 1);
  bool bad = false;
  for (const auto& [name, value] : signals) {
    const int column = snapshot.FindSignal(name);
    if (!CheckSignal(snapshot, name, value, column).ok()) {
      bad = true;
      break;
    }
    if (column >= 0) {
      batch.at(column, 0) = value;
    } else if (unused != nullptr) {
      unused->push_back(name);
    }
  }
  if (bad) {
    // The map's order is not stable: report the first bad value by name,
    // so the same request always gets the same error.
    std::vector<const std::string*> names;
    names.reserve(signals.size());
    for (const auto& entry : signals) names.push_back(&entry.first);
    std::sort(
        names.begin(), names.end(),
        [](const std::string* a, const std::string* b) { return *a < *b; });
    for (const std::string* name : names) {
      absl::Status status = CheckSignal(snapshot, *name, signals.at(*name),
                                        snapshot.FindSignal(*name));
      if (!status.ok()) return status;
    }
  }
  if (unused != nullptr) std::sort(unused->begin(), unused->end());
  return batch;
}

absl::StatusOr<BatchBuilder> BatchBuilder::Create(
    const Snapshot& snapshot,
    const google::protobuf::RepeatedPtrField<std::string>& names, size_t rows) {
  BatchBuilder builder(snapshot);
  absl::flat_hash_map<absl::string_view, int> seen;
  seen.reserve(names.size());
  for (int i = 0; i < names.size(); ++i) {
    if (names[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("signal_names[", i, "] is empty"));
    }
    auto [it, added] = seen.try_emplace(names[i], i);
    if (!added) {
      return absl::InvalidArgumentError(
          absl::StrCat("signal_names[", i, "] ", Echo(names[i]),
                       " repeats signal_names[", it->second, "]"));
    }
    const int column = snapshot.FindSignal(names[i]);
    builder.column_of_.push_back(column);
    if (column < 0) builder.unused_.push_back(names[i]);
  }
  builder.names_ = &names;
  builder.batch_ =
      BatchColumns(snapshot.signals().size(), static_cast<uint32_t>(rows));
  return builder;
}

absl::Status BatchBuilder::SetRow(size_t index,
                                  std::span<const double> values) {
  if (values.size() != column_of_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("rows[", index, "] has ", values.size(),
                     " values; signal_names has ", column_of_.size()));
  }
  const auto& signals = snapshot_->signals();
  for (size_t c = 0; c < values.size(); ++c) {
    const int column = column_of_[c];
    RETURN_IF_ERROR(CheckValue(
        values[c], column < 0 ? nullptr : &signals[column],
        /*nan_is_missing=*/true, [&] {
          return absl::StrCat("rows[", index, "].values[", c, "] (",
                              Cut((*names_)[static_cast<int>(c)]), ")");
        }));
  }
  // Every value is fine: only now does the row fill its slot, so a bad row
  // leaves no partial trace.
  const uint32_t row = static_cast<uint32_t>(index);
  for (size_t c = 0; c < values.size(); ++c) {
    if (column_of_[c] >= 0) batch_.at(column_of_[c], row) = values[c];
  }
  return absl::OkStatus();
}

BatchColumns BatchBuilder::Finish(std::span<const uint32_t> keep) && {
  if (keep.size() != batch_.num_rows()) batch_.KeepRows(keep);
  return std::move(batch_);
}

}  // namespace healthscore
