// Exports Engagement as the engagement plugin: the only file that defines the
// SDK's entry points, so the scoring code stays a plain library.
#include "engagement.h"
#include "healthscore/sdk/dimension.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::Engagement)
