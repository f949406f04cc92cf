// How log lines look (--log-format): spdlog's text lines, or one JSON
// object per line with time, level and message, plus the fields an access
// log line adds (request_id, method, code, duration_ms, rows; docs/logging.md).
#ifndef HEALTHSCORE_SERVER_OBSERVE_LOGGING_H_
#define HEALTHSCORE_SERVER_OBSERVE_LOGGING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace healthscore {

enum class LogFormat { kText, kJson };

// Parses --log-format: text or json; the error names the flag and value.
absl::Status ParseLogFormat(absl::string_view text, LogFormat* format);

// Sets the format of every spdlog logger (call before other threads log).
void SetLogFormat(LogFormat format);
LogFormat CurrentLogFormat();

// `text` as a JSON string literal, quotes included: ", \ and control
// characters escaped, bytes that are not UTF-8 replaced by U+FFFD.
std::string JsonString(absl::string_view text);

// A field of a structured log line: its name and its value rendered as JSON
// (JsonString for text, digits for numbers).
using LogField = std::pair<std::string, std::string>;

// Logs `message` at info level with `fields`: in JSON as more members of the
// line's object, in text as name=value after the message. Thread-safe.
void LogWithFields(absl::string_view message,
                   const std::vector<LogField>& fields, bool warning = false);

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_OBSERVE_LOGGING_H_
