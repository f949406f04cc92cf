// Request argument checks.
#include "server/history/args.h"

#include "absl/strings/str_cat.h"
#include "server/history/point.h"

namespace healthscore::history {

absl::StatusOr<int64_t> TimeArg(const google::protobuf::Timestamp& t,
                                absl::string_view field) {
  if (t.seconds() < 0 || t.nanos() < 0 || t.nanos() > 999999999 ||
      t.seconds() > 253402300799) {  // 9999-12-31T23:59:59Z
    return absl::InvalidArgumentError(
        absl::StrCat(field, " (seconds=", t.seconds(), ", nanos=", t.nanos(),
                     ") is not a time between 1970 and 9999"));
  }
  return ToMicros(t);
}

absl::Status CheckCustomerId(const std::string& id) {
  if (id.empty()) return absl::InvalidArgumentError("customer_id is empty");
  if (id.size() > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("customer_id is ", id.size(), " bytes; the limit is 256"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> CountArg(int value, int default_value, int max,
                             absl::string_view field) {
  if (value == 0) return default_value;
  if (value < 0 || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, "=", value, " is outside 1-", max,
                     " (0: the default, ", default_value, ")"));
  }
  return value;
}

absl::Status CheckRange(int64_t from, int64_t to) {
  if (from <= to) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "from (", FormatMicros(from), ") is after to (", FormatMicros(to), ")"));
}

absl::Status CheckSeverity(absl::string_view severity) {
  if (severity.empty() || severity == "low" || severity == "medium" ||
      severity == "high" || severity == "critical") {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("severity '", severity.substr(0, 40),
                   "' is not low, medium, high or critical"));
}

}  // namespace healthscore::history
