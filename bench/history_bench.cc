// history_bench: prints what score history costs on this machine. 1. ScoreBatch
// customers/s over loopback gRPC with recording off, on into SQLite and on
// into PostgreSQL, in the same run (issue #7's target: recording costs at
// most 30%). 2. GetHistory and ExplainChange latency over loopback gRPC with
// ~10M points in PostgreSQL (targets: p99 under 5 ms and 10 ms), and the same
// on small SQLite and PostgreSQL stores for comparison. It starts its own
// PostgreSQL (tests/store/postgres.sh) in a temp dir and always stops it.
// A program that prints figures, never a test.
//
//   build/bin/history_bench [--seconds=5] [--batch=1000] [--points=10000000]
//       [--customers=200000] [--calls=2000] [--plans] [--keep-tmp]
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "bench/bench_util.h"
#include "clients/cli/csv.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/history.grpc.pb.h"
#include "server/history/point.h"
#include "server/server.h"
#include "server/store/postgres/postgres_connection.h"
#include "server/store/sql.h"
#include "server/store/store.h"
#include "spdlog/spdlog.h"

namespace {

using healthscore::bench::Clock;
using healthscore::bench::Percentile;
using healthscore::bench::Seconds;
namespace v1 = healthscore::v1;
namespace store = healthscore::store;

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;
constexpr int64_t kMicrosPerWeek = 7 * kMicrosPerDay;
// Weeks of as_of one recording store cycles through before it moves on to a
// new set of customer ids (50 years: far more than a run records).
constexpr int kWeeksPerGeneration = 2600;
// The trend lookback of the default scorecard (2 x its longest window, 90
// days) in weeks: recording this many batches first means every measured
// batch reads a full lookback of earlier points, as in production.
constexpr int kLookbackWeeks = 26;
// ExplainChange compares the newest point with the one ~6 months back.
constexpr int64_t kExplainBack = 182 * kMicrosPerDay;
// Rows per bulk INSERT ... SELECT statement.
constexpr int64_t kLoadChunk = 1000000;

// What must be undone however the program ends: the PostgreSQL server it
// started and its temp dir.
struct Cleanup {
  std::mutex mu;
  std::string pg_state;  // non-empty while PostgreSQL runs
  std::string tmp_dir;   // non-empty while it exists
  bool keep_tmp = false;
};
Cleanup& cleanup() {
  static Cleanup* c = new Cleanup;
  return *c;
}

void StopPostgres(const std::string& state) {
  const std::string cmd =
      absl::StrCat("'", HS_POSTGRES_SH, "' stop '", state, "' >/dev/null 2>&1");
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr,
                 "history_bench: stopping PostgreSQL failed; run: %s stop %s\n",
                 HS_POSTGRES_SH, state.c_str());
  }
}

void CleanUp() {
  Cleanup& c = cleanup();
  std::lock_guard<std::mutex> lock(c.mu);
  if (!c.pg_state.empty()) {
    StopPostgres(c.pg_state);
    c.pg_state.clear();
  }
  if (!c.tmp_dir.empty()) {
    if (c.keep_tmp) {
      std::fprintf(stderr, "history_bench: kept %s\n", c.tmp_dir.c_str());
    } else {
      std::error_code ec;
      std::filesystem::remove_all(c.tmp_dir, ec);
    }
    c.tmp_dir.clear();
  }
}

// Exits at once (servers and their threads are not torn down) after the
// clean-up.
[[noreturn]] void Die(const std::string& what) {
  std::fflush(stdout);
  std::fprintf(stderr, "history_bench: %s\n", what.c_str());
  CleanUp();
  std::_Exit(1);
}

template <typename T>
T OrDie(absl::StatusOr<T> value, absl::string_view what) {
  if (!value.ok()) Die(absl::StrCat(what, ": ", value.status().ToString()));
  return *std::move(value);
}
void OrDie(const absl::Status& status, absl::string_view what) {
  if (!status.ok()) Die(absl::StrCat(what, ": ", status.ToString()));
}
void OrDie(const grpc::Status& status, absl::string_view what) {
  if (!status.ok()) {
    Die(absl::StrCat(what, ": gRPC code ", status.error_code(), ": ",
                     status.error_message()));
  }
}

