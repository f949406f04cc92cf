// The scoring threads.
#include "server/engine/worker_pool.h"

#include <algorithm>
#include <atomic>

namespace healthscore {

struct WorkerPool::Job {
  Job(size_t n, absl::FunctionRef<void(size_t)> fn) : n(n), fn(fn) {}
  const size_t n;
  absl::FunctionRef<void(size_t)> fn;
  std::atomic<size_t> next{0};  // the next index to take
  std::atomic<size_t> done{0};  // indices finished
  // Pool threads that took the job from the queue and may still touch it
  // (guarded by the pool's mu_): the caller keeps the job alive until 0.
  int holders = 0;
  std::condition_variable released;  // with the pool's mu_
};

WorkerPool::WorkerPool(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

WorkerPool& WorkerPool::Default() {
  static WorkerPool* pool =
      new WorkerPool(std::max(1u, std::thread::hardware_concurrency()) - 1);
  return *pool;
}

void WorkerPool::Work(Job& job) {
  for (;;) {
    const size_t i = job.next.fetch_add(1, std::memory_order_relaxed);
    if (i >= job.n) return;
    job.fn(i);
    if (job.done.fetch_add(1, std::memory_order_acq_rel) + 1 == job.n) {
      // The last index: wake the caller, under the lock it waits with, so
      // the wake-up cannot fall between its check and its wait.
      std::lock_guard<std::mutex> lock(mu_);
      job.released.notify_all();
    }
  }
}

void WorkerPool::Run() {
  for (;;) {
    Job* job = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left
      job = jobs_.front();
      ++job->holders;
      // Every index taken: the job leaves the queue.
      if (job->next.load(std::memory_order_relaxed) >= job->n) {
        jobs_.pop_front();
      }
    }
    Work(*job);
    std::lock_guard<std::mutex> lock(mu_);
    if (--job->holders == 0) job->released.notify_all();
  }
}

void WorkerPool::ParallelFor(size_t n, absl::FunctionRef<void(size_t)> fn) {
  if (n == 0) return;
  if (n == 1 || threads_.empty()) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  Job job(n, fn);
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(&job);
  }
  // One pool thread per index beyond the caller's, at most.
  const size_t helpers = std::min(n - 1, threads_.size());
  for (size_t i = 0; i < helpers; ++i) wake_.notify_one();
  Work(job);
  std::unique_lock<std::mutex> lock(mu_);
  // Off the queue (no new holder can take it), then wait for the indices
  // still running and for every holder to let go.
  auto it = std::find(jobs_.begin(), jobs_.end(), &job);
  if (it != jobs_.end()) jobs_.erase(it);
  job.released.wait(lock, [&] {
    return job.holders == 0 &&
           job.done.load(std::memory_order_acquire) == job.n;
  });
}

}  // namespace healthscore
