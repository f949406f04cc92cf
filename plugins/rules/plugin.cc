// Exports the rules dimension as this library's plugin.
#include "plugins/rules/rules.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::Rules)
