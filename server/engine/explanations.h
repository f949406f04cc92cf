// The reason and action records of one share of a batch, grouped by row:
// what the engine explains scores from. Internal to server/engine.
#ifndef HEALTHSCORE_SERVER_ENGINE_EXPLANATIONS_H_
#define HEALTHSCORE_SERVER_ENGINE_EXPLANATIONS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "server/plugin/instance.h"

namespace healthscore::engine {

// The reason and action records of one share of a batch, every dimension's,
// and per row which of them are its (in emission order).
struct Explanations {
  std::vector<Records> records;  // per dimension of the variant
  struct Ref {
    uint32_t dimension;
    uint32_t index;  // into records[dimension].reasons or .actions
  };
  // Reasons of row r: reasons[reason_start[r] .. reason_start[r + 1]).
  std::vector<Ref> reasons;
  std::vector<uint32_t> reason_start;
  std::vector<Ref> actions;
  std::vector<uint32_t> action_start;

  // Groups every dimension's records by row (a counting sort, stable).
  template <typename Rec, typename Get>
  static void Index(const std::vector<Records>& records, size_t num_rows,
                    Get get, std::vector<Ref>& refs,
                    std::vector<uint32_t>& start) {
    start.assign(num_rows + 1, 0);
    for (const Records& r : records) {
      for (const Rec& rec : get(r)) ++start[rec.row + 1];
    }
    for (size_t row = 0; row < num_rows; ++row) start[row + 1] += start[row];
    refs.resize(start[num_rows]);
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (uint32_t d = 0; d < records.size(); ++d) {
      const auto& recs = get(records[d]);
      for (uint32_t i = 0; i < recs.size(); ++i) {
        refs[next[recs[i].row]++] = {d, i};
      }
    }
  }

  void Index(size_t num_rows) {
    Index<hs_reason_record>(
        records, num_rows,
        [](const Records& r) -> const auto& { return r.reasons; }, reasons,
        reason_start);
    Index<hs_action_record>(
        records, num_rows,
        [](const Records& r) -> const auto& { return r.actions; }, actions,
        action_start);
  }

  std::span<const Ref> ReasonsOf(size_t row) const {
    return {reasons.data() + reason_start[row],
            reasons.data() + reason_start[row + 1]};
  }
  std::span<const Ref> ActionsOf(size_t row) const {
    return {actions.data() + action_start[row],
            actions.data() + action_start[row + 1]};
  }
};

// An Explanations from a small pool, to give back when the share is scored:
// record arrays are large (a few reasons a row per dimension), and a pooled
// one keeps its capacity from batch to batch.
std::unique_ptr<Explanations> TakeExplanations();
void GiveBack(std::unique_ptr<Explanations> ex);

}  // namespace healthscore::engine

#endif  // HEALTHSCORE_SERVER_ENGINE_EXPLANATIONS_H_
