// The alert commands: list, watch (reconnecting by cursor), acknowledge and
// resolve through healthscore.v1.Alerts; map each outcome to an exit code.
#include "clients/cli/alerts_commands.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/cli/alerts_format.h"
#include "clients/cli/format.h"
#include "grpcpp/client_context.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

int UsageFailed(const absl::Status& status, std::ostream& err) {
  err << "error: " << status.message() << "\n";
  return kExitUsage;
}

// "0.5 s", "4 s", "30.2 s".
std::string Seconds(absl::Duration duration) {
  return absl::StrFormat("%.3g s", absl::ToDoubleSeconds(duration));
}

class GrpcAlertEventStream final : public AlertEventStream {
 public:
  GrpcAlertEventStream(v1::Alerts::StubInterface& stub,
                       const v1::WatchAlertsRequest& request)
      : reader_(stub.WatchAlerts(&context_, request)) {}
  bool Read(v1::AlertEvent* event) override { return reader_->Read(event); }
  grpc::Status Finish() override { return reader_->Finish(); }
  void Cancel() override { context_.TryCancel(); }

 private:
  // Declared first: the reader must go before its context.
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderInterface<v1::AlertEvent>> reader_;
};

}  // namespace

absl::StatusOr<v1::AlertState> ParseAlertState(absl::string_view text) {
  const std::string state = absl::AsciiStrToLower(text);
  if (state == "open") return v1::ALERT_STATE_OPEN;
  if (state == "acknowledged") return v1::ALERT_STATE_ACKNOWLEDGED;
  if (state == "resolved") return v1::ALERT_STATE_RESOLVED;
  return absl::InvalidArgumentError(
      absl::StrCat("--state=", text,
                   ": the states are open, acknowledged "
                   "and resolved"));
}

absl::Status CheckSeverity(absl::string_view severity) {
  if (severity.empty() || severity == "low" || severity == "medium" ||
      severity == "high" || severity == "critical") {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--severity=", severity,
                   ": the severities are low, medium, high and critical"));
}

absl::StatusOr<int64_t> ParseAlertId(absl::string_view text) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(text, &id) || id < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", text,
        "\" is not an alert id (a whole number from 1; `healthscore alerts` "
        "lists them)"));
  }
  return id;
}

absl::StatusOr<v1::ListAlertsRequest> BuildListAlertsRequest(
    const AlertsOptions& options) {
  if (absl::Status s = CheckSeverity(options.severity); !s.ok()) return s;
  // --limit has no upper bound: the CLI pages.
  if (options.limit < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--limit=", options.limit, " must be at least 1"));
  }
  v1::ListAlertsRequest request;
  request.set_state(options.state);
  request.set_segment(options.segment);
  request.set_severity(options.severity);
  request.set_customer_id(options.customer_id);
  request.set_explain(options.why);
  request.set_page_size(std::min(options.limit, kMaxAlertsPage));
  return request;
}

absl::StatusOr<v1::WatchAlertsRequest> BuildWatchAlertsRequest(
    const WatchOptions& options) {
  if (absl::Status s = CheckSeverity(options.severity); !s.ok()) return s;
  if (options.after_cursor < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--after-cursor=", options.after_cursor,
                     " must be 0 (every event) or a cursor a watch printed"));
  }
  v1::WatchAlertsRequest request;
  request.set_after_cursor(options.after_cursor);
  request.set_segment(options.segment);
  request.set_severity(options.severity);
  return request;
}

absl::Status CheckAlertAction(const AlertActionOptions& options) {
  if (options.id < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("alert id ", options.id,
                     " is not an alert id (ids start "
                     "at 1)"));
  }
  if (options.who.empty()) {
    return absl::InvalidArgumentError(
        "--who NAME is required: say who is acting on the alert");
  }
  return absl::OkStatus();
}

int RunAlerts(v1::Alerts::StubInterface& stub, const CommonOptions& options,
              const AlertsOptions& alerts, std::ostream& out,
              std::ostream& err) {
  absl::StatusOr<v1::ListAlertsRequest> request =
      BuildListAlertsRequest(alerts);
  if (!request.ok()) return UsageFailed(request.status(), err);
  std::vector<v1::Alert> listed;
  const size_t limit = static_cast<size_t>(alerts.limit);
  bool more = false;
  while (true) {
    request->set_page_size(static_cast<int>(std::min<size_t>(
        limit - listed.size(), static_cast<size_t>(kMaxAlertsPage))));
    grpc::ClientContext context;
    SetDeadline(context, options);
    v1::ListAlertsResponse response;
    const grpc::Status status = stub.ListAlerts(&context, *request, &response);
    if (!status.ok()) {
      err << DescribeRpcError(status, options) << "\n";
      return status.error_code() == grpc::StatusCode::INVALID_ARGUMENT
                 ? kExitNotFound
                 : kExitRpcFailed;
    }
    for (v1::Alert& alert : *response.mutable_alerts()) {
      if (listed.size() == limit) break;
      listed.push_back(std::move(alert));
    }
    more = !response.next_page_token().empty();
    // An empty page with a token would loop forever; stop there.
    if (!more || response.alerts().empty() || listed.size() == limit) break;
    request->set_page_token(response.next_page_token());
  }
  PrintAlerts(listed, more, options.format, out);
  return kExitOk;
}

