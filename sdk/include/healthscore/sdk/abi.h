/* The C ABI between the healthscore server (the host) and a dimension plugin.
 *
 * This is the whole boundary. Only plain C data crosses it: no C++ standard
 * library types, no exceptions, no protobuf. A plugin is a shared library that
 * exports exactly two symbols:
 *
 *   uint32_t hs_plugin_abi_version(void);        HS_ABI_VERSION of the SDK it
 * was built with const hs_plugin_v1* hs_plugin_entry(void);   its description
 * and functions
 *
 * Versioning: HS_ABI_VERSION = MAJOR << 16 | MINOR. The host refuses a plugin
 * whose MAJOR differs from its own or whose MINOR is newer than its own. A new
 * MINOR only appends fields to the end of hs_plugin_v1 (and of hs_host_api);
 * `struct_size` tells the reader which fields exist.
 *
 * Lifetime: everything a plugin returns from hs_plugin_entry() must stay valid
 * for the life of the process (static storage). The host never unloads a
 * plugin's code.
 *
 * Most authors never touch this file: see dimension.h for the C++ layer. */
#ifndef HEALTHSCORE_SDK_ABI_H_
#define HEALTHSCORE_SDK_ABI_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HS_ABI_VERSION_MAJOR 1u
#define HS_ABI_VERSION_MINOR 0u
#define HS_ABI_VERSION ((HS_ABI_VERSION_MAJOR << 16) | HS_ABI_VERSION_MINOR)
#define HS_ABI_MAJOR(v) ((uint32_t)(v) >> 16)
#define HS_ABI_MINOR(v) ((uint32_t)(v)&0xffffu)

/* The names of the two entry points, for hosts that look them up. */
#define HS_ENTRY_ABI_VERSION "hs_plugin_abi_version"
#define HS_ENTRY_PLUGIN "hs_plugin_entry"

#if defined(_WIN32)
#define HS_EXPORT __declspec(dllexport)
#else
#define HS_EXPORT __attribute__((visibility("default")))
#endif

/* Status of one dimension for one customer. */
typedef enum hs_status {
  HS_STATUS_OK = 0,
  /* A signal the dimension needs was missing (NaN). */
  HS_STATUS_INSUFFICIENT_DATA = 1,
  /* The dimension could not score this customer. */
  HS_STATUS_FAILED = 2
} hs_status;

/* Return codes of plugin functions. */
typedef enum hs_result { HS_OK = 0, HS_ERROR = 1 } hs_result;

/* A signal the dimension reads. Values are doubles; NaN means missing. */
typedef struct hs_signal_decl {
  const char* name; /* [a-z][a-z0-9_]*, unique within the plugin */
  const char* unit; /* "percent", "count", "days", "usd", "score", ... */
  int32_t higher_is_better; /* 1: more is healthier; 0: less is healthier */
  int32_t required;         /* 1: INSUFFICIENT_DATA when missing */
  const char* description;
  double min_value; /* the host refuses values below; NaN: no bound */
  double max_value; /* the host refuses values above; NaN: no bound */
} hs_signal_decl;

/* What a parameter holds. */
typedef enum hs_param_kind {
  /* A number, range-checked by the host. */
  HS_PARAM_NUMBER = 0,
  /* Text: a string from the scorecard, or a YAML list or mapping given there,
   * passed as YAML text for the plugin to parse (e.g. rules, named features).
   */
  HS_PARAM_TEXT = 1
} hs_param_kind;

/* A parameter the scorecard may set. */
typedef struct hs_param_decl {
  const char* name;
  double default_value; /* HS_PARAM_NUMBER */
  double min_value; /* the host refuses scorecard values below; NaN: no bound */
  double max_value; /* NaN: no bound */
  const char* description;
  int32_t kind;             /* hs_param_kind */
  const char* default_text; /* HS_PARAM_TEXT: the default (NULL: "") */
} hs_param_decl;

/* One parameter value, as the scorecard resolved it (defaults filled in).
 * Valid until the instance is destroyed. */
typedef struct hs_param_value {
  const char* name;
  double value;     /* HS_PARAM_NUMBER: the value; HS_PARAM_TEXT: 0 */
  const char* text; /* HS_PARAM_TEXT: the value, never NULL; else NULL */
} hs_param_value;

