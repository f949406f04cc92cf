// Compiling and filling in sentence templates.
#include "server/plugin/wording.h"

#include <cmath>
#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"

namespace healthscore {
namespace {

// At most `decimals` decimals, trailing zeros dropped; huge magnitudes in
// exponent form rather than 16+ digits; never "-0".
std::string Plain(double value, int decimals) {
  char buf[48];
  if (std::fabs(value) >= 1e15) {
    std::snprintf(buf, sizeof buf, "%.3g", value);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string text(buf);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

// 12500 -> "12,500"; keeps a decimal part as is.
std::string Grouped(const std::string& plain) {
  const size_t sign = plain[0] == '-' ? 1 : 0;
  size_t end = plain.find('.');
  if (end == std::string::npos) end = plain.size();
  if (plain.find('e') != std::string::npos) return plain;
  std::string out = plain.substr(0, sign);
  for (size_t i = sign; i < end; ++i) {
    out += plain[i];
    const size_t left = end - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  return out + plain.substr(end);
}

std::string WithNoun(double value, absl::string_view singular,
                     absl::string_view plural) {
  return absl::StrCat(Plain(value, 1), " ", value == 1 ? singular : plural);
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
      out += Plain(value, 1);
      return;
    case NumberFormat::kPercent:
      absl::StrAppend(&out, Plain(value, 1), "%");
      return;
    case NumberFormat::kPoints:
      out += WithNoun(value, "point", "points");
      return;
    case NumberFormat::kDays:
      out += WithNoun(value, "day", "days");
      return;
    case NumberFormat::kMonths:
      out += WithNoun(value, "month", "months");
      return;
    case NumberFormat::kHours:
      out += WithNoun(value, "hour", "hours");
      return;
    case NumberFormat::kUsd: {
      const std::string digits = Grouped(Plain(std::fabs(value), 0));
      absl::StrAppend(&out, value < 0 ? "-$" : "$", digits);
      return;
    }
    case NumberFormat::kSigned: {
      const std::string plain = Plain(value, 1);
      absl::StrAppend(&out, value > 0 && plain != "0" ? "+" : "", plain);
      return;
    }
    case NumberFormat::kAbs:
      out += Plain(std::fabs(value), 1);
      return;
    case NumberFormat::kFlag:
      out += value != 0 ? "yes" : "no";
      return;
    case NumberFormat::kRatio:
      out += Plain(value, 2);
      return;
    case NumberFormat::kPlural:
      absl::StrAppend(&out, Plain(value, 1), " ", noun,
                      value == 1 ? "" : "s");
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
    return names.empty() ? std::string("none")
                         : absl::StrJoin(names, ", ");
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
      return absl::InvalidArgumentError(
          absl::StrCat("unknown placeholder {", inside, "} (known: ", known(),
                       ")"));
    }
    piece.slot = slot;
    if (format.empty()) {
      piece.format = slot < 2 ? FormatOfUnit(unit) : NumberFormat::kNumber;
    } else if (absl::StartsWith(format, "plural:")) {
      piece.format = NumberFormat::kPlural;
      piece.noun = std::string(format.substr(7));
      if (!IsName(piece.noun)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "plural noun '", piece.noun, "' in {", inside,
            "} is not a lowercase word"));
      }
    } else {
      static constexpr std::pair<absl::string_view, NumberFormat> kFormats[] =
          {{"number", NumberFormat::kNumber}, {"count", NumberFormat::kNumber},
           {"score", NumberFormat::kNumber},  {"percent", NumberFormat::kPercent},
           {"points", NumberFormat::kPoints}, {"days", NumberFormat::kDays},
           {"months", NumberFormat::kMonths}, {"hours", NumberFormat::kHours},
           {"usd", NumberFormat::kUsd},       {"signed", NumberFormat::kSigned},
           {"abs", NumberFormat::kAbs},       {"flag", NumberFormat::kFlag},
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
    const double value =
        p.slot == 0 ? observed : p.slot == 1 ? threshold : args[p.slot - 2];
    AppendNumber(value, p.format, p.noun, out);
  }
}

bool Wording::Uses(int slot) const {
  for (const Piece& p : pieces_) {
    if (p.slot == slot) return true;
  }
  return false;
}

}  // namespace healthscore