int RunAlertAction(v1::Alerts::StubInterface& stub,
                   const CommonOptions& options, AlertAction action,
                   const AlertActionOptions& alert, std::ostream& out,
                   std::ostream& err) {
  if (absl::Status s = CheckAlertAction(alert); !s.ok()) {
    return UsageFailed(s, err);
  }
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::Alert response;
  grpc::Status status;
  if (action == AlertAction::kAcknowledge) {
    v1::AcknowledgeAlertRequest request;
    request.set_id(alert.id);
    request.set_who(alert.who);
    request.set_note(alert.note);
    status = stub.AcknowledgeAlert(&context, request, &response);
  } else {
    v1::ResolveAlertRequest request;
    request.set_id(alert.id);
    request.set_who(alert.who);
    request.set_note(alert.note);
    status = stub.ResolveAlert(&context, request, &response);
  }
  if (!status.ok()) return RefusedOrFailed(status, options, err);
  PrintAlert(response, options.format, out);
  return kExitOk;
}

void WatchInterrupt::Interrupt() {
  std::function<void()> cancel;
  {
    absl::MutexLock lock(&mu_);
    interrupted_ = true;
    cancel = cancel_;
  }
  if (cancel) cancel();
}

bool WatchInterrupt::interrupted() const {
  absl::MutexLock lock(&mu_);
  return interrupted_;
}

void WatchInterrupt::SetCancel(std::function<void()> cancel) {
  bool now = false;
  {
    absl::MutexLock lock(&mu_);
    cancel_ = cancel;
    now = interrupted_;
  }
  if (now) cancel();
}

void WatchInterrupt::ClearCancel() {
  absl::MutexLock lock(&mu_);
  cancel_ = nullptr;
}

bool WatchInterrupt::Sleep(absl::Duration duration) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&interrupted_), duration);
  return !interrupted_;
}

AlertStreamOpener GrpcAlertStreamOpener(v1::Alerts::StubInterface& stub) {
  return [&stub](const v1::WatchAlertsRequest& request)
             -> std::unique_ptr<AlertEventStream> {
    return std::make_unique<GrpcAlertEventStream>(stub, request);
  };
}

int RunWatchAlerts(const AlertStreamOpener& open, const CommonOptions& options,
                   const WatchOptions& watch, WatchInterrupt& interrupt,
                   std::ostream& out, std::ostream& err) {
  absl::StatusOr<v1::WatchAlertsRequest> request =
      BuildWatchAlertsRequest(watch);
  if (!request.ok()) return UsageFailed(request.status(), err);
  const std::function<bool(absl::Duration)> sleep =
      watch.sleep ? watch.sleep : [&interrupt](absl::Duration d) {
        return interrupt.Sleep(d);
      };
  AlertEventPrinter printer(options.format, out);

  int64_t cursor = watch.after_cursor;
  const auto resume = [&cursor] {
    return absl::StrCat("last cursor ", cursor,
                        "; resume with --after-cursor=", cursor);
  };
  // Some stream delivered an event or stayed open a while: the server is
  // there, and a failure is a drop to recover from.
  bool connected = false;
  // The start of the current run of failed streams.
  std::optional<absl::Time> failing_since;
  absl::Duration backoff = watch.first_backoff;
  while (!interrupt.interrupted()) {
    request->set_after_cursor(cursor);
    const absl::Time opened = watch.now();
    std::unique_ptr<AlertEventStream> stream = open(*request);
    interrupt.SetCancel([s = stream.get()] { s->Cancel(); });
    bool delivered = false;
    v1::AlertEvent event;
    while (stream->Read(&event)) {
      // Already printed (a server replaying from an older cursor).
      if (event.cursor() <= cursor) continue;
      cursor = event.cursor();
      delivered = true;
      printer.Print(event);
    }
    interrupt.ClearCancel();
    const grpc::Status status = stream->Finish();
    stream.reset();
    if (interrupt.interrupted()) break;

    const absl::Duration open_for = watch.now() - opened;
    if (delivered || open_for >= watch.connected_after) connected = true;
    if (delivered || open_for >= watch.healthy_after) {
      failing_since.reset();
      backoff = watch.first_backoff;
    }
    switch (status.error_code()) {
      case grpc::StatusCode::OUT_OF_RANGE:
      case grpc::StatusCode::INVALID_ARGUMENT:
        err << DescribeRpcError(status, options) << "\n";
        return kExitNotFound;
      case grpc::StatusCode::OK:
      case grpc::StatusCode::UNAVAILABLE:
      case grpc::StatusCode::CANCELLED:
        break;  // dropped: reconnect below
      default:
        err << DescribeRpcError(status, options) << "; " << resume() << "\n";
        return kExitRpcFailed;
    }
    const std::string error = status.ok() ? "error: the server ended the stream"
                                          : DescribeRpcError(status, options);
    if (!connected) {
      err << error << "\n";
      return kExitRpcFailed;
    }
    const absl::Time now = watch.now();
    if (!failing_since.has_value()) failing_since = now;
    if (now - *failing_since >= watch.give_up_after) {
      err << error << "; reconnecting failed for "
          << Seconds(now - *failing_since) << ", giving up; " << resume()
          << "\n";
      return kExitRpcFailed;
    }
    err << "note: the stream dropped ("
        << (status.ok() ? "the server ended it"
                        : absl::StrCat(StatusCodeName(status.error_code()),
                                       ": ", status.error_message()))
        << "); reconnecting after cursor " << cursor << " in "
        << Seconds(backoff) << "\n";
    if (!sleep(backoff)) break;
    backoff = std::min(backoff * 2, watch.max_backoff);
  }
  err << resume() << "\n";
  return kExitOk;
}

}  // namespace healthscore::cli
