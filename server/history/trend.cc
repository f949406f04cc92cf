// Trend arithmetic.
#include "server/history/trend.h"

#include <algorithm>

#include "google/protobuf/util/time_util.h"

namespace healthscore::history {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

google::protobuf::Timestamp ToTimestamp(int64_t micros) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

}  // namespace

int64_t TrendLookbackMicros(std::span<const int> windows_days) {
  int longest = 0;
  for (int d : windows_days) longest = std::max(longest, d);
  return 2 * static_cast<int64_t>(std::max(longest, 1)) * kMicrosPerDay;
}

v1::Trend ComputeTrend(int64_t as_of_us, double score,
                       std::span<const store::ScoreAt> earlier,
                       std::span<const int> windows_days) {
  v1::Trend trend;
  if (!earlier.empty()) {
    trend.set_has_previous(true);
    *trend.mutable_previous_as_of() = ToTimestamp(earlier[0].as_of_us);
    trend.set_previous_score(earlier[0].score);
    trend.set_change(score - earlier[0].score);
  }
  int longest = 0;
  for (int days : windows_days) {
    longest = std::max(longest, days);
    v1::TrendWindow* window = trend.add_windows();
    window->set_days(days);
    const int64_t day = as_of_us - days * kMicrosPerDay;
    const int64_t oldest = day - days * kMicrosPerDay;
    // `earlier` is newest first: the first point at or before `day`.
    for (const store::ScoreAt& p : earlier) {
      if (p.as_of_us > day) continue;
      if (p.as_of_us >= oldest) {
        window->set_has_data(true);
        window->set_score_then(p.score);
        window->set_change(score - p.score);
      }
      break;
    }
  }
  // Least squares over the points in the longest window, this one included.
  const int64_t start = as_of_us - longest * kMicrosPerDay;
  double n = 1, sx = 0, sy = score, sxx = 0, sxy = 0;
  for (const store::ScoreAt& p : earlier) {
    if (p.as_of_us < start) break;
    const double x = static_cast<double>(p.as_of_us - as_of_us) / kMicrosPerDay;
    n += 1;
    sx += x;
    sy += p.score;
    sxx += x * x;
    sxy += x * p.score;
  }
  const double denominator = n * sxx - sx * sx;
  if (n >= 2 && denominator > 0) {
    trend.set_slope_per_30d(30 * (n * sxy - sx * sy) / denominator);
  }
  int declines = 0;
  double later = score;
  for (const store::ScoreAt& p : earlier) {
    if (!(later < p.score)) break;
    ++declines;
    later = p.score;
  }
  trend.set_consecutive_declines(declines);
  return trend;
}

}  // namespace healthscore::history
