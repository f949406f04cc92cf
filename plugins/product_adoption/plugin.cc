// Exports ProductAdoption as the product_adoption plugin: the only file that
// defines the SDK's entry points, so the scoring code stays a plain library.
#include "healthscore/sdk/dimension.h"
#include "product_adoption.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::ProductAdoption)
