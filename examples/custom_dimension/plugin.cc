// Exports WebEngagement as the web_engagement plugin: the only file that
// defines the SDK's entry points, so the scoring code stays a plain library.
#include "healthscore/sdk/dimension.h"
#include "web_engagement.h"

HEALTHSCORE_DIMENSION(example::WebEngagement)
