// Backtest metrics. The ranking metrics (AUC, average precision, the ROC
// curve) and the calibration table share one walk over the runs of equal
// values (for risks, the "thresholds" of scikit-learn's _binary_clf_curve),
// counting the churned and retained points in each; the metrics are then
// sums over runs in exact integer counts.
#include "server/validation/metrics.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/common/status_macros.h"

namespace healthscore::validation {
namespace {

// Neumaier's compensated sum: a million squared errors add up to within an
// ulp or two of the exact sum, whatever their order.
class CompensatedSum {
 public:
  void Add(double x) {
    const double t = sum_ + x;
    if (std::abs(sum_) >= std::abs(x)) {
      carry_ += (sum_ - t) + x;
    } else {
      carry_ += (x - t) + sum_;
    }
    sum_ = t;
  }
  double Total() const { return sum_ + carry_; }

 private:
  double sum_ = 0;
  double carry_ = 0;
};

struct ClassCounts {
  int64_t churned = 0;
  int64_t retained = 0;
};

// Checks the parallel spans and counts the classes. `value_name` names the
// first span in messages ("risk", "score"); values must be finite and lie in
// [lo, hi].
absl::StatusOr<ClassCounts> CheckInput(std::span<const double> values,
                                       std::span<const uint8_t> label,
                                       absl::string_view value_name, double lo,
                                       double hi) {
  if (values.size() != label.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(value_name, " has ", values.size(),
                     " points but label has ", label.size()));
  }
  if (values.empty()) {
    return absl::FailedPreconditionError("no points to evaluate");
  }
  ClassCounts counts;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          value_name, "[", i, "] is ", values[i], "; it must be finite"));
    }
    if (values[i] < lo || values[i] > hi) {
      return absl::InvalidArgumentError(
          absl::StrCat(value_name, "[", i, "] is ", values[i],
                       "; it must be within [", lo, ", ", hi, "]"));
    }
    if (label[i] > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("label[", i, "] is ", static_cast<int>(label[i]),
                       "; it must be 0 (stayed) or 1 (churned)"));
    }
    ++(label[i] ? counts.churned : counts.retained);
  }
  return counts;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

absl::StatusOr<ClassCounts> CheckRisk(std::span<const double> risk,
                                      std::span<const uint8_t> label) {
  return CheckInput(risk, label, "risk", -kInf, kInf);
}

absl::Status NeedBothClasses(absl::string_view metric, ClassCounts counts) {
  if (counts.churned == 0 || counts.retained == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        metric, " needs both churned and retained points; got ", counts.churned,
        " churned and ", counts.retained, " retained"));
  }
  return absl::OkStatus();
}

absl::Status NeedChurned(absl::string_view metric, ClassCounts counts) {
  if (counts.churned == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(metric, " needs churned points; got 0 churned and ",
                     counts.retained, " retained"));
  }
  return absl::OkStatus();
}

// Calls `visit(value, churned, retained)` once per distinct value, in the
// order `before` gives (std::greater for highest first), with the counts of
// points in that run of equal values. Sorts the values of each class apart
// (plain doubles sort fastest) and walks the two together.
template <typename Before, typename Visit>
void ForEachRun(std::span<const double> values, std::span<const uint8_t> label,
                ClassCounts counts, Before before, Visit visit) {
  std::vector<double> sorted(values.size());
  const auto churned_end = sorted.begin() + counts.churned;
  auto churned_at = sorted.begin();
  auto retained_at = churned_end;
  for (size_t i = 0; i < values.size(); ++i) {
    *(label[i] ? churned_at++ : retained_at++) = values[i];
  }
  std::sort(sorted.begin(), churned_end, before);
  std::sort(churned_end, sorted.end(), before);

  churned_at = sorted.begin();
  retained_at = churned_end;
  while (churned_at != churned_end || retained_at != sorted.end()) {
    double value;
    if (churned_at == churned_end) {
      value = *retained_at;
    } else if (retained_at == sorted.end()) {
      value = *churned_at;
    } else {
      value = before(*retained_at, *churned_at) ? *retained_at : *churned_at;
    }
    // == also keeps -0.0 and 0.0 together, as numpy's diff does.
    int64_t churned = 0;
    int64_t retained = 0;
    for (; churned_at != churned_end && *churned_at == value; ++churned_at) {
      ++churned;
    }
    for (; retained_at != sorted.end() && *retained_at == value;
         ++retained_at) {
      ++retained;
    }
    visit(value, churned, retained);
  }
}

