// How well a risk separates the customers who churned from those who stayed:
// the numerical core of backtests (issue #9). Pure functions, no store.
#ifndef HEALTHSCORE_SERVER_VALIDATION_METRICS_H_
#define HEALTHSCORE_SERVER_VALIDATION_METRICS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"

// Every function here is pure and thread-compatible: it reads its arguments,
// allocates what it needs (at most a few arrays of n elements, O(n log n)
// time) and keeps no state.
//
// Inputs come in parallel spans: `risk[i]` (higher = more likely to churn)
// and `label[i]` (1 = churned, 0 = stayed) describe point i. Common errors:
//   INVALID_ARGUMENT    the spans differ in length; a label is not 0 or 1; a
//                       risk is NaN or infinite (or, for Brier, outside
//                       [0, 1]; for Calibration, a score outside [0, 100]);
//                       a parameter is out of range. The message names the
//                       index and the value.
//   FAILED_PRECONDITION there are no points, or a class the metric needs is
//                       absent; the message gives the counts.
namespace healthscore::validation {

// Area under the ROC curve, exactly as scikit-learn's roc_auc_score: the
// trapezoid over distinct risk values, so a tie between a churned and a
// retained point counts one half (the Mann-Whitney U with average ranks).
// Computed in integers and divided once, so it is exact to rounding.
// FAILED_PRECONDITION unless both classes are present.
absl::StatusOr<double> Auc(std::span<const double> risk,
                           std::span<const uint8_t> label);

// Average precision, exactly as scikit-learn's average_precision_score: the
// step sum over distinct risk values (highest first) of
// (recall_k - recall_{k-1}) * precision_k, not interpolated. Tied points
// enter together. FAILED_PRECONDITION when no point churned (scikit-learn
// warns and returns 0 there); with no retained points it is 1.
absl::StatusOr<double> AveragePrecision(std::span<const double> risk,
                                        std::span<const uint8_t> label);

// Brier score, as scikit-learn's brier_score_loss: mean of
// (label - risk)^2. REQUIRES risk in [0, 1] (INVALID_ARGUMENT otherwise).
// Needs only one point of any class.
absl::StatusOr<double> Brier(std::span<const double> risk,
                             std::span<const uint8_t> label);

// Top-decile lift: the churn rate among the riskiest ceil(n / 10) points
// over the churn rate of all n points. Ties at the cut are kept together:
// every point whose risk equals the cutoff (the ceil(n / 10)-th highest risk)
// is in the top group, so the group may hold more than ceil(n / 10) points
// and the result never depends on the order of the input. A risk that
// cannot rank (all points tied) gives exactly 1. FAILED_PRECONDITION when no
// point churned (the base rate is 0).
absl::StatusOr<double> TopDecileLift(std::span<const double> risk,
                                     std::span<const uint8_t> label);

// A confidence interval for a proportion.
struct Interval {
  double low = 0;
  double high = 1;
};

// 1.959963984540054 is the two-sided 95% normal quantile.
inline constexpr double kZ95 = 1.959963984540054;

// Wilson score interval for `successes` out of `n` trials at normal quantile
// `z`: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), within [0, 1]
// (low is exactly 0 when successes == 0, high exactly 1 when successes == n).
// n == 0 gives {0, 1}: no evidence either way.
// REQUIRES: 0 <= successes <= n, z >= 0 (asserted; a caller's counts).
Interval Wilson(int64_t successes, int64_t n, double z = kZ95);

// One point of a ROC curve.
struct RocPoint {
  double fpr = 0;  // retained points at or above the threshold / all retained
  double tpr = 0;  // churned points at or above the threshold / all churned
};

// The ROC curve for plotting, from (0, 0) to (1, 1) by falling threshold.
// One point per distinct risk value, less the points that lie on a straight
// line between the kept neighbours (they add nothing to a drawing; a superset
// of what scikit-learn's drop_intermediate drops); when more than
// `max_points` remain, `max_points` of them are kept, evenly spaced by index,
// always including the first (0, 0) and the last (1, 1). The trapezoid under
// the unthinned curve (max_points large enough) is Auc().
// REQUIRES max_points >= 2 (INVALID_ARGUMENT). FAILED_PRECONDITION unless
// both classes are present.
absl::StatusOr<std::vector<RocPoint>> RocCurve(std::span<const double> risk,
                                               std::span<const uint8_t> label,
                                               int max_points = 101);

// One bin of a calibration table.
struct CalibrationBin {
  double min_score = 0;  // lowest score in the bin
  double max_score = 0;  // highest score in the bin
  int64_t points = 0;
  int64_t churned = 0;
  double mean_risk = 0;   // mean of 1 - score / 100 over the bin
  double churn_rate = 0;  // churned / points
};

// A calibration table: the points sorted by health score (0-100, higher is
// healthier), lowest first, and cut into `bins` bins of equal count. Bin b
// nominally ends at sorted index ceil((b + 1) * n / bins); ties are kept
// together, so a cut that would split a run of equal scores moves to the end
// of that run. Later cuts stay where they were, so bins after a long tie run
// may be smaller or empty; empty bins are left out, so fewer than `bins`
// bins may come back (one bin when every score is equal). The bins do not
// overlap and together hold every point.
// REQUIRES scores in [0, 100] and bins >= 1 (INVALID_ARGUMENT).
// FAILED_PRECONDITION when there are no points.
absl::StatusOr<std::vector<CalibrationBin>> Calibration(
    std::span<const double> scores, std::span<const uint8_t> label,
    int bins = 10);

// The median of `values` (for an even count, the mean of the two middle
// values, as numpy.median). Takes the vector by value: it is reordered.
// FAILED_PRECONDITION when empty; INVALID_ARGUMENT on a NaN.
absl::StatusOr<double> Median(std::vector<double> values);

}  // namespace healthscore::validation

#endif  // HEALTHSCORE_SERVER_VALIDATION_METRICS_H_
