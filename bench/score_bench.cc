// score_bench: prints how fast healthscore scores, measured three ways on this
// machine: the scoring path in process (validation + engine + plugins, no
// gRPC), ScoreBatch over loopback gRPC, and Score latency over loopback gRPC
// next to the floor (grpc.health.v1 Check on the same server: what gRPC alone
// costs for a unary call). A program that prints figures, never a test.
//
// and, under load (8 callers over 4 connections), requests per second and
// latency of Score next to the floor's.
//
// and RSS over --rss-customers (default 10,000,000; 0 skips it).
//
//   build/bin/score_bench [--seconds=2] [--batch=1000] [--in-process]
//                         [--explain=none|summary|full] [--rss-customers=N]
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "clients/cli/csv.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "server/config/scorecard.h"
#include "server/engine/snapshot.h"
#include "server/registry/registry.h"
#include "server/server.h"
#include "server/service/scoring_service.h"
#include "spdlog/spdlog.h"

namespace {

using healthscore::bench::Clock;
using healthscore::bench::Percentile;
using healthscore::bench::Seconds;
namespace v1 = healthscore::v1;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "score_bench: %s\n", what.c_str());
  std::exit(1);
}

using healthscore::bench::MakeBatch;

const char* Name(v1::Explain e) {
  switch (e) {
    case v1::EXPLAIN_NONE:
      return "none";
    case v1::EXPLAIN_SUMMARY:
      return "summary";
    default:
      return "full";
  }
}

// Runs `call` repeatedly for about `seconds`; returns calls per second.
template <typename F>
double Rate(double seconds, F call) {
  call();  // warm-up
  int calls = 0;
  const auto start = Clock::now();
  while (Seconds(Clock::now() - start) < seconds) {
    call();
    ++calls;
  }
  return calls / Seconds(Clock::now() - start);
}

// Latencies of `count` sequential calls, in microseconds, sorted.
template <typename F>
std::vector<double> Latencies(int count, F call) {
  return healthscore::bench::Latencies(count, call, 1e6, 200);
}

