// Output of the what-if commands (what-if, path-to-green). Everything writes
// to a caller's std::ostream so that tests can assert on the exact text.
#ifndef HEALTHSCORE_CLIENTS_CLI_WHATIF_FORMAT_H_
#define HEALTHSCORE_CLIENTS_CLI_WHATIF_FORMAT_H_

#include <ostream>

#include "clients/cli/requests.h"
#include "healthscore/v1/validation.pb.h"

namespace healthscore::cli {

// Simulate's reply to `request` (whose changes it lists).
// - kTable:
//     acme-001  score 27.4 -> 35.2 (+7.8)  band red F -> red D
//     changes: avg_resolution_hours=24, referrals_12m=missing
//       dimension       before  after  change  points
//       support_health    26.6   60.1   +33.5    +3.0
//       (12 other dimensions unchanged)
//     gate support_floor: -17.6 before, none after
//   listing the dimensions whose score, status or points of the total
//   changed ("-" for a dimension without a score), then each gate that held
//   the score down before or after.
// - kCsv: customer_id,kind,name,before,after,change: a `score` row (name
//   `total`), then a `dimension` row per dimension (empty cells where a
//   dimension has no score).
// - kJson: the SimulateResponse on one line.
void PrintSimulation(const healthscore::v1::SimulateRequest& request,
                     const healthscore::v1::SimulateResponse& response,
                     OutputFormat format, std::ostream& out);

// PathToGreen's reply.
// - kTable: a header line
//     acme-001  score 27.4 red F -> 50.2 yellow C with 3 changes (yellow
//     needs 50)
//   then the moves (signal, unit, from, to, points; from `missing` for a
//   filled signal) and "verified: the 3 changes together score 50.2, band
//   yellow (grade C)". Already in the best band: one line saying so. No path:
//   "no path to yellow (50) found" and the server's note.
// - kCsv: customer_id,current_score,current_band,target_band,signal,unit,
//   from,to,points,after_score,after_band,note: a row per move, or one row
//   with empty move cells when there is none.
// - kJson: the PathToGreenResponse on one line.
void PrintPathToGreen(const healthscore::v1::PathToGreenResponse& response,
                      OutputFormat format, std::ostream& out);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_WHATIF_FORMAT_H_
