// The scoring threads: every index runs once, callers from many threads at
// once share the pool, and a job started from inside a job finishes.
#include "server/engine/worker_pool.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace healthscore {
namespace {

TEST(WorkerPool, RunsEveryIndexExactlyOnce) {
  WorkerPool pool(3);
  for (size_t n : {0, 1, 2, 7, 1000}) {
    std::vector<std::atomic<int>> runs(n);
    pool.ParallelFor(n, [&](size_t i) { runs[i].fetch_add(1); });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(runs[i].load(), 1) << i;
  }
}

TEST(WorkerPool, ReallyRunsOnThePoolThreads) {
  WorkerPool pool(2);
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  // Each index waits until three are inside at once (the caller and both
  // pool threads), so this only returns if the pool ran them in parallel.
  pool.ParallelFor(3, [&](size_t) {
    const int now = inside.fetch_add(1) + 1;
    int seen = most.load();
    while (seen < now && !most.compare_exchange_weak(seen, now)) {
    }
    while (inside.load() < 3) std::this_thread::yield();
  });
  EXPECT_EQ(most.load(), 3);
}

TEST(WorkerPool, ManyCallersAtOnceEachGetTheirOwnResult) {
  WorkerPool pool(2);
  constexpr int kCallers = 8;
  constexpr int kRounds = 200;
  std::vector<std::thread> callers;
  std::atomic<int> wrong{0};
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int round = 0; round < kRounds; ++round) {
        const size_t n = 1 + (c * 7 + round) % 13;
        std::vector<long> out(n, -1);
        pool.ParallelFor(n, [&](size_t i) { out[i] = c * 1000 + i; });
        for (size_t i = 0; i < n; ++i) {
          if (out[i] != static_cast<long>(c * 1000 + i)) ++wrong;
        }
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(WorkerPool, AJobStartedInsideAJobFinishes) {
  WorkerPool pool(1);
  std::atomic<int> total{0};
  pool.ParallelFor(4, [&](size_t) {
    pool.ParallelFor(4, [&](size_t) { total.fetch_add(1); });
  });
  EXPECT_EQ(total.load(), 16);
}

TEST(WorkerPool, WithNoThreadsTheCallerDoesEverything) {
  WorkerPool pool(0);
  const std::thread::id me = std::this_thread::get_id();
  int others = 0;
  pool.ParallelFor(5, [&](size_t) {
    if (std::this_thread::get_id() != me) ++others;
  });
  EXPECT_EQ(others, 0);
}

}  // namespace
}  // namespace healthscore
