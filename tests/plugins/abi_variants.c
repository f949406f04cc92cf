/* Plugins that are wrong at the ABI level, written against the C header alone.
 * Which one this file builds is chosen with -DVARIANT_*:
 *   VARIANT_MAJOR:         built for ABI 2.0
 *   VARIANT_NEWER_MINOR:   built for ABI 1.99
 *   VARIANT_MISSING_ENTRY: exports hs_plugin_abi_version only
 * Otherwise it is a correct minimal plugin in plain C (constant score 42). */
#include <stddef.h>

#include "healthscore/sdk/abi.h"

#if defined(VARIANT_MAJOR)
#define ABI ((2u << 16) | 0u)
#elif defined(VARIANT_NEWER_MINOR)
#define ABI ((HS_ABI_VERSION_MAJOR << 16) | 99u)
#else
#define ABI HS_ABI_VERSION
#endif

HS_EXPORT uint32_t hs_plugin_abi_version(void) { return ABI; }

#if !defined(VARIANT_MISSING_ENTRY)
static hs_result create(const hs_param_value* params, uint32_t num_params,
                        const hs_host_api* host, void* host_ctx,
                        hs_instance** out) {
  (void)params;
  (void)num_params;
  (void)host;
  (void)host_ctx;
  static int instance;
  *out = (hs_instance*)&instance;
  return HS_OK;
}

static void destroy(hs_instance* instance) { (void)instance; }

static hs_result score_batch(const hs_instance* instance, const hs_batch* batch,
                             const hs_host_api* host, void* host_ctx,
                             double* scores) {
  (void)instance;
  (void)host;
  (void)host_ctx;
  for (uint32_t i = 0; i < batch->num_rows; ++i) scores[i] = 42;
  return HS_OK;
}

static const hs_plugin_v1 kPlugin = {sizeof(hs_plugin_v1),
                                     HEALTHSCORE_PLUGIN_NAME,
                                     HEALTHSCORE_PLUGIN_VERSION,
                                     "A plain C plugin",
                                     NULL,
                                     0,
                                     NULL,
                                     0,
                                     create,
                                     destroy,
                                     score_batch};

HS_EXPORT const hs_plugin_v1* hs_plugin_entry(void) { return &kPlugin; }
#endif
