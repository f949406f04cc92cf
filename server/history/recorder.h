// Recording scores in the store: whether a request records (--record), the
// as_of it records at, the scorecard file kept by hash, one transaction per
// request, and each recorded score's trend.
#ifndef HEALTHSCORE_SERVER_HISTORY_RECORDER_H_
#define HEALTHSCORE_SERVER_HISTORY_RECORDER_H_

#include <span>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "healthscore/v1/health_scoring.pb.h"
#include "server/engine/snapshot.h"
#include "server/history/alerts.h"
#include "server/history/point.h"
#include "server/store/store.h"

namespace healthscore::history {

// --record: request (a request's `record` decides), always (every score is
// recorded), never (a request asking to record is refused).
enum class RecordMode { kRequest, kAlways, kNever };
absl::StatusOr<RecordMode> ParseRecordMode(absl::string_view text);
absl::string_view RecordModeName(RecordMode mode);

// Thread-safe.
class Recorder {
 public:
  struct Options {
    RecordMode mode = RecordMode::kRequest;
    // How far past the server's clock an as_of may be.
    absl::Duration max_future_skew = absl::Minutes(5);
  };

  // `store` may be null (no --store): then nothing is recorded and a request
  // asking to record is refused. `signal`, if given, is notified after each
  // recording that evaluated alert rules. Both must outlive the recorder.
  Recorder(store::Store* store, Options options, AlertSignal* signal = nullptr);

  // Whether a request whose `record` field is `requested` records. Refused
  // (FAILED_PRECONDITION, saying which flag) when it asks and cannot.
  absl::StatusOr<bool> Wants(bool requested) const;

  // The as_of to record at: `as_of` when given (checked: a valid time, not
  // before 1970, not past the clock-skew limit), now otherwise. `field`
  // names it in errors.
  absl::StatusOr<absl::Time> RecordTime(
      const google::protobuf::Timestamp* as_of, absl::string_view field,
      absl::Time now) const;

  // Records `scores` (scored under `snapshot`; customer ids unique; as_of
  // set) in one transaction, with the alerts the scorecard's rules open or
  // close for them, then sets each one's trend. On error nothing is
  // recorded and no trend is set.
  //
  // The customers' "parent_id" / "contract_value" attributes (checked with
  // ReadAccountAttributes beforehand) update the account hierarchy first; a
  // change that would make a cycle fails the call. After the commit, the
  // roll-ups of the recorded customers' parents are recorded as points of
  // the parents (and so on up), with their alerts, each level in its own
  // transaction; a roll-up that cannot be recorded is logged, not failed
  // (the next recording of a child brings it up to date).
  absl::Status Record(const Snapshot& snapshot,
                      std::span<v1::CustomerScore* const> scores,
                      std::span<const RowInputs> inputs);

  store::Store* store() const { return store_; }
  RecordMode mode() const { return options_.mode; }

 private:
  // Record without the hierarchy update and the roll-ups.
  absl::Status RecordPoints(const Snapshot& snapshot,
                            std::span<v1::CustomerScore* const> scores,
                            std::span<const RowInputs> inputs);
  // Records the roll-ups of the parents of `scores`' customers; `depth`
  // counts the levels already climbed.
  void RecordRollups(const Snapshot& snapshot,
                     std::span<v1::CustomerScore* const> scores, int depth);
  absl::Status KeepScorecard(const Snapshot& snapshot);
  // The id of `names`' signal set, kept in the store first if it is new.
  absl::StatusOr<std::string> KeepSignalSet(std::span<const std::string> names);

  store::Store* const store_;
  const Options options_;
  AlertSignal* const signal_;
  absl::Mutex mu_;
  // Scorecard hashes and signal set ids known to be in the store.
  absl::flat_hash_set<std::string> kept_ ABSL_GUARDED_BY(mu_);
};

}  // namespace healthscore::history

#endif  // HEALTHSCORE_SERVER_HISTORY_RECORDER_H_
