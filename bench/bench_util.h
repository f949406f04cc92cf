// What the benchmark programs share: batches from the sample portfolio,
// timing sequential calls and reading percentiles off the sorted results.
#ifndef HEALTHSCORE_BENCH_BENCH_UTIL_H_
#define HEALTHSCORE_BENCH_BENCH_UTIL_H_

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "clients/cli/csv.h"
#include "healthscore/v1/health_scoring.pb.h"

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

// A batch of `rows` rows cycled from the sample portfolio, ids c0, c1, ...
inline v1::ScoreBatchRequest MakeBatch(const cli::Portfolio& portfolio,
                                       int rows, v1::Explain explain) {
  v1::ScoreBatchRequest request;
  for (const auto& name : portfolio.signal_names) {
    request.add_signal_names(name);
  }
  for (int i = 0; i < rows; ++i) {
    v1::Row* row = request.add_rows();
    *row = portfolio.rows[i % portfolio.rows.size()];
    row->set_customer_id("c" + std::to_string(i));
  }
  request.set_explain(explain);
  return request;
}

}  // namespace healthscore::bench

#endif  // HEALTHSCORE_BENCH_BENCH_UTIL_H_
