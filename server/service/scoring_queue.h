// Where scoring calls wait and run: threads of their own (gRPC's callback
// threads stay free for health checks, the admin API and the history), and
// admission control (bounded queued rows and estimated response bytes).
#ifndef HEALTHSCORE_SERVER_SERVICE_SCORING_QUEUE_H_
#define HEALTHSCORE_SERVER_SERVICE_SCORING_QUEUE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace healthscore {

class ScoringQueue {
 public:
  struct Options {
    // Threads that run scoring calls (each batch is then split across the
    // engine's worker pool). 0: one per core.
    int threads = 0;
    // The most rows waiting or being scored at once (--max-queued-rows).
    int64_t max_queued_rows = 40000;
    // The most estimated response bytes of the calls waiting or being
    // scored at once (--max-inflight-mb).
    int64_t max_inflight_bytes = int64_t{512} << 20;
  };

  explicit ScoringQueue(Options options);
  // Stop(), then joins the threads (waiting for the calls running).
  ~ScoringQueue();
  ScoringQueue(const ScoringQueue&) = delete;
  ScoringQueue& operator=(const ScoringQueue&) = delete;

  // A call's work: run(OK) on a scoring thread, or run(UNAVAILABLE) if the
  // queue stops before it starts. Called exactly once, unless Submit
  // refused it.
  using Work = std::function<void(absl::Status)>;

  // Queues `work`, a call of `rows` rows whose response is estimated at
  // `bytes`; or refuses it now, without calling it: RESOURCE_EXHAUSTED
  // naming the limit it would pass, UNAVAILABLE once stopped. A call alone
  // over a limit is refused too (the message says so).
  absl::Status Submit(int64_t rows, int64_t bytes, Work work);

  // Refuses new calls and gives the calls not started UNAVAILABLE. Calls
  // running go on (their StopCheck ends them). Idempotent.
  void Stop();

  // What is queued or running now (for metrics and tests).
  int64_t queued_rows() const;
  int64_t running() const;

 private:
  struct Item {
    int64_t rows;
    int64_t bytes;
    Work work;
  };
  void Run();

  const Options options_;
  mutable absl::Mutex mu_;
  std::deque<Item> items_ ABSL_GUARDED_BY(mu_);
  int64_t rows_ ABSL_GUARDED_BY(mu_) = 0;   // queued and running
  int64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;  // queued and running
  int64_t running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_SCORING_QUEUE_H_
