// The pool of Explanations.
#include "server/engine/explanations.h"

#include <mutex>
#include <utility>

namespace healthscore::engine {
namespace {

// A few Explanations kept between batches, for their arrays' capacity.
std::mutex explanations_mu;
std::vector<std::unique_ptr<Explanations>>& ExplanationsPool() {
  static auto* pool = new std::vector<std::unique_ptr<Explanations>>;
  return *pool;
}

}  // namespace

std::unique_ptr<Explanations> TakeExplanations() {
  {
    std::lock_guard<std::mutex> lock(explanations_mu);
    auto& pool = ExplanationsPool();
    if (!pool.empty()) {
      std::unique_ptr<Explanations> ex = std::move(pool.back());
      pool.pop_back();
      return ex;
    }
  }
  return std::make_unique<Explanations>();
}

void GiveBack(std::unique_ptr<Explanations> ex) {
  // Enough for every core's share at once; more would only hold memory.
  constexpr size_t kMaxPooled = 16;
  std::lock_guard<std::mutex> lock(explanations_mu);
  auto& pool = ExplanationsPool();
  if (pool.size() < kMaxPooled) pool.push_back(std::move(ex));
}

}  // namespace healthscore::engine
