// The score store: recorded points (one customer's score at one as_of) and
// the scorecard files that produced them. One interface; one implementation
// (SqlStore) over two real databases: SQLite, embedded, the default; and
// PostgreSQL, for replicas that share one history.
#ifndef HEALTHSCORE_SERVER_STORE_STORE_H_
#define HEALTHSCORE_SERVER_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace healthscore::store {

// The schema version this binary reads and writes. A database at a newer
// version is refused at open (a newer binary migrated it).
inline constexpr int kSchemaVersion = 4;

// How much of a point a read returns.
enum class Detail {
  kNone,            // the columns only
  kPoint,           // and `detail`
  kPointAndInputs,  // and `inputs`
};

// One recorded point: the columns the store filters and sorts on, and the
// point itself in two parts, as the history component encodes them, that
// is: `detail` (a serialized healthscore.v1.HistoryPoint without inputs) and
// `inputs` (its values against a signal set, read only when asked for).
struct PointRow {
  std::string customer_id;
  std::string segment;
  int64_t as_of_us = 0;  // microseconds since the Unix epoch, UTC
  double score = 0;
  std::string band;
  std::string grade;
  double coverage = 0;
  std::string variant;
  std::string scorecard_hash;
  int64_t recorded_at_us = 0;
  std::string detail;  // empty when read without it
  std::string inputs;  // empty when read without them
};

// A score at a time: what trends are computed from.
struct ScoreAt {
  int64_t as_of_us = 0;
  double score = 0;
};

// An alert. The columns are the truth for what changes (state, who, when
// closed); `detail` (a serialized healthscore.v1.Alert) holds what was said
// when it opened.
struct AlertRow {
  enum State { kOpen = 1, kAcknowledged = 2, kResolved = 3 };
  int64_t id = 0;
  std::string customer_id;
  std::string segment;
  std::string rule_id;
  std::string severity;
  int state = kOpen;
  int64_t opened_as_of_us = 0;
  int64_t closed_as_of_us = 0;  // 0: not closed by a point
  std::string acknowledged_by;
  std::string resolved_by;
  std::string note;
  // What the rule needs to decide when to close (e.g. the band it fell
  // from).
  std::string context;
  std::string detail;
};

// One change to an alert; `cursor` orders them all.
struct AlertEventRow {
  enum Kind { kOpened = 1, kAcknowledged = 2, kResolved = 3 };
  int64_t cursor = 0;
  int kind = kOpened;
  int64_t at_us = 0;  // when it was committed
  AlertRow alert;     // as it was just after the event
};

// What an evaluation of a batch of points decided, written in the batch's
// transaction.
struct AlertWrites {
  std::vector<AlertRow> opened;    // id unset
  std::vector<AlertRow> resolved;  // id, closed_as_of_us, resolved_by set
};

// Given the recorded points, their customers' earlier points (as Record
// returns them), the customers' alerts not yet resolved and, per (customer,
// rule), the newest resolved one (for cooldowns): the alerts to open and
// close. Called inside Record's transaction; must not call the store.
using AlertEvaluator =
    std::function<AlertWrites(std::span<const PointRow> points,
                              const std::vector<std::vector<ScoreAt>>& earlier,
                              const std::vector<AlertRow>& unresolved,
                              const std::vector<AlertRow>& last_resolved)>;

struct AlertFilter {
  int state = 0;  // 0: any
  std::string segment;
  std::string severity;
  std::string customer_id;
  bool dead_lettered = false;  // only alerts with a dead delivery
};

// One alert event to be posted to one webhook: the outbox row. Every attempt
// carries the event's cursor as its idempotency key.
struct DeliveryRow {
  enum State { kPending = 1, kDelivered = 2, kDead = 3 };
  int64_t id = 0;
  std::string webhook_id;
  int64_t cursor = 0;  // the event's
  int64_t alert_id = 0;
  int event_kind = 0;  // AlertEventRow::Kind
  int state = kPending;
  int attempts = 0;
  int64_t next_attempt_us = 0;
  int64_t updated_at_us = 0;
  std::string last_error;
};

