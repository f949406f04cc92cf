// Request text quoted back in an error message, cut short: a message never
// echoes unbounded input (a 10 MB customer id stays 10 MB in the client's
// logs, not in ours).
#ifndef HEALTHSCORE_SERVER_COMMON_ECHO_H_
#define HEALTHSCORE_SERVER_COMMON_ECHO_H_

#include <cstddef>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace healthscore {

// The longest piece of request text an error message quotes.
inline constexpr size_t kMaxEcho = 64;

// `s`, or its first kMaxEcho bytes (cut at a UTF-8 character boundary) and
// its length: abc... (1234 bytes).
inline std::string Cut(absl::string_view s) {
  if (s.size() <= kMaxEcho) return std::string(s);
  size_t cut = kMaxEcho;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
    --cut;  // not in the middle of a multi-byte character
  }
  return absl::StrCat(s.substr(0, cut), "... (", s.size(), " bytes)");
}

// Cut(s) in single quotes: 'abc' or 'abc...' (1234 bytes).
inline std::string Echo(absl::string_view s) {
  if (s.size() <= kMaxEcho) return absl::StrCat("'", s, "'");
  std::string cut = Cut(s);
  const size_t dots = cut.find("... (");
  return absl::StrCat("'", cut.substr(0, dots), "...'", cut.substr(dots + 3));
}

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_COMMON_ECHO_H_
