// The scorecard: which dimensions count, with what weights, parameters,
// groups, gates and bands, and a variant per customer segment. Parsed from
// YAML and checked for everything that can be checked without the plugins
// (the snapshot checks the rest against them). Reference: docs/scorecards.md.
#ifndef HEALTHSCORE_SERVER_CONFIG_SCORECARD_H_
#define HEALTHSCORE_SERVER_CONFIG_SCORECARD_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace healthscore {

// A band: a color and a letter grade for scores from `min` up to the next
// band's min (the top band runs to 100).
struct BandSpec {
  std::string name;
  std::string grade;
  double min = 0;
};

// A parameter as the scorecard writes it. Whether it is a number or text is
// the plugin's to say, so both readings are kept: a scalar that parses as a
// finite number has `is_number`; `text` is the scalar as written, or a YAML
// list/mapping emitted as YAML flow text.
struct ParamSetting {
  std::string name;
  bool is_number = false;
  double value = 0;
  std::string text;
  int line = 0;  // in the scorecard file, for error messages
};

// Where a dimension's plugin scores: in the server's process (fast; a crash
// there is the server's), or in a healthscore-plugin-host child process (a
// crash, hang or leak there fails the dimension's rows only). See
// docs/isolation.md.
enum class Isolation { kInProcess, kProcess };
absl::string_view IsolationName(Isolation isolation);  // "in_process", ...
// "in_process" or "process"; the error lists both.
absl::StatusOr<Isolation> ParseIsolation(absl::string_view text);

// The bounds of `time_budget_ms`: 1 ms to 10 minutes.
inline constexpr int64_t kMaxTimeBudgetMs = 600000;

struct DimensionSpec {
  std::string name;        // the scorecard's name for it
  std::string plugin_ref;  // "plugin" or "plugin@version"
  double weight = 0;
  std::vector<ParamSetting> params;
  // A warning when the dimension scores below this.
  std::optional<double> warn_below;
  // Unset: the server's default (Registry::default_isolation()).
  std::optional<Isolation> isolation;
  // How long one call of the plugin may take, in ms. Unset: no budget in
  // process, 30 s under isolation (docs/isolation.md).
  std::optional<int64_t> time_budget_ms;
  int line = 0;
};

// How a group's dimensions, or the groups, make one score.
enum class Aggregate { kWeightedMean, kMin };
absl::string_view AggregateName(Aggregate aggregate);

struct GroupSpec {
  std::string name;
  std::vector<std::string> dimensions;
  double weight = 1;
  Aggregate aggregate = Aggregate::kWeightedMean;
  int line = 0;
};

// "If <dimension or group> is below `below`, the total is capped at `cap`."
struct GateSpec {
  std::string id;
  std::string target;  // a dimension or a group name
  double below = 0;
  double cap = 100;
  std::string say;
  int line = 0;
};

// A recommended action from the scorecard: for a band, or for a dimension
// scoring below a threshold.
struct ActionSpec {
  std::string band;       // or empty
  std::string dimension;  // or empty
  double below = 0;       // with `dimension`
  std::string say;
  int line = 0;
};

// An alert rule (`alerts:`). Threshold kinds open below `enter` and close
// only at or above `exit` (hysteresis: a score wobbling around a threshold
// opens one alert, not ten).
enum class AlertKind {
  kScoreBelow,      // the score below enter; closes at exit
  kBandChange,      // the band worse than the previous point's; closes when
                    // back at that band or better
  kDrop,            // `points` below the highest score within `within_days`;
                    // closes when the drop is under `exit`
  kFalling,         // `declines` consecutive declines; closes when it rises
  kDimensionBelow,  // `dimension` below enter; closes at exit
  kCoverageBelow,   // coverage (0-1) below enter; closes at exit
};
absl::string_view AlertKindName(AlertKind kind);

struct AlertRuleSpec {
  std::string id;
  AlertKind kind = AlertKind::kScoreBelow;
  std::string severity = "medium";  // low, medium, high, critical
  std::string say;
  std::string action;
  double cooldown_days = 0;  // after it closes, before it may open again
  double enter = 0;
  double exit = 0;
  std::string dimension;   // dimension_below
  double points = 0;       // drop
  double within_days = 0;  // drop
  int declines = 0;        // falling
  int line = 0;
};

// Which alert events a webhook is sent (`webhooks[].events`).
enum class WebhookEvent { kOpened = 1, kAcknowledged = 2, kResolved = 3 };
absl::string_view WebhookEventName(WebhookEvent event);

