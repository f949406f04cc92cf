// The compact batch layout (LAYOUT_COMPACT): a reply's scores as columns,
// names once per batch.
#ifndef HEALTHSCORE_SERVER_SERVICE_COMPACT_H_
#define HEALTHSCORE_SERVER_SERVICE_COMPACT_H_

#include "healthscore/v1/health_scoring.pb.h"
#include "server/engine/snapshot.h"

namespace healthscore {

// Moves `response.results` (scored under `snapshot`) into
// `response.compact`, leaving `results` empty. Drivers keep their sentences
// only when `sentences`.
void CompactResults(const Snapshot& snapshot, bool sentences,
                    v1::ScoreBatchResponse& response);

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_COMPACT_H_
