/* The C ABI between the healthscore server (the host) and a dimension plugin,
 * version 2.0.
 *
 * This is the whole boundary. Only plain C data crosses it: no C++ standard
 * library types, no exceptions, no protobuf. A plugin is a shared library that
 * exports exactly two symbols:
 *
 *   uint32_t hs_plugin_abi_version(void);       the HS_ABI_VERSION it was
 *                                               built with
 *   const hs_plugin_v2* hs_plugin_entry(void);  its declarations and functions
 *
 * Versioning: HS_ABI_VERSION = MAJOR << 16 | MINOR. The host refuses a plugin
 * whose MAJOR differs from its own or whose MINOR is newer than its own. A new
 * MINOR only appends fields to the end of the structs below; `struct_size`
 * tells the reader which fields exist. A 1.x plugin is refused with a message
 * that says to rebuild it against SDK 2.0 (docs/plugin-sdk.md, "From 1.x").
 *
 * Explanations are data. A plugin declares its rules up front (hs_rule_decl:
 * an id, the signal read, sentence templates with named placeholders); while
 * scoring it writes reason records (rule index, signed impact, observed value,
 * threshold, numeric arguments) into arrays the host owns. No string is built
 * on the hot path: the host formats a sentence only for a reason it returns,
 * with the template that matches the impact's sign.
 *
 * The explanation model: a dimension's score is HS_NEUTRAL_SCORE (50) plus
 * the sum of its reasons' impacts on that row, exactly (within 1e-6). Each
 * reason is a fact about the customer with the points it moves; there is no
 * "starts at 100" entry. The host verifies the sum and marks a row whose
 * reasons do not add up FAILED, naming both numbers.
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

#define HS_ABI_VERSION_MAJOR 2u
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

/* The score a dimension's reasons add up from: score = 50 + sum(impacts). */
#define HS_NEUTRAL_SCORE 50.0

/* How many numeric arguments a reason or an action record carries. */
#define HS_MAX_ARGS 4

/* Status of one dimension for one customer. */
typedef enum hs_status {
  HS_STATUS_OK = 0,
  /* The data the dimension needs is not there. The host sets this itself,
   * before calling the plugin, for a row missing a required signal. */
  HS_STATUS_INSUFFICIENT_DATA = 1,
  /* The dimension could not score this customer. */
  HS_STATUS_FAILED = 2
} hs_status;

/* Return codes of plugin functions. */
typedef enum hs_result { HS_OK = 0, HS_ERROR = 1 } hs_result;