// A webhook (`webhooks:`, or --webhook-url): alert events POSTed as signed
// JSON, retried with exponential backoff, dead after max_attempts.
// Reference: docs/alerts.md.
struct WebhookSpec {
  std::string id;
  std::string url;  // http:// or https://
  // The HMAC-SHA256 key, read at load from `secret_from`. Never logged.
  std::string secret;
  // Where the secret came from, for messages: "secret_env NAME" or
  // "secret_file PATH".
  std::string secret_from;
  // Empty: every event.
  std::vector<WebhookEvent> events;
  int max_attempts = 8;
  int64_t initial_backoff_ms = 1000;
  int64_t max_backoff_ms = 600000;
  int64_t timeout_ms = 5000;
  int line = 0;
};

// Checks a webhook URL: http:// or https:// with a host. `field` names it in
// the error ("webhooks[0].url", "--webhook-url").
absl::Status CheckWebhookUrl(absl::string_view url, absl::string_view field);
// Reads a secret file (trailing whitespace dropped); errors name `field` and
// the path, never the content.
absl::StatusOr<std::string> ReadWebhookSecretFile(
    const std::filesystem::path& path, absl::string_view field);

// A segment's overrides of the default scorecard.
struct SegmentSpec {
  std::string name;
  std::map<std::string, double> weights;  // dimension -> weight
  std::map<std::string, std::vector<ParamSetting>> params;  // dimension -> ...
  std::map<std::string, double> group_weights;
  std::vector<BandSpec> bands;  // empty: the default's
  int line = 0;
  std::map<std::string, int> weight_lines;  // for errors
  std::map<std::string, int> param_lines;
};

struct ScorecardSpec {
  std::string name;
  std::string version;
  std::string hash;    // SHA-256 of the file's bytes, hex
  std::string source;  // the file it came from
  std::string missing_data = "renormalize";
  std::vector<DimensionSpec> dimensions;  // in file order
  std::vector<BandSpec> bands;            // highest min first
  // Empty: no groups; the total aggregates the dimensions directly.
  std::vector<GroupSpec> groups;
  // How the groups (or, without groups, the dimensions) make the total.
  Aggregate aggregate = Aggregate::kWeightedMean;
  std::vector<GateSpec> gates;
  std::vector<ActionSpec> actions;
  // Warnings: coverage below this share (0-1); data older than this.
  std::optional<double> min_coverage;
  std::optional<double> max_data_age_days;
  std::vector<SegmentSpec> segments;
  std::vector<AlertRuleSpec> alerts;
  std::vector<WebhookSpec> webhooks;
  // trend.windows_days: the windows (days, shortest first) a recorded
  // score's trend reports its change over.
  std::vector<int> trend_windows_days = {7, 30, 90};
  // not_actionable: signals a team cannot act on (external factors, tenure,
  // last period's values), which PathToGreen never moves. In file order, with
  // the line of each; that a dimension reads each is checked when the
  // snapshot binds (only the plugins know what they read).
  std::vector<std::string> not_actionable;
  std::vector<int> not_actionable_lines;
  // The file's bytes, as hashed: kept with recorded scores so that an old
  // point can be scored again under the scorecard that made it.
  std::string text;
};

inline constexpr size_t kMaxTrendWindows = 8;
inline constexpr size_t kMaxAlertRules = 64;
inline constexpr size_t kMaxWebhooks = 16;
inline constexpr size_t kMaxNotActionable = 256;
// The id of the webhook --webhook-url configures (refused in a scorecard).
inline constexpr char kFlagWebhookId[] = "flag";
inline constexpr int kMaxTrendWindowDays = 3660;

// Parses and checks a scorecard. Errors read
// "<source>:<line>: <field>: <problem>", e.g.
// "default.yaml:14: dimensions.support.weight: -5 is negative; weights must be
// >= 0". Webhook secrets are read here (secret_env from the environment,
// secret_file relative to the directory of `source`): one that cannot be read
// is a load error naming the variable or file.
// Whether ParseScorecard reads webhook secrets: a live scorecard does; one
// only replayed (a stored scorecard, a dry-run or backtest draft) does not,
// and its webhooks' `secret` stays empty.
enum class SecretReading { kRead, kSkip };
absl::StatusOr<ScorecardSpec> ParseScorecard(
    absl::string_view yaml, absl::string_view source,
    SecretReading secrets = SecretReading::kRead);

// Reads `path` and parses it.
absl::StatusOr<ScorecardSpec> LoadScorecardFile(
    const std::filesystem::path& path);

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_CONFIG_SCORECARD_H_
