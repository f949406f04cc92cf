// Trends: how a recorded score moved against the customer's earlier points.
// These are the leading indicators (a fall over 30 days, a run of declines).
#ifndef HEALTHSCORE_SERVER_HISTORY_TREND_H_
#define HEALTHSCORE_SERVER_HISTORY_TREND_H_

#include <cstdint>
#include <span>

#include "healthscore/v1/health_scoring.pb.h"
#include "server/store/store.h"

namespace healthscore::history {

// How far back a trend looks for `windows_days` (shortest first): twice the
// longest window, since a window's "then" point may be up to one window older
// than its day.
int64_t TrendLookbackMicros(std::span<const int> windows_days);

// The trend of a point scored `score` at `as_of_us`, from the customer's
// `earlier` points (as_of < as_of_us, newest first, back at least
// TrendLookbackMicros). Pure.
v1::Trend ComputeTrend(int64_t as_of_us, double score,
                       std::span<const store::ScoreAt> earlier,
                       std::span<const int> windows_days);

}  // namespace healthscore::history

#endif  // HEALTHSCORE_SERVER_HISTORY_TREND_H_
