// One customer's dimensions -> groups, total, gates, band, warnings and
// explanation. Internal to server/engine.
#ifndef HEALTHSCORE_SERVER_ENGINE_AGGREGATE_H_
#define HEALTHSCORE_SERVER_ENGINE_AGGREGATE_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "healthscore/v1/health_scoring.pb.h"
#include "server/engine/engine.h"
#include "server/engine/explanations.h"
#include "server/engine/snapshot.h"

namespace healthscore::engine {

// Adds a warning (code, sentence, and the dimension it is about, if any).
void AddWarning(v1::CustomerScore& score, absl::string_view code,
                std::string message, absl::string_view dimension = "");

// Weighs one customer's dimensions (score's `dimensions`, already scored)
// into group scores and a total, applies the gates, then bands, warns and
// explains from the records of row `row` of `ex`. Returns
// FAILED_PRECONDITION when no weighted dimension could score the customer.
absl::Status AggregateCustomer(const Snapshot& snapshot, const Variant& v,
                               v1::Explain explain, absl::Time now,
                               const ScoreOptions& options,
                               const Explanations& ex, size_t row,
                               v1::CustomerScore& score);

}  // namespace healthscore::engine

#endif  // HEALTHSCORE_SERVER_ENGINE_AGGREGATE_H_