// The runs of equal risk, highest first: the thresholds of a ROC curve.
template <typename Visit>
void ForEachThreshold(std::span<const double> risk,
                      std::span<const uint8_t> label, ClassCounts counts,
                      Visit visit) {
  ForEachRun(risk, label, counts, std::greater<double>(),
             [&](double, int64_t churned, int64_t retained) {
               visit(churned, retained);
             });
}

// Cumulative counts at a threshold: the points with risk >= it.
struct CurvePoint {
  int64_t fp = 0;
  int64_t tp = 0;
};

// Whether `b` lies on the segment from `a` to `c` (the curve is monotone, so
// collinear means between).
bool Collinear(CurvePoint a, CurvePoint b, CurvePoint c) {
  return (b.fp - a.fp) * (c.tp - b.tp) == (b.tp - a.tp) * (c.fp - b.fp);
}

}  // namespace

absl::StatusOr<double> Auc(std::span<const double> risk,
                           std::span<const uint8_t> label) {
  ASSIGN_OR_RETURN(const ClassCounts counts, CheckRisk(risk, label));
  RETURN_IF_ERROR(NeedBothClasses("AUC", counts));
  // Twice the trapezoid area in count units: each run of equal risk adds a
  // trapezoid of width `retained` between heights tp and tp + churned. At
  // most n^2 / 2, exact in 64 bits.
  uint64_t twice_area = 0;
  uint64_t tp = 0;
  ForEachThreshold(risk, label, counts, [&](int64_t churned, int64_t retained) {
    twice_area += static_cast<uint64_t>(retained) * (2 * tp + churned);
    tp += churned;
  });
  return static_cast<double>(twice_area) /
         (2.0 * static_cast<double>(counts.churned) *
          static_cast<double>(counts.retained));
}

absl::StatusOr<double> AveragePrecision(std::span<const double> risk,
                                        std::span<const uint8_t> label) {
  ASSIGN_OR_RETURN(const ClassCounts counts, CheckRisk(risk, label));
  RETURN_IF_ERROR(NeedChurned("average precision", counts));
  // sum over thresholds of (recall step) * precision, with the recall step
  // churned / P taken out of the sum.
  CompensatedSum sum;
  int64_t tp = 0;
  int64_t fp = 0;
  ForEachThreshold(risk, label, counts, [&](int64_t churned, int64_t retained) {
    tp += churned;
    fp += retained;
    if (churned > 0) {
      sum.Add(static_cast<double>(churned) * static_cast<double>(tp) /
              static_cast<double>(tp + fp));
    }
  });
  return sum.Total() / static_cast<double>(counts.churned);
}

absl::StatusOr<double> Brier(std::span<const double> risk,
                             std::span<const uint8_t> label) {
  RETURN_IF_ERROR(CheckInput(risk, label, "risk", 0.0, 1.0).status());
  CompensatedSum sum;
  for (size_t i = 0; i < risk.size(); ++i) {
    const double error = static_cast<double>(label[i]) - risk[i];
    sum.Add(error * error);
  }
  return sum.Total() / static_cast<double>(risk.size());
}

absl::StatusOr<double> TopDecileLift(std::span<const double> risk,
                                     std::span<const uint8_t> label) {
  ASSIGN_OR_RETURN(const ClassCounts counts, CheckRisk(risk, label));
  RETURN_IF_ERROR(NeedChurned("top-decile lift", counts));
  const size_t n = risk.size();
  const size_t k = (n + 9) / 10;  // ceil(n / 10), at least 1
  // The cutoff is the k-th highest risk; a selection, not a sort.
  std::vector<double> copy(risk.begin(), risk.end());
  std::nth_element(copy.begin(), copy.begin() + (k - 1), copy.end(),
                   std::greater<double>());
  const double cutoff = copy[k - 1];
  int64_t top = 0;
  int64_t top_churned = 0;
  for (size_t i = 0; i < n; ++i) {
    if (risk[i] >= cutoff) {
      ++top;
      top_churned += label[i];
    }
  }
  // (top_churned / top) / (churned / n), with one rounding per operation.
  return static_cast<double>(top_churned) * static_cast<double>(n) /
         (static_cast<double>(top) * static_cast<double>(counts.churned));
}

