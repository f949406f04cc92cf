// Exports Tenure as the tenure plugin: the only file that defines the SDK's
// entry points, so the scoring code stays a plain library.
#include "healthscore/sdk/dimension.h"
#include "tenure.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::Tenure)
