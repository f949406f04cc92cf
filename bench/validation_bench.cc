// Backtest figures (issue #9): how long Validation.Backtest takes over about
// 1,000,000 recorded points (the sample timeline's 1,000 customers x 52
// weeks, copied 21 times under new ids, with their outcomes) in SQLite, end
// to end over gRPC, and the same replay's phases called directly: reading
// and labelling the points, scoring them on every core, the figures.
//
//   build/bin/validation_bench [--copies N]
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/bench_util.h"
#include "clients/cli/csv.h"
#include "clients/cli/validation_commands.h"
#include "healthscore/v1/validation.grpc.pb.h"
#include "server/history/point.h"
#include "server/server.h"
#include "server/validation/backtest.h"
#include "spdlog/spdlog.h"

namespace {

using healthscore::bench::Clock;
using healthscore::bench::Seconds;

template <typename T>
T OrDie(absl::StatusOr<T> v, const std::string& what) {
  if (!v.ok()) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(),
                 std::string(v.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(v);
}

void OrDie(const absl::Status& s, const std::string& what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(),
                 std::string(s.message()).c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int copies = 21;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--copies") copies = std::atoi(argv[i + 1]);
  }
  spdlog::set_level(spdlog::level::warn);
  const auto timeline =
      OrDie(healthscore::cli::ReadPortfolioCsv(
                HS_SAMPLE_TIMELINE, healthscore::cli::PortfolioKind::kTimeline),
            "reading the sample timeline");
  const std::string outcomes_text =
      OrDie(healthscore::cli::ReadFile(HS_SAMPLE_OUTCOMES), "outcomes");
  const auto outcomes = OrDie(
      healthscore::cli::ParseOutcomesCsv(outcomes_text, HS_SAMPLE_OUTCOMES),
      "parsing the sample outcomes");

  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      absl::StrCat("hs-validation-bench-", getpid());
  std::filesystem::create_directories(dir);
  healthscore::Server::Options options;
  options.listen = "127.0.0.1:0";
  options.config_path = HS_SCORECARD;
  options.plugin_dir = HS_PLUGIN_DIR;
  options.store = "sqlite:" + (dir / "bench.db").string();
  auto server = OrDie(healthscore::Server::BuildAndStart(options), "server");
  healthscore::store::Store& store = *server->store();

  // The points, written straight into the store (the replay reads inputs,
  // segment and as_of; what was recorded as the score does not matter).
  const healthscore::history::SignalSet set =
      healthscore::history::MakeSignalSet(timeline.signal_names);
  OrDie(store.PutSignalSet(set.id, set.names_blob), "signal set");
  const auto fill_start = Clock::now();
  std::vector<healthscore::store::PointRow> rows;
  int64_t points = 0;
  for (int copy = 0; copy < copies; ++copy) {
    for (size_t i = 0; i < timeline.rows.size(); ++i) {
      const healthscore::v1::Row& row = timeline.rows[i];
      healthscore::store::PointRow p;
      p.customer_id = absl::StrCat(row.customer_id(), "-", copy);
      p.segment = row.segment();
      p.as_of_us = absl::ToUnixMicros(timeline.as_of[i]);
      p.variant = "default";
      p.inputs = healthscore::history::EncodeInputs(
          set.id,
          {row.values().data(), static_cast<size_t>(row.values_size())});
      rows.push_back(std::move(p));
      if (rows.size() == 20000) {
        OrDie(store.Record(rows, 0, nullptr).status(), "recording");
        points += rows.size();
        rows.clear();
      }
    }
  }
  if (!rows.empty()) {
    OrDie(store.Record(rows, 0, nullptr).status(), "recording");
    points += rows.size();
  }
  std::vector<healthscore::store::OutcomeRow> outcome_rows;
  for (int copy = 0; copy < copies; ++copy) {
    for (const auto& o : outcomes) {
      outcome_rows.push_back({absl::StrCat(o.customer_id(), "-", copy),
                              healthscore::history::ToMicros(o.date()),
                              static_cast<int>(o.kind()), o.value()});
    }
  }
  OrDie(store.PutOutcomes(outcome_rows), "outcomes");
  std::printf(
      "validation_bench: %lld points of %d customers in %s (filled "
      "in %.0f s)\n",
      static_cast<long long>(points), copies * 1000,
      store.description().c_str(), Seconds(Clock::now() - fill_start));

  // End to end: the RPC, as `healthscore backtest` calls it.
  auto channel = grpc::CreateChannel(server->address(),
                                     grpc::InsecureChannelCredentials());
  auto stub = healthscore::v1::Validation::NewStub(channel);
  healthscore::v1::BacktestRequest request;
  request.set_horizon_days(90);
  for (int run = 0; run < 2; ++run) {
    grpc::ClientContext context;
    healthscore::v1::BacktestResponse response;
    const auto start = Clock::now();
    const grpc::Status status = stub->Backtest(&context, request, &response);
    const double seconds = Seconds(Clock::now() - start);
    if (!status.ok()) {
      std::fprintf(stderr, "Backtest: %s\n", status.error_message().c_str());
      return 1;
    }
    std::printf(
        "Backtest RPC, run %d: %.2f s for %lld labelled points (%lld "
        "censored), AUC %.3f (target: under 10 s)\n",
        run + 1, seconds, static_cast<long long>(response.active().points()),
        static_cast<long long>(response.active().censored_points()),
        response.active().metrics().auc_roc());
  }

  // The phases.
  healthscore::validation::BacktestOptions backtest;
  backtest.horizon_days = 90;
  auto start = Clock::now();
  const auto dataset =
      OrDie(healthscore::validation::Dataset::Load(store, backtest), "load");
  const double load = Seconds(Clock::now() - start);
  start = Clock::now();
  const auto snapshot = server->snapshot();
  const auto scores =
      OrDie(healthscore::validation::ScoreDataset(*snapshot, dataset), "score");
  const double score = Seconds(Clock::now() - start);
  start = Clock::now();
  const auto result = OrDie(
      healthscore::validation::Evaluate(*snapshot, dataset, scores, {}, true),
      "evaluate");
  const double evaluate = Seconds(Clock::now() - start);
  std::printf(
      "phases: read + label %.2f s, score %.2f s (%.0f points/s on %u "
      "threads), figures %.2f s\n",
      load, score, dataset.points().size() / score,
      std::max(1u, std::thread::hardware_concurrency()), evaluate);
  server->Shutdown(absl::Seconds(1));
  server.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