// A person's override of a customer's score and/or band.
struct OverrideRow {
  std::string customer_id;
  std::optional<double> score;
  std::string band;  // empty: not overridden
  std::string reason;
  std::string author;
  int64_t set_at_us = 0;
  int64_t expires_at_us = 0;  // 0: until cleared
};

struct OverrideAuditRow {
  enum Action { kSet = 1, kCleared = 2, kExpired = 3 };
  int64_t seq = 0;
  int action = kSet;
  int64_t at_us = 0;
  std::string who;
  std::string note;
  OverrideRow override_row;  // as set, or as it was when it ended
};

// What a customer did: the label backtests check the score against.
struct OutcomeRow {
  enum Kind { kChurned = 1, kRenewed = 2, kExpanded = 3, kContracted = 4 };
  std::string customer_id;
  int64_t date_us = 0;
  int kind = kChurned;
  double value = 0;
};

// Where a customer sits in an account hierarchy, as its last recorded
// attributes said.
struct AccountRow {
  std::string customer_id;
  std::string parent_id;  // empty: a top-level account
  std::optional<double> contract_value;
  int64_t updated_at_us = 0;
};

// A scorecard file, kept by the SHA-256 of its bytes.
struct ScorecardFile {
  std::string hash;
  std::string name;
  std::string version;
  std::string source;  // the path it was loaded from
  std::string text;
};

// Thread-safe: any number of calls may run at once. Every call is one
// transaction. Errors: UNAVAILABLE (with the database's reason) when the
// database cannot be reached or written; then nothing of the call was
// written, except when the error came from the COMMIT itself (the
// connection went while the database committed): then whether it was
// written is unknown, and the status carries kOutcomeUnknown as a payload
// (see OutcomeUnknown).
class Store {
 public:
  virtual ~Store() = default;

  // "sqlite:PATH" or the PostgreSQL URI without its password.
  virtual const std::string& description() const = 0;

  // Keeps `file` unless a file with its hash is kept already.
  virtual absl::Status PutScorecard(const ScorecardFile& file) = 0;
  virtual absl::StatusOr<std::optional<ScorecardFile>> GetScorecard(
      const std::string& hash) = 0;

  // A list of signal names that points' inputs refer to by id (the names
  // are kept once, the points hold values only). Put keeps the first.
  virtual absl::Status PutSignalSet(const std::string& id,
                                    const std::string& names) = 0;
  virtual absl::StatusOr<std::optional<std::string>> GetSignalSet(
      const std::string& id) = 0;

  // Records `points` in one transaction: all of them or none. A point whose
  // (customer_id, as_of_us) is stored already replaces it (the last write
  // wins). Returns, for each point, the same customer's points with as_of
  // in [as_of - lookback_us, as_of), newest first, as they were just before
  // this call (trends are computed from them). REQUIRES: no two points with
  // the same customer_id and as_of_us.
  //
  // With `evaluate`, the alerts it decides are written in the same
  // transaction, with their events: an alert exists if and only if the
  // point that raised it does.
  virtual absl::StatusOr<std::vector<std::vector<ScoreAt>>> Record(
      std::span<const PointRow> points, int64_t lookback_us,
      const AlertEvaluator* evaluate = nullptr) = 0;

