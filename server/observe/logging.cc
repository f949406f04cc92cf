// The JSON formatter and structured lines.
#include "server/observe/logging.h"

#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "spdlog/formatter.h"
#include "spdlog/spdlog.h"

namespace healthscore {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};

// Set by LogWithFields for the line it logs on this thread: the formatter
// (spdlog's default logger formats synchronously, on the caller's thread)
// appends them.
thread_local const std::vector<LogField>* t_fields = nullptr;

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8Length(absl::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n;
  unsigned min;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  unsigned cp = c & (0xFF >> (n + 1));
  for (size_t k = 1; k < n; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    const auto since_epoch = msg.time.time_since_epoch();
    const auto secs =
        std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
        since_epoch - secs);
    const std::time_t t = secs.count();
    std::tm tm;
    gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    const spdlog::string_view_t level =
        spdlog::level::to_string_view(msg.level);
    std::string line = absl::StrFormat(
        "{\"time\":\"%s.%03dZ\",\"level\":\"%s\",\"message\":%s", when,
        static_cast<int>(millis.count()),
        absl::string_view(level.data(), level.size()),
        JsonString(absl::string_view(msg.payload.data(), msg.payload.size())));
    if (t_fields != nullptr) {
      for (const auto& [name, value] : *t_fields) {
        absl::StrAppend(&line, ",", JsonString(name), ":", value);
      }
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

absl::Status ParseLogFormat(absl::string_view text, LogFormat* format) {
  if (text == "text") {
    *format = LogFormat::kText;
  } else if (text == "json") {
    *format = LogFormat::kJson;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--log-format=", text, " is not one of text, json"));
  }
  return absl::OkStatus();
}

void SetLogFormat(LogFormat format) {
  g_format.store(format);
  if (format == LogFormat::kJson) {
    spdlog::set_formatter(std::make_unique<JsonFormatter>());
  } else {
    spdlog::set_pattern("%+");  // spdlog's default text lines
  }
}

LogFormat CurrentLogFormat() { return g_format.load(); }

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  out.reserve(text.size() + 2);
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            absl::StrAppend(&out, absl::StrFormat("\\u%04x", c));
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    const size_t n = Utf8Length(text, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
    } else {
      out.append(text.data() + i, n);
      i += n;
    }
  }
  out += "\"";
  return out;
}

void LogWithFields(absl::string_view message,
                   const std::vector<LogField>& fields, bool warning) {
  const spdlog::level::level_enum level =
      warning ? spdlog::level::warn : spdlog::level::info;
  if (!spdlog::should_log(level)) return;
  if (CurrentLogFormat() == LogFormat::kJson) {
    t_fields = &fields;
    spdlog::log(level, "{}", std::string(message));
    t_fields = nullptr;
    return;
  }
  std::string line(message);
  for (const auto& [name, value] : fields) {
    absl::StrAppend(&line, " ", name, "=", value);
  }
  spdlog::log(level, "{}", line);
}

}  // namespace healthscore