/* One reason: a rule that moved the dimension's score. Strings are copied by
 * the host before emit_reason returns. */
typedef struct hs_reason {
  const char* rule_id; /* stable identifier, e.g. "late_payments" */
  const char* signal;  /* the signal read, or NULL */
  double observed;     /* the value seen, or NaN */
  double threshold;    /* the threshold compared against, or NaN */
  double impact;       /* points moved on the 0-100 dimension score, signed */
  const char* message; /* one sentence a person can read */
} hs_reason;

/* Host callbacks. The host owns all memory behind them; strings are copied
 * before a callback returns. `row` is an index into the current batch. Safe to
 * call from the thread that called score_batch only. */
typedef struct hs_host_api {
  uint32_t struct_size;
  /* Non-zero when the caller wants reasons and actions (skip building the
   * strings otherwise). */
  int32_t (*wants_explanation)(void* ctx);
  void (*emit_reason)(void* ctx, uint32_t row, const hs_reason* reason);
  /* A recommended action for a person, e.g. "Offer training on advanced
   * features". */
  void (*emit_action)(void* ctx, uint32_t row, const char* action);
  /* Marks a row INSUFFICIENT_DATA or FAILED, with a reason naming the signal or
   * the cause. The row's score is then ignored. */
  void (*set_status)(void* ctx, uint32_t row, hs_status status,
                     const char* message);
  /* A batch-level error (score_batch then returns HS_ERROR), or an error from
   * create. */
  void (*set_error)(void* ctx, const char* message);
} hs_host_api;

/* A batch of customers, columnar. columns[i] holds num_rows values of the i-th
 * signal in the instance's signal order (instance_signals, or else the
 * plugin's declared signals). A
 * column is never NULL; a missing value is NaN. Values respect the declared
 * min/max (the host refuses others before calling). */
typedef struct hs_batch {
  uint32_t num_rows;
  uint32_t num_columns;
  const double* const* columns;
} hs_batch;

/* An instance: the plugin bound to one scorecard dimension's parameters.
 * Opaque to the host. */
typedef struct hs_instance hs_instance;

typedef struct hs_plugin_v1 {
  uint32_t struct_size; /* sizeof(hs_plugin_v1) as the plugin was built */
  const char* name;     /* [a-z][a-z0-9_]* */
  const char* version;  /* semantic version, e.g. "1.2.0" */
  const char* description;
  const hs_signal_decl* signals;
  uint32_t num_signals;
  const hs_param_decl* params;
  uint32_t num_params;

  /* Binds the plugin to parameter values (every declared parameter, in
   * declaration order, already range-checked). Called once per scorecard
   * load. On failure returns HS_ERROR and calls host->set_error. */
  hs_result (*create)(const hs_param_value* params, uint32_t num_params,
                      const hs_host_api* host, void* host_ctx,
                      hs_instance** out);
  void (*destroy)(hs_instance* instance);

  /* Scores a batch: writes scores[row] (0-100) for every row, and reports
   * reasons, actions and non-OK statuses through `host`. The host may call
   * score_batch on one instance from several threads at once, each with its
   * own batch and ctx: an instance must not change after create. On a
   * batch-level failure returns HS_ERROR and calls host->set_error; every row
   * is then FAILED with that message. */
  hs_result (*score_batch)(const hs_instance* instance, const hs_batch* batch,
                           const hs_host_api* host, void* host_ctx,
                           double* scores);

  /* Optional (NULL: the instance reads the declared signals). The signals this
   * instance reads, in the column order score_batch receives, for plugins
   * whose inputs depend on their parameters (rules written in the scorecard,
   * named key features). The array stays valid until destroy. */
  hs_result (*instance_signals)(const hs_instance* instance,
                                const hs_signal_decl** signals,
                                uint32_t* num_signals);
} hs_plugin_v1;

/* The entry points' types, for hosts. */
typedef uint32_t (*hs_plugin_abi_version_fn)(void);
typedef const hs_plugin_v1* (*hs_plugin_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HEALTHSCORE_SDK_ABI_H_ */