  // Alerts matching `filter`, newest first, ids below `before_id` (0: no
  // bound), at most `limit`.
  virtual absl::StatusOr<std::vector<AlertRow>> ListAlerts(
      const AlertFilter& filter, int64_t before_id, int limit) = 0;
  // Acknowledges (state kAcknowledged) or resolves (kResolved) an alert by
  // hand, with its event. NOT_FOUND for an unknown id; FAILED_PRECONDITION
  // for a resolved one.
  virtual absl::StatusOr<AlertRow> SetAlertState(int64_t id, int state,
                                                 const std::string& who,
                                                 const std::string& note) = 0;
  // Events with cursor > after, oldest first, at most `limit`. Cursors are
  // committed in order: a reader never sees a cursor before a smaller one.
  virtual absl::StatusOr<std::vector<AlertEventRow>> AlertEventsAfter(
      int64_t after, int limit) = 0;
  // The newest event's cursor (0 without events).
  virtual absl::StatusOr<int64_t> LastAlertCursor() = 0;

  // One customer's points with as_of in [from_us, to_us], newest first, at
  // most `limit`, with as much of each as `detail` says.
  virtual absl::StatusOr<std::vector<PointRow>> Timeline(
      const std::string& customer_id, int64_t from_us, int64_t to_us, int limit,
      Detail detail) = 0;

  // Every customer's newest point with as_of in [at_us - lookback_us, at_us]
  // ("everyone at a date"), by customer_id, without detail. With `segment`,
  // only customers whose newest point there is in that segment.
  virtual absl::StatusOr<std::vector<PointRow>> Latest(
      int64_t at_us, int64_t lookback_us, const std::string& segment) = 0;

  // Deletes the points with as_of before `as_of_us`; returns how many.
  virtual absl::StatusOr<int64_t> PruneBefore(int64_t as_of_us) = 0;

  // Each customer's newest point with as_of <= at_us, for those of
  // `customer_ids` that have one (any order), without detail.
  virtual absl::StatusOr<std::vector<PointRow>> LatestOf(
      std::span<const std::string> customer_ids, int64_t at_us) = 0;

  // --- Webhooks: the alert events as an outbox --------------------------

  // Adds a pending delivery to `webhook_id` for each alert event after the
  // webhook's own cursor whose kind is in `kinds` (empty: every kind), at
  // most `limit`, and moves the cursor past them. A webhook seen for the
  // first time starts after the newest event (it is not sent the past).
  // Safe to call from several replicas at once. Returns how many it added.
  virtual absl::StatusOr<int64_t> QueueDeliveries(const std::string& webhook_id,
                                                  std::span<const int> kinds,
                                                  int limit) = 0;
  // Claims up to `limit` pending deliveries of `webhook_ids` due at `now_us`
  // (oldest first): each gets attempts + 1 and next_attempt_us = now_us +
  // lease_us, so that one whose claimer dies mid-delivery is tried again
  // when the lease ends. Replicas never claim the same row at once
  // (PostgreSQL: FOR UPDATE SKIP LOCKED). Returns each with its event.
  virtual absl::StatusOr<std::vector<std::pair<DeliveryRow, AlertEventRow>>>
  ClaimDeliveries(std::span<const std::string> webhook_ids, int64_t now_us,
                  int64_t lease_us, int limit) = 0;
  // Records an attempt's outcome: kDelivered, kDead, or kPending again at
  // `next_attempt_us`, with `error` (empty when delivered).
  virtual absl::Status FinishDelivery(int64_t id, int state,
                                      int64_t next_attempt_us,
                                      const std::string& error) = 0;
  // The deliveries of these alerts' events, by alert id then cursor.
  virtual absl::StatusOr<std::vector<DeliveryRow>> DeliveriesOf(
      std::span<const int64_t> alert_ids) = 0;

  // --- Overrides ----------------------------------------------------------

