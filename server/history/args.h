// Checks of the History and Alerts requests' arguments, with messages that
// name the field, the value and the limit.
#ifndef HEALTHSCORE_SERVER_HISTORY_ARGS_H_
#define HEALTHSCORE_SERVER_HISTORY_ARGS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"

namespace healthscore::history {

// A time between 1970 and 9999, in microseconds since the epoch.
absl::StatusOr<int64_t> TimeArg(const google::protobuf::Timestamp& t,
                                absl::string_view field);
// A customer id: not empty, at most 256 bytes.
absl::Status CheckCustomerId(const std::string& id);
// A count with a default (0) and a limit, e.g. page_size.
absl::StatusOr<int> CountArg(int value, int default_value, int max,
                             absl::string_view field);
// from <= to.
absl::Status CheckRange(int64_t from, int64_t to);
// Empty, low, medium, high or critical.
absl::Status CheckSeverity(absl::string_view severity);

}  // namespace healthscore::history

#endif  // HEALTHSCORE_SERVER_HISTORY_ARGS_H_
