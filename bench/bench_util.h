// What the benchmark programs share: timing sequential calls and reading
// percentiles off the sorted results.
#ifndef HEALTHSCORE_BENCH_BENCH_UTIL_H_
#define HEALTHSCORE_BENCH_BENCH_UTIL_H_

#include <algorithm>
#include <chrono>
#include <vector>

namespace healthscore::bench {

using Clock = std::chrono::steady_clock;

inline double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// How long each of `count` sequential calls took, in `unit`s of a second
// (1e3: milliseconds, 1e6: microseconds), sorted; after `warmup` calls that
// are not counted.
template <typename F>
std::vector<double> Latencies(int count, F call, double unit, int warmup) {
  for (int i = 0; i < warmup; ++i) call();
  std::vector<double> out;
  out.reserve(count);
  for (int i = 0; i < count; ++i) {
    const auto start = Clock::now();
    call();
    out.push_back(Seconds(Clock::now() - start) * unit);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The p-quantile (0-1) of sorted values; 0 when there are none.
inline double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1,
                         static_cast<size_t>(p * sorted.size()))];
}

}  // namespace healthscore::bench

#endif  // HEALTHSCORE_BENCH_BENCH_UTIL_H_
