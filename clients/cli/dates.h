// Dates and times as a person types them (flags, import files) and as the CLI
// prints them, and their conversion to google.protobuf.Timestamp. All in UTC.
#ifndef HEALTHSCORE_CLIENTS_CLI_DATES_H_
#define HEALTHSCORE_CLIENTS_CLI_DATES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace healthscore::cli {

// What a bare date stands for: its first instant (midnight UTC), or its last
// (the nanosecond before the next midnight), so that `--to 2025-12-07`
// includes everything recorded on the 7th.
enum class DateMeans { kStartOfDay, kEndOfDay };

// Parses "YYYY-MM-DD" (a UTC day, read as `date_means` says) or an RFC 3339 /
// ISO-8601 time with a zone: "2025-12-07T10:30:00Z", "2025-12-07T10:30:00.5Z",
// "2025-12-07T11:30:00+01:00". Surrounding spaces are ignored.
// Errors: INVALID_ARGUMENT quoting the text and the two accepted forms (a time
// without a zone is refused: it would silently be read in some zone).
absl::StatusOr<absl::Time> ParseTime(
    absl::string_view text, DateMeans date_means = DateMeans::kStartOfDay);

// ParseTime for the value of --`flag`; errors read
// "--from=2025-13-01: \"2025-13-01\" is not a date ...".
absl::StatusOr<absl::Time> ParseTimeFlag(absl::string_view flag,
                                         absl::string_view text,
                                         DateMeans date_means);

google::protobuf::Timestamp ToTimestamp(absl::Time time);
absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp);

// A time for programs (csv, json): RFC 3339 in UTC; empty for the epoch (an
// unset timestamp).
std::string Rfc3339(absl::Time time);
std::string Rfc3339(const google::protobuf::Timestamp& timestamp);

// "2025-12-07" for the first or the last instant of a UTC day (how dates are
// typed and imported), "2025-12-07 10:30:00" otherwise; "-" for an unset
// timestamp (the epoch).
std::string DisplayTime(absl::Time time);
std::string DisplayTime(const google::protobuf::Timestamp& timestamp);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_DATES_H_