// SIGINT / SIGTERM / SIGHUP: clean up, then exit. Blocked in every thread
// (set before any is started) and taken by one that waits for them.
void HandleSignals() {
  static sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([] {
    int sig = 0;
    sigwait(&set, &sig);
    std::fprintf(stderr, "\nhistory_bench: signal %d: stopping PostgreSQL\n",
                 sig);
    CleanUp();
    std::_Exit(128 + sig);
  }).detach();
}

// This machine's load (other work on its cores skews every figure).
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return absl::StrCat(one, " ", five, " ", fifteen);
}

std::string Fmt(int64_t n) {  // 10000000 -> 10,000,000
  std::string digits = absl::StrCat(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Bytes(double b) {
  if (b >= 1e9) return absl::StrFormat("%.1f GB", b / 1e9);
  if (b >= 1e6) return absl::StrFormat("%.1f MB", b / 1e6);
  if (b >= 1e3) return absl::StrFormat("%.1f KB", b / 1e3);
  return absl::StrFormat("%.0f B", b);
}

const char* Name(v1::Explain e) {
  return e == v1::EXPLAIN_NONE ? "none" : "summary";
}

google::protobuf::Timestamp Micros(int64_t us) {
  return healthscore::history::FromMicros(us);
}

// Starts a server on a loopback port with the default scorecard and the
// built-in plugins, and `store` ("" for none).
std::unique_ptr<healthscore::Server> StartServer(const std::string& store) {
  healthscore::Server::Options options;
  options.listen = "127.0.0.1:0";
  options.config_path = HS_SCORECARD;
  options.plugin_dir = HS_PLUGIN_DIR;
  options.max_batch = 100000;
  options.store = store;
  return OrDie(healthscore::Server::BuildAndStart(options),
               absl::StrCat("starting a server with --store=",
                            store.empty() ? "none" : store));
}

std::shared_ptr<grpc::Channel> Connect(const healthscore::Server& server) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(server.address(),
                                   grpc::InsecureChannelCredentials(), args);
}

// ---------------------------------------------------------------------------
// 1. ScoreBatch with and without recording.

using healthscore::bench::MakeBatch;

// One store's sequence of recorded batches: the same customers a week apart,
// forward in time (so each batch finds the customers' earlier points for
// its trend, as weekly scoring does), every as_of distinct; after
// kWeeksPerGeneration weeks, new customer ids from the first week again.
class RecordedBatches {
 public:
  // Sets `request`'s as_of (and, past the first generation, its ids) for
  // the next batch.
  void Next(v1::ScoreBatchRequest& request) {
    const int generation = count_ / kWeeksPerGeneration;
    const int week = count_ % kWeeksPerGeneration;
    ++count_;
    if (generation > 0) {
      for (int i = 0; i < request.rows_size(); ++i) {
        request.mutable_rows(i)->set_customer_id(
            absl::StrCat("g", generation, "c", i));
      }
    }
    *request.mutable_as_of() =
        Micros(first_us() + int64_t{week} * kMicrosPerWeek);
    request.set_record(true);
  }
  int count() const { return count_; }
  // 2026-11-01 is the last week of a generation.
  static int64_t first_us() {
    const int64_t last = absl::ToUnixMicros(
        absl::FromCivil(absl::CivilDay(2026, 11, 1), absl::UTCTimeZone()));
    return last - int64_t{kWeeksPerGeneration - 1} * kMicrosPerWeek;
  }

 private:
  int count_ = 0;
};

// Batches per second of `call` for about `seconds`, after one warm-up call.
template <typename F>
double Rate(double seconds, F call) {
  call();
  int calls = 0;
  const auto start = Clock::now();
  while (Seconds(Clock::now() - start) < seconds) {
    call();
    ++calls;
  }
  return calls / Seconds(Clock::now() - start);
}

struct Target {
  std::unique_ptr<healthscore::Server> server;
  std::unique_ptr<v1::HealthScoring::Stub> stub;
  std::string label;
  bool record = false;
  RecordedBatches batches;
};

void ThroughputFigures(const healthscore::cli::Portfolio& portfolio, int batch,
                       double seconds, const std::string& sqlite,
                       const std::string& postgres) {
  std::vector<Target> targets(3);
  targets[0].label = "off";
  targets[0].server = StartServer("");
  targets[1].label = "sqlite";
  targets[1].record = true;
  targets[1].server = StartServer(sqlite);
  targets[2].label = "postgresql";
  targets[2].record = true;
  targets[2].server = StartServer(postgres);
  for (Target& t : targets) {
    t.stub = v1::HealthScoring::NewStub(Connect(*t.server));
  }
  auto send = [&](Target& t, v1::ScoreBatchRequest& request) {
    if (t.record) t.batches.Next(request);
    v1::ScoreBatchResponse response;
    grpc::ClientContext context;
    OrDie(t.stub->ScoreBatch(&context, request, &response),
          absl::StrCat("ScoreBatch, record ", t.label));
    if (response.results_size() != request.rows_size()) {
      Die(absl::StrCat("ScoreBatch, record ", t.label, ": ",
                       response.results_size(), " results for ",
                       request.rows_size(), " rows"));
    }
  };
  // Fill each store's trend lookback first (not timed).
  for (Target& t : targets) {
    if (!t.record) continue;
    v1::ScoreBatchRequest request =
        MakeBatch(portfolio, batch, v1::EXPLAIN_NONE);
    for (int i = 0; i < kLookbackWeeks; ++i) send(t, request);
  }

  std::printf(
      "\n1. ScoreBatch over loopback gRPC, one client thread, %d rows a "
      "batch, %.1f s per figure\n"
      "   (recording: one transaction per batch, each batch a week after the "
      "last, after %d weeks recorded first so every batch reads a full trend "
      "lookback)\n",
      batch, seconds, kLookbackWeeks);
  std::printf("  %-8s %-11s %12s %10s   %s\n", "explain", "record",
              "customers/s", "ms/batch", "cost of recording (target <= 30%)");
  for (v1::Explain explain : {v1::EXPLAIN_NONE, v1::EXPLAIN_SUMMARY}) {
    double off_rate = 0;
    for (Target& t : targets) {
      v1::ScoreBatchRequest request = MakeBatch(portfolio, batch, explain);
      const double rate = Rate(seconds, [&] { send(t, request); });
      std::string cost;
      if (!t.record) {
        off_rate = rate;
      } else {
        const double pct = 100 * (1 - rate / off_rate);
        cost = absl::StrFormat("%5.1f%%  (target <= 30%%: %s)", pct,
                               pct <= 30 ? "met" : "NOT met");
      }
      std::printf("  %-8s %-11s %12.0f %10.2f   %s\n", Name(explain),
                  t.label.c_str(), rate * batch, 1e3 / rate, cost.c_str());
      std::fflush(stdout);
    }
  }
  // Recording scores at explain FULL (the point keeps every rule), then
  // trims the response: the floor of what recording can cost.
  {
    v1::ScoreBatchRequest request =
        MakeBatch(portfolio, batch, v1::EXPLAIN_FULL);
    const double rate = Rate(seconds, [&] { send(targets[0], request); });
    std::printf(
        "  %-8s %-11s %12.0f %10.2f   (reference: recording scores at full)\n",
        "full", "off", rate * batch, 1e3 / rate);
  }
  for (Target& t : targets) {
    if (t.record) {
      std::printf("  %s: %s batches recorded (%s points)\n", t.label.c_str(),
                  Fmt(t.batches.count()).c_str(),
                  Fmt(int64_t{t.batches.count()} * batch).c_str());
    }
  }
  for (Target& t : targets) t.server->Shutdown();
}

// ---------------------------------------------------------------------------
// 2. GetHistory and ExplainChange latency.

// Records the sample timeline (1,000 customers x 52 weeks) through the API,
// one batch per as_of; returns the seconds it took.
double RecordTimeline(const healthscore::cli::Portfolio& timeline,
                      v1::HealthScoring::Stub& stub) {
  std::map<absl::Time, std::vector<size_t>> by_as_of;
  for (size_t i = 0; i < timeline.rows.size(); ++i) {
    by_as_of[timeline.as_of[i]].push_back(i);
  }
  const auto start = Clock::now();
  for (const auto& [as_of, rows] : by_as_of) {
    v1::ScoreBatchRequest request;
    for (const auto& name : timeline.signal_names) {
      request.add_signal_names(name);
    }
    for (size_t i : rows) *request.add_rows() = timeline.rows[i];
    *request.mutable_as_of() = Micros(absl::ToUnixMicros(as_of));
    request.set_record(true);
    request.set_explain(v1::EXPLAIN_NONE);
    v1::ScoreBatchResponse response;
    grpc::ClientContext context;
    OrDie(stub.ScoreBatch(&context, request, &response),
          "recording the sample timeline");
  }
  return Seconds(Clock::now() - start);
}

// A customer to query: its newest point and the one ExplainChange starts
// from.
struct QueryCustomer {
  std::string id;
  int64_t newest_us = 0;
  int64_t from_us = 0;
};

// The timeline's customers that have a point at or before their newest
// minus ~6 months (ExplainChange needs one), read through the store.
std::vector<QueryCustomer> QueryCustomers(
    const healthscore::cli::Portfolio& timeline, store::Store& s) {
  std::vector<std::string> ids;
  for (const v1::Row& row : timeline.rows) ids.push_back(row.customer_id());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<QueryCustomer> out;
  for (const std::string& id : ids) {
    const std::vector<store::PointRow> points =
        OrDie(s.Timeline(id, 0, INT64_MAX / 2, 1000, store::Detail::kNone),
              "reading a timeline");
    if (points.size() < 2) continue;
    const int64_t newest = points.front().as_of_us;
    if (points.back().as_of_us > newest - kExplainBack) continue;
    out.push_back({id, newest, newest - kExplainBack});
  }
  if (out.empty()) Die("no customer of the timeline can be queried");
  return out;
}

// Sorted latencies, in milliseconds, of `count` sequential calls after a
// warm-up.
template <typename F>
std::vector<double> Latencies(int count, F call) {
  return healthscore::bench::Latencies(count, call, 1e3, std::min(count, 200));
}

// Prints one line; returns whether p99 met `target_ms` (<= 0: no target).
bool Report(const char* what, const std::vector<double>& ms, double target_ms) {
  const double p99 = Percentile(ms, 0.99);
  std::string target;
  if (target_ms > 0) {
    target = absl::StrFormat("  (target p99 < %g ms: %s)", target_ms,
                             p99 < target_ms ? "met" : "NOT met");
  }
  std::printf("  %-34s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms%s\n", what,
              Percentile(ms, 0.50), p99, ms.back(), target.c_str());
  std::fflush(stdout);
  return target_ms <= 0 || p99 < target_ms;
}

// GetHistory (default page size and 52) and ExplainChange on random
// customers of `customers`; the targets apply when `targets`. Returns
// whether every target was met.
bool QueryFigures(const healthscore::Server& server,
                  const std::vector<QueryCustomer>& customers, int calls,
                  bool targets) {
  auto history = v1::History::NewStub(Connect(server));
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<size_t> pick(0, customers.size() - 1);
  bool met = true;
  size_t points_seen = 0, requests = 0;
  for (int page_size : {0, 52}) {
    const std::string label =
        page_size == 0 ? "GetHistory, default page size (100)"
                       : absl::StrCat("GetHistory, page_size ", page_size);
    met &= Report(
        label.c_str(),
        Latencies(calls,
                  [&] {
                    const QueryCustomer& c = customers[pick(rng)];
                    v1::GetHistoryRequest request;
                    request.set_customer_id(c.id);
                    request.set_page_size(page_size);
                    v1::GetHistoryResponse response;
                    grpc::ClientContext context;
                    OrDie(history->GetHistory(&context, request, &response),
                          absl::StrCat("GetHistory ", c.id));
                    points_seen += response.points_size();
                    ++requests;
                  }),
        targets ? 5 : 0);
  }
  // The store's part of GetHistory: its timeline query with detail, in
  // process (no gRPC, no parsing).
  Report("(store only: Timeline, 101 rows)",
         Latencies(calls,
                   [&] {
                     const QueryCustomer& c = customers[pick(rng)];
                     OrDie(server.store()->Timeline(c.id, 0, INT64_MAX / 2, 101,
                                                    store::Detail::kPoint),
                           "Timeline");
                   }),
         0);
  size_t signals_seen = 0, explains = 0;
  met &= Report(
      "ExplainChange, ~6 months to newest",
      Latencies(calls,
                [&] {
                  const QueryCustomer& c = customers[pick(rng)];
                  v1::ExplainChangeRequest request;
                  request.set_customer_id(c.id);
                  *request.mutable_from() = Micros(c.from_us);
                  v1::ExplainChangeResponse response;
                  grpc::ClientContext context;
                  OrDie(history->ExplainChange(&context, request, &response),
                        absl::StrCat("ExplainChange ", c.id));
                  signals_seen += response.signals_size();
                  ++explains;
                }),
      targets ? 10 : 0);
  std::printf(
      "  (%zu customers queried at random; %.1f points per GetHistory page, "
      "%.1f changed signals per ExplainChange)\n",
      customers.size(), static_cast<double>(points_seen) / requests,
      static_cast<double>(signals_seen) / explains);
  return met;
}

std::unique_ptr<store::SqlConnection> Postgres(const std::string& uri) {
  return OrDie(store::OpenPostgres(uri), "connecting to PostgreSQL");
}

int64_t QueryInt(store::SqlConnection& db, const std::string& sql) {
  const std::vector<store::SqlRow> rows = OrDie(db.Query(sql), sql);
  if (rows.empty() || rows[0].empty()) Die(sql + ": no row");
  return store::AsInt(rows[0][0]);
}

double QueryDouble(store::SqlConnection& db, const std::string& sql) {
  const std::vector<store::SqlRow> rows = OrDie(db.Query(sql), sql);
  if (rows.empty() || rows[0].empty()) Die(sql + ": no row");
  return store::AsDouble(rows[0][0]);
}

// EXPLAIN (ANALYZE, BUFFERS) of the store's timeline query (as GetHistory
// runs it) and of the point-at-or-before query (as ExplainChange runs it).
void PrintPlans(store::SqlConnection& db, const QueryCustomer& c) {
  const std::string columns =
      "p.customer_id, p.segment, p.as_of_us, p.score, p.band, p.grade, "
      "p.coverage, p.variant, p.scorecard_hash, p.recorded_at_us, d.detail";
  const std::string from =
      " FROM points p JOIN point_details d ON d.customer_id = p.customer_id "
      "AND d.as_of_us = p.as_of_us WHERE p.customer_id = $1 AND p.as_of_us "
      ">= 0 AND p.as_of_us <= ";
  const std::string queries[] = {
      absl::StrCat("SELECT ", columns, from,
                   "$2 ORDER BY p.as_of_us DESC LIMIT 101"),
      absl::StrCat("SELECT ", columns, from,
                   "$3 ORDER BY p.as_of_us DESC LIMIT 1"),
  };
  for (const std::string& q : queries) {
    const store::SqlValue params[] = {c.id, INT64_MAX / 2, c.from_us};
    std::span<const store::SqlValue> used(params,
                                          q.find("$3") != q.npos ? 3 : 2);
    const std::vector<store::SqlRow> rows =
        OrDie(db.Query(absl::StrCat("EXPLAIN (ANALYZE, BUFFERS) ", q), used),
              "EXPLAIN");
    std::printf("  EXPLAIN ANALYZE (customer %s): %s\n", c.id.c_str(),
                q.c_str());
    for (const store::SqlRow& row : rows) {
      std::printf("    %s\n", store::AsText(row[0]).c_str());
    }
  }
}

// A small valid HistoryPoint: the filler's detail when the real one would
// take too much disk.
std::string SmallPoint() {
  v1::HistoryPoint p;
  p.set_customer_id("filler");
  p.set_segment("smb");
  p.set_score(62.5);
  p.set_band("yellow");
  p.set_grade("C");
  p.set_coverage(1);
  v1::DimensionPoint* d = p.add_dimensions();
  d->set_name("product_adoption");
  d->set_status(v1::DIMENSION_STATUS_OK);
  d->set_score(62.5);
  d->set_weight(1);
  d->set_effective_weight(1);
  d->set_contribution(62.5);
  return p.SerializeAsString();
}

struct LoadOptions {
  int64_t points = 0;
  int64_t customers = 0;
  std::string tmp_dir;
};

// Bulk-fills `uri`'s points table up to `points` rows with filler customers
// (f0000000, ...; weekly points ending 2026-11-29), by INSERT ... SELECT
// from generate_series inside PostgreSQL, with `real`'s columns and (disk
// permitting) its detail bytes. The date index is dropped for the load and
// built again after it; then VACUUM ANALYZE.
void BulkFill(const std::string& uri, const LoadOptions& load,
              int64_t real_customers, const store::PointRow& real) {
  auto db = Postgres(uri);
  const int64_t have = QueryInt(*db, "SELECT count(*) FROM points");
  const int64_t rows = load.points - have;
  const int64_t filler_customers = load.customers - real_customers;
  if (rows <= 0) {
    std::printf("  --points=%s: the store has %s already; no bulk load\n",
                Fmt(load.points).c_str(), Fmt(have).c_str());
    return;
  }
  if (filler_customers < 1) {
    Die(absl::StrCat("--customers=", load.customers,
                     " leaves no customer for the bulk load (", real_customers,
                     " have real timelines); raise it"));
  }
  const int64_t per = (rows + filler_customers - 1) / filler_customers;

  struct statvfs fs;
  if (statvfs(load.tmp_dir.c_str(), &fs) != 0) Die("statvfs " + load.tmp_dir);
  const double free_bytes = static_cast<double>(fs.f_bavail) * fs.f_frsize;
  std::string detail = real.detail;
  std::string inputs = real.inputs;
  const size_t real_size = real.detail.size() + real.inputs.size();
  const double real_bytes = static_cast<double>(rows) * real_size;
  const double mean_detail = QueryDouble(
      *db,
      "SELECT avg(length(detail) + length(inputs))::float8 FROM point_details");
  std::printf(
      "  real points' detail and inputs: %.0f bytes on average; the filler's "
      "source point: %zu bytes; %s filler rows x that = %s (free disk %s)\n",
      mean_detail, real_size, Fmt(rows).c_str(), Bytes(real_bytes).c_str(),
      Bytes(free_bytes).c_str());
  if (real_bytes > 0.4 * free_bytes) {
    detail = SmallPoint();
    inputs.clear();
    std::printf(
        "  that is over 40%% of the free disk: filler rows get a small valid "
        "HistoryPoint (%zu bytes) as detail instead; the queried customers' "
        "points are real\n",
        detail.size());
  } else {
    std::printf("  filler rows get that real point's detail bytes\n");
  }
  std::printf(
      "  bulk load: %s filler customers x %s weekly points (the last short), "
      "INSERT ... SELECT generate_series in chunks of %s rows\n",
      Fmt(filler_customers).c_str(), Fmt(per).c_str(), Fmt(kLoadChunk).c_str());
  std::fflush(stdout);

  int width = 1;
  for (int64_t n = filler_customers; n >= 10; n /= 10) ++width;
  const int64_t last_us = absl::ToUnixMicros(
      absl::FromCivil(absl::CivilDay(2026, 11, 29), absl::UTCTimeZone()));
  // The scores, then the details of the same keys (the store's two tables).
  const std::string insert = absl::StrCat(
      "INSERT INTO points (customer_id, segment, as_of_us, score, band, "
      "grade, coverage, variant, scorecard_hash, recorded_at_us) "
      "SELECT 'f' || lpad((g / $1)::text, ",
      width, ", '0'), $2, $3 - ($1 - 1 - g % $1) * ", kMicrosPerWeek,
      ", $4, $5, $6, $7, $8, $9, $10 "
      "FROM generate_series($11::bigint, $12::bigint) AS g");
  const std::string insert_details = absl::StrCat(
      "INSERT INTO point_details (customer_id, as_of_us, detail, inputs) "
      "SELECT 'f' || lpad((g / $1)::text, ",
      width, ", '0'), $2 - ($1 - 1 - g % $1) * ", kMicrosPerWeek,
      ", $3, $4 FROM generate_series($5::bigint, $6::bigint) AS g");
  const auto start = Clock::now();
  OrDie(db->Exec("DROP INDEX IF EXISTS points_by_date"), "dropping the index");
  for (int64_t first = 0; first < rows; first += kLoadChunk) {
    const int64_t last = std::min(rows, first + kLoadChunk) - 1;
    const store::SqlValue params[] = {per,
                                      real.segment,
                                      last_us,
                                      real.score,
                                      real.band,
                                      real.grade,
                                      real.coverage,
                                      real.variant,
                                      real.scorecard_hash,
                                      real.recorded_at_us,
                                      first,
                                      last};
    OrDie(db->Exec(insert, params), "bulk INSERT ... SELECT");
    const store::SqlValue detail_params[] = {
        per, last_us, store::Blob{detail}, store::Blob{inputs}, first, last};
    OrDie(db->Exec(insert_details, detail_params),
          "bulk INSERT ... SELECT (details)");
    std::fprintf(stderr, "\r  loaded %s / %s rows (%.0f s)   ",
                 Fmt(last + 1).c_str(), Fmt(rows).c_str(),
                 Seconds(Clock::now() - start));
  }
  std::fprintf(stderr, "\n");
  const double insert_s = Seconds(Clock::now() - start);
  OrDie(db->Exec("SET maintenance_work_mem = '512MB'"), "SET");
  OrDie(db->Exec("CREATE INDEX points_by_date ON points (as_of_us)"),
        "building the date index");
  const double index_s = Seconds(Clock::now() - start) - insert_s;
  OrDie(db->Exec("VACUUM ANALYZE points"), "VACUUM ANALYZE");
  OrDie(db->Exec("VACUUM ANALYZE point_details"), "VACUUM ANALYZE");
  const double total_s = Seconds(Clock::now() - start);
  std::printf(
      "  load took %.1f s: INSERT %.1f s (%.0f rows/s), CREATE INDEX "
      "points_by_date %.1f s, VACUUM ANALYZE %.1f s\n",
      total_s, insert_s, rows / insert_s, index_s,
      total_s - insert_s - index_s);
}

void PrintStoreSize(store::SqlConnection& db) {
  std::printf(
      "  points: %s; the points table %s; with point_details, TOAST and "
      "indexes %s\n",
      Fmt(QueryInt(db, "SELECT count(*) FROM points")).c_str(),
      Bytes(QueryInt(db, "SELECT pg_relation_size('points')")).c_str(),
      Bytes(QueryInt(db,
                     "SELECT pg_total_relation_size('points') + "
                     "pg_total_relation_size('point_details')"))
          .c_str());
}

// PostgreSQL URI `uri` with its database replaced by `name`.
std::string WithDatabase(const std::string& uri, const std::string& name) {
  const size_t slash = uri.rfind('/');
  if (slash == std::string::npos || slash < 12) Die("odd URI " + uri);
  return uri.substr(0, slash + 1) + name;
}

void LatencyFigures(const healthscore::cli::Portfolio& timeline,
                    const LoadOptions& load, int calls, bool plans,
                    const std::string& pg_uri, const std::string& sqlite) {
  std::printf(
      "\n2. History latency over loopback gRPC, one client thread, %s calls "
      "per figure on customers with a real 52-week timeline (the sample "
      "timeline, recorded through the API)\n",
      Fmt(calls).c_str());

  // SQLite, small: just the timeline.
  {
    auto server = StartServer(sqlite);
    auto stub = v1::HealthScoring::NewStub(Connect(*server));
    const double s = RecordTimeline(timeline, *stub);
    std::printf(
        "\n  SQLite, the timeline only: %s rows recorded through the API in "
        "%.1f s\n",
        Fmt(timeline.rows.size()).c_str(), s);
    const auto customers = QueryCustomers(timeline, *server->store());
    QueryFigures(*server, customers, calls, false);
    server->Shutdown();
  }

  // PostgreSQL: the timeline, then a bulk load up to --points.
  const std::string uri = WithDatabase(pg_uri, "history_bench");
  OrDie(Postgres(pg_uri)->Exec("CREATE DATABASE history_bench"),
        "CREATE DATABASE history_bench");
  auto server = StartServer(uri);
  auto stub = v1::HealthScoring::NewStub(Connect(*server));
  const double s = RecordTimeline(timeline, *stub);
  std::printf(
      "\n  PostgreSQL, the timeline only: %s rows recorded through the API in "
      "%.1f s\n",
      Fmt(timeline.rows.size()).c_str(), s);
  const auto customers = QueryCustomers(timeline, *server->store());
  auto db = Postgres(uri);
  OrDie(db->Exec("VACUUM ANALYZE points"), "VACUUM ANALYZE");
  OrDie(db->Exec("VACUUM ANALYZE point_details"), "VACUUM ANALYZE");
  PrintStoreSize(*db);
  QueryFigures(*server, customers, calls, false);

  std::printf("\n  PostgreSQL, bulk-loaded to --points=%s:\n",
              Fmt(load.points).c_str());
  std::fflush(stdout);
  const std::vector<store::PointRow> real =
      OrDie(server->store()->Timeline(customers[0].id, 0, INT64_MAX / 2, 1,
                                      store::Detail::kPointAndInputs),
            "reading a real point");
  std::vector<std::string> ids;
  for (const v1::Row& row : timeline.rows) ids.push_back(row.customer_id());
  std::sort(ids.begin(), ids.end());
  const int64_t real_customers =
      std::unique(ids.begin(), ids.end()) - ids.begin();
  BulkFill(uri, load, real_customers, real.at(0));
  PrintStoreSize(*db);
  const bool met = QueryFigures(*server, customers, calls, true);
  if (plans || !met) PrintPlans(*db, customers[0]);
  server->Shutdown();
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5;
  int batch = 1000;
  int64_t points = 10000000;
  int64_t customers = 200000;
  int calls = 2000;
  bool plans = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* flag) -> const char* {
      const size_t n = std::strlen(flag);
      return arg.compare(0, n, flag) == 0 ? arg.c_str() + n : nullptr;
    };
    if (const char* v = value("--seconds=")) {
      seconds = std::atof(v);
    } else if (const char* v = value("--batch=")) {
      batch = std::atoi(v);
    } else if (const char* v = value("--points=")) {
      points = std::atoll(v);
    } else if (const char* v = value("--customers=")) {
      customers = std::atoll(v);
    } else if (const char* v = value("--calls=")) {
      calls = std::atoi(v);
    } else if (arg == "--plans") {
      plans = true;
    } else if (arg == "--keep-tmp") {
      cleanup().keep_tmp = true;
    } else {
      std::fprintf(stderr,
                   "history_bench: unknown argument %s; usage: history_bench "
                   "[--seconds=5] [--batch=1000] [--points=10000000] "
                   "[--customers=200000] [--calls=2000] [--plans] "
                   "[--keep-tmp]\n",
                   arg.c_str());
      return 2;
    }
  }
  if (seconds <= 0 || batch < 1 || batch > 100000 || points < 0 ||
      points > 1000000000 || customers < 1 || calls < 1) {
    std::fprintf(stderr,
                 "history_bench: --seconds must be > 0, --batch in 1..100000, "
                 "--points in 0..1e9, --customers and --calls >= 1\n");
    return 2;
  }
  const auto run_start = Clock::now();
  HandleSignals();
  spdlog::set_level(spdlog::level::warn);

  const auto portfolio =
      OrDie(healthscore::cli::ReadPortfolioCsv(HS_SAMPLE_CSV), "sample");
  const auto timeline =
      OrDie(healthscore::cli::ReadPortfolioCsv(
                HS_SAMPLE_TIMELINE, healthscore::cli::PortfolioKind::kTimeline),
            "sample timeline");

  char tmp_template[] = "/tmp/history_bench.XXXXXX";
  if (mkdtemp(tmp_template) == nullptr) Die("mkdtemp failed");
  const std::string tmp = tmp_template;
  {
    std::lock_guard<std::mutex> lock(cleanup().mu);
    cleanup().tmp_dir = tmp;
  }
  // The postgres user (postgres.sh runs the server as it) must reach its
  // state dir inside.
  chmod(tmp.c_str(), 0755);

  const std::string pg_state = tmp + "/postgres";
  {
    std::lock_guard<std::mutex> lock(cleanup().mu);
    cleanup().pg_state = pg_state;  // stopped even if starting fails half-way
  }
  const auto pg_start = Clock::now();
  const std::string start_cmd =
      absl::StrCat("'", HS_POSTGRES_SH, "' start '", pg_state, "' >'", tmp,
                   "/postgres.log' 2>&1");
  if (std::system(start_cmd.c_str()) != 0) {
    std::ifstream log(tmp + "/postgres.log");
    std::stringstream text;
    text << log.rdbuf();
    Die("starting PostgreSQL with " HS_POSTGRES_SH " failed:\n" + text.str());
  }
  std::string pg_uri;
  {
    std::ifstream in(pg_state + "/uri");
    std::getline(in, pg_uri);
  }
  if (pg_uri.empty()) Die("postgres.sh wrote no URI in " + pg_state + "/uri");
  const std::string pg_version =
      store::AsText(OrDie(Postgres(pg_uri)->Query("SHOW server_version"),
                          "SHOW server_version")
                        .at(0)
                        .at(0));

  std::printf(
      "machine: %u hardware threads; sample: %zu customers, %zu signals; "
      "timeline: %zu points; PostgreSQL %s (started in %.1f s, %s), SQLite "
      "files in %s; load average %s\n",
      std::thread::hardware_concurrency(), portfolio.rows.size(),
      portfolio.signal_names.size(), timeline.rows.size(), pg_version.c_str(),
      Seconds(Clock::now() - pg_start), pg_uri.c_str(), tmp.c_str(),
      LoadAverage().c_str());
  std::fflush(stdout);

  ThroughputFigures(portfolio, batch, seconds, "sqlite:" + tmp + "/record.db",
                    pg_uri);
  LatencyFigures(timeline, {points, customers, tmp}, calls, plans, pg_uri,
                 "sqlite:" + tmp + "/timeline.db");

  CleanUp();
  std::printf("\ntotal run time %.0f s; load average %s\n",
              Seconds(Clock::now() - run_start), LoadAverage().c_str());
  return 0;
}
