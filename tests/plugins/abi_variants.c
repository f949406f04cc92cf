/* Plugins that are wrong at the ABI level, written against the C header alone.
 * Which one this file builds is chosen with -DVARIANT_*:
 *   VARIANT_MAJOR:         built for ABI 3.0
 *   VARIANT_V1:            an ABI 1.0 plugin (SDK 1.x), which this host
 *                          refuses with a message saying how to rebuild
 *   VARIANT_NEWER_MINOR:   built for ABI 1.99
 *   VARIANT_MISSING_ENTRY: exports hs_plugin_abi_version only
 * Otherwise it is a correct minimal plugin in plain C (constant score 42). */
#include <stddef.h>

#include "healthscore/sdk/abi.h"

#if defined(VARIANT_MAJOR)
#define ABI ((3u << 16) | 0u)
#elif defined(VARIANT_V1)
#define ABI ((1u << 16) | 0u)
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

/* 42 is 50 - 8: one reason of -8 explains it. */
static const hs_rule_decl kRules[] = {
    {"constant", NULL, NULL, NULL, NULL, "a constant {observed}",
     {NULL, NULL, NULL, NULL}}};

static hs_result score_batch(const hs_instance* instance, const hs_batch* batch,
                             hs_output* out, const hs_host_api* host,
                             void* host_ctx) {
  (void)instance;
  for (uint32_t i = 0; i < batch->num_rows; ++i) {
    out->scores[i] = 42;
    if (!out->explain) continue;
    if (out->num_reasons == out->reasons_capacity &&
        !host->grow(host_ctx, out, 0)) {
      host->set_error(host_ctx, "no room for reasons");
      return HS_ERROR;
    }
    hs_reason_record* r = &out->reasons[out->num_reasons++];
    r->row = i;
    r->rule = 0;
    r->impact = -8;
    r->observed = 42;
    r->threshold = 0.0 / 0.0;
    for (int a = 0; a < HS_MAX_ARGS; ++a) r->args[a] = 0;
  }
  return HS_OK;
}

static const hs_plugin_v2 kPlugin = {sizeof(hs_plugin_v2),
                                     HEALTHSCORE_PLUGIN_NAME,
                                     HEALTHSCORE_PLUGIN_VERSION,
                                     "A plain C plugin",
                                     NULL,
                                     0,
                                     NULL,
                                     0,
                                     kRules,
                                     1,
                                     NULL,
                                     0,
                                     create,
                                     destroy,
                                     NULL,
                                     score_batch};

HS_EXPORT const hs_plugin_v2* hs_plugin_entry(void) { return &kPlugin; }
#endif
