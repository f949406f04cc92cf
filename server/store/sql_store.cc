// The Store over the SQL seam: the schema and its migrations, a connection
// pool, and every query, written once for SQLite and PostgreSQL.
#include <algorithm>
#include <functional>
#include <map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "server/common/status_macros.h"
#include "server/store/postgres/postgres_connection.h"
#include "server/store/sql.h"
#include "server/store/sqlite/sqlite_connection.h"
#include "server/store/store.h"

namespace healthscore::store {
namespace {

// Rows per multi-row INSERT (11 parameters each: far below both databases'
// parameter limits) and ids per IN list.
constexpr size_t kInsertChunk = 250;
constexpr size_t kLookupChunk = 500;

// One schema step. Migrate applies the steps a database lacks in order, all
// in one transaction with their version rows, so a crash mid-migration
// leaves the database at the version it had.
struct Migration {
  int version;
  const char* sqlite;
  const char* postgres;
};

// clang-format off
// Two tables: `points`, one small row per point (what timelines, trends,
// movers and the portfolio read), kept in (customer, as_of) order; and
// `point_details`, the whole point as a protobuf blob, read only when a
// point is asked for in full.
constexpr Migration kMigrations[] = {
    {1,
     // SQLite
     "CREATE TABLE scorecards ("
     "  hash TEXT PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL,"
     "  source TEXT NOT NULL, body TEXT NOT NULL, first_seen_us INTEGER NOT NULL);"
     // WITHOUT ROWID: the table is its (customer, as_of) index, so a
     // customer's points sit together and a trend read is one range scan.
     "CREATE TABLE points ("
     "  customer_id TEXT NOT NULL, as_of_us INTEGER NOT NULL,"
     "  segment TEXT NOT NULL, score REAL NOT NULL, band TEXT NOT NULL,"
     "  grade TEXT NOT NULL, coverage REAL NOT NULL, variant TEXT NOT NULL,"
     "  scorecard_hash TEXT NOT NULL, recorded_at_us INTEGER NOT NULL,"
     "  PRIMARY KEY (customer_id, as_of_us)) WITHOUT ROWID;"
     // Everyone at a date.
     "CREATE INDEX points_by_date ON points (as_of_us);"
     "CREATE TABLE point_details ("
     "  customer_id TEXT NOT NULL, as_of_us INTEGER NOT NULL,"
     "  detail BLOB NOT NULL, inputs BLOB NOT NULL);"
     "CREATE TABLE signal_sets (id TEXT PRIMARY KEY, names BLOB NOT NULL);"
     "CREATE UNIQUE INDEX point_details_key ON point_details (customer_id, as_of_us);",
     // PostgreSQL
     "CREATE TABLE scorecards ("
     "  hash TEXT PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL,"
     "  source TEXT NOT NULL, body TEXT NOT NULL, first_seen_us BIGINT NOT NULL);"
     "CREATE TABLE points ("
     "  customer_id TEXT NOT NULL, as_of_us BIGINT NOT NULL,"
     "  segment TEXT NOT NULL, score DOUBLE PRECISION NOT NULL,"
     "  band TEXT NOT NULL, grade TEXT NOT NULL,"
     "  coverage DOUBLE PRECISION NOT NULL, variant TEXT NOT NULL,"
     "  scorecard_hash TEXT NOT NULL, recorded_at_us BIGINT NOT NULL,"
     // INCLUDE (score): trend reads are index-only scans.
     "  PRIMARY KEY (customer_id, as_of_us) INCLUDE (score));"
     "CREATE INDEX points_by_date ON points (as_of_us);"
     "CREATE TABLE point_details ("
     "  customer_id TEXT NOT NULL, as_of_us BIGINT NOT NULL,"
     "  detail BYTEA NOT NULL, inputs BYTEA NOT NULL,"
     "  PRIMARY KEY (customer_id, as_of_us));"
     "CREATE TABLE signal_sets (id TEXT PRIMARY KEY, names BYTEA NOT NULL);"},
    // Alerts, and their events: `seq` is the WatchAlerts cursor.
    {2,
     // SQLite
     "CREATE TABLE alerts ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT NOT NULL,"
     "  segment TEXT NOT NULL, rule_id TEXT NOT NULL, severity TEXT NOT NULL,"
     "  state INTEGER NOT NULL, opened_as_of_us INTEGER NOT NULL,"
     "  closed_as_of_us INTEGER NOT NULL, acknowledged_by TEXT NOT NULL,"
     "  resolved_by TEXT NOT NULL, note TEXT NOT NULL, context TEXT NOT NULL,"
     "  detail BLOB NOT NULL);"
     // At most one alert not resolved per customer and rule.
     "CREATE UNIQUE INDEX alerts_one_open ON alerts (customer_id, rule_id)"
     "  WHERE state <> 3;"
     "CREATE INDEX alerts_by_customer ON alerts (customer_id, rule_id, id);"
     "CREATE TABLE alert_events ("
     "  seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id INTEGER NOT NULL,"
     "  kind INTEGER NOT NULL, at_us INTEGER NOT NULL, state INTEGER NOT NULL,"
     "  closed_as_of_us INTEGER NOT NULL, who TEXT NOT NULL, note TEXT NOT NULL);",
     // PostgreSQL
     "CREATE TABLE alerts ("
     "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
     "  customer_id TEXT NOT NULL, segment TEXT NOT NULL, rule_id TEXT NOT NULL,"
     "  severity TEXT NOT NULL, state INTEGER NOT NULL,"
     "  opened_as_of_us BIGINT NOT NULL, closed_as_of_us BIGINT NOT NULL,"
     "  acknowledged_by TEXT NOT NULL, resolved_by TEXT NOT NULL,"
     "  note TEXT NOT NULL, context TEXT NOT NULL, detail BYTEA NOT NULL);"
     "CREATE UNIQUE INDEX alerts_one_open ON alerts (customer_id, rule_id)"
     "  WHERE state <> 3;"
     "CREATE INDEX alerts_by_customer ON alerts (customer_id, rule_id, id);"
     "CREATE TABLE alert_events ("
     "  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
     "  alert_id BIGINT NOT NULL, kind INTEGER NOT NULL, at_us BIGINT NOT NULL,"
     "  state INTEGER NOT NULL, closed_as_of_us BIGINT NOT NULL,"
     "  who TEXT NOT NULL, note TEXT NOT NULL);"},
    // Webhook deliveries (an outbox fed from alert_events, one cursor per
    // webhook), overrides and their audit log, the account hierarchy.
    {3,
     // SQLite
     "CREATE TABLE webhook_cursors ("
     "  webhook_id TEXT PRIMARY KEY, after_seq INTEGER NOT NULL);"
     "CREATE TABLE webhook_deliveries ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT, webhook_id TEXT NOT NULL,"
     "  seq INTEGER NOT NULL, alert_id INTEGER NOT NULL, kind INTEGER NOT NULL,"
     "  state INTEGER NOT NULL, attempts INTEGER NOT NULL,"
     "  next_attempt_us INTEGER NOT NULL, updated_at_us INTEGER NOT NULL,"
     "  last_error TEXT NOT NULL, UNIQUE (webhook_id, seq));"
     "CREATE INDEX webhook_deliveries_due ON webhook_deliveries"
     "  (next_attempt_us) WHERE state = 1;"
     "CREATE INDEX webhook_deliveries_by_alert ON webhook_deliveries (alert_id);"
     "CREATE TABLE overrides ("
     "  customer_id TEXT PRIMARY KEY, score REAL, band TEXT NOT NULL,"
     "  reason TEXT NOT NULL, author TEXT NOT NULL, set_at_us INTEGER NOT NULL,"
     "  expires_at_us INTEGER NOT NULL);"
     "CREATE TABLE override_audit ("
     "  seq INTEGER PRIMARY KEY AUTOINCREMENT, action INTEGER NOT NULL,"
     "  at_us INTEGER NOT NULL, who TEXT NOT NULL, note TEXT NOT NULL,"
     "  customer_id TEXT NOT NULL, score REAL, band TEXT NOT NULL,"
     "  reason TEXT NOT NULL, author TEXT NOT NULL, set_at_us INTEGER NOT NULL,"
     "  expires_at_us INTEGER NOT NULL);"
     "CREATE INDEX override_audit_by_customer ON override_audit (customer_id, seq);"
     "CREATE TABLE accounts ("
     "  customer_id TEXT PRIMARY KEY, parent_id TEXT NOT NULL,"
     "  contract_value REAL, updated_at_us INTEGER NOT NULL);"
     "CREATE INDEX accounts_by_parent ON accounts (parent_id);",
     // PostgreSQL
     "CREATE TABLE webhook_cursors ("
     "  webhook_id TEXT PRIMARY KEY, after_seq BIGINT NOT NULL);"
     "CREATE TABLE webhook_deliveries ("
     "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
     "  webhook_id TEXT NOT NULL, seq BIGINT NOT NULL, alert_id BIGINT NOT NULL,"
     "  kind INTEGER NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL,"
     "  next_attempt_us BIGINT NOT NULL, updated_at_us BIGINT NOT NULL,"
     "  last_error TEXT NOT NULL, UNIQUE (webhook_id, seq));"
     "CREATE INDEX webhook_deliveries_due ON webhook_deliveries"
     "  (next_attempt_us) WHERE state = 1;"
     "CREATE INDEX webhook_deliveries_by_alert ON webhook_deliveries (alert_id);"
     "CREATE TABLE overrides ("
     "  customer_id TEXT PRIMARY KEY, score DOUBLE PRECISION, band TEXT NOT NULL,"
     "  reason TEXT NOT NULL, author TEXT NOT NULL, set_at_us BIGINT NOT NULL,"
     "  expires_at_us BIGINT NOT NULL);"
     "CREATE TABLE override_audit ("
     "  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
     "  action INTEGER NOT NULL, at_us BIGINT NOT NULL, who TEXT NOT NULL,"
     "  note TEXT NOT NULL, customer_id TEXT NOT NULL, score DOUBLE PRECISION,"
     "  band TEXT NOT NULL, reason TEXT NOT NULL, author TEXT NOT NULL,"
     "  set_at_us BIGINT NOT NULL, expires_at_us BIGINT NOT NULL);"
     "CREATE INDEX override_audit_by_customer ON override_audit (customer_id, seq);"
     "CREATE TABLE accounts ("
     "  customer_id TEXT PRIMARY KEY, parent_id TEXT NOT NULL,"
     "  contract_value DOUBLE PRECISION, updated_at_us BIGINT NOT NULL);"
     "CREATE INDEX accounts_by_parent ON accounts (parent_id);"},
    // Outcomes: what customers did, for backtests.
    {4,
     // SQLite
     "CREATE TABLE outcomes ("
     "  customer_id TEXT NOT NULL, date_us INTEGER NOT NULL,"
     "  kind INTEGER NOT NULL, value REAL NOT NULL,"
     "  recorded_at_us INTEGER NOT NULL,"
     "  PRIMARY KEY (customer_id, date_us, kind)) WITHOUT ROWID;",
     // PostgreSQL
     "CREATE TABLE outcomes ("
     "  customer_id TEXT NOT NULL, date_us BIGINT NOT NULL,"
     "  kind INTEGER NOT NULL, value DOUBLE PRECISION NOT NULL,"
     "  recorded_at_us BIGINT NOT NULL,"
     "  PRIMARY KEY (customer_id, date_us, kind));"},
};
// clang-format on

constexpr char kPointColumns[] =
    "customer_id, segment, as_of_us, score, band, grade, coverage, variant, "
    "scorecard_hash, recorded_at_us";

constexpr char kAlertColumns[] =
    "id, customer_id, segment, rule_id, severity, state, opened_as_of_us, "
    "closed_as_of_us, acknowledged_by, resolved_by, note, context, detail";

constexpr char kDeliveryColumns[] =
    "id, webhook_id, seq, alert_id, kind, state, attempts, next_attempt_us, "
    "updated_at_us, last_error";

// An event row: the event's columns, then the alert's (kAlertColumns).
constexpr char kEventColumns[] =
    "e.seq, e.kind, e.at_us, e.state, e.closed_as_of_us, e.who, e.note";

constexpr char kOverrideColumns[] =
    "customer_id, score, band, reason, author, set_at_us, expires_at_us";

constexpr char kAccountColumns[] =
    "customer_id, parent_id, contract_value, updated_at_us";

AccountRow ReadAccount(const SqlRow& row) {
  AccountRow a;
  a.customer_id = AsText(row[0]);
  a.parent_id = AsText(row[1]);
  if (!IsNull(row[2])) a.contract_value = AsDouble(row[2]);
  a.updated_at_us = AsInt(row[3]);
  return a;
}

DeliveryRow ReadDelivery(const SqlRow& row) {
  DeliveryRow d;
  d.id = AsInt(row[0]);
  d.webhook_id = AsText(row[1]);
  d.cursor = AsInt(row[2]);
  d.alert_id = AsInt(row[3]);
  d.event_kind = static_cast<int>(AsInt(row[4]));
  d.state = static_cast<int>(AsInt(row[5]));
  d.attempts = static_cast<int>(AsInt(row[6]));
  d.next_attempt_us = AsInt(row[7]);
  d.updated_at_us = AsInt(row[8]);
  d.last_error = AsText(row[9]);
  return d;
}

OverrideRow ReadOverride(const SqlRow& row, size_t at = 0) {
  OverrideRow o;
  o.customer_id = AsText(row[at + 0]);
  if (!IsNull(row[at + 1])) o.score = AsDouble(row[at + 1]);
  o.band = AsText(row[at + 2]);
  o.reason = AsText(row[at + 3]);
  o.author = AsText(row[at + 4]);
  o.set_at_us = AsInt(row[at + 5]);
  o.expires_at_us = AsInt(row[at + 6]);
  return o;
}

void AppendOverride(const OverrideRow& o, std::vector<SqlValue>& params) {
  params.emplace_back(o.customer_id);
  params.emplace_back(o.score.has_value() ? SqlValue(*o.score)
                                          : SqlValue(std::monostate()));
  params.emplace_back(o.band);
  params.emplace_back(o.reason);
  params.emplace_back(o.author);
  params.emplace_back(o.set_at_us);
  params.emplace_back(o.expires_at_us);
}

AlertRow ReadAlert(const SqlRow& row, size_t at = 0) {
  AlertRow a;
  a.id = AsInt(row[at + 0]);
  a.customer_id = AsText(row[at + 1]);
  a.segment = AsText(row[at + 2]);
  a.rule_id = AsText(row[at + 3]);
  a.severity = AsText(row[at + 4]);
  a.state = static_cast<int>(AsInt(row[at + 5]));
  a.opened_as_of_us = AsInt(row[at + 6]);
  a.closed_as_of_us = AsInt(row[at + 7]);
  a.acknowledged_by = AsText(row[at + 8]);
  a.resolved_by = AsText(row[at + 9]);
  a.note = AsText(row[at + 10]);
  a.context = AsText(row[at + 11]);
  a.detail = AsText(row[at + 12]);
  return a;
}

// A text or blob value moved out of its row (empty for anything else).
std::string TakeText(SqlValue& value) {
  if (auto* v = std::get_if<std::string>(&value)) return std::move(*v);
  if (auto* v = std::get_if<Blob>(&value)) return std::move(v->bytes);
  return std::string();
}

// "(VALUES ($first), ($first+1), ...) AS c": ids to join against.
std::string IdValues(int first, size_t count) {
  std::string out = "(VALUES ";
  for (size_t i = 0; i < count; ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ", ", "($", first + i, ")");
  }
  return out + ") AS c";
}

// `columns` ("a, b"), each prefixed with `table` ("p." -> "p.a, p.b").
std::string Qualified(absl::string_view columns, absl::string_view table) {
  std::vector<std::string> out;
  for (absl::string_view c : absl::StrSplit(columns, ", ")) {
    out.push_back(absl::StrCat(table, c));
  }
  return absl::StrJoin(out, ", ");
}

PointRow ReadPoint(const SqlRow& row) {
  PointRow p;
  p.customer_id = AsText(row[0]);
  p.segment = AsText(row[1]);
  p.as_of_us = AsInt(row[2]);
  p.score = AsDouble(row[3]);
  p.band = AsText(row[4]);
  p.grade = AsText(row[5]);
  p.coverage = AsDouble(row[6]);
  p.variant = AsText(row[7]);
  p.scorecard_hash = AsText(row[8]);
  p.recorded_at_us = AsInt(row[9]);
  if (row.size() > 10) p.detail = AsText(row[10]);
  if (row.size() > 11) p.inputs = AsText(row[11]);
  return p;
}

// "$first, $first+1, ..." (count placeholders).
std::string Placeholders(int first, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ", ", "$", first + i);
  }
  return out;
}

