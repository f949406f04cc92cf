// alerts_bench: prints what alerts cost on this machine (issue #8's figures).
// 1. From a recorded point to its alert on a WatchAlerts stream: p50 / p99
//    over loopback gRPC, SQLite store (target: p99 under 100 ms).
// 2. ScoreBatch customers/s with recording, the default scorecard with its
//    alert rules against the same scorecard without them, in the same run.
// A program that prints figures, never a test.
//
//   build/bin/alerts_bench [--alerts=300] [--seconds=5]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_util.h"
#include "clients/cli/csv.h"
#include "google/protobuf/util/time_util.h"
#include "healthscore/v1/alerts.grpc.pb.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "server/server.h"
#include "spdlog/spdlog.h"

namespace {

using healthscore::bench::Clock;
using healthscore::bench::Percentile;
namespace v1 = healthscore::v1;
using google::protobuf::util::TimeUtil;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "alerts_bench: %s\n", message.c_str());
  std::exit(1);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::filesystem::path TempDir() {
  std::string pattern = "/tmp/alerts_bench.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) Die("mkdtemp");
  return pattern;
}

std::unique_ptr<healthscore::Server> StartServer(
    const std::filesystem::path& dir, const std::string& scorecard) {
  std::ofstream(dir / "scorecard.yaml") << scorecard;
  healthscore::Server::Options options;
  options.listen = "127.0.0.1:0";
  options.config_path = (dir / "scorecard.yaml").string();
  options.plugin_dir = HS_PLUGIN_DIR;
  options.store = "sqlite:" + (dir / "h.db").string();
  auto server = healthscore::Server::BuildAndStart(options);
  if (!server.ok()) Die(std::string(server.status().message()));
  return *std::move(server);
}

// 1. Each Score records a customer's first point, below 50: one alert each.
void Latency(int alerts, const std::string& scorecard) {
  const std::filesystem::path dir = TempDir();
  auto server = StartServer(dir, scorecard);
  auto channel = grpc::CreateChannel(server->address(),
                                     grpc::InsecureChannelCredentials());
  auto scoring = v1::HealthScoring::NewStub(channel);
  auto watch_stub = v1::Alerts::NewStub(channel);

  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, Clock::time_point> sent, seen;
  grpc::ClientContext watch_context;
  v1::WatchAlertsRequest request;
  auto reader = watch_stub->WatchAlerts(&watch_context, request);
  std::thread watcher([&] {
    v1::AlertEvent event;
    while (reader->Read(&event)) {
      std::lock_guard<std::mutex> lock(mu);
      seen.emplace(event.alert().customer_id(), Clock::now());
      cv.notify_all();
    }
  });
  for (int i = 0; i < alerts; ++i) {
    v1::ScoreRequest r;
    r.set_record(true);
    r.set_explain(v1::EXPLAIN_NONE);
    const std::string id = absl::StrCat("c", i);
    r.mutable_customer()->set_customer_id(id);
    (*r.mutable_customer()->mutable_signals())["feature_adoption_pct"] = 10;
    v1::ScoreResponse response;
    grpc::ClientContext context;
    {
      std::lock_guard<std::mutex> lock(mu);
      sent[id] = Clock::now();
    }
    grpc::Status s = scoring->Score(&context, r, &response);
    if (!s.ok()) Die(s.error_message());
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(10),
                     [&] { return seen.count(id) > 0; })) {
      Die("no alert event within 10 s for " + id);
    }
  }
  watch_context.TryCancel();
  watcher.join();
  std::vector<double> ms;
  for (const auto& [id, at] : sent) {
    ms.push_back(
        std::chrono::duration<double, std::milli>(seen[id] - at).count());
  }
  std::sort(ms.begin(), ms.end());  // Percentile reads sorted values
  std::printf(
      "1. recorded point -> its alert on a WatchAlerts stream (SQLite, "
      "loopback gRPC, %d alerts, one at a time):\n"
      "   p50 %.2f ms  p99 %.2f ms  max %.2f ms  (target p99 < 100 ms: %s)\n",
      alerts, Percentile(ms, 0.5), Percentile(ms, 0.99), Percentile(ms, 1.0),
      Percentile(ms, 0.99) < 100 ? "met" : "NOT met");
  server->Shutdown(absl::ZeroDuration());
  std::filesystem::remove_all(dir);
}

// 2. ScoreBatch with record, weekly batches of the sample portfolio.
double RecordRate(const std::string& scorecard, double seconds) {
  auto portfolio = healthscore::cli::ReadPortfolioCsv(HS_SAMPLE_CSV);
  if (!portfolio.ok()) Die(std::string(portfolio.status().message()));
  const std::filesystem::path dir = TempDir();
  auto server = StartServer(dir, scorecard);
  auto stub = v1::HealthScoring::NewStub(grpc::CreateChannel(
      server->address(), grpc::InsecureChannelCredentials()));
  v1::ScoreBatchRequest batch = healthscore::bench::MakeBatch(
      *portfolio, static_cast<int>(portfolio->rows.size()), v1::EXPLAIN_NONE);
  batch.set_record(true);
  int64_t week = 0;
  int64_t rows = 0;
  const auto start = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - start).count() <
         seconds) {
    *batch.mutable_as_of() =
        TimeUtil::SecondsToTimestamp(1735689600 + week++ * 7 * 86400);
    v1::ScoreBatchResponse response;
    grpc::ClientContext context;
    grpc::Status s = stub->ScoreBatch(&context, batch, &response);
    if (!s.ok()) Die(s.error_message());
    rows += batch.rows_size();
  }
  const double rate =
      rows / std::chrono::duration<double>(Clock::now() - start).count();
  server->Shutdown(absl::ZeroDuration());
  std::filesystem::remove_all(dir);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  int alerts = 300;
  double seconds = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--alerts=", 0) == 0) {
      alerts = std::stoi(arg.substr(9));
    } else if (arg.rfind("--seconds=", 0) == 0) {
      seconds = std::stod(arg.substr(10));
    } else {
      Die("unknown argument " + arg +
          "; usage: alerts_bench [--alerts=300] [--seconds=5]");
    }
  }
  spdlog::set_level(spdlog::level::warn);
  std::printf("machine: %u hardware threads\n\n",
              std::thread::hardware_concurrency());
  Latency(alerts, R"(scorecard: bench
version: "1"
bands:
  - {name: green, grade: A, min: 70}
  - {name: red, grade: F, min: 0}
dimensions:
  adoption: {plugin: product_adoption, weight: 1}
alerts:
  - {id: low, kind: score_below, enter: 50, exit: 55, say: Low}
)");
  // The same scorecard with and without its alert rules.
  const std::string with = ReadAll(HS_SCORECARD);
  const size_t cut = with.find("\nalerts:");
  if (cut == std::string::npos) Die("the default scorecard has no alerts:");
  const std::string without = with.substr(0, cut + 1);
  const double off = RecordRate(without, seconds);
  const double on = RecordRate(with, seconds);
  std::printf(
      "\n2. ScoreBatch with record (SQLite, 1,000 rows a batch, weekly "
      "as_of, explain=none), the default scorecard:\n"
      "   without its alert rules  %8.0f customers/s\n"
      "   with its 6 alert rules   %8.0f customers/s  (%+.1f%%)\n",
      off, on, 100 * (on - off) / off);
  return 0;
}
