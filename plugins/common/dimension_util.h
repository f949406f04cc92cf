// Helpers the built-in plugins in plugins/<name>/ share: one parameter table
// for declaring and checking parameters, Score()'s row-status conventions
// (infinite inputs included), sub-score ramps, band reasons and the wording of
// reason texts. Not part of the installed SDK; components.h holds the shared
// score steps.
#ifndef HEALTHSCORE_PLUGINS_COMMON_DIMENSION_UTIL_H_
#define HEALTHSCORE_PLUGINS_COMMON_DIMENSION_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Everything here is stateless, so it is safe in Score() on any thread.

// The sub-score at which a component neither raises nor lowers the score: the
// SDK's explanation convention is 50 + the sum of the impacts == the score.
inline constexpr double kBaseline = 50;

// One row of a plugin's parameter table. One table feeds both the declaration
// (ParamDecls) and the constructor's checks (ReadParam), so the bounds the host
// enforces and the ones checked here cannot drift apart.
struct ParamSpec {
  const char* name;
  double default_value;
  double min;
  double max;
  const char* description;
};

// The table as Info::params, in table order.
inline std::vector<healthscore::sdk::Param> ParamDecls(
    std::span<const ParamSpec> specs) {
  std::vector<healthscore::sdk::Param> decls;
  for (const ParamSpec& spec : specs) {
    decls.push_back({.name = spec.name,
                     .default_value = spec.default_value,
                     .description = spec.description,
                     .min = spec.min,
                     .max = spec.max});
  }
  return decls;
}

// A parameter value for an error message, exactly as given.
inline std::string Exact(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", value);
  return buf;
}

// Reads a parameter `specs` declares and re-checks its range: the host
// range-checks, but a NaN passes any range check and a dimension class may be
// built directly in tests. Throws std::invalid_argument naming the parameter,
// its value and the range; std::logic_error if `specs` lacks `name` (a typo in
// the plugin, not in the scorecard).
inline double ReadParam(std::span<const ParamSpec> specs,
                        const healthscore::sdk::Params& params,
                        std::string_view name) {
  for (const ParamSpec& spec : specs) {
    if (name != spec.name) continue;
    const double value = params.Get(name);
    if (!std::isfinite(value) || value < spec.min || value > spec.max) {
      throw std::invalid_argument(
          "parameter " + std::string(name) + " = " + Exact(value) +
          " is outside [" + Exact(spec.min) + ", " + Exact(spec.max) + "]");
    }
    return value;
  }
  throw std::logic_error("parameter " + std::string(name) + " is not declared");
}

// A number for a sentence: at most one decimal, none when it is whole. Huge
// magnitudes (1e15 and up) read in exponent form rather than as 16+ digits.
inline std::string Num(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, std::fabs(value) < 1e15 ? "%.1f" : "%.3g",
                value);
  std::string text(buf);
  if (text.size() > 2 && text.ends_with(".0")) text.resize(text.size() - 2);
  if (text == "-0") text = "0";
  return text;
}

// "+25", "-30", "0": a net or signed change reads better with its sign.
inline std::string Signed(double value) {
  return (value > 0 ? "+" : "") + Num(value);
}

// "1 touchpoint", "4 touchpoints": `noun` is the singular, made plural with
// an "s" for any count other than exactly 1.
inline std::string Count(double count, const char* noun) {
  return Num(count) + " " + noun + (count == 1 ? "" : "s");
}

// "grew 12%", "fell 3.5%", "was flat": a percentage change as a verb phrase.
inline std::string ChangePhrase(double change_pct) {
  if (change_pct > 0) return "grew " + Num(change_pct) + "%";
  if (change_pct < 0) return "fell " + Num(-change_pct) + "%";
  return "was flat";
}

// A row this dimension cannot score: INSUFFICIENT_DATA names the missing data,
// FAILED the cause. The host ignores a non-OK row's score; NaN makes any
// misuse loud.
inline void MarkInsufficientData(healthscore::sdk::Output& out, uint32_t row,
                                 const std::string& message) {
  out.SetScore(row, healthscore::sdk::kNone);
  out.SetInsufficientData(row, message);
}

inline void MarkFailed(healthscore::sdk::Output& out, uint32_t row,
                       const std::string& message) {
  out.SetScore(row, healthscore::sdk::kNone);
  out.SetFailed(row, message);
}

// The host refuses infinite signal values; these guard a host that does not.
// LastInfinite returns the name of the last listed signal whose value is
// infinite, or `infinite` (nullptr by default) when none is, so a caller can
// chain it with signals it checks in a loop.
inline const char* LastInfinite(
    std::initializer_list<std::pair<double, const char*>> signals,
    const char* infinite = nullptr) {
  for (const auto& [value, name] : signals) {
    if (std::isinf(value)) infinite = name;
  }
  return infinite;
}

// Marks the row FAILED naming the infinite signal, if there is one (non-null
// `infinite`). Returns whether it did, so the caller skips the row.
inline bool FailIfInfinite(healthscore::sdk::Output& out, uint32_t row,
                           const char* infinite) {
  if (infinite == nullptr) return false;
  MarkFailed(out, row, std::string("signal ") + infinite + " is infinite");
  return true;
}

// Writes a row's score, but never a non-finite one as OK: such a row is marked
// FAILED instead. Returns whether the row is OK (so its reasons may follow).
inline bool SetFiniteScore(healthscore::sdk::Output& out, uint32_t row,
                           double score) {
  if (!std::isfinite(score)) {
    MarkFailed(out, row, "the inputs gave a non-finite score");
    return false;
  }
  out.SetScore(row, score);
  return true;
}

// 100 * min(1, value / target), for value >= 0 and target > 0.
inline double RatioSubScore(double value, double target) {
  return std::clamp(100.0 * value / target, 0.0, 100.0);
}

// 0 at or below `zero_at`, 100 at or above `full_at`, linear between; also
// for zero_at > full_at (a falling ramp). REQUIRES: zero_at != full_at.
inline double RampSubScore(double value, double zero_at, double full_at) {
  return std::clamp(100.0 * (value - zero_at) / (full_at - zero_at), 0.0,
                    100.0);
}

// 0 at or below `floor`, 100 at or above `target`, linear in between.
// REQUIRES: floor < target.
inline double RampToTarget(double value, double floor, double target) {
  if (value <= floor) return 0;
  if (value >= target) return 100;
  return 100.0 * (value - floor) / (target - floor);
}

// A band reason, "<what> <score> is <relation> <threshold>: <band>" (say
// "Satisfaction 92 is at or above 90: satisfied"). Bands are information, not
// a rule that moves the score, so it names no signal and its impact is 0.
inline healthscore::sdk::Reason BandReason(std::string rule_id,
                                           std::string_view what, double score,
                                           std::string_view relation,
                                           double threshold,
                                           std::string_view band) {
  return {.rule_id = std::move(rule_id),
          .signal = "",
          .observed = score,
          .threshold = threshold,
          .impact = 0,
          .message = std::string(what) + " " + Num(score) + " is " +
                     std::string(relation) + " " + Num(threshold) + ": " +
                     std::string(band)};
}

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_COMMON_DIMENSION_UTIL_H_