class SqlStore final : public Store {
 public:
  using Opener =
      std::function<absl::StatusOr<std::unique_ptr<SqlConnection>>()>;

  SqlStore(std::string description, Dialect dialect, Opener opener,
           int max_connections, OperationTimer timer)
      : description_(std::move(description)),
        dialect_(dialect),
        opener_(std::move(opener)),
        max_connections_(std::max(1, max_connections)),
        timer_(std::move(timer)) {}

  const std::string& description() const override { return description_; }

  // Creates the version table if needed, refuses a newer schema, applies
  // the migrations this database lacks.
  absl::Status Migrate() {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    SqlConnection& db = *lease;
    RETURN_IF_ERROR(Begin(db));
    // Replicas starting together: one migrates, the others wait here and
    // then find the work done.
    if (dialect_ == Dialect::kPostgres) {
      RETURN_IF_ERROR(
          Rollback(db, db.Exec("SELECT pg_advisory_xact_lock(7372842)")));
    }
    RETURN_IF_ERROR(
        Rollback(db, db.Exec("CREATE TABLE IF NOT EXISTS healthscore_schema "
                             "(version INTEGER NOT NULL)")));
    absl::StatusOr<std::vector<SqlRow>> rows =
        db.Query("SELECT MAX(version) FROM healthscore_schema");
    if (!rows.ok()) return Rollback(db, rows.status());
    const int current =
        rows->empty() || IsNull((*rows)[0][0]) ? 0 : AsInt((*rows)[0][0]);
    if (current > kSchemaVersion) {
      (void)db.Exec("ROLLBACK");
      return absl::FailedPreconditionError(absl::StrCat(
          description_, ": the database's schema is version ", current,
          "; this healthscore-server knows versions up to ", kSchemaVersion,
          ". A newer healthscore migrated it: run that version (or a newer "
          "one), or point --store at another database"));
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= current) continue;
      RETURN_IF_ERROR(Rollback(
          db, db.Exec(dialect_ == Dialect::kSqlite ? m.sqlite : m.postgres)));
      const SqlValue version[] = {int64_t{m.version}};
      RETURN_IF_ERROR(Rollback(
          db, db.Exec("INSERT INTO healthscore_schema (version) VALUES ($1)",
                      version)));
    }
    return db.Exec("COMMIT");
  }

  absl::Status PutScorecard(const ScorecardFile& file) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    const SqlValue params[] = {file.hash,    file.name,
                               file.version, file.source,
                               file.text,    absl::ToUnixMicros(absl::Now())};
    return lease->Exec(
        "INSERT INTO scorecards (hash, name, version, source, body, "
        "first_seen_us) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (hash) DO NOTHING",
        params);
  }

  absl::StatusOr<std::optional<ScorecardFile>> GetScorecard(
      const std::string& hash) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    const SqlValue params[] = {hash};
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                     lease->Query("SELECT hash, name, version, source, body "
                                  "FROM scorecards WHERE hash = $1",
                                  params));
    if (rows.empty()) return std::nullopt;
    return ScorecardFile{AsText(rows[0][0]), AsText(rows[0][1]),
                         AsText(rows[0][2]), AsText(rows[0][3]),
                         AsText(rows[0][4])};
  }

  absl::Status PutSignalSet(const std::string& id,
                            const std::string& names) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    const SqlValue params[] = {id, Blob{names}};
    return lease->Exec(
        "INSERT INTO signal_sets (id, names) VALUES ($1, $2) "
        "ON CONFLICT (id) DO NOTHING",
        params);
  }

  absl::StatusOr<std::optional<std::string>> GetSignalSet(
      const std::string& id) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    const SqlValue params[] = {id};
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        lease->Query("SELECT names FROM signal_sets WHERE id = $1", params));
    if (rows.empty()) return std::nullopt;
    return AsText(rows[0][0]);
  }

  absl::StatusOr<std::vector<std::vector<ScoreAt>>> Record(
      std::span<const PointRow> points, int64_t lookback_us,
      const AlertEvaluator* evaluate) override {
    std::vector<std::vector<ScoreAt>> earlier(points.size());
    if (points.empty()) return earlier;
    // SQLite has one writer at a time: queue here rather than spin on the
    // database's lock.
    std::optional<absl::MutexLock> write_lock;
    if (dialect_ == Dialect::kSqlite) write_lock.emplace(&write_mu_);
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    SqlConnection& db = *lease;
    RETURN_IF_ERROR(Begin(db));
    if (dialect_ == Dialect::kPostgres) {
      RETURN_IF_ERROR(Rollback(db, LockCustomers(db, points)));
    }
    if (lookback_us > 0) {
      RETURN_IF_ERROR(
          Rollback(db, ReadEarlier(db, points, lookback_us, earlier)));
    }
    AlertWrites alerts;
    if (evaluate != nullptr && *evaluate) {
      std::vector<AlertRow> unresolved, last_resolved;
      RETURN_IF_ERROR(
          Rollback(db, ReadAlertsOf(db, points, unresolved, last_resolved)));
      alerts = (*evaluate)(points, earlier, unresolved, last_resolved);
    }
    RETURN_IF_ERROR(Rollback(db, InsertPoints(db, points)));
    RETURN_IF_ERROR(Rollback(db, WriteAlerts(db, alerts)));
    RETURN_IF_ERROR(Commit(db));
    return earlier;
  }

  absl::StatusOr<std::vector<PointRow>> Timeline(const std::string& customer_id,
                                                 int64_t from_us, int64_t to_us,
                                                 int limit,
                                                 Detail detail) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    const SqlValue params[] = {customer_id, from_us, to_us, int64_t{limit}};
    std::string sql;
    if (detail == Detail::kNone) {
      sql = absl::StrCat("SELECT ", kPointColumns,
                         " FROM points WHERE customer_id = $1 AND as_of_us >= "
                         "$2 AND as_of_us <= $3 ORDER BY as_of_us DESC LIMIT "
                         "$4");
    } else {
      sql = absl::StrCat(
          "SELECT ", Qualified(kPointColumns, "p."), ", d.detail",
          detail == Detail::kPointAndInputs ? ", d.inputs" : "",
          " FROM points p JOIN point_details d ON d.customer_id = "
          "p.customer_id AND d.as_of_us = p.as_of_us WHERE p.customer_id = $1 "
          "AND p.as_of_us >= $2 AND p.as_of_us <= $3 ORDER BY p.as_of_us DESC "
          "LIMIT $4");
    }
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows, lease->Query(sql, params));
    std::vector<PointRow> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) out.push_back(ReadPoint(row));
    return out;
  }

  absl::StatusOr<std::vector<PointRow>> Latest(
      int64_t at_us, int64_t lookback_us, const std::string& segment) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    const SqlValue params[] = {at_us - lookback_us, at_us};
    // Each customer's newest row in the range. SQLite: a bare column beside
    // MAX() comes from the row holding the max (documented behavior).
    // PostgreSQL: DISTINCT ON.
    std::string sql;
    if (dialect_ == Dialect::kSqlite) {
      sql = absl::StrCat(
          "SELECT ",
          absl::StrReplaceAll(kPointColumns, {{"as_of_us", "MAX(as_of_us)"}}),
          " FROM points WHERE as_of_us >= $1 AND as_of_us <= $2 "
          "GROUP BY customer_id ORDER BY customer_id");
    } else {
      sql = absl::StrCat("SELECT DISTINCT ON (customer_id) ", kPointColumns,
                         " FROM points WHERE as_of_us >= $1 AND as_of_us <= $2 "
                         "ORDER BY customer_id, as_of_us DESC");
    }
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows, lease->Query(sql, params));
    std::vector<PointRow> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) {
      PointRow p = ReadPoint(row);
      if (!segment.empty() && p.segment != segment) continue;
      out.push_back(std::move(p));
    }
    return out;
  }

  absl::StatusOr<std::vector<AlertRow>> ListAlerts(const AlertFilter& filter,
                                                   int64_t before_id,
                                                   int limit) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    std::string sql =
        absl::StrCat("SELECT ", kAlertColumns, " FROM alerts WHERE id < $1");
    std::vector<SqlValue> params = {before_id > 0 ? before_id : INT64_MAX};
    auto add = [&](absl::string_view column, SqlValue value) {
      params.push_back(std::move(value));
      absl::StrAppend(&sql, " AND ", column, " = $", params.size());
    };
    if (filter.state != 0) add("state", int64_t{filter.state});
    if (!filter.segment.empty()) add("segment", filter.segment);
    if (!filter.severity.empty()) add("severity", filter.severity);
    if (!filter.customer_id.empty()) add("customer_id", filter.customer_id);
    if (filter.dead_lettered) {
      absl::StrAppend(&sql,
                      " AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE "
                      "d.alert_id = alerts.id AND d.state = ",
                      int{DeliveryRow::kDead}, ")");
    }
    params.emplace_back(int64_t{limit});
    absl::StrAppend(&sql, " ORDER BY id DESC LIMIT $", params.size());
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows, lease->Query(sql, params));
    std::vector<AlertRow> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) out.push_back(ReadAlert(row));
    return out;
  }

  absl::StatusOr<AlertRow> SetAlertState(int64_t id, int state,
                                         const std::string& who,
                                         const std::string& note) override {
    std::optional<absl::MutexLock> write_lock;
    if (dialect_ == Dialect::kSqlite) write_lock.emplace(&write_mu_);
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    SqlConnection& db = *lease;
    RETURN_IF_ERROR(Begin(db));
    const SqlValue key[] = {id};
    absl::StatusOr<std::vector<SqlRow>> rows = db.Query(
        absl::StrCat("SELECT ", kAlertColumns, " FROM alerts WHERE id = $1"),
        key);
    RETURN_IF_ERROR(Rollback(db, rows.status()));
    if (rows->empty()) {
      (void)db.Exec("ROLLBACK");
      return absl::NotFoundError(absl::StrCat("no alert has id ", id));
    }
    AlertRow alert = ReadAlert((*rows)[0]);
    if (alert.state == AlertRow::kResolved) {
      (void)db.Exec("ROLLBACK");
      return absl::FailedPreconditionError(
          absl::StrCat("alert ", id, " is resolved already"));
    }
    alert.state = state;
    alert.note = note;
    if (state == AlertRow::kAcknowledged) {
      alert.acknowledged_by = who;
    } else {
      alert.resolved_by = who;
    }
    RETURN_IF_ERROR(Rollback(db, UpdateAlert(db, alert)));
    RETURN_IF_ERROR(Rollback(db, AddEvent(db, alert,
                                          state == AlertRow::kAcknowledged
                                              ? AlertEventRow::kAcknowledged
                                              : AlertEventRow::kResolved,
                                          who)));
    RETURN_IF_ERROR(Rollback(db, db.Exec("COMMIT")));
    return alert;
  }

  absl::StatusOr<std::vector<AlertEventRow>> AlertEventsAfter(
      int64_t after, int limit) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    const SqlValue params[] = {after, int64_t{limit}};
    return EventsWhere(*lease, "e.seq > $1 ORDER BY e.seq LIMIT $2", params);
  }

  absl::StatusOr<int64_t> LastAlertCursor() override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                     lease->Query("SELECT MAX(seq) FROM alert_events"));
    return rows.empty() ? 0 : AsInt(rows[0][0]);
  }

  absl::StatusOr<int64_t> PruneBefore(int64_t as_of_us) override {
    std::optional<absl::MutexLock> write_lock;
    if (dialect_ == Dialect::kSqlite) write_lock.emplace(&write_mu_);
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    SqlConnection& db = *lease;
    const SqlValue params[] = {as_of_us};
    RETURN_IF_ERROR(Begin(db));
    RETURN_IF_ERROR(Rollback(
        db, db.Exec("DELETE FROM point_details WHERE as_of_us < $1", params)));
    absl::StatusOr<std::vector<SqlRow>> rows =
        db.Query("DELETE FROM points WHERE as_of_us < $1 RETURNING 1", params);
    RETURN_IF_ERROR(Rollback(db, rows.status()));
    RETURN_IF_ERROR(Rollback(db, db.Exec("COMMIT")));
    return static_cast<int64_t>(rows->size());
  }

  absl::StatusOr<std::vector<PointRow>> LatestOf(
      std::span<const std::string> customer_ids, int64_t at_us) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    std::vector<PointRow> out;
    for (size_t start = 0; start < customer_ids.size(); start += kLookupChunk) {
      const size_t n = std::min(kLookupChunk, customer_ids.size() - start);
      std::vector<SqlValue> params = {at_us};
      for (size_t k = 0; k < n; ++k) {
        params.emplace_back(customer_ids[start + k]);
      }
      ASSIGN_OR_RETURN(
          std::vector<SqlRow> rows,
          lease->Query(
              absl::StrCat("SELECT ", Qualified(kPointColumns, "p."), " FROM ",
                           IdValues(2, n),
                           " JOIN points p ON p.customer_id = c.column1 AND "
                           "p.as_of_us = (SELECT MAX(q.as_of_us) FROM points q "
                           "WHERE q.customer_id = c.column1 AND q.as_of_us <= "
                           "$1)"),
              params));
      for (const SqlRow& row : rows) out.push_back(ReadPoint(row));
    }
    return out;
  }

  absl::StatusOr<int64_t> QueueDeliveries(const std::string& webhook_id,
                                          std::span<const int> kinds,
                                          int limit) override {
    return WriteTx(__func__, [&](SqlConnection& db) -> absl::StatusOr<int64_t> {
      const int64_t now = absl::ToUnixMicros(absl::Now());
      const SqlValue id[] = {webhook_id};
      // A new webhook starts after the newest event.
      RETURN_IF_ERROR(db.Exec(
          "INSERT INTO webhook_cursors (webhook_id, after_seq) VALUES ($1, "
          "(SELECT COALESCE(MAX(seq), 0) FROM alert_events)) "
          "ON CONFLICT (webhook_id) DO NOTHING",
          id));
      // Replicas queueing for the same webhook take turns on its cursor.
      ASSIGN_OR_RETURN(
          std::vector<SqlRow> rows,
          db.Query(
              absl::StrCat("SELECT after_seq FROM webhook_cursors WHERE "
                           "webhook_id = $1",
                           dialect_ == Dialect::kPostgres ? " FOR UPDATE" : ""),
              id));
      const int64_t after = rows.empty() ? 0 : AsInt(rows[0][0]);
      const SqlValue window[] = {after, int64_t{limit}};
      ASSIGN_OR_RETURN(rows, db.Query("SELECT MAX(seq) FROM (SELECT seq FROM "
                                      "alert_events WHERE seq > $1 ORDER BY "
                                      "seq LIMIT $2) t",
                                      window));
      if (rows.empty() || IsNull(rows[0][0])) return int64_t{0};
      const int64_t upto = AsInt(rows[0][0]);
      std::vector<SqlValue> params = {webhook_id, after, upto, now};
      std::string kind_filter;
      if (!kinds.empty()) {
        kind_filter = " AND kind IN (";
        for (size_t i = 0; i < kinds.size(); ++i) {
          params.emplace_back(int64_t{kinds[i]});
          absl::StrAppend(&kind_filter, i == 0 ? "$" : ", $", params.size());
        }
        kind_filter += ")";
      }
      ASSIGN_OR_RETURN(
          rows,
          db.Query(
              absl::StrCat("INSERT INTO webhook_deliveries (webhook_id, seq, "
                           "alert_id, kind, state, attempts, next_attempt_us, "
                           "updated_at_us, last_error) SELECT $1, seq, "
                           "alert_id, kind, 1, 0, $4, $4, '' FROM "
                           "alert_events WHERE seq > $2 AND seq <= $3",
                           kind_filter,
                           " ON CONFLICT (webhook_id, seq) DO NOTHING "
                           "RETURNING 1"),
              params));
      const SqlValue move[] = {upto, webhook_id};
      RETURN_IF_ERROR(db.Exec(
          "UPDATE webhook_cursors SET after_seq = $1 WHERE webhook_id = $2",
          move));
      return static_cast<int64_t>(rows.size());
    });
  }

  absl::StatusOr<std::vector<std::pair<DeliveryRow, AlertEventRow>>>
  ClaimDeliveries(std::span<const std::string> webhook_ids, int64_t now_us,
                  int64_t lease_us, int limit) override {
    using Claimed = std::vector<std::pair<DeliveryRow, AlertEventRow>>;
    if (webhook_ids.empty()) return Claimed();
    return WriteTx(__func__, [&](SqlConnection& db) -> absl::StatusOr<Claimed> {
      std::vector<SqlValue> params = {now_us, now_us + lease_us,
                                      int64_t{limit}};
      for (const std::string& id : webhook_ids) params.emplace_back(id);
      ASSIGN_OR_RETURN(
          std::vector<SqlRow> rows,
          db.Query(
              absl::StrCat(
                  "UPDATE webhook_deliveries SET attempts = attempts + 1, "
                  "next_attempt_us = $2, updated_at_us = $1 WHERE id IN "
                  "(SELECT id FROM webhook_deliveries WHERE state = 1 AND "
                  "next_attempt_us <= $1 AND webhook_id IN (",
                  Placeholders(4, webhook_ids.size()),
                  ") ORDER BY next_attempt_us, id LIMIT $3",
                  dialect_ == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED"
                                                 : "",
                  ") RETURNING ", kDeliveryColumns),
              params));
      Claimed out;
      if (rows.empty()) return out;
      std::vector<SqlValue> seqs;
      for (const SqlRow& row : rows) {
        out.emplace_back(ReadDelivery(row), AlertEventRow());
        seqs.emplace_back(out.back().first.cursor);
      }
      std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.first.cursor < b.first.cursor;
      });
      ASSIGN_OR_RETURN(
          std::vector<AlertEventRow> events,
          EventsWhere(
              db, absl::StrCat("e.seq IN (", Placeholders(1, seqs.size()), ")"),
              seqs));
      absl::flat_hash_map<int64_t, const AlertEventRow*> by_seq;
      for (const AlertEventRow& e : events) by_seq[e.cursor] = &e;
      for (auto& [delivery, event] : out) {
        auto it = by_seq.find(delivery.cursor);
        if (it != by_seq.end()) event = *it->second;
      }
      return out;
    });
  }

  absl::Status FinishDelivery(int64_t id, int state, int64_t next_attempt_us,
                              const std::string& error) override {
    return WriteTx(__func__, [&](SqlConnection& db) {
      const SqlValue params[] = {int64_t{state}, next_attempt_us,
                                 absl::ToUnixMicros(absl::Now()), error, id};
      // Only a pending row: a claimer that outlived its lease must not turn
      // a delivery that another replica has finished since back to pending
      // (which would post it again) or to dead.
      return db.Exec(
          "UPDATE webhook_deliveries SET state = $1, next_attempt_us = $2, "
          "updated_at_us = $3, last_error = $4 WHERE id = $5 AND state = 1",
          params);
    });
  }

  absl::StatusOr<std::vector<DeliveryRow>> DeliveriesOf(
      std::span<const int64_t> alert_ids) override {
    std::vector<DeliveryRow> out;
    if (alert_ids.empty()) return out;
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    for (size_t start = 0; start < alert_ids.size(); start += kLookupChunk) {
      const size_t n = std::min(kLookupChunk, alert_ids.size() - start);
      std::vector<SqlValue> params;
      for (size_t k = 0; k < n; ++k) params.emplace_back(alert_ids[start + k]);
      ASSIGN_OR_RETURN(
          std::vector<SqlRow> rows,
          lease->Query(absl::StrCat("SELECT ", kDeliveryColumns,
                                    " FROM webhook_deliveries WHERE alert_id "
                                    "IN (",
                                    Placeholders(1, n),
                                    ") ORDER BY alert_id, seq, webhook_id"),
                       params));
      for (const SqlRow& row : rows) out.push_back(ReadDelivery(row));
    }
    return out;
  }

  absl::Status SetOverride(const OverrideRow& row) override {
    return WriteTx(__func__, [&](SqlConnection& db) -> absl::Status {
      RETURN_IF_ERROR(LockOverrides(db));
      // An expired override not swept yet ends as expired (with its audit
      // entry) before it is replaced, or the log would never say so.
      RETURN_IF_ERROR(EndExpired(db, row.set_at_us, &row.customer_id).status());
      std::vector<SqlValue> params;
      AppendOverride(row, params);
      RETURN_IF_ERROR(db.Exec(
          absl::StrCat(
              "INSERT INTO overrides (", kOverrideColumns,
              ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT "
              "(customer_id) DO UPDATE SET score = excluded.score, band = "
              "excluded.band, reason = excluded.reason, author = "
              "excluded.author, set_at_us = excluded.set_at_us, "
              "expires_at_us = excluded.expires_at_us"),
          params));
      return Audit(db, OverrideAuditRow::kSet, row.set_at_us, row.author, "",
                   row);
    });
  }

  absl::StatusOr<OverrideRow> ClearOverride(const std::string& customer_id,
                                            const std::string& who,
                                            const std::string& note) override {
    return WriteTx(
        __func__, [&](SqlConnection& db) -> absl::StatusOr<OverrideRow> {
          RETURN_IF_ERROR(LockOverrides(db));
          const int64_t now = absl::ToUnixMicros(absl::Now());
          const SqlValue params[] = {customer_id, now};
          ASSIGN_OR_RETURN(
              std::vector<SqlRow> rows,
              db.Query(
                  absl::StrCat("DELETE FROM overrides WHERE customer_id = $1 "
                               "AND (expires_at_us = 0 OR expires_at_us > "
                               "$2) RETURNING ",
                               kOverrideColumns),
                  params));
          if (rows.empty()) {
            return absl::NotFoundError(
                absl::StrCat("customer '", customer_id.substr(0, 200),
                             "' has no active override"));
          }
          OverrideRow ended = ReadOverride(rows[0]);
          RETURN_IF_ERROR(
              Audit(db, OverrideAuditRow::kCleared, now, who, note, ended));
          return ended;
        });
  }

  absl::StatusOr<std::vector<OverrideRow>> ListOverrides(
      const std::string& customer_id, int64_t now_us) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    std::vector<SqlValue> params = {now_us};
    std::string sql = absl::StrCat(
        "SELECT ", kOverrideColumns,
        " FROM overrides WHERE (expires_at_us = 0 OR expires_at_us > $1)");
    if (!customer_id.empty()) {
      params.emplace_back(customer_id);
      sql += " AND customer_id = $2";
    }
    sql += " ORDER BY customer_id";
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows, lease->Query(sql, params));
    std::vector<OverrideRow> out;
    for (const SqlRow& row : rows) out.push_back(ReadOverride(row));
    return out;
  }

  absl::StatusOr<std::vector<OverrideRow>> ExpireOverrides(
      int64_t now_us) override {
    return WriteTx(
        __func__,
        [&](SqlConnection& db) -> absl::StatusOr<std::vector<OverrideRow>> {
          RETURN_IF_ERROR(LockOverrides(db));
          return EndExpired(db, now_us, nullptr);
        });
  }

  absl::StatusOr<std::vector<OverrideAuditRow>> OverrideAudit(
      const std::string& customer_id, int limit) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    std::vector<SqlValue> params = {int64_t{limit}};
    std::string sql = absl::StrCat("SELECT seq, action, at_us, who, note, ",
                                   kOverrideColumns, " FROM override_audit");
    if (!customer_id.empty()) {
      params.emplace_back(customer_id);
      sql += " WHERE customer_id = $2";
    }
    sql += " ORDER BY seq DESC LIMIT $1";
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows, lease->Query(sql, params));
    std::vector<OverrideAuditRow> out;
    for (const SqlRow& row : rows) {
      OverrideAuditRow a;
      a.seq = AsInt(row[0]);
      a.action = static_cast<int>(AsInt(row[1]));
      a.at_us = AsInt(row[2]);
      a.who = AsText(row[3]);
      a.note = AsText(row[4]);
      a.override_row = ReadOverride(row, 5);
      out.push_back(std::move(a));
    }
    return out;
  }

  absl::StatusOr<int64_t> OverridesVersion() override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                     lease->Query("SELECT MAX(seq) FROM override_audit"));
    return rows.empty() ? 0 : AsInt(rows[0][0]);
  }

  absl::Status PutAccounts(std::span<const AccountRow> accounts) override {
    if (accounts.empty()) return absl::OkStatus();
    return WriteTx(__func__, [&](SqlConnection& db) {
      return InsertRows(
          db,
          "INSERT INTO accounts (customer_id, parent_id, contract_value, "
          "updated_at_us) VALUES ",
          4, accounts.size(),
          " ON CONFLICT (customer_id) DO UPDATE SET parent_id = "
          "excluded.parent_id, contract_value = excluded.contract_value, "
          "updated_at_us = excluded.updated_at_us",
          [&](size_t i, std::vector<SqlValue>& params) {
            const AccountRow& a = accounts[i];
            params.emplace_back(a.customer_id);
            params.emplace_back(a.parent_id);
            params.emplace_back(a.contract_value.has_value()
                                    ? SqlValue(*a.contract_value)
                                    : SqlValue(std::monostate()));
            params.emplace_back(a.updated_at_us);
          });
    });
  }

  absl::StatusOr<std::vector<AccountRow>> AccountsOf(
      std::span<const std::string> customer_ids) override {
    std::vector<AccountRow> out;
    if (customer_ids.empty()) return out;
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    for (size_t start = 0; start < customer_ids.size(); start += kLookupChunk) {
      const size_t n = std::min(kLookupChunk, customer_ids.size() - start);
      std::vector<SqlValue> params;
      for (size_t k = 0; k < n; ++k) {
        params.emplace_back(customer_ids[start + k]);
      }
      ASSIGN_OR_RETURN(
          std::vector<SqlRow> rows,
          lease->Query(absl::StrCat("SELECT ", Qualified(kAccountColumns, "a."),
                                    " FROM ", IdValues(1, n),
                                    " JOIN accounts a ON a.customer_id = "
                                    "c.column1"),
                       params));
      for (const SqlRow& row : rows) out.push_back(ReadAccount(row));
    }
    return out;
  }

  absl::StatusOr<std::vector<AccountRow>> ChildrenOf(
      const std::string& parent_id) override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    const SqlValue params[] = {parent_id};
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        lease->Query(absl::StrCat("SELECT ", kAccountColumns,
                                  " FROM accounts WHERE parent_id = $1 "
                                  "ORDER BY customer_id"),
                     params));
    std::vector<AccountRow> out;
    for (const SqlRow& row : rows) out.push_back(ReadAccount(row));
    return out;
  }

  absl::Status PutOutcomes(std::span<const OutcomeRow> outcomes) override {
    if (outcomes.empty()) return absl::OkStatus();
    return WriteTx(__func__, [&](SqlConnection& db) {
      const int64_t now = absl::ToUnixMicros(absl::Now());
      return InsertRows(
          db,
          "INSERT INTO outcomes (customer_id, date_us, kind, value, "
          "recorded_at_us) VALUES ",
          5, outcomes.size(),
          " ON CONFLICT (customer_id, date_us, kind) DO UPDATE SET value = "
          "excluded.value, recorded_at_us = excluded.recorded_at_us",
          [&](size_t i, std::vector<SqlValue>& params) {
            const OutcomeRow& o = outcomes[i];
            params.emplace_back(o.customer_id);
            params.emplace_back(o.date_us);
            params.emplace_back(int64_t{o.kind});
            params.emplace_back(o.value);
            params.emplace_back(now);
          });
    });
  }

  absl::StatusOr<std::vector<OutcomeRow>> Outcomes() override {
    ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                     lease->Query("SELECT customer_id, date_us, kind, value "
                                  "FROM outcomes ORDER BY customer_id, "
                                  "date_us, kind"));
    std::vector<OutcomeRow> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) {
      out.push_back({AsText(row[0]), AsInt(row[1]),
                     static_cast<int>(AsInt(row[2])), AsDouble(row[3])});
    }
    return out;
  }

  absl::Status ScanPoints(
      int64_t from_us, int64_t to_us, const std::string& first_customer,
      const std::string& end_customer, int chunk,
      const std::function<absl::Status(std::span<const PointRow>)>& sink)
      override {
    // Keyset pages: each starts after the last (customer_id, as_of) seen,
    // so a page is one range scan of the key whatever the table's size.
    std::string after_id = first_customer;
    int64_t after_as_of = INT64_MIN;
    const std::string sql = absl::StrCat(
        "SELECT p.customer_id, p.segment, p.as_of_us, d.inputs FROM points p "
        "JOIN point_details d ON "
        "d.customer_id = p.customer_id AND d.as_of_us = p.as_of_us WHERE "
        "(p.customer_id, p.as_of_us) > ($1, $2) "
        "AND p.as_of_us >= $3 AND p.as_of_us <= $4 AND p.variant <> "
        "'rollup' AND ($6 = '' OR p.customer_id < $6) "
        "ORDER BY p.customer_id, p.as_of_us LIMIT $5");
    while (true) {
      std::vector<PointRow> page;
      {
        ASSIGN_OR_RETURN(Lease lease, Acquire(__func__));
        const SqlValue params[] = {after_id, after_as_of,    from_us,
                                   to_us,    int64_t{chunk}, end_customer};
        ASSIGN_OR_RETURN(std::vector<SqlRow> rows, lease->Query(sql, params));
        page.resize(rows.size());
        for (size_t i = 0; i < rows.size(); ++i) {
          SqlRow& row = rows[i];
          PointRow& p = page[i];
          p.customer_id = TakeText(row[0]);
          p.segment = TakeText(row[1]);
          p.as_of_us = AsInt(row[2]);
          p.inputs = TakeText(row[3]);
        }
      }
      if (page.empty()) return absl::OkStatus();
      after_id = page.back().customer_id;
      after_as_of = page.back().as_of_us;
      RETURN_IF_ERROR(sink(page));
      if (static_cast<int>(page.size()) < chunk) return absl::OkStatus();
    }
  }

 private:
  // Runs `body` in one write transaction (SQLite: on the one writer path),
  // committing when it succeeds and rolling back when it fails. `operation`
  // names the caller for the timer, which counts the wait for the writer
  // path too.
  template <typename Body>
  auto WriteTx(const char* operation, Body body)
      -> decltype(body(std::declval<SqlConnection&>())) {
    const absl::Time requested = absl::Now();
    std::optional<absl::MutexLock> write_lock;
    if (dialect_ == Dialect::kSqlite) write_lock.emplace(&write_mu_);
    ASSIGN_OR_RETURN(Lease lease, Acquire(operation, requested));
    SqlConnection& db = *lease;
    RETURN_IF_ERROR(Begin(db));
    auto result = body(db);
    if (!result.ok()) {
      (void)db.Exec("ROLLBACK");
      return result;
    }
    RETURN_IF_ERROR(Rollback(db, db.Exec("COMMIT")));
    return result;
  }

  // PostgreSQL: one override writer at a time, so that audit seqs commit in
  // the order they are drawn. Otherwise a transaction could commit seq 10
  // after another committed 11, and a replica that read MAX(seq) = 11 in
  // between would take its cache as current while missing 10
  // (OverridesVersion's promise). SQLite's writes are serial already.
  absl::Status LockOverrides(SqlConnection& db) const {
    if (dialect_ != Dialect::kPostgres) return absl::OkStatus();
    return db.Exec("SELECT pg_advisory_xact_lock(7372843)");
  }

  // Upserts `count` rows in multi-row INSERTs of kInsertChunk rows: `insert`
  // is "INSERT INTO t (a, b) VALUES ", `append(i, params)` adds row i's
  // `width` values, `conflict` is the ON CONFLICT clause.
  template <typename Append>
  static absl::Status InsertRows(SqlConnection& db, absl::string_view insert,
                                 size_t width, size_t count,
                                 absl::string_view conflict, Append append) {
    for (size_t start = 0; start < count; start += kInsertChunk) {
      const size_t n = std::min(kInsertChunk, count - start);
      std::string sql(insert);
      std::vector<SqlValue> params;
      params.reserve(n * width);
      for (size_t k = 0; k < n; ++k) {
        absl::StrAppend(
            &sql, k == 0 ? "(" : ", (",
            Placeholders(static_cast<int>(params.size()) + 1, width), ")");
        append(start + k, params);
      }
      absl::StrAppend(&sql, conflict);
      RETURN_IF_ERROR(db.Exec(sql, params));
    }
    return absl::OkStatus();
  }

  // Deletes the overrides (of `customer_id` when given) whose expiry is at
  // or before `now_us`, each with its "expired" audit entry; returns them.
  static absl::StatusOr<std::vector<OverrideRow>> EndExpired(
      SqlConnection& db, int64_t now_us, const std::string* customer_id) {
    std::vector<SqlValue> params = {now_us};
    std::string sql =
        "DELETE FROM overrides WHERE expires_at_us <> 0 AND expires_at_us <= "
        "$1";
    if (customer_id != nullptr) {
      params.emplace_back(*customer_id);
      sql += " AND customer_id = $2";
    }
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        db.Query(absl::StrCat(sql, " RETURNING ", kOverrideColumns), params));
    std::vector<OverrideRow> out;
    for (const SqlRow& row : rows) {
      out.push_back(ReadOverride(row));
      RETURN_IF_ERROR(Audit(db, OverrideAuditRow::kExpired,
                            out.back().expires_at_us, "healthscore", "",
                            out.back()));
    }
    return out;
  }

  static absl::Status Audit(SqlConnection& db, int action, int64_t at_us,
                            const std::string& who, const std::string& note,
                            const OverrideRow& row) {
    std::vector<SqlValue> params = {int64_t{action}, at_us, who, note};
    AppendOverride(row, params);
    return db.Exec(
        absl::StrCat("INSERT INTO override_audit (action, at_us, who, note, ",
                     kOverrideColumns,
                     ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
        params);
  }

  // Alert events (with their alerts) matching `where` (over `e`, the
  // events, and `a`, the alerts), in the order it says.
  static absl::StatusOr<std::vector<AlertEventRow>> EventsWhere(
      SqlConnection& db, absl::string_view where,
      std::span<const SqlValue> params) {
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        db.Query(absl::StrCat("SELECT ", kEventColumns, ", ",
                              Qualified(kAlertColumns, "a."),
                              " FROM alert_events e JOIN alerts a ON a.id = "
                              "e.alert_id WHERE ",
                              where),
                 params));
    std::vector<AlertEventRow> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) {
      AlertEventRow e;
      e.cursor = AsInt(row[0]);
      e.kind = static_cast<int>(AsInt(row[1]));
      e.at_us = AsInt(row[2]);
      e.alert = ReadAlert(row, 7);
      // As it was just after this event.
      e.alert.state = static_cast<int>(AsInt(row[3]));
      e.alert.closed_as_of_us = AsInt(row[4]);
      if (e.kind == AlertEventRow::kOpened) {
        e.alert.acknowledged_by.clear();
        e.alert.resolved_by.clear();
        e.alert.note.clear();
      } else if (e.kind == AlertEventRow::kAcknowledged) {
        e.alert.acknowledged_by = AsText(row[5]);
        e.alert.resolved_by.clear();
        e.alert.note = AsText(row[6]);
      } else {
        e.alert.resolved_by = AsText(row[5]);
        e.alert.note = AsText(row[6]);
      }
      out.push_back(std::move(e));
    }
    return out;
  }

  // A connection borrowed from the pool; returned when the lease dies,
  // which tells the timer how long `operation` held it (from the request).
  class Lease {
   public:
    Lease(SqlStore* store, std::unique_ptr<SqlConnection> connection,
          const char* operation, absl::Time requested)
        : store_(store),
          connection_(std::move(connection)),
          operation_(operation),
          requested_(requested) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease() {
      if (connection_ == nullptr) return;  // moved from
      store_->Release(std::move(connection_));
      if (store_->timer_) {
        store_->timer_(operation_,
                       absl::ToDoubleSeconds(absl::Now() - requested_));
      }
    }
    SqlConnection& operator*() { return *connection_; }
    SqlConnection* operator->() { return connection_.get(); }

   private:
    SqlStore* store_;
    std::unique_ptr<SqlConnection> connection_;
    const char* operation_;
    absl::Time requested_;
  };

  // `operation` names the Store method (its __func__) for the timer.
  absl::StatusOr<Lease> Acquire(const char* operation,
                                absl::Time requested = absl::Now())
      ABSL_LOCKS_EXCLUDED(mu_) {
    std::unique_ptr<SqlConnection> connection;
    {
      absl::MutexLock lock(&mu_);
      auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !idle_.empty() || open_ < max_connections_;
      };
      mu_.Await(absl::Condition(&available));
      if (!idle_.empty()) {
        connection = std::move(idle_.back());
        idle_.pop_back();
      } else {
        ++open_;
      }
    }
    if (connection != nullptr && !connection->Healthy()) connection.reset();
    if (connection == nullptr) {
      absl::StatusOr<std::unique_ptr<SqlConnection>> opened = opener_();
      if (!opened.ok()) {
        absl::MutexLock lock(&mu_);
        --open_;
        return opened.status();
      }
      connection = *std::move(opened);
    }
    return Lease(this, std::move(connection), operation, requested);
  }

  void Release(std::unique_ptr<SqlConnection> connection)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    idle_.push_back(std::move(connection));
  }

  absl::Status Begin(SqlConnection& db) {
    // SQLite: take the write lock now, not at the first write, so that the
    // reads inside see what the writes will build on.
    return db.Exec(dialect_ == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  }

  // Passes `status` through; rolls the open transaction back first if it is
  // an error, so the connection goes back to the pool clean.
  // COMMIT. An error here may come after the database committed (the
  // connection went before the answer), so it is marked OutcomeUnknown.
  static absl::Status Commit(SqlConnection& db) {
    absl::Status status = db.Exec("COMMIT");
    if (!status.ok()) {
      (void)db.Exec("ROLLBACK");
      status.SetPayload(kOutcomeUnknown, absl::Cord("COMMIT"));
    }
    return status;
  }

  static absl::Status Rollback(SqlConnection& db, absl::Status status) {
    if (!status.ok()) (void)db.Exec("ROLLBACK");
    return status;
  }

  // PostgreSQL, where replicas (or this server's own connections) may record
  // the same customer at once: without this, both transactions read the
  // customer's alerts before either writes, and the second opens an alert
  // the first already opened (the alerts_one_open index refuses it, and the
  // caller gets an error for a call a retry would pass). Each customer's
  // recording takes a transaction lock on its id first, so the second waits
  // and then reads what the first wrote (its earlier points for trends too).
  // The locks are two-key advisory locks (class kCustomerLockClass, the id's
  // 32-bit FNV-1a hash: a collision only serialises two customers), taken
  // in ascending order, so two batches never wait on each other in a cycle.
  static absl::Status LockCustomers(SqlConnection& db,
                                    std::span<const PointRow> points) {
    constexpr int64_t kCustomerLockClass = 7372844;
    std::vector<int64_t> keys;
    keys.reserve(points.size());
    for (const PointRow& p : points) {
      uint32_t h = 2166136261u;
      for (unsigned char c : p.customer_id) h = (h ^ c) * 16777619u;
      keys.push_back(static_cast<int32_t>(h));
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (size_t start = 0; start < keys.size(); start += kLookupChunk) {
      const size_t n = std::min(kLookupChunk, keys.size() - start);
      std::string sql =
          "SELECT pg_advisory_xact_lock($1::int4, k::int4) FROM (VALUES ";
      std::vector<SqlValue> params = {kCustomerLockClass};
      for (size_t k = 0; k < n; ++k) {
        absl::StrAppend(&sql, k == 0 ? "" : ", ", "($", k + 2, "::int8)");
        params.emplace_back(keys[start + k]);
      }
      // VALUES is read in the order written, which is ascending.
      absl::StrAppend(&sql, ") AS v(k)");
      RETURN_IF_ERROR(db.Exec(sql, params));
    }
    return absl::OkStatus();
  }

  // Upserts `points` into `points`, and their detail and inputs into
  // point_details.
  static absl::Status InsertPoints(SqlConnection& db,
                                   std::span<const PointRow> points) {
    RETURN_IF_ERROR(InsertRows(
        db, absl::StrCat("INSERT INTO points (", kPointColumns, ") VALUES "),
        10, points.size(),
        " ON CONFLICT (customer_id, as_of_us) DO UPDATE SET "
        "segment = excluded.segment, score = excluded.score, "
        "band = excluded.band, grade = excluded.grade, "
        "coverage = excluded.coverage, variant = excluded.variant, "
        "scorecard_hash = excluded.scorecard_hash, "
        "recorded_at_us = excluded.recorded_at_us",
        [&](size_t i, std::vector<SqlValue>& params) {
          const PointRow& p = points[i];
          params.emplace_back(p.customer_id);
          params.emplace_back(p.segment);
          params.emplace_back(p.as_of_us);
          params.emplace_back(p.score);
          params.emplace_back(p.band);
          params.emplace_back(p.grade);
          params.emplace_back(p.coverage);
          params.emplace_back(p.variant);
          params.emplace_back(p.scorecard_hash);
          params.emplace_back(p.recorded_at_us);
        }));
    return InsertRows(
        db,
        "INSERT INTO point_details (customer_id, as_of_us, detail, inputs) "
        "VALUES ",
        4, points.size(),
        " ON CONFLICT (customer_id, as_of_us) DO UPDATE SET "
        "detail = excluded.detail, inputs = excluded.inputs",
        [&](size_t i, std::vector<SqlValue>& params) {
          const PointRow& p = points[i];
          params.emplace_back(p.customer_id);
          params.emplace_back(p.as_of_us);
          params.emplace_back(Blob{p.detail});
          params.emplace_back(Blob{p.inputs});
        });
  }

  // The alerts of `points`' customers not yet resolved, and the newest
  // resolved one per (customer, rule).
  absl::Status ReadAlertsOf(SqlConnection& db, std::span<const PointRow> points,
                            std::vector<AlertRow>& unresolved,
                            std::vector<AlertRow>& last_resolved) {
    const std::string qualified = Qualified(kAlertColumns, "a.");
    for (size_t start = 0; start < points.size(); start += kLookupChunk) {
      const size_t n = std::min(kLookupChunk, points.size() - start);
      std::vector<SqlValue> params;
      for (size_t k = 0; k < n; ++k) {
        params.emplace_back(points[start + k].customer_id);
      }
      ASSIGN_OR_RETURN(
          std::vector<SqlRow> rows,
          db.Query(absl::StrCat("SELECT ", qualified, " FROM ", IdValues(1, n),
                                " JOIN alerts a ON a.customer_id = c.column1 "
                                "WHERE a.state <> 3"),
                   params));
      for (const SqlRow& row : rows) unresolved.push_back(ReadAlert(row));
      ASSIGN_OR_RETURN(
          rows,
          db.Query(absl::StrCat(
                       "SELECT ", qualified, " FROM ", IdValues(1, n),
                       " JOIN alerts a ON a.customer_id = c.column1 WHERE "
                       "a.state = 3 AND a.id = (SELECT MAX(b.id) FROM alerts "
                       "b WHERE b.customer_id = a.customer_id AND b.rule_id = "
                       "a.rule_id AND b.state = 3)"),
                   params));
      for (const SqlRow& row : rows) last_resolved.push_back(ReadAlert(row));
    }
    return absl::OkStatus();
  }

  // Opens and closes what an evaluation decided, each with its event.
  absl::Status WriteAlerts(SqlConnection& db, const AlertWrites& writes) {
    for (const AlertRow& a : writes.opened) {
      const SqlValue params[] = {a.customer_id,
                                 a.segment,
                                 a.rule_id,
                                 a.severity,
                                 int64_t{AlertRow::kOpen},
                                 a.opened_as_of_us,
                                 int64_t{0},
                                 std::string(),
                                 std::string(),
                                 std::string(),
                                 a.context,
                                 Blob{a.detail}};
      ASSIGN_OR_RETURN(
          std::vector<SqlRow> rows,
          db.Query("INSERT INTO alerts (customer_id, segment, rule_id, "
                   "severity, state, opened_as_of_us, closed_as_of_us, "
                   "acknowledged_by, resolved_by, note, context, detail) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                   "$12) RETURNING id",
                   params));
      AlertRow opened = a;
      opened.id = rows.empty() ? 0 : AsInt(rows[0][0]);
      opened.state = AlertRow::kOpen;
      RETURN_IF_ERROR(AddEvent(db, opened, AlertEventRow::kOpened, ""));
    }
    for (const AlertRow& a : writes.resolved) {
      AlertRow closed = a;
      closed.state = AlertRow::kResolved;
      RETURN_IF_ERROR(UpdateAlert(db, closed));
      RETURN_IF_ERROR(
          AddEvent(db, closed, AlertEventRow::kResolved, closed.resolved_by));
    }
    return absl::OkStatus();
  }

  static absl::Status UpdateAlert(SqlConnection& db, const AlertRow& a) {
    const SqlValue params[] = {int64_t{a.state},
                               a.closed_as_of_us,
                               a.acknowledged_by,
                               a.resolved_by,
                               a.note,
                               a.id};
    return db.Exec(
        "UPDATE alerts SET state = $1, closed_as_of_us = $2, "
        "acknowledged_by = $3, resolved_by = $4, note = $5 WHERE id = $6",
        params);
  }

  // An event for `a`'s state now. Cursors must become visible in order:
  // SQLite has one writer at a time; on PostgreSQL, transactions that add
  // events take turns (a lock held to their commit), so no smaller cursor
  // can commit after a larger one.
  absl::Status AddEvent(SqlConnection& db, const AlertRow& a, int kind,
                        const std::string& who) {
    if (dialect_ == Dialect::kPostgres) {
      RETURN_IF_ERROR(db.Exec("SELECT pg_advisory_xact_lock(7372843)"));
    }
    const SqlValue params[] = {a.id,
                               int64_t{kind},
                               absl::ToUnixMicros(absl::Now()),
                               int64_t{a.state},
                               a.closed_as_of_us,
                               who,
                               a.note};
    return db.Exec(
        "INSERT INTO alert_events (alert_id, kind, at_us, state, "
        "closed_as_of_us, who, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params);
  }

  absl::Status ReadEarlier(SqlConnection& db, std::span<const PointRow> points,
                           int64_t lookback_us,
                           std::vector<std::vector<ScoreAt>>& earlier) {
    // Points sharing an as_of (a batch) are looked up together.
    std::map<int64_t, std::vector<size_t>> by_as_of;
    for (size_t i = 0; i < points.size(); ++i) {
      by_as_of[points[i].as_of_us].push_back(i);
    }
    for (const auto& [as_of, indices] : by_as_of) {
      absl::flat_hash_map<absl::string_view, size_t> index_of;
      for (size_t i : indices) index_of[points[i].customer_id] = i;
      for (size_t start = 0; start < indices.size(); start += kLookupChunk) {
        const size_t n = std::min(kLookupChunk, indices.size() - start);
        std::vector<SqlValue> params = {as_of - lookback_us, as_of};
        for (size_t k = 0; k < n; ++k) {
          params.emplace_back(points[indices[start + k]].customer_id);
        }
        ASSIGN_OR_RETURN(
            std::vector<SqlRow> rows,
            db.Query(absl::StrCat(
                         // A join against the ids (not `IN (...)`), so that
                         // both planners walk the (customer_id, as_of_us)
                         // key once per customer; PostgreSQL otherwise
                         // scans the whole date range and tests every row
                         // against the list.
                         "SELECT p.customer_id, p.as_of_us, p.score FROM ",
                         IdValues(3, n),
                         " JOIN points p ON p.customer_id = c.column1 "
                         "AND p.as_of_us >= $1 AND p.as_of_us < $2 "
                         "ORDER BY p.customer_id, p.as_of_us DESC"),
                     params));
        for (const SqlRow& row : rows) {
          auto it = index_of.find(AsText(row[0]));
          if (it == index_of.end()) continue;
          earlier[it->second].push_back({AsInt(row[1]), AsDouble(row[2])});
        }
      }
    }
    return absl::OkStatus();
  }

  const std::string description_;
  const Dialect dialect_;
  const Opener opener_;
  const int max_connections_;

  absl::Mutex write_mu_;  // SQLite: the one writer path
  absl::Mutex mu_;
  std::vector<std::unique_ptr<SqlConnection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle or leased
  const OperationTimer timer_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& spec,
                                                 int connections,
                                                 OperationTimer timer) {
  std::unique_ptr<SqlStore> store;
  absl::string_view rest = spec;
  if (absl::ConsumePrefix(&rest, "sqlite:")) {
    if (rest.empty()) {
      return absl::InvalidArgumentError(
          "--store=sqlite: names no file; e.g. "
          "sqlite:build/data/healthscore.db");
    }
    const std::string path(rest);
    store = std::make_unique<SqlStore>(
        absl::StrCat("sqlite:", path), Dialect::kSqlite,
        [path] { return OpenSqlite(path); }, connections, std::move(timer));
  } else if (absl::StartsWith(spec, "postgresql://") ||
             absl::StartsWith(spec, "postgres://")) {
    store = std::make_unique<SqlStore>(
        RedactUri(spec), Dialect::kPostgres,
        [spec] { return OpenPostgres(spec); }, connections, std::move(timer));
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--store=", spec.substr(0, 200),
                     ": expected sqlite:PATH or a PostgreSQL URI "
                     "(postgresql://user@host:port/"
                     "db)"));
  }
  RETURN_IF_ERROR(store->Migrate());
  return store;
}

}  // namespace healthscore::store
