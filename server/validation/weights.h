// Suggested weights: non-negative dimension weights fitted to the recorded
// outcomes on a split by customer, returned as a draft scorecard with the
// held-out backtest of active vs suggested. Never applied by itself.
// Reference: docs/validation.md, "Suggested weights".
#ifndef HEALTHSCORE_SERVER_VALIDATION_WEIGHTS_H_
#define HEALTHSCORE_SERVER_VALIDATION_WEIGHTS_H_

#include "absl/status/status.h"
#include "healthscore/v1/validation.pb.h"
#include "server/engine/snapshot.h"
#include "server/registry/registry.h"
#include "server/store/store.h"

namespace healthscore::validation {

// Labels the points in scope as Dataset::Load does, splits the customers
// (stratified by churn, ordered by a hash of id and request.seed), fits the
// default dimensions' weights on the training customers' dimension scores
// under `active` (a logistic regression of the label on the weighted mean
// of the dimension risks present, weights >= 0, L2 penalty; dlib's
// box-constrained L-BFGS), scales them to the active total weight and writes
// them into a copy of active.spec().text, changing only those numbers (and
// the weights of groups that are their members' sums). The draft is parsed
// and bound with `registry` before it is returned, with both backtests of
// the held-out customers. Reads the store; keeps no state; safe to call
// from several threads at once (each call scores on every core).
//
// Errors: as Dataset::Load; INVALID_ARGUMENT for regularization < 0 (0: the
// default 1.0) or a holdout_fraction outside 0.1-0.5 (0: the default 0.3);
// FAILED_PRECONDITION when a side of the split has only one label or the
// fit puts no weight on any dimension; INTERNAL when a weight is written so
// that it cannot be rewritten in place (an alias, a tag).
absl::Status SuggestWeights(store::Store& store, const Snapshot& active,
                            const Registry& registry,
                            const v1::SuggestWeightsRequest& request,
                            v1::SuggestWeightsResponse& response);

}  // namespace healthscore::validation

#endif  // HEALTHSCORE_SERVER_VALIDATION_WEIGHTS_H_
