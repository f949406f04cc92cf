// The scoring threads and their admission control.
#include "server/service/scoring_queue.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace healthscore {
namespace {

constexpr char kStopped[] =
    "the server is shutting down; retry the call (another replica, or this "
    "one once it is back)";

std::string Megabytes(int64_t bytes) {
  return absl::StrCat((bytes + (1 << 20) - 1) >> 20, " MB");
}

}  // namespace

ScoringQueue::ScoringQueue(Options options) : options_(options) {
  int threads = options_.threads;
  if (threads <= 0) {
    threads =
        static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

ScoringQueue::~ScoringQueue() {
  Stop();
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;  // the threads leave once the queue is empty
  }
  for (std::thread& t : threads_) t.join();
}

absl::Status ScoringQueue::Submit(int64_t rows, int64_t bytes, Work work) {
  absl::MutexLock lock(&mu_);
  if (stopped_) return absl::UnavailableError(kStopped);
  if (rows > options_.max_queued_rows) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "this call has ", rows, " rows; the server queues at most ",
        options_.max_queued_rows,
        " rows (--max-queued-rows): send smaller "
        "batches"));
  }
  if (bytes > options_.max_inflight_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "this call's response is estimated at ", Megabytes(bytes),
        "; the server holds at most ", Megabytes(options_.max_inflight_bytes),
        " of responses at once (--max-inflight-mb): send smaller batches or "
        "ask for less explanation"));
  }
  if (rows_ + rows > options_.max_queued_rows) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the server has ", rows_, " rows queued or scoring; this call's ", rows,
        " would pass the limit of ", options_.max_queued_rows,
        " (--max-queued-rows): retry with backoff"));
  }
  if (bytes_ + bytes > options_.max_inflight_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the server holds ", Megabytes(bytes_),
                     " of responses queued or scoring; this call's estimated ",
                     Megabytes(bytes), " would pass the limit of ",
                     Megabytes(options_.max_inflight_bytes),
                     " (--max-inflight-mb): retry with backoff"));
  }
  rows_ += rows;
  bytes_ += bytes;
  items_.push_back({rows, bytes, std::move(work)});
  return absl::OkStatus();
}

void ScoringQueue::Stop() {
  std::deque<Item> dropped;
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    dropped.swap(items_);
    for (const Item& item : dropped) {
      rows_ -= item.rows;
      bytes_ -= item.bytes;
    }
  }
  for (Item& item : dropped) item.work(absl::UnavailableError(kStopped));
}

int64_t ScoringQueue::queued_rows() const {
  absl::MutexLock lock(&mu_);
  return rows_;
}

int64_t ScoringQueue::running() const {
  absl::MutexLock lock(&mu_);
  return running_;
}

void ScoringQueue::Run() {
  for (;;) {
    Item item;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ScoringQueue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu_) {
            return q->stopped_ || !q->items_.empty();
          },
          this));
      if (items_.empty()) return;  // stopped, nothing left
      item = std::move(items_.front());
      items_.pop_front();
      ++running_;
    }
    item.work(absl::OkStatus());
    absl::MutexLock lock(&mu_);
    --running_;
    rows_ -= item.rows;
    bytes_ -= item.bytes;
  }
}

}  // namespace healthscore