Interval Wilson(int64_t successes, int64_t n, double z) {
  assert(0 <= successes && successes <= n && z >= 0);
  if (n <= 0) return {0.0, 1.0};
  const double trials = static_cast<double>(n);
  const double p = static_cast<double>(successes) / trials;
  const double z2 = z * z;
  const double denominator = 1 + z2 / trials;
  const double center = (p + z2 / (2 * trials)) / denominator;
  const double half =
      z * std::sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) /
      denominator;
  Interval interval{std::max(0.0, center - half), std::min(1.0, center + half)};
  // At p = 0 (or 1) the bound is 0 (or 1) exactly; rounding may miss it.
  if (successes == 0) interval.low = 0;
  if (successes == n) interval.high = 1;
  return interval;
}

absl::StatusOr<std::vector<RocPoint>> RocCurve(std::span<const double> risk,
                                               std::span<const uint8_t> label,
                                               int max_points) {
  if (max_points < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_points is ", max_points, "; a ROC curve needs at least 2"));
  }
  ASSIGN_OR_RETURN(const ClassCounts counts, CheckRisk(risk, label));
  RETURN_IF_ERROR(NeedBothClasses("a ROC curve", counts));

  // The corners of the curve: each threshold's point unless it lies on the
  // line from the last kept point to the next one. The newest point is held
  // back until the one after it shows whether it is a corner.
  std::vector<CurvePoint> corners = {{0, 0}};
  CurvePoint pending;
  bool has_pending = false;
  CurvePoint at;
  ForEachThreshold(risk, label, counts, [&](int64_t churned, int64_t retained) {
    at.tp += churned;
    at.fp += retained;
    if (has_pending && !Collinear(corners.back(), pending, at)) {
      corners.push_back(pending);
    }
    pending = at;
    has_pending = true;
  });
  corners.push_back(pending);  // (N, P): every point is at or above the last

  // Thin evenly by index: keep index round(j * (m - 1) / (max - 1)).
  const size_t m = corners.size();
  const size_t keep = std::min(m, static_cast<size_t>(max_points));
  std::vector<RocPoint> curve;
  curve.reserve(keep);
  const double fp_total = static_cast<double>(counts.retained);
  const double tp_total = static_cast<double>(counts.churned);
  for (size_t j = 0; j < keep; ++j) {
    const size_t index = (j * (m - 1) + (keep - 1) / 2) / (keep - 1);
    const CurvePoint c = corners[index];
    curve.push_back({static_cast<double>(c.fp) / fp_total,
                     static_cast<double>(c.tp) / tp_total});
  }
  return curve;
}

absl::StatusOr<std::vector<CalibrationBin>> Calibration(
    std::span<const double> scores, std::span<const uint8_t> label, int bins) {
  if (bins < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("bins is ", bins, "; it must be at least 1"));
  }
  ASSIGN_OR_RETURN(const ClassCounts counts,
                   CheckInput(scores, label, "score", 0.0, 100.0));
  const int64_t n = counts.churned + counts.retained;
  // Bin b nominally ends after ceil((b + 1) * n / bins) points. Runs of equal
  // scores are never split, so a bin closes at the end of the run that
  // reaches its cut, and the bins whose cuts that run passed stay empty.
  auto cut = [&](int64_t b) { return ((b + 1) * n + bins - 1) / bins; };
  std::vector<CalibrationBin> table;
  table.reserve(bins);
  int64_t bin = 0;
  int64_t seen = 0;
  CalibrationBin open;
  CompensatedSum risk;
  ForEachRun(
      scores, label, counts, std::less<double>(),
      [&](double score, int64_t churned, int64_t retained) {
        if (open.points == 0) open.min_score = score;
        open.max_score = score;
        open.points += churned + retained;
        open.churned += churned;
        risk.Add(static_cast<double>(churned + retained) * (1 - score / 100));
        seen += churned + retained;
        if (seen < cut(bin)) return;
        const double count = static_cast<double>(open.points);
        open.mean_risk = risk.Total() / count;
        open.churn_rate = static_cast<double>(open.churned) / count;
        table.push_back(open);
        open = CalibrationBin();
        risk = CompensatedSum();
        while (bin < bins && cut(bin) <= seen) ++bin;
      });
  return table;
}

absl::StatusOr<double> Median(std::vector<double> values) {
  if (values.empty()) {
    return absl::FailedPreconditionError("the median of no values");
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("value[", i, "] is NaN; a median needs numbers"));
    }
  }
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  // nth_element left the lower half before `mid`: its largest is the other
  // middle value.
  const double lower = *std::max_element(values.begin(), values.begin() + mid);
  return std::midpoint(lower, upper);
}

}  // namespace healthscore::validation
