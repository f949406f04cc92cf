// isolation_bench: prints what process isolation costs (issue #12): the
// default scorecard scored in process (validation + engine + plugins, no
// gRPC), then with every dimension under `isolation: process`, with a pool
// of one child per hardware thread (the default) and with one child per
// instance (calls serialized), in customers/s, and the ratios. A program that
// prints figures, never a test.
//
//   build/bin/isolation_bench [--seconds=2]
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "bench/bench_util.h"
#include "clients/cli/csv.h"
#include "server/config/scorecard.h"
#include "server/engine/snapshot.h"
#include "server/engine/snapshot_holder.h"
#include "server/history/recorder.h"
#include "server/registry/registry.h"
#include "server/service/scoring_service.h"
#include "spdlog/spdlog.h"

namespace {

using healthscore::bench::Clock;
using healthscore::bench::Seconds;
namespace v1 = healthscore::v1;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "isolation_bench: %s\n", what.c_str());
  std::exit(1);
}

// Calls per second of `call`, after one warm-up call.
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

struct Figures {
  double batch_none = 0;  // customers/s, 1,000-customer batches
  double batch_full = 0;
  double single = 0;  // Score calls/s
};

// The default scorecard, every dimension under `isolation`, scored the way
// score_bench's in-process figures are.
Figures Measure(const healthscore::cli::Portfolio& portfolio,
                healthscore::Isolation isolation, double seconds) {
  healthscore::Registry registry;
  if (auto r = registry.LoadDirectory(HS_PLUGIN_DIR); !r.ok()) {
    Die(std::string(r.status().message()));
  }
  auto spec = healthscore::LoadScorecardFile(HS_SCORECARD);
  if (!spec.ok()) Die(std::string(spec.status().message()));
  // What `isolation: process` on each dimension parses to.
  for (healthscore::DimensionSpec& d : spec->dimensions)
    d.isolation = isolation;
  auto snapshot = healthscore::Snapshot::Build(*spec, registry);
  if (!snapshot.ok()) Die(std::string(snapshot.status().message()));
  healthscore::SnapshotHolder holder;
  holder.Swap(*snapshot);
  healthscore::history::Recorder no_history(nullptr, {});
  healthscore::ScoringService service(&holder, &registry, &no_history,
                                      {100000});

  Figures f;
  for (v1::Explain explain : {v1::EXPLAIN_NONE, v1::EXPLAIN_FULL}) {
    const int batch = 1000;
    const v1::ScoreBatchRequest request =
        healthscore::bench::MakeBatch(portfolio, batch, explain);
    // A figure for failed rows would flatter isolation: check one first.
    v1::ScoreBatchResponse check;
    if (!service.DoScoreBatch(request, check).ok()) Die("batch failed");
    for (const v1::CustomerResult& r : check.results()) {
      for (const v1::DimensionResult& d : r.score().dimensions()) {
        if (d.status() == v1::DIMENSION_STATUS_FAILED) {
          Die("a dimension FAILED: " + d.status_reason());
        }
      }
    }
    const double rate = Rate(seconds, [&] {
      google::protobuf::Arena arena;
      auto* response =
          google::protobuf::Arena::CreateMessage<v1::ScoreBatchResponse>(
              &arena);
      if (!service.DoScoreBatch(request, *response).ok()) Die("batch failed");
    });
    (explain == v1::EXPLAIN_NONE ? f.batch_none : f.batch_full) = rate * batch;
  }
  v1::ScoreRequest score;
  score.mutable_customer()->set_customer_id("bench");
  for (int i = 0; i < portfolio.rows[0].values_size(); ++i) {
    const double v = portfolio.rows[0].values(i);
    if (!std::isnan(v)) {
      (*score.mutable_customer()
            ->mutable_signals())[portfolio.signal_names[i]] = v;
    }
  }
  score.set_explain(v1::EXPLAIN_SUMMARY);
  f.single = Rate(seconds, [&] {
    google::protobuf::Arena arena;
    auto* response =
        google::protobuf::Arena::CreateMessage<v1::ScoreResponse>(&arena);
    if (!service.DoScore(score, *response).ok()) Die("Score failed");
  });
  return f;
}

void Print(const char* what, const Figures& f, const Figures& base) {
  std::printf("  %-34s %10.0f %10.0f %10.0f   x%.2f / x%.2f / x%.2f\n", what,
              f.batch_none, f.batch_full, f.single,
              f.batch_none / base.batch_none, f.batch_full / base.batch_full,
              f.single / base.single);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--seconds=", 0) == 0) {
      seconds = std::atof(arg.c_str() + 10);
    } else {
      Die("unknown argument " + arg + "; usage: isolation_bench [--seconds=S]");
    }
  }
  if (seconds <= 0) Die("--seconds must be > 0");
  spdlog::set_level(spdlog::level::warn);
  auto portfolio = healthscore::cli::ReadPortfolioCsv(HS_SAMPLE_CSV);
  if (!portfolio.ok()) Die(std::string(portfolio.status().message()));
  std::printf(
      "machine: %u hardware threads; scorecards/default.yaml; %.1f s per "
      "figure\n\n",
      std::thread::hardware_concurrency(), seconds);
  std::printf("  %-34s %10s %10s %10s   ratio to in process\n", "",
              "batch none", "batch full", "Score/s");
  std::printf("  %-34s %10s %10s %10s\n", "", "cust/s", "cust/s", "calls/s");

  const Figures in_process =
      Measure(*portfolio, healthscore::Isolation::kInProcess, seconds);
  Print("in process", in_process, in_process);
  unsetenv("HEALTHSCORE_PLUGIN_PROCESSES");
  Print("isolation: process (pool)",
        Measure(*portfolio, healthscore::Isolation::kProcess, seconds),
        in_process);
  setenv("HEALTHSCORE_PLUGIN_PROCESSES", "1", 1);
  Print("isolation: process (1 child each)",
        Measure(*portfolio, healthscore::Isolation::kProcess, seconds),
        in_process);
  return 0;
}
