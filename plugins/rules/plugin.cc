// Exports the rules dimension as this library's plugin.
#include "rules.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::ScorecardRules)
