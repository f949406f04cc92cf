// The server's scoring threads: a fixed pool, sized to the cores, that runs
// the shares of a batch. No thread is created per call.
#ifndef HEALTHSCORE_SERVER_ENGINE_WORKER_POOL_H_
#define HEALTHSCORE_SERVER_ENGINE_WORKER_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"

namespace healthscore {

// A fixed set of threads that run ParallelFor jobs. The calling thread works
// on its own job too, so a job always finishes even when every pool thread is
// busy with other calls' jobs (or when a job is started from a pool thread).
// Thread-safe: any number of threads may call ParallelFor at once; their jobs
// share the pool first come, first served.
class WorkerPool {
 public:
  // `threads` pool threads (0 is allowed: the caller then does everything).
  explicit WorkerPool(size_t threads);
  // Waits for the threads to finish the jobs they hold, then joins them.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs fn(0) ... fn(n - 1), each once, on the pool threads and the calling
  // thread, and returns when all have returned. `fn` must not throw.
  void ParallelFor(size_t n, absl::FunctionRef<void(size_t)> fn);

  size_t threads() const { return threads_.size(); }

  // The process's pool: hardware_concurrency() - 1 threads, so that with the
  // calling thread a batch uses every core. Made on first use, never
  // destroyed (threads may still be scoring at exit).
  static WorkerPool& Default();

 private:
  struct Job;

  void Run();
  // Takes indices of `job` until none are left.
  void Work(Job& job);

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job*> jobs_;  // jobs with indices left to take
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_ENGINE_WORKER_POOL_H_
