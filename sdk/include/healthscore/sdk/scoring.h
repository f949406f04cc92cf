// Score steps dimensions share: ramps from a value to a 0-100 sub-score, the
// weighted mean of the components present, and penalties for a falling
// trend that keep the score >= 0 and the reasons adding up. Header-only and
// stateless, so safe in Evaluate() on any thread.
#ifndef HEALTHSCORE_SDK_SCORING_H_
#define HEALTHSCORE_SDK_SCORING_H_

#include <algorithm>
#include <cstddef>
#include <span>

#include "healthscore/sdk/dimension.h"

namespace healthscore::sdk {

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

// The weighted mean of the present components, with the configured weights
// renormalized over them, so missing optional data neither helps nor hurts.
// Returns false, writing nothing, when no present component has weight.
// Otherwise sets share[c] = weight[c] / (sum of the present weights) for each
// present c (leaving the others alone) and `mean` to the mean, clamped to
// [0, 100]. A component's reason impact is then share[c] * (sub[c] -
// kNeutral), and the impacts add up to mean - kNeutral. REQUIRES: all spans
// have the same size; sub[c] is set wherever present[c].
inline bool WeightedMeanOfPresent(std::span<const double> weight,
                                  std::span<const bool> present,
                                  std::span<const double> sub,
                                  std::span<double> share, double& mean) {
  double total = 0;
  for (std::size_t c = 0; c < weight.size(); ++c) {
    if (present[c]) total += weight[c];
  }
  if (total <= 0) return false;
  double sum = 0;
  for (std::size_t c = 0; c < weight.size(); ++c) {
    if (!present[c]) continue;
    share[c] = weight[c] / total;
    sum += share[c] * sub[c];
  }
  mean = std::clamp(sum, 0.0, 100.0);
  return true;
}

// How far `now` fell against `prev`, in percent of `prev` (negative for a
// rise). Returns false, writing nothing, when there is no trend: either value
// is missing, or prev <= 0 (nothing to fall from).
inline bool PercentFall(double now, double prev, double& fall_pct) {
  if (IsMissing(now) || IsMissing(prev) || prev <= 0) return false;
  fall_pct = 100.0 * (1.0 - now / prev);
  return true;
}

// The points a fall of `fall_pct` percent costs, penalty_max at a 100% fall,
// capped at `left`, what the score has left, so the score stays >= 0 and the
// reasons still add up to it exactly.
inline double TrendPenalty(double penalty_max, double fall_pct, double left) {
  return std::min(penalty_max * fall_pct / 100.0, left);
}

// The points a fall of `drop_points` costs at `per_point` a point, at most
// `max` and capped at `left` (as TrendPenalty).
inline double PointsDropPenalty(double per_point, double drop_points,
                                double max, double left) {
  return std::min({per_point * drop_points, max, left});
}

}  // namespace healthscore::sdk

#endif  // HEALTHSCORE_SDK_SCORING_H_
