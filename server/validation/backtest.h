// Backtests: the recorded inputs replayed under a scorecard, each point
// labelled by whether its customer churned within a horizon, and how well
// the score (read as a risk, 1 - score / 100) separated the two.
//
// A point at t with horizon h is
//   churned      when the customer's first CHURNED outcome c has t < c <= t + h;
//   not churned  when it has no churn in (t, t + h] and t + h is on or
//                before the last date known for the customer (its last point
//                or outcome);
//   censored     otherwise (left out, and counted).
// Points on or after a customer's churn are left out: it was gone.
#ifndef HEALTHSCORE_SERVER_VALIDATION_BACKTEST_H_
#define HEALTHSCORE_SERVER_VALIDATION_BACKTEST_H_

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "healthscore/v1/validation.pb.h"
#include "server/engine/snapshot.h"
#include "server/store/store.h"

namespace healthscore::validation {

inline constexpr int kMaxHorizonDays = 3660;
// Fewer churned customers than this in scope and a backtest says nothing.
inline constexpr int kMinChurnedCustomers = 20;

struct BacktestOptions {
  int horizon_days = 0;
  int64_t from_us = std::numeric_limits<int64_t>::min();
  int64_t to_us = std::numeric_limits<int64_t>::max();
  std::string segment;  // empty: all
};

// The labelled points in scope with their recorded inputs, loaded once and
// scored under as many scorecards as asked.
class Dataset {
 public:
  struct Point {
    uint32_t customer = 0;  // index into customer_ids()
    uint32_t segment = 0;   // index into segments()
    uint32_t set = 0;       // index into signal_sets()
    uint32_t offset = 0;    // of its first value in values()
    int64_t as_of_us = 0;
    bool churned = false;
  };

  // Reads the outcomes and the points (streamed from the store) and labels
  // them. Errors: INVALID_ARGUMENT for a horizon outside 1-3660 days;
  // FAILED_PRECONDITION naming what is missing: no outcomes, no points in
  // scope, fewer than kMinChurnedCustomers churned customers (with the
  // counts).
  static absl::StatusOr<Dataset> Load(store::Store& store,
                                      const BacktestOptions& options);

  const std::vector<Point>& points() const { return points_; }
  const std::vector<std::string>& customer_ids() const { return customers_; }
  // Per customer: its churn date in microseconds, 0 when it did not churn.
  const std::vector<int64_t>& churn_us() const { return churn_us_; }
  const std::vector<std::string>& segments() const { return segments_; }
  const std::vector<std::vector<std::string>>& signal_sets() const {
    return sets_;
  }
  const std::vector<double>& values() const { return values_; }
  int64_t censored() const { return censored_; }
  // Per customer (as customer_ids()): its censored points.
  const std::vector<int32_t>& censored_by_customer() const {
    return censored_by_customer_;
  }

 private:
  // The outcomes that label a customer's points.
  struct Known {
    int64_t churn_us = 0;         // first CHURNED, 0: none
    int64_t last_outcome_us = 0;  // the newest outcome of any kind
  };
  // The customers in [first, end) (an empty end: no bound), labelled.
  static absl::StatusOr<Dataset> LoadRange(
      store::Store& store, const BacktestOptions& options,
      const absl::flat_hash_map<std::string, Known>& known,
      const std::string& first, const std::string& end);
  // Adds `part`'s customers (all after this dataset's) at the end.
  void Append(Dataset&& part);

  std::vector<Point> points_;
  std::vector<std::string> customers_;
  std::vector<int64_t> churn_us_;
  std::vector<std::string> segments_;
  std::vector<std::vector<std::string>> sets_;
  std::vector<double> values_;
  int64_t censored_ = 0;
  std::vector<int32_t> censored_by_customer_;
};

// The points scored under one scorecard, at EXPLAIN_NONE.
struct Scores {
  // Per point: the total (NaN when it could not be scored), band and grade
  // (indexes into band_names / grade_names).
  std::vector<double> score;
  std::vector<uint16_t> band;
  std::vector<uint16_t> grade;
  // Best first: the default variant's bands, then any other variant's.
  std::vector<std::string> band_names;
  std::vector<std::string> grade_names;
  // The default variant's dimensions; per point and dimension (row-major,
  // points x dimensions) its score and weight when it scored OK, NaN and 0
  // otherwise.
  std::vector<std::string> dimension_names;
  std::vector<double> dimension_score;
  std::vector<double> dimension_weight;
  int64_t unscorable = 0;  // points no dimension could score
};

// Scores `dataset`'s points (all, or those in `rows`) under `snapshot`, on
// every core. Scores has an entry for every point of the dataset; points
// not in `rows` are NaN.
absl::StatusOr<Scores> ScoreDataset(const Snapshot& snapshot,
                                    const Dataset& dataset,
                                    std::span<const uint32_t> rows = {});

// The backtest figures of `rows` (all points when empty) under `scores`
// (from `snapshot`), with per-segment results when `per_segment`.
absl::StatusOr<v1::BacktestResult> Evaluate(const Snapshot& snapshot,
                                            const Dataset& dataset,
                                            const Scores& scores,
                                            std::span<const uint32_t> rows,
                                            bool per_segment);

}  // namespace healthscore::validation

#endif  // HEALTHSCORE_SERVER_VALIDATION_BACKTEST_H_
