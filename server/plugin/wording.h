// Sentences from a plugin's templates: "CSAT fell {observed} quarter over
// quarter ({prev:percent} to {now:percent})" compiled once when the plugin is
// loaded, then filled in only for the reasons a reply returns.
#ifndef HEALTHSCORE_SERVER_PLUGIN_WORDING_H_
#define HEALTHSCORE_SERVER_PLUGIN_WORDING_H_

#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace healthscore {

// How a number reads in a sentence.
enum class NumberFormat {
  kNumber,   // 12.5 (at most one decimal, none when whole)
  kPercent,  // 12.5%
  kPoints,   // 12.5 points, 1 point
  kDays,     // 3 days, 1 day
  kMonths,
  kHours,
  kUsd,     // $12,500
  kSigned,  // +12, -3.5, 0
  kAbs,     // 12 for -12
  kFlag,    // yes (non-zero) / no
  kRatio,   // 0.85 (at most two decimals)
  kPlural,  // 4 touchpoints, 1 touchpoint (the noun follows the colon)
};

// The format a unit reads in by default: "percent" -> kPercent, "days" ->
// kDays, "usd" -> kUsd, "nps" and "net_percent" -> kSigned, "flag" -> kFlag,
// "ratio" -> kRatio, "points" -> kPoints; anything else (count, score, "")
// is a plain number.
NumberFormat FormatOfUnit(absl::string_view unit);

// `value` as `format` reads ("n/a" for NaN). `noun` is kPlural's.
void AppendNumber(double value, NumberFormat format, absl::string_view noun,
                  std::string& out);

// A compiled template. Slots: 0 is {observed}, 1 is {threshold}, 2.. are the
// declared arguments in order.
class Wording {
 public:
  // Compiles `text`. `args` are the argument names it may use; `unit` is
  // the default format of {observed} and {threshold}, which exist only when
  // `has_facts` (a rule's template; an action's has only its arguments).
  // Errors name the placeholder and why: "unknown placeholder {obsrved}
  // (known: observed, threshold, prev)", "unknown format 'pct' in
  // {observed:pct}", "unclosed '{'".
  static absl::StatusOr<Wording> Compile(absl::string_view text,
                                         std::span<const std::string> args,
                                         absl::string_view unit,
                                         bool has_facts);

  Wording() = default;

  // Appends the sentence for these values. `args` has at least as many values
  // as the template's highest argument slot needs.
  void Append(double observed, double threshold, const double* args,
              std::string& out) const;

  const std::string& source() const { return source_; }
  bool empty() const { return source_.empty(); }
  // Whether it reads slot `slot` (0 observed, 1 threshold, 2.. arguments).
  bool Uses(int slot) const;

 private:
  struct Piece {
    std::string literal;  // text before the placeholder
    int slot = -1;        // -1: literal only
    NumberFormat format = NumberFormat::kNumber;
    std::string noun;  // kPlural
  };
  std::string source_;
  std::vector<Piece> pieces_;
};

// A rule's wordings by sign and the one choice between them, shared by the
// server (which formats drivers and reasons) and clients that format a
// compact reply's drivers themselves.
struct RuleWording {
  Wording raises;  // empty() when not declared
  Wording lowers;
  Wording text;
  Wording fallback;  // "<id> (observed <value>)", for a sign without wording

  // "<id with spaces> (observed {observed})" in `unit`: what a reason of a
  // sign the rule has no wording for reads, never the other sign's sentence.
  static Wording Fallback(absl::string_view id, absl::string_view unit);

  // The template for a reason of this impact: raises when positive, lowers
  // when negative, else the neutral text; at impact 0 the text, or the one
  // signed wording a rule declares; otherwise the fallback.
  const Wording& For(double impact) const {
    if (impact > 0 && !raises.empty()) return raises;
    if (impact < 0 && !lowers.empty()) return lowers;
    if (!text.empty()) return text;
    if (impact == 0 && raises.empty() != lowers.empty()) {
      return raises.empty() ? lowers : raises;
    }
    return fallback;
  }
  // Whether a reason of this impact has a wording of its own (not the
  // fallback).
  bool HasWordingFor(double impact) const { return &For(impact) != &fallback; }
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_PLUGIN_WORDING_H_
