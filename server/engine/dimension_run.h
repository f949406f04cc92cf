// Running one dimension's plugin over a share of a batch, and judging what
// it returned. Internal to server/engine.
#ifndef HEALTHSCORE_SERVER_ENGINE_DIMENSION_RUN_H_
#define HEALTHSCORE_SERVER_ENGINE_DIMENSION_RUN_H_

#include <cstddef>
#include <span>

#include "healthscore/v1/health_scoring.pb.h"
#include "server/engine/engine.h"
#include "server/engine/snapshot.h"
#include "server/plugin/instance.h"

namespace healthscore::engine {

// Runs dimension `index` of a variant (`dim`) over the rows [first_row,
// first_row + out.size()) of `batch`, writing each row's score and status
// into out[row]'s dimensions(index), and the records into `records` when
// `explain`. Whatever the plugin did wrong becomes FAILED rows: a failed
// batch, a NaN or out-of-range score, and (when explaining) reasons that do
// not add up to the score.
void RunDimension(const BoundDimension& dim, int index,
                  const BatchColumns& batch, size_t first_row, bool explain,
                  Records& records, std::span<v1::CustomerScore* const> out);

}  // namespace healthscore::engine

#endif  // HEALTHSCORE_SERVER_ENGINE_DIMENSION_RUN_H_
