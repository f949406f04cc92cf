/* The one defect of check_extra_export: a function exported beside the SDK's
 * entry points, as happens when a plugin is linked without
 * healthscore_add_dimension's hidden visibility and version script. The rest
 * of the plugin is tests/plugins/abi_variants.c, a correct minimal C plugin. */
#include "healthscore/sdk/abi.h"

HS_EXPORT int hs_debug_dump(void) { return 0; }