// This process's resident set, in MB (Linux: /proc/self/statm).
double ResidentMegabytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) Die("cannot read /proc/self/statm");
  long pages = 0;
  long resident = 0;
  const int read = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  if (read != 2) Die("cannot parse /proc/self/statm");
  return static_cast<double>(resident) * sysconf(_SC_PAGESIZE) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  int batch = 1000;
  bool in_process_only = false;
  long rss_customers = 10'000'000;
  std::string only;  // --explain=X: measure that level alone
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--seconds=", 0) == 0) {
      seconds = std::atof(arg.c_str() + 10);
    } else if (arg.rfind("--batch=", 0) == 0) {
      batch = std::atoi(arg.c_str() + 8);
    } else if (arg.rfind("--explain=", 0) == 0) {
      only = arg.substr(10);
    } else if (arg.rfind("--rss-customers=", 0) == 0) {
      rss_customers = std::atol(arg.c_str() + 16);
    } else if (arg == "--in-process") {
      in_process_only = true;  // for a profiler: no gRPC in the picture
    } else {
      Die("unknown argument " + arg +
          "; usage: score_bench [--seconds=S] "
          "[--batch=N] [--in-process] [--explain=none|summary|full] "
          "[--rss-customers=N]");
    }
  }
  if (seconds <= 0 || batch < 1 || batch > 100000 || rss_customers < 0) {
    Die("--seconds must be > 0, --batch in 1..100000 and --rss-customers >= 0");
  }
  spdlog::set_level(spdlog::level::warn);

  auto portfolio = healthscore::cli::ReadPortfolioCsv(HS_SAMPLE_CSV);
  if (!portfolio.ok()) Die(std::string(portfolio.status().message()));
  std::printf(
      "machine: %u hardware threads; sample: %zu customers, %zu "
      "signals; batch %d rows; %.1f s per figure\n",
      std::thread::hardware_concurrency(), portfolio->rows.size(),
      portfolio->signal_names.size(), batch, seconds);

  // 1. In process: the service's handler without gRPC.
  healthscore::Registry registry;
  if (auto r = registry.LoadDirectory(HS_PLUGIN_DIR); !r.ok()) {
    Die(std::string(r.status().message()));
  }
  auto spec = healthscore::LoadScorecardFile(HS_SCORECARD);
  if (!spec.ok()) Die(std::string(spec.status().message()));
  auto snapshot = healthscore::Snapshot::Build(*spec, registry);
  if (!snapshot.ok()) Die(std::string(snapshot.status().message()));
  healthscore::SnapshotHolder holder;
  holder.Swap(*snapshot);
  healthscore::history::Recorder no_history(nullptr, {});
  healthscore::ScoringService service(&holder, &registry, &no_history,
                                      {100000});
  std::printf("\nin process (validation + engine + plugins, no gRPC):\n");
  for (v1::Explain explain :
       {v1::EXPLAIN_NONE, v1::EXPLAIN_SUMMARY, v1::EXPLAIN_FULL}) {
    if (!only.empty() && only != Name(explain)) continue;
    const v1::ScoreBatchRequest request = MakeBatch(*portfolio, batch, explain);
    const double rate = Rate(seconds, [&] {
      // On an arena, as the server allocates its responses.
      google::protobuf::Arena arena;
      auto* response =
          google::protobuf::Arena::CreateMessage<v1::ScoreBatchResponse>(
              &arena);
      if (!service.DoScoreBatch(request, *response).ok()) Die("batch failed");
    });
    std::printf("  explain=%-8s %12.0f customers/s  (%.3f ms per batch)\n",
                Name(explain), rate * batch, 1e3 / rate);
  }

  // One customer at a time, as Score's handler does it (no gRPC).
  v1::ScoreRequest score;
  score.mutable_customer()->set_customer_id("bench");
  for (int i = 0; i < portfolio->rows[0].values_size(); ++i) {
    const double v = portfolio->rows[0].values(i);
    if (!std::isnan(v)) {
      (*score.mutable_customer()
            ->mutable_signals())[portfolio->signal_names[i]] = v;
    }
  }
  for (v1::Explain explain : {v1::EXPLAIN_NONE, v1::EXPLAIN_SUMMARY}) {
    if (!only.empty() && only != Name(explain)) continue;
    score.set_explain(explain);
    const double rate = Rate(seconds, [&] {
      google::protobuf::Arena arena;
      auto* response =
          google::protobuf::Arena::CreateMessage<v1::ScoreResponse>(&arena);
      if (!service.DoScore(score, *response).ok()) Die("Score failed");
    });
    std::printf("  Score, explain=%-8s %9.0f calls/s  (%.1f us per call)\n",
                Name(explain), rate, 1e6 / rate);
  }

  if (in_process_only) return 0;

  // 2 and 3. The real server on a loopback port.
  healthscore::Server::Options options;
  options.listen = "127.0.0.1:0";
  options.config_path = HS_SCORECARD;
  options.plugin_dir = HS_PLUGIN_DIR;
  options.max_batch = 100000;
  auto server = healthscore::Server::BuildAndStart(options);
  if (!server.ok()) Die(std::string(server.status().message()));
  // Full explanations of a 1,000-customer batch over every dimension of the
  // default scorecard are larger than gRPC's 4 MB default for a received
  // message; accept what the server may send.
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(options.max_message_bytes);
  auto channel = grpc::CreateCustomChannel(
      (*server)->address(), grpc::InsecureChannelCredentials(), channel_args);
  auto stub = v1::HealthScoring::NewStub(channel);
  auto health = grpc::health::v1::Health::NewStub(channel);

  std::printf("\nScoreBatch over loopback gRPC, one client thread:\n");
  for (v1::Explain explain :
       {v1::EXPLAIN_NONE, v1::EXPLAIN_SUMMARY, v1::EXPLAIN_FULL}) {
    if (!only.empty() && only != Name(explain)) continue;
    const v1::ScoreBatchRequest request = MakeBatch(*portfolio, batch, explain);
    size_t bytes = 0;
    const double rate = Rate(seconds, [&] {
      v1::ScoreBatchResponse response;
      grpc::ClientContext context;
      if (!stub->ScoreBatch(&context, request, &response).ok()) {
        Die("ScoreBatch failed");
      }
      bytes = response.ByteSizeLong();
    });
    std::printf(
        "  explain=%-8s %12.0f customers/s  (%.3f ms per batch, %.0f bytes "
        "per customer)\n",
        Name(explain), rate * batch, 1e3 / rate,
        static_cast<double>(bytes) / batch);
  }

  // The compact layout: names once per batch, numbers per customer; the
  // client decodes nothing here (a client that needs objects pays for
  // clients/cli/compact.cc on its side).
  std::printf("\nScoreBatch, compact layout, over loopback gRPC:\n");
  struct Compact {
    v1::Explain explain;
    bool sentences;
    const char* label;
  };
  for (const Compact& c :
       {Compact{v1::EXPLAIN_NONE, false, "none"},
        Compact{v1::EXPLAIN_SUMMARY, false, "summary"},
        Compact{v1::EXPLAIN_SUMMARY, true, "summary+sentences"}}) {
    if (!only.empty() && only != Name(c.explain)) continue;
    v1::ScoreBatchRequest request = MakeBatch(*portfolio, batch, c.explain);
    request.set_layout(v1::LAYOUT_COMPACT);
    request.set_sentences(c.sentences);
    size_t bytes = 0;
    const double rate = Rate(seconds, [&] {
      v1::ScoreBatchResponse response;
      grpc::ClientContext context;
      if (!stub->ScoreBatch(&context, request, &response).ok()) {
        Die("ScoreBatch failed");
      }
      bytes = response.ByteSizeLong();
    });
    std::printf(
        "  explain=%-17s %12.0f customers/s  (%.3f ms per batch, %.0f bytes "
        "per customer)\n",
        c.label, rate * batch, 1e3 / rate, static_cast<double>(bytes) / batch);
  }

  std::printf("\nunary latency over loopback gRPC, sequential calls:\n");
  const int count = std::max(1000, static_cast<int>(seconds * 2000));
  auto report = [](const char* what, const std::vector<double>& us) {
    std::printf("  %-32s p50 %7.1f us  p99 %7.1f us  p99.9 %7.1f us\n", what,
                Percentile(us, 0.50), Percentile(us, 0.99),
                Percentile(us, 0.999));
  };
  report("floor: grpc.health.v1 Check", Latencies(count, [&] {
           grpc::health::v1::HealthCheckResponse response;
           grpc::ClientContext context;
           health->Check(&context, {}, &response);
         }));
  for (v1::Explain explain : {v1::EXPLAIN_NONE, v1::EXPLAIN_FULL}) {
    score.set_explain(explain);
    const std::string label = std::string("Score, explain=") + Name(explain);
    report(label.c_str(), Latencies(count, [&] {
             v1::ScoreResponse response;
             grpc::ClientContext context;
             if (!stub->Score(&context, score, &response).ok()) {
               Die("Score failed");
             }
           }));
  }

  // Under load: kCallers client threads over kConnections connections, each
  // calling back to back for `seconds`; requests per second and latency
  // percentiles, next to the floor measured the same way.
  constexpr int kCallers = 8;
  constexpr int kConnections = 4;
  std::printf(
      "\nunary under load over loopback gRPC (%d callers, %d connections):\n",
      kCallers, kConnections);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < kConnections; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.bench_connection", c);  // a connection of its own each
    channels.push_back(grpc::CreateCustomChannel(
        (*server)->address(), grpc::InsecureChannelCredentials(), args));
  }
  struct Load {
    double rps = 0;
    double p50 = 0;
    double p99 = 0;
  };
  // A stub per caller, on its caller's connection, made once.
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health_stubs;
  std::vector<std::unique_ptr<v1::HealthScoring::Stub>> score_stubs;
  for (int t = 0; t < kCallers; ++t) {
    health_stubs.push_back(
        grpc::health::v1::Health::NewStub(channels[t % kConnections]));
    score_stubs.push_back(
        v1::HealthScoring::NewStub(channels[t % kConnections]));
  }
  // `call(t)` makes one call as caller t.
  auto load = [&](auto call) {
    std::vector<std::vector<double>> latencies(kCallers);
    std::atomic<long> calls{0};
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(seconds));
    std::vector<std::thread> threads;
    for (int t = 0; t < kCallers; ++t) {
      threads.emplace_back([&, t] {
        while (Clock::now() < end) {
          const auto before = Clock::now();
          call(t);
          latencies[t].push_back(Seconds(Clock::now() - before) * 1e6);
          calls.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
    for (std::thread& th : threads) th.join();
    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    return Load{calls.load() / Seconds(Clock::now() - start),
                Percentile(all, 0.50), Percentile(all, 0.99)};
  };
  auto print = [](const char* what, const Load& l, const Load* floor) {
    std::printf("  %-28s %9.0f req/s  p50 %7.1f us  p99 %7.1f us", what, l.rps,
                l.p50, l.p99);
    if (floor != nullptr) {
      std::printf("  (%.2fx the floor's req/s, p99 %.2fx)", l.rps / floor->rps,
                  l.p99 / floor->p99);
    }
    std::printf("\n");
  };
  const Load floor = load([&](int t) {
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    health_stubs[t]->Check(&context, {}, &response);
  });
  print("floor: grpc.health.v1 Check", floor, nullptr);
  for (v1::Explain explain : {v1::EXPLAIN_NONE, v1::EXPLAIN_SUMMARY}) {
    v1::ScoreRequest request = score;
    request.set_explain(explain);
    const Load l = load([&](int t) {
      v1::ScoreResponse response;
      grpc::ClientContext context;
      if (!score_stubs[t]->Score(&context, request, &response).ok()) {
        Die("Score failed");
      }
    });
    const std::string label = std::string("Score, explain=") + Name(explain);
    print(label.c_str(), l, &floor);
  }
  // Health while every scoring thread is busy: 4 callers send FULL batches
  // back to back; a fifth checks health (gRPC's own threads answer it, never
  // queued behind the scoring).
  {
    std::atomic<bool> busy{true};
    std::vector<std::thread> scorers;
    for (int t = 0; t < 4; ++t) {
      scorers.emplace_back([&, t] {
        const v1::ScoreBatchRequest request =
            MakeBatch(*portfolio, batch, v1::EXPLAIN_FULL);
        while (busy.load()) {
          v1::ScoreBatchResponse response;
          grpc::ClientContext context;
          score_stubs[t % kCallers]->ScoreBatch(&context, request, &response);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // loaded
    std::vector<double> health_ms;
    for (int i = 0; i < std::max(50, static_cast<int>(seconds * 50)); ++i) {
      const auto start = Clock::now();
      grpc::health::v1::HealthCheckResponse response;
      grpc::ClientContext context;
      if (!health->Check(&context, {}, &response).ok()) Die("health failed");
      health_ms.push_back(Seconds(Clock::now() - start) * 1e3);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::sort(health_ms.begin(), health_ms.end());
    busy = false;
    for (std::thread& t : scorers) t.join();
    std::printf(
        "\nhealth check while 4 callers keep every scoring thread busy with "
        "FULL batches:\n  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n",
        Percentile(health_ms, 0.5), Percentile(health_ms, 0.99),
        health_ms.back());
  }

  // Memory over many customers: RSS (this process holds the server and the
  // client) after a warm-up and then every tenth of the run, while batches
  // of the compact layout with driver sentences (the most allocation per
  // customer of the layouts a bulk client uses) go through.
  if (rss_customers > 0) {
    v1::ScoreBatchRequest request =
        MakeBatch(*portfolio, batch, v1::EXPLAIN_SUMMARY);
    request.set_layout(v1::LAYOUT_COMPACT);
    request.set_sentences(true);
    const long batches = std::max<long>(10, rss_customers / batch);
    const long warmup = batches / 10;
    std::printf(
        "\nmemory over %ld customers (compact, summary with sentences; RSS "
        "after %ld warm-up customers, then every %ld):\n",
        batches * batch, warmup * batch, warmup * batch);
    double after_warmup = 0;
    double peak = 0;
    const auto start = Clock::now();
    for (long b = 1; b <= batches; ++b) {
      v1::ScoreBatchResponse response;
      grpc::ClientContext context;
      if (!stub->ScoreBatch(&context, request, &response).ok()) {
        Die("ScoreBatch failed");
      }
      if (b % warmup != 0) continue;
      const double rss = ResidentMegabytes();
      if (b == warmup) {
        after_warmup = rss;
      } else {
        peak = std::max(peak, rss);
      }
      std::printf("  %9ld customers  RSS %7.1f MB\n", b * batch, rss);
    }
    std::printf(
        "  RSS grew %.1f%% after warm-up (%.1f -> peak %.1f MB); %.0f "
        "customers/s\n",
        100 * (peak - after_warmup) / after_warmup, after_warmup, peak,
        batches * batch / Seconds(Clock::now() - start));
  }
  (*server)->Shutdown();
  return 0;
}
