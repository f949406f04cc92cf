// Exports RelationshipHealth as the relationship_health plugin: the only file
// that defines the SDK's entry points, so the scoring code stays a plain
// library.
#include "healthscore/sdk/dimension.h"
#include "relationship_health.h"

HEALTHSCORE_DIMENSION(healthscore::plugins::RelationshipHealth)
