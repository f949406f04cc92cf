// What-if: a customer scored with some signals changed (Simulate), and the
// smallest set of signal changes found that lifts it into the next better
// band (PathToGreen). Both score through the engine, so what they answer is
// what Score would answer for the changed customer. Reference:
// docs/validation.md, "What-if and the path to green".
#ifndef HEALTHSCORE_SERVER_VALIDATION_WHATIF_H_
#define HEALTHSCORE_SERVER_VALIDATION_WHATIF_H_

#include "absl/status/status.h"
#include "healthscore/v1/validation.pb.h"
#include "server/engine/snapshot.h"
#include "server/store/store.h"

namespace healthscore::validation {

// Both take the customer as Score does (customer_id and its signals, checked
// against the snapshot's bounds), or with only customer_id (and optionally a
// segment, which then wins over the recorded one) set: its newest recorded
// point's inputs from `store`. `store` may be null (then the customer must be
// given with its signals). Scores are what the scorecard computes: a person's
// override (healthscore.v1.Overrides) is not applied.
//
// Errors: INVALID_ARGUMENT naming the field, the value and the limit;
// NOT_FOUND when the customer has no recorded point with inputs;
// FAILED_PRECONDITION without a store for a customer given without signals,
// when a recorded value is outside the bounds the snapshot declares, or when
// no dimension can score the customer.
//
// Thread-safe: they only read `snapshot`, and a Store is thread-safe.

// The score (request.explain, EXPLAIN_FULL when unset) before and after
// `changes` (NaN: make the signal missing). A change must name a signal some
// dimension reads and be within its declared bounds; infinities are refused.
absl::Status Simulate(store::Store* store, const Snapshot& snapshot,
                      const v1::SimulateRequest& request,
                      v1::SimulateResponse& response);

// The fewest signal changes the search finds that lift the customer into the
// next better band of its variant (by band name: red to yellow, yellow to
// green), each signal moved only in the direction its plugins declare as
// better, within its declared bounds, never one the scorecard lists as
// not_actionable; a missing signal may be filled only where a dimension then
// scores with it. Greedy: repeatedly the single move that gains the most (a
// move that reaches the band: the smallest such), then moves that are not
// needed dropped and the rest shrunk to the least that still reaches it;
// each move's points are given the moves before it, and `after` re-scores
// all of them. A customer in the best band: already_best, no moves. No path
// found: OK, no moves, and `note` says why and how far the search got.
absl::Status PathToGreen(store::Store* store, const Snapshot& snapshot,
                         const v1::PathToGreenRequest& request,
                         v1::PathToGreenResponse& response);

}  // namespace healthscore::validation

#endif  // HEALTHSCORE_SERVER_VALIDATION_WHATIF_H_
