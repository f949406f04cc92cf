// Exports FeatureAdoption as the feature_adoption plugin: the only file that
// defines the SDK's entry points, so the scoring code stays a plain library.
#include "feature_adoption.h"
#include "healthscore/sdk/dimension.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::FeatureAdoption)
