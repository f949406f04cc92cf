// Parsing and printing of UTC dates and times for the CLI.
#include "clients/cli/dates.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace healthscore::cli {

absl::StatusOr<absl::Time> ParseTime(absl::string_view text,
                                     DateMeans date_means) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  const std::string input(trimmed);
  absl::Time time;
  std::string ignored;
  // %Y accepts any number of digits and a sign; a date is exactly 10 chars.
  if (trimmed.size() == 10 &&
      absl::ParseTime("%Y-%m-%d", input, absl::UTCTimeZone(), &time,
                      &ignored)) {
    if (date_means == DateMeans::kEndOfDay) {
      time += absl::Hours(24) - absl::Nanoseconds(1);
    }
    return time;
  }
  // RFC 3339: a 'T' (or 't') between date and time, fractions of a second,
  // and a zone that is 'Z' or an offset.
  if (trimmed.size() > 10 &&
      absl::ParseTime(absl::RFC3339_full, input, &time, &ignored)) {
    return time;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", trimmed,
      "\" is not a date (YYYY-MM-DD) or an ISO-8601 time with a zone "
      "(2025-12-07T00:00:00Z)"));
}

absl::StatusOr<absl::Time> ParseTimeFlag(absl::string_view flag,
                                         absl::string_view text,
                                         DateMeans date_means) {
  absl::StatusOr<absl::Time> time = ParseTime(text, date_means);
  if (!time.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", text, ": ", time.status().message()));
  }
  return time;
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  const int64_t seconds = absl::ToUnixSeconds(time);
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return timestamp;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

std::string DisplayTime(absl::Time time) {
  if (time == absl::UnixEpoch()) return "-";
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time day = absl::FromCivil(absl::ToCivilDay(time, utc), utc);
  const absl::Duration into_day = time - day;
  if (into_day == absl::ZeroDuration() ||
      into_day == absl::Hours(24) - absl::Nanoseconds(1)) {
    return absl::FormatTime("%Y-%m-%d", time, utc);
  }
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", time, utc);
}

std::string DisplayTime(const google::protobuf::Timestamp& timestamp) {
  return DisplayTime(FromTimestamp(timestamp));
}

std::string Rfc3339(absl::Time time) {
  if (time == absl::UnixEpoch()) return "";
  return absl::FormatTime(absl::RFC3339_full, time, absl::UTCTimeZone());
}

std::string Rfc3339(const google::protobuf::Timestamp& timestamp) {
  return Rfc3339(FromTimestamp(timestamp));
}

}  // namespace healthscore::cli
