// Exports ExternalFactors as the external_factors plugin: the only file that
// defines the SDK's entry points, so the scoring code stays a plain library.
#include "external_factors.h"
#include "healthscore/sdk/dimension.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::ExternalFactors)
