// Exports RenewalReadiness as the renewal_readiness plugin: the only file that
// defines the SDK's entry points, so the scoring code stays a plain library.
#include "healthscore/sdk/dimension.h"
#include "renewal_readiness.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::RenewalReadiness)
