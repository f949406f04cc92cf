// The CLI's alert commands: alerts (ListAlerts, paged), alerts --watch
// (WatchAlerts, reconnecting by cursor), ack and resolve (AcknowledgeAlert,
// ResolveAlert) of healthscore.v1.Alerts. They run against any stub or stream
// opener, so they can be tested without a network; main.cc turns flags into
// these options.
#ifndef HEALTHSCORE_CLIENTS_CLI_ALERTS_COMMANDS_H_
#define HEALTHSCORE_CLIENTS_CLI_ALERTS_COMMANDS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli/commands.h"
#include "grpcpp/support/status.h"
#include "healthscore/v1/alerts.grpc.pb.h"

namespace healthscore::cli {

// Flags of `alerts` (the list). Empty filters match everything.
struct AlertsOptions {
  // ALERT_STATE_UNSPECIFIED: every state.
  healthscore::v1::AlertState state = healthscore::v1::ALERT_STATE_UNSPECIFIED;
  std::string segment;
  std::string severity;
  std::string customer_id;
  // At most this many alerts, newest first; the CLI pages through ListAlerts.
  int limit = 50;
  // --why: each alert with the change that raised it (ListAlerts explain).
  bool why = false;
};

// Flags of `alerts --watch`, and how it reconnects.
struct WatchOptions {
  // Start after this event's cursor (0: every event from the start).
  int64_t after_cursor = 0;
  std::string segment;
  std::string severity;

  // After a dropped stream (UNAVAILABLE, or the server ending it), wait
  // `first_backoff`, doubling at each failure in a row up to `max_backoff`,
  // and give up (exit 3) once the failures have lasted `give_up_after`.
  // A stream that delivered an event or stayed open `healthy_after` ends a
  // run of failures. The very first stream failing within `connected_after`
  // without an event is taken as no server there (exit 3 at once) rather
  // than as a drop.
  absl::Duration first_backoff = absl::Milliseconds(500);
  absl::Duration max_backoff = absl::Seconds(4);
  absl::Duration give_up_after = absl::Seconds(30);
  absl::Duration healthy_after = absl::Seconds(10);
  absl::Duration connected_after = absl::Seconds(1);
  // The clock of the above.
  std::function<absl::Time()> now = [] { return absl::Now(); };
  // Waits out a backoff; returns false when interrupted meanwhile. Unset:
  // WatchInterrupt::Sleep.
  std::function<bool(absl::Duration)> sleep;
};

// Flags of `ack ID` and `resolve ID`.
struct AlertActionOptions {
  int64_t id = 0;
  // Who is acting; required.
  std::string who;
  std::string note;
};

enum class AlertAction { kAcknowledge, kResolve };

// The default and largest page of ListAlerts, as alerts.proto says.
inline constexpr int kMaxAlertsPage = 1000;

// "open" | "acknowledged" | "resolved". Errors: INVALID_ARGUMENT listing them.
absl::StatusOr<healthscore::v1::AlertState> ParseAlertState(
    absl::string_view text);
// "" (any) or low | medium | high | critical. Errors: INVALID_ARGUMENT.
absl::Status CheckSeverity(absl::string_view severity);
// A positional alert id: a whole number from 1. Errors: INVALID_ARGUMENT.
absl::StatusOr<int64_t> ParseAlertId(absl::string_view text);

// Request building, checked. Errors: INVALID_ARGUMENT saying which flag to
// change (a severity outside the four, --limit below 1, a negative cursor,
// an empty --who).
absl::StatusOr<healthscore::v1::ListAlertsRequest> BuildListAlertsRequest(
    const AlertsOptions& options);
absl::StatusOr<healthscore::v1::WatchAlertsRequest> BuildWatchAlertsRequest(
    const WatchOptions& options);
absl::Status CheckAlertAction(const AlertActionOptions& options);

// Each Run* writes results to `out`, errors to `err`, and returns an
// ExitCode: 2 for bad options (nothing sent); 1 when the server answers
// NOT_FOUND, INVALID_ARGUMENT or (ack, resolve: the alert is already
// resolved) FAILED_PRECONDITION; 3 when the call fails otherwise. Each RPC
// gets a deadline of options.timeout.
//
// RunAlerts: ListAlerts page after page until `limit` alerts.
int RunAlerts(healthscore::v1::Alerts::StubInterface& stub,
              const CommonOptions& options, const AlertsOptions& alerts,
              std::ostream& out, std::ostream& err);
// RunAlertAction: AcknowledgeAlert or ResolveAlert; prints the updated alert.
int RunAlertAction(healthscore::v1::Alerts::StubInterface& stub,
                   const CommonOptions& options, AlertAction action,
                   const AlertActionOptions& alert, std::ostream& out,
                   std::ostream& err);

// Stops a watch from another thread (a signal handler's thread): cancels the
// open stream and wakes a backoff. Thread-safe.
class WatchInterrupt {
 public:
  void Interrupt();
  bool interrupted() const;
  // `cancel` is called by Interrupt() (at once, when already interrupted)
  // until ClearCancel().
  void SetCancel(std::function<void()> cancel);
  void ClearCancel();
  // Waits `duration` or until interrupted; returns false when interrupted.
  bool Sleep(absl::Duration duration);

 private:
  mutable absl::Mutex mu_;
  bool interrupted_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> cancel_ ABSL_GUARDED_BY(mu_);
};

// One WatchAlerts stream.
class AlertEventStream {
 public:
  virtual ~AlertEventStream() = default;
  // The next event; false when the stream has ended (then call Finish).
  virtual bool Read(healthscore::v1::AlertEvent* event) = 0;
  // How the stream ended. Call once, after Read returned false.
  virtual grpc::Status Finish() = 0;
  // Ends the stream early (Read then returns false). Thread-safe.
  virtual void Cancel() = 0;
};

// Opens a WatchAlerts stream for `request`.
using AlertStreamOpener = std::function<std::unique_ptr<AlertEventStream>(
    const healthscore::v1::WatchAlertsRequest& request)>;

// Streams through `stub`, without a deadline (a watch is long-lived).
AlertStreamOpener GrpcAlertStreamOpener(
    healthscore::v1::Alerts::StubInterface& stub);

// alerts --watch: opens a stream after `watch.after_cursor` and prints each
// event as it arrives (AlertEventPrinter, flushed). When the stream drops
// (UNAVAILABLE, or the server ends it) it reopens after the cursor of the
// last event printed, after a backoff, so nothing is missed or printed twice
// (an event at or before that cursor is skipped). Ends:
// - interrupted: "last cursor N; resume with --after-cursor=N" on `err`,
//   exit 0;
// - the server refusing the cursor (OUT_OF_RANGE) or the filters
//   (INVALID_ARGUMENT): exit 1;
// - any other error, the very first stream failing within
//   `watch.connected_after` without an event (no server there), or
//   reconnecting failing for `watch.give_up_after`: exit 3. Each but the
//   no-server one says the last cursor on `err`.
int RunWatchAlerts(const AlertStreamOpener& open, const CommonOptions& options,
                   const WatchOptions& watch, WatchInterrupt& interrupt,
                   std::ostream& out, std::ostream& err);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_ALERTS_COMMANDS_H_
