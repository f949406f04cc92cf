// A recorded point: built from a score and what it was scored from, kept as
// a store::PointRow, read back as a healthscore.v1.HistoryPoint.
#ifndef HEALTHSCORE_SERVER_HISTORY_POINT_H_
#define HEALTHSCORE_SERVER_HISTORY_POINT_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/map.h"
#include "google/protobuf/timestamp.pb.h"
#include "healthscore/v1/history.pb.h"
#include "server/store/store.h"

namespace healthscore::history {

// What one row was scored from: values line up with names; NaN = missing.
struct RowInputs {
  std::span<const std::string> names;
  std::span<const double> values;
  // The customer's attributes (parent_id, contract_value are kept), if any.
  const google::protobuf::Map<std::string, std::string>* attributes = nullptr;
};

// A list of signal names, kept once in the store (points refer to it by id
// and hold only their values): the names are most of a point's bytes.
struct SignalSet {
  std::string id;  // 32 hex digits of the SHA-256 of `names_blob`
  std::string names_blob;
};
SignalSet MakeSignalSet(std::span<const std::string> names);
absl::StatusOr<std::vector<std::string>> ParseSignalSet(
    absl::string_view names_blob);

// A point's inputs as stored: the signal set's id, then one little-endian
// double per name (NaN: not given).
std::string EncodeInputs(const std::string& set_id,
                         std::span<const double> values);
// The set id of encoded inputs ("" when there are none).
std::string InputsSetId(absl::string_view encoded);
// Adds the given (non-NaN) inputs to `point`, names from the set.
absl::Status DecodeInputs(absl::string_view encoded,
                          const std::vector<std::string>& names,
                          v1::HistoryPoint& point);

// The point to store for `score`, with its inputs encoded against the
// signal set `set_id` (EncodeInputs). It keeps the inputs, not the fired rules:
// those follow from the inputs and the scorecard (kept by hash), and
// GetHistory derives them when asked, so recording costs no explanation.
store::PointRow MakePointRow(const v1::CustomerScore& score,
                             const std::string& set_id,
                             std::span<const double> values,
                             int64_t recorded_at_us);

// The point as the History API returns it, without its inputs (see
// DecodeInputs) and fired rules (derived by the caller).
absl::StatusOr<v1::HistoryPoint> ReadPoint(const store::PointRow& row);

int64_t ToMicros(const google::protobuf::Timestamp& t);
google::protobuf::Timestamp FromMicros(int64_t micros);
// "2026-11-29" (midnight UTC) or "2026-11-29T10:00:00Z".
std::string FormatMicros(int64_t micros);

}  // namespace healthscore::history

#endif  // HEALTHSCORE_SERVER_HISTORY_POINT_H_
