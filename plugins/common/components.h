// Score steps several built-in plugins share: the weighted mean of the
// components present and the penalty for a falling trend. Header-only, like
// dimension_util.h; not part of the installed SDK.
#ifndef HEALTHSCORE_PLUGINS_COMMON_COMPONENTS_H_
#define HEALTHSCORE_PLUGINS_COMMON_COMPONENTS_H_

#include <algorithm>
#include <cstddef>
#include <span>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

// Stateless, so safe in Score() on any thread.

// The weighted mean of the present components, with the configured weights
// renormalized over them, so missing optional data neither helps nor hurts.
// Returns false, writing nothing, when no present component has weight (the
// row has no data to score). Otherwise sets share[c] = weight[c] / (sum of the
// present weights) for each present c (leaving the others alone) and `base`
// to the mean, clamped to [0, 100]. A component's reason impact is then
// share[c] * (sub[c] - kBaseline). REQUIRES: all spans have the same size;
// sub[c] is set wherever present[c].
inline bool WeightedMeanOfPresent(std::span<const double> weight,
                                  std::span<const bool> present,
                                  std::span<const double> sub,
                                  std::span<double> share, double& base) {
  double total = 0;
  for (std::size_t c = 0; c < weight.size(); ++c) {
    if (present[c]) total += weight[c];
  }
  if (total <= 0) return false;
  double mean = 0;
  for (std::size_t c = 0; c < weight.size(); ++c) {
    if (!present[c]) continue;
    share[c] = weight[c] / total;
    mean += share[c] * sub[c];
  }
  base = std::clamp(mean, 0.0, 100.0);
  return true;
}

// How far `now` fell against `prev`, in percent of `prev` (negative for a
// rise). Returns false, writing nothing, when there is no trend: either value
// is missing, or prev <= 0 (nothing to fall from).
inline bool PercentFall(double now, double prev, double& fall_pct) {
  if (healthscore::sdk::IsMissing(now) || healthscore::sdk::IsMissing(prev) ||
      prev <= 0) {
    return false;
  }
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
// `max` and capped at `left`, what the score has left (as TrendPenalty).
inline double PointsDropPenalty(double per_point, double drop_points,
                                double max, double left) {
  return std::min({per_point * drop_points, max, left});
}

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_COMMON_COMPONENTS_H_
