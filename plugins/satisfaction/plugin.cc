// Exports Satisfaction as the satisfaction plugin: the only file that defines
// the SDK's entry points, so the scoring code stays a plain library.
#include "healthscore/sdk/dimension.h"
#include "satisfaction.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::Satisfaction)
