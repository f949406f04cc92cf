// Exports ExpansionPotential as the expansion_potential plugin: the only file
// that defines the SDK's entry points, so the scoring code stays a plain
// library.
#include "expansion_potential.h"
#include "healthscore/sdk/dimension.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::ExpansionPotential)
