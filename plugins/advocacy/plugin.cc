// Exports Advocacy as the advocacy plugin: the only file that defines the
// SDK's entry points, so the scoring code stays a plain library.
#include "advocacy.h"
#include "healthscore/sdk/dimension.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::Advocacy)
