// Exports WebEngagement as the web_engagement plugin: the only file that
// defines the SDK's entry points, so the scoring code stays a plain library.
// Without this line the library fails to link (healthscore_add_dimension
// requires both entry points to be defined).
#include "healthscore/sdk/dimension.h"
#include "web_engagement.h"

HEALTHSCORE_DIMENSION(example::WebEngagement)
