// What the History API answers, from the store: timelines with trends, the
// exact attribution of a change, movers and the portfolio at a date. The
// gRPC service (service/history_service.cc) only forwards to this.
#ifndef HEALTHSCORE_SERVER_HISTORY_HISTORY_H_
#define HEALTHSCORE_SERVER_HISTORY_HISTORY_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "healthscore/v1/history.pb.h"
#include "server/engine/snapshot_holder.h"
#include "server/registry/registry.h"
#include "server/store/store.h"

namespace healthscore::history {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;
inline constexpr int kDefaultMoversLimit = 20;
inline constexpr int kMaxMoversLimit = 1000;
inline constexpr int kDefaultLookbackDays = 90;
inline constexpr int kDefaultWindowDays = 30;
inline constexpr int kMaxDays = 3660;

// Thread-safe. `store`, `snapshots` and `registry` must outlive it.
class HistoryQueries {
 public:
  HistoryQueries(store::Store* store, const SnapshotHolder* snapshots,
                 const Registry* registry)
      : store_(store), snapshots_(snapshots), registry_(registry) {}

  absl::Status GetHistory(const v1::GetHistoryRequest& request,
                          v1::GetHistoryResponse& response);
  // The earlier point's inputs are scored again under the later point's
  // scorecard (read back by hash): the scorecard's part of the change. Then
  // the inputs that differ are switched one at a time from the earlier
  // values to the later ones, in name order and in reverse name order; a
  // signal's part is the mean of its two steps, so the parts sum exactly
  // to the data change.
  absl::Status ExplainChange(const v1::ExplainChangeRequest& request,
                             v1::ExplainChangeResponse& response);
  absl::Status ListMovers(const v1::ListMoversRequest& request,
                          v1::ListMoversResponse& response);
  absl::Status GetPortfolio(const v1::GetPortfolioRequest& request,
                            v1::GetPortfolioResponse& response);
  absl::Status GetAccountRollup(const v1::GetAccountRollupRequest& request,
                                v1::AccountRollup& response);

 private:
  // The snapshot of the scorecard with `hash`: the live one, or one built
  // from the stored file against the registry (cached).
  absl::StatusOr<std::shared_ptr<const Snapshot>> SnapshotFor(
      const std::string& hash);
  absl::Status CheckCustomerExists(const std::string& customer_id);
  // GetPortfolio's at-risk list: the customers in `lowest_band` at `at`,
  // lowest score first, at most `limit`, each with its change since
  // `earlier` and what costs it most now.
  absl::Status AtRisk(int64_t at, int64_t earlier, int64_t lookback_us,
                      const std::string& segment,
                      const std::string& lowest_band, int limit,
                      v1::GetPortfolioResponse& response);
  // The store's Latest without account roll-ups (they are not customers).
  absl::StatusOr<std::vector<store::PointRow>> LatestCustomers(
      int64_t at_us, int64_t lookback_us, const std::string& segment);
  // The point with its inputs (their names from the store's signal set).
  absl::StatusOr<v1::HistoryPoint> ReadFull(const store::PointRow& row);
  // Fills each point's fired rules by scoring its inputs again under its
  // own scorecard, or says in rules_error why it cannot.
  absl::Status DeriveRules(
      const std::string& customer_id,
      google::protobuf::RepeatedPtrField<v1::HistoryPoint>& points);

  store::Store* const store_;
  const SnapshotHolder* const snapshots_;
  const Registry* const registry_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const Snapshot>> built_
      ABSL_GUARDED_BY(mu_);
  // Signal sets read from the store, by id.
  absl::flat_hash_map<std::string,
                      std::shared_ptr<const std::vector<std::string>>>
      signal_sets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace healthscore::history

#endif  // HEALTHSCORE_SERVER_HISTORY_HISTORY_H_
