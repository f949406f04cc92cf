// A recorded point: built from a score and what it was scored from, kept as
// a store::PointRow, read back as a healthscore.v1.HistoryPoint.
#ifndef HEALTHSCORE_SERVER_HISTORY_POINT_H_
#define HEALTHSCORE_SERVER_HISTORY_POINT_H_

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "healthscore/v1/history.pb.h"
#include "server/store/store.h"

namespace healthscore::history {

// What one row was scored from: values line up with names; NaN = missing.
struct RowInputs {
  std::span<const std::string> names;
  std::span<const double> values;
};

// The point to store for `score`. It keeps the inputs, not the fired rules:
// those follow from the inputs and the scorecard (kept by hash), and
// GetHistory derives them when asked, so recording costs no explanation.
store::PointRow MakePointRow(const v1::CustomerScore& score,
                             const RowInputs& inputs, int64_t recorded_at_us);

// The point as the History API returns it (no fired rules: the caller
// derives them). Without `full`, no inputs either.
absl::StatusOr<v1::HistoryPoint> ReadPoint(const store::PointRow& row,
                                           bool full);

int64_t ToMicros(const google::protobuf::Timestamp& t);
google::protobuf::Timestamp FromMicros(int64_t micros);
// "2026-11-29" (midnight UTC) or "2026-11-29T10:00:00Z".
std::string FormatMicros(int64_t micros);

}  // namespace healthscore::history

#endif  // HEALTHSCORE_SERVER_HISTORY_POINT_H_
