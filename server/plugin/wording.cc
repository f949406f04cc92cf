// Compiling and filling in sentence templates.
#include "server/plugin/wording.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace healthscore {
namespace {

// Appends `value` with at most `decimals` decimals, trailing zeros dropped;
// huge magnitudes in exponent form rather than 16+ digits; never "-0". No
// temporary string: this runs for every sentence a reply returns.
void AppendPlain(double value, int decimals, std::string& out) {
  char buf[64];
  if (std::fabs(value) >= 1e15) {
    const int n = std::snprintf(buf, sizeof buf, "%.3g", value);
    out.append(buf, n > 0 ? static_cast<size_t>(n) : 0);
    return;
  }
  // to_chars: the same digits as "%.*f", without printf's parsing and locale.
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value,
                                       std::chars_format::fixed, decimals);
  char* last = ec == std::errc() ? end : buf;
  if (std::memchr(buf, '.', last - buf) != nullptr) {
    while (last[-1] == '0') --last;
    if (last[-1] == '.') --last;
  }
  if (last - buf == 2 && buf[0] == '-' && buf[1] == '0') {
    out += '0';
    return;
  }
  out.append(buf, last);
}

// The same, grouped by thousands: 12500 -> "12,500" (no exponent form).
void AppendGrouped(double value, std::string& out) {
  if (std::fabs(value) >= 1e15) return AppendPlain(value, 0, out);
  char buf[64];
  const auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 0);
  const char* last = ec == std::errc() ? end : buf;
  for (const char* p = buf; p < last; ++p) {
    out += *p;
    const long left = last - p - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
}

void AppendWithNoun(double value, const char* singular, const char* plural,
                    std::string& out) {
  AppendPlain(value, 1, out);
  out += ' ';
  out += value == 1 ? singular : plural;
}