/* A signal the dimension reads. Values are doubles; NaN means missing. */
typedef struct hs_signal_decl {
  const char* name; /* [a-z][a-z0-9_]*, unique within the plugin */
  /* How values read in sentences: "percent", "count", "days", "months",
   * "hours", "usd", "score", "nps", "net_percent", "flag", "ratio" or "" (a
   * plain number). */
  const char* unit;
  int32_t higher_is_better; /* 1: more is healthier; 0: less is healthier */
  /* 1: the host marks a row without it INSUFFICIENT_DATA (naming it) and never
   * passes that row to the plugin, so a required column holds no NaN. */
  int32_t required;
  const char* description;
  double min_value; /* the host refuses values below; NaN: no bound */
  double max_value; /* the host refuses values above; NaN: no bound */
  /* The range most customers fall in, for the checker's random rows (NaN:
   * min_value / max_value, or a range the checker picks). */
  double typical_min;
  double typical_max;
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

/* A rule: one fact about a customer that moves the dimension's score.
 *
 * Templates are sentences with placeholders in braces: {observed},
 * {threshold}, or one of `args` by name, optionally with a format after a
 * colon: {observed:percent}, {drop:points}, {count:plural:touchpoint}.
 * {observed} and {threshold} default to the rule's unit, arguments to a plain
 * number. Formats: number, percent, points, days, months, hours, usd, count,
 * score, signed (+12), abs (12 for -12), plural:<noun> (1 touchpoint, 4
 * touchpoints). "{{" is a literal brace. The host checks every template at
 * load and refuses a plugin with a placeholder it cannot resolve.
 *
 * Wording by sign: `raises` reads when the impact is positive, `lowers` when
 * it is negative; `text` is a neutral wording, used for a sign whose own
 * template is NULL and for impact 0 (where a rule with one signed wording
 * only uses that one). A rule needs at least one wording; the checker reports
 * a reason whose sign has none (the host then says "<rule id> (observed
 * <value>)", never the other sign's sentence). */
typedef struct hs_rule_decl {
  const char* id;     /* [a-z][a-z0-9_]*, unique within the instance */
  const char* signal; /* the signal it reads, or NULL */
  const char* unit;   /* of observed and threshold; NULL: the signal's */
  const char* raises;
  const char* lowers;
  const char* text;
  /* Names of the numeric arguments, [a-z][a-z0-9_]*; NULL ends the list. */
  const char* args[HS_MAX_ARGS];
} hs_rule_decl;

/* A recommended action for a person, with placeholders for its arguments as
 * in hs_rule_decl ({observed} and {threshold} do not exist here). */
typedef struct hs_action_decl {
  const char* id; /* [a-z][a-z0-9_]*, unique within the instance */
  const char* text;
  const char* args[HS_MAX_ARGS];
} hs_action_decl;

/* A reason the plugin reports for one row. 64 bytes. */
typedef struct hs_reason_record {
  uint32_t row;     /* index into the batch */
  uint32_t rule;    /* index into the instance's rules */
  double impact;    /* points moved on the 0-100 dimension score, signed */
  double observed;  /* the value seen, or NaN */
  double threshold; /* the threshold compared against, or NaN */
  double args[HS_MAX_ARGS]; /* the rule's arguments, in declared order */
} hs_reason_record;

/* An action the plugin recommends for one row. */
typedef struct hs_action_record {
  uint32_t row;
  uint32_t action; /* index into the instance's actions */
  double args[HS_MAX_ARGS];
} hs_action_record;

/* Where score_batch writes. The host owns every array.
 *
 * scores[row] for every row. Reasons and actions are appended at
 * reasons[num_reasons++] while num_reasons < reasons_capacity; when an array
 * is full the plugin calls host->grow, which enlarges it (updating the
 * pointer and the capacity) or returns 0 when it cannot. When `explain` is 0
 * the caller wants no explanation: the plugin may skip reasons and actions
 * (the host ignores them). */
typedef struct hs_output {
  double* scores;
  int32_t explain;
  hs_reason_record* reasons;
  uint32_t num_reasons;
  uint32_t reasons_capacity;
  hs_action_record* actions;
  uint32_t num_actions;
  uint32_t actions_capacity;
} hs_output;

/* Host callbacks. Strings are copied before a callback returns. Safe to call
 * from the thread that called score_batch only; none is needed on a row that
 * scores normally. */
typedef struct hs_host_api {
  uint32_t struct_size;
  /* Enlarges out->reasons (which = 0) or out->actions (which = 1) to at
   * least twice its capacity, keeping what is written. Returns 1, or 0 when
   * it cannot (the plugin then fails the batch). */
  int32_t (*grow)(void* ctx, hs_output* out, int32_t which);
  /* Marks a row INSUFFICIENT_DATA or FAILED, with a sentence naming the
   * signal or the cause. The row's score, reasons and actions are ignored. */
  void (*set_status)(void* ctx, uint32_t row, hs_status status,
                     const char* message);
  /* A batch-level error (score_batch then returns HS_ERROR), or an error from
   * create. */
  void (*set_error)(void* ctx, const char* message);
} hs_host_api;

/* A batch of customers, columnar. columns[i] holds num_rows values of the i-th
 * signal in the instance's signal order. A column is never NULL; a missing
 * value is NaN (never in a required signal's column). Values are finite and
 * respect the declared min/max (the host refuses others before calling). */
typedef struct hs_batch {
  uint32_t num_rows;
  uint32_t num_columns;
  const double* const* columns;
} hs_batch;

/* An instance: the plugin bound to one scorecard dimension's parameters.
 * Opaque to the host. */
typedef struct hs_instance hs_instance;

/* What an instance reads and says, when that depends on its parameters
 * (rules written in the scorecard, named key features). Arrays stay valid
 * until destroy. */
typedef struct hs_instance_decl {
  const hs_signal_decl* signals;
  uint32_t num_signals;
  const hs_rule_decl* rules;
  uint32_t num_rules;
  const hs_action_decl* actions;
  uint32_t num_actions;
} hs_instance_decl;

typedef struct hs_plugin_v2 {
  uint32_t struct_size; /* sizeof(hs_plugin_v2) as the plugin was built */
  const char* name;     /* [a-z][a-z0-9_]* */
  const char* version;  /* semantic version, e.g. "1.2.0" */
  const char* description;
  const hs_signal_decl* signals;
  uint32_t num_signals;
  const hs_param_decl* params;
  uint32_t num_params;
  const hs_rule_decl* rules;
  uint32_t num_rules;
  const hs_action_decl* actions;
  uint32_t num_actions;

  /* Binds the plugin to parameter values (every declared parameter, in
   * declaration order, already range-checked). Called once per scorecard
   * load. On failure returns HS_ERROR and calls host->set_error. */
  hs_result (*create)(const hs_param_value* params, uint32_t num_params,
                      const hs_host_api* host, void* host_ctx,
                      hs_instance** out);
  void (*destroy)(hs_instance* instance);

  /* Optional (NULL: the instance reads the declared signals and says the
   * declared rules and actions). Fills `out` with this instance's own. */
  hs_result (*describe_instance)(const hs_instance* instance,
                                 hs_instance_decl* out);

  /* Scores a batch: writes out->scores[row] for every row, appends reason and
   * action records, and reports non-OK rows through host->set_status. The
   * host may call score_batch on one instance from several threads at once,
   * each with its own batch, output and ctx: an instance must not change
   * after create. On a batch-level failure returns HS_ERROR and calls
   * host->set_error; every row is then FAILED with that message. */
  hs_result (*score_batch)(const hs_instance* instance, const hs_batch* batch,
                           hs_output* out, const hs_host_api* host,
                           void* host_ctx);
} hs_plugin_v2;

/* The entry points' types, for hosts. */
typedef uint32_t (*hs_plugin_abi_version_fn)(void);
typedef const hs_plugin_v2* (*hs_plugin_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HEALTHSCORE_SDK_ABI_H_ */