  // Sets (replaces) `row.customer_id`'s override, with an audit entry.
  virtual absl::Status SetOverride(const OverrideRow& row) = 0;
  // Ends the customer's override, with an audit entry. NOT_FOUND without
  // one (or with an expired one). Returns the override that ended.
  virtual absl::StatusOr<OverrideRow> ClearOverride(
      const std::string& customer_id, const std::string& who,
      const std::string& note) = 0;
  // The overrides not expired at `now_us` (of `customer_id` when not empty),
  // by customer id.
  virtual absl::StatusOr<std::vector<OverrideRow>> ListOverrides(
      const std::string& customer_id, int64_t now_us) = 0;
  // Ends the overrides whose expiry is at or before `now_us`, each with an
  // "expired" audit entry (once, however many replicas call it). Returns
  // them.
  virtual absl::StatusOr<std::vector<OverrideRow>> ExpireOverrides(
      int64_t now_us) = 0;
  // The audit log, newest first (of `customer_id` when not empty).
  virtual absl::StatusOr<std::vector<OverrideAuditRow>> OverrideAudit(
      const std::string& customer_id, int limit) = 0;
  // The newest audit entry's seq (0: none): a replica's cache of the
  // overrides is current while this has not moved.
  virtual absl::StatusOr<int64_t> OverridesVersion() = 0;

  // --- Outcomes and replays ----------------------------------------------

  // Records `rows` in one transaction; a row with the (customer_id, date,
  // kind) of a stored one replaces it.
  virtual absl::Status PutOutcomes(std::span<const OutcomeRow> rows) = 0;
  // Every outcome, by customer id, then date.
  virtual absl::StatusOr<std::vector<OutcomeRow>> Outcomes() = 0;
  // Streams the customers' points (roll-ups left out) with as_of in
  // [from_us, to_us] and customer_id in [first_customer, end_customer) (an
  // empty end: no bound), each with customer_id, segment, as_of_us and
  // inputs only (what a replay needs), in (customer_id, as_of) order, at
  // most `chunk` at a time to `sink`. Stops at the first error, the sink's
  // or the database's. Scans of disjoint ranges may run at once.
  virtual absl::Status ScanPoints(
      int64_t from_us, int64_t to_us, const std::string& first_customer,
      const std::string& end_customer, int chunk,
      const std::function<absl::Status(std::span<const PointRow>)>& sink) = 0;

  // --- Account hierarchy --------------------------------------------------

  // Upserts where these customers sit.
  virtual absl::Status PutAccounts(std::span<const AccountRow> rows) = 0;
  // The accounts of those of `customer_ids` that have one (any order).
  virtual absl::StatusOr<std::vector<AccountRow>> AccountsOf(
      std::span<const std::string> customer_ids) = 0;
  // The accounts whose parent is `parent_id`, by customer id.
  virtual absl::StatusOr<std::vector<AccountRow>> ChildrenOf(
      const std::string& parent_id) = 0;
};

// The payload URL marking an error whose transaction may have committed.
inline constexpr char kOutcomeUnknown[] =
    "type.healthscore.dev/store.OutcomeUnknown";
// Whether `status` failed at COMMIT, so that the write may be there.
inline bool OutcomeUnknown(const absl::Status& status) {
  return status.GetPayload(kOutcomeUnknown).has_value();
}

// Opens the store `spec` names and brings its schema up to kSchemaVersion:
//   sqlite:PATH                  an SQLite file (created, with its directory)
//   postgresql://... postgres://...   a libpq URI
// `connections` is the pool size (requests wait for a free one). Fails with
// UNAVAILABLE when the database cannot be reached, FAILED_PRECONDITION when
// its schema is newer than this binary's, INVALID_ARGUMENT for a spec of
// another form.
//
// `timer`, when set, is told how long each use of a connection took, from
// asking for it (waiting for a free one included) to giving it back, under
// the name of the Store method that used it ("Record", "Timeline", ...; a
// method that pages through a table reports each page). It is called on the
// caller's thread and must be thread-safe. /metrics keeps these as
// healthscore_store_duration_seconds.
using OperationTimer =
    std::function<void(const char* operation, double seconds)>;
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& spec,
                                                 int connections = 4,
                                                 OperationTimer timer = {});

}  // namespace healthscore::store

#endif  // HEALTHSCORE_SERVER_STORE_STORE_H_