bool IsName(absl::string_view s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

NumberFormat FormatOfUnit(absl::string_view unit) {
  if (unit == "percent") return NumberFormat::kPercent;
  if (unit == "points") return NumberFormat::kPoints;
  if (unit == "days") return NumberFormat::kDays;
  if (unit == "months") return NumberFormat::kMonths;
  if (unit == "hours") return NumberFormat::kHours;
  if (unit == "usd") return NumberFormat::kUsd;
  if (unit == "nps" || unit == "net_percent") return NumberFormat::kSigned;
  if (unit == "flag") return NumberFormat::kFlag;
  if (unit == "ratio") return NumberFormat::kRatio;
  return NumberFormat::kNumber;
}

void AppendNumber(double value, NumberFormat format, absl::string_view noun,
                  std::string& out) {
  if (std::isnan(value)) {
    out += "n/a";
    return;
  }
  switch (format) {
    case NumberFormat::kNumber:
      return AppendPlain(value, 1, out);
    case NumberFormat::kPercent:
      AppendPlain(value, 1, out);
      out += '%';
      return;
    case NumberFormat::kPoints:
      return AppendWithNoun(value, "point", "points", out);
    case NumberFormat::kDays:
      return AppendWithNoun(value, "day", "days", out);
    case NumberFormat::kMonths:
      return AppendWithNoun(value, "month", "months", out);
    case NumberFormat::kHours:
      return AppendWithNoun(value, "hour", "hours", out);
    case NumberFormat::kUsd:
      out += value < 0 && std::round(value) != 0 ? "-$" : "$";
      return AppendGrouped(std::fabs(value), out);
    case NumberFormat::kSigned: {
      const size_t at = out.size();
      AppendPlain(value, 1, out);
      if (value > 0 && out.compare(at, std::string::npos, "0") != 0) {
        out.insert(at, 1, '+');
      }
      return;
    }
    case NumberFormat::kAbs:
      return AppendPlain(std::fabs(value), 1, out);
    case NumberFormat::kFlag:
      out += value != 0 ? "yes" : "no";
      return;
    case NumberFormat::kRatio:
      return AppendPlain(value, 2, out);
    case NumberFormat::kPlural:
      AppendPlain(value, 1, out);
      out += ' ';
      out.append(noun.data(), noun.size());
      if (value != 1) out += 's';
      return;
  }
}

absl::StatusOr<Wording> Wording::Compile(absl::string_view text,
                                         std::span<const std::string> args,
                                         absl::string_view unit,
                                         bool has_facts) {
  Wording w;
  w.source_ = std::string(text);
  Piece piece;
  auto known = [&] {
    std::vector<std::string> names;
    if (has_facts) names = {"observed", "threshold"};
    names.insert(names.end(), args.begin(), args.end());
    return names.empty() ? std::string("none") : absl::StrJoin(names, ", ");
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') ++i;
      piece.literal += '}';
      continue;
    }
    if (c != '{') {
      piece.literal += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      piece.literal += '{';
      ++i;
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("unclosed '{' at offset ", i));
    }
    const absl::string_view inside = text.substr(i + 1, close - i - 1);
    const size_t colon = inside.find(':');
    const absl::string_view name = inside.substr(0, colon);
    absl::string_view format = colon == absl::string_view::npos
                                   ? absl::string_view()
                                   : inside.substr(colon + 1);
    int slot = -1;
    if (has_facts && name == "observed") slot = 0;
    if (has_facts && name == "threshold") slot = 1;
    for (size_t a = 0; a < args.size() && slot < 0; ++a) {
      if (args[a] == name) slot = static_cast<int>(2 + a);
    }
    if (slot < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown placeholder {", inside, "} (known: ", known(), ")"));
    }
    piece.slot = slot;
    if (format.empty()) {
      piece.format = slot < 2 ? FormatOfUnit(unit) : NumberFormat::kNumber;
    } else if (absl::StartsWith(format, "plural:")) {
      piece.format = NumberFormat::kPlural;
      piece.noun = std::string(format.substr(7));
      if (!IsName(piece.noun)) {
        return absl::InvalidArgumentError(
            absl::StrCat("plural noun '", piece.noun, "' in {", inside,
                         "} is not a lowercase word"));
      }
    } else {
      static constexpr std::pair<absl::string_view, NumberFormat> kFormats[] = {
          {"number", NumberFormat::kNumber},
          {"count", NumberFormat::kNumber},
          {"score", NumberFormat::kNumber},
          {"percent", NumberFormat::kPercent},
          {"points", NumberFormat::kPoints},
          {"days", NumberFormat::kDays},
          {"months", NumberFormat::kMonths},
          {"hours", NumberFormat::kHours},
          {"usd", NumberFormat::kUsd},
          {"signed", NumberFormat::kSigned},
          {"abs", NumberFormat::kAbs},
          {"flag", NumberFormat::kFlag},
          {"ratio", NumberFormat::kRatio}};
      bool found = false;
      for (const auto& [n, f] : kFormats) {
        if (n == format) {
          piece.format = f;
          found = true;
        }
      }
      if (!found) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown format '", format, "' in {", inside,
            "} (known: number, count, score, percent, points, days, months, "
            "hours, usd, signed, abs, flag, ratio, plural:<noun>)"));
      }
    }
    w.pieces_.push_back(std::move(piece));
    piece = Piece();
    i = close;
  }
  if (!piece.literal.empty()) w.pieces_.push_back(std::move(piece));
  return w;
}

void Wording::Append(double observed, double threshold, const double* args,
                     std::string& out) const {
  for (const Piece& p : pieces_) {
    out += p.literal;
    if (p.slot < 0) continue;
    const double value = p.slot == 0   ? observed
                         : p.slot == 1 ? threshold
                                       : args[p.slot - 2];
    AppendNumber(value, p.format, p.noun, out);
  }
}

Wording RuleWording::Fallback(absl::string_view id, absl::string_view unit) {
  // Only {observed} and a rule id's words: it always compiles.
  return *Wording::Compile(absl::StrCat(absl::StrReplaceAll(id, {{"_", " "}}),
                                        " (observed {observed})"),
                           {}, unit, true);
}

bool Wording::Uses(int slot) const {
  for (const Piece& p : pieces_) {
    if (p.slot == slot) return true;
  }
  return false;
}

}  // namespace healthscore
