// Output of the alert commands (alerts, alerts --watch, ack, resolve): table,
// CSV and JSON renderings of healthscore.v1.Alerts replies. Everything writes
// to a caller's std::ostream so that tests can assert on the exact text.
#ifndef HEALTHSCORE_CLIENTS_CLI_ALERTS_FORMAT_H_
#define HEALTHSCORE_CLIENTS_CLI_ALERTS_FORMAT_H_

#include <ostream>
#include <string>
#include <vector>

#include "clients/cli/requests.h"
#include "healthscore/v1/alerts.pb.h"

namespace healthscore::cli {

// "open", "acknowledged", "resolved"; "-" for ALERT_STATE_UNSPECIFIED.
std::string AlertStateName(healthscore::v1::AlertState state);
// "opened", "acknowledged", "resolved"; "-" for KIND_UNSPECIFIED.
std::string AlertEventKindName(healthscore::v1::AlertEvent::Kind kind);

// ListAlerts, newest first. `more` says the server has more alerts matching
// than were listed (the --limit was reached).
// - kTable: "N alerts, newest first" (plus "; more match, raise --limit"),
//   then one aligned line per alert: id, opened (as_of of the point that
//   raised it), customer, segment, rule, severity, state, score at open, who
//   acknowledged, who resolved, message, action. "no alerts" when empty.
// - kCsv: id,opened_at,closed_at,customer_id,segment,rule_id,kind,severity,
//   state,score_at_open,observed,message,action,acknowledged_by,resolved_by,
//   note (times RFC 3339), one row per alert.
// - kJson: one Alert per line.
void PrintAlerts(const std::vector<healthscore::v1::Alert>& alerts, bool more,
                 OutputFormat format, std::ostream& out);

// One alert (the reply of AcknowledgeAlert / ResolveAlert).
// - kTable: one "name  value" line per field.
// - kCsv: the PrintAlerts header and one row.
// - kJson: the Alert on one line.
void PrintAlert(const healthscore::v1::Alert& alert, OutputFormat format,
                std::ostream& out);

// Prints WatchAlerts events one at a time as they arrive, flushing `out`
// after each, so that a pipe sees every event at once.
// - kTable: a header line before the first event, then one line per event:
//   cursor, kind, alert id, customer, rule, severity, state, message. The
//   columns have fixed widths (later events are not known yet); a longer
//   value widens its line only.
// - kCsv: a header before the first event
//   (cursor,at,kind,alert_id,customer_id,segment,rule_id,severity,state,
//   score_at_open,message,action,acknowledged_by,resolved_by,note), then one
//   row per event.
// - kJson: one AlertEvent per line.
// Not thread-safe; `out` must outlive it.
class AlertEventPrinter {
 public:
  AlertEventPrinter(OutputFormat format, std::ostream& out)
      : format_(format), out_(out) {}
  void Print(const healthscore::v1::AlertEvent& event);

 private:
  const OutputFormat format_;
  std::ostream& out_;
  bool header_printed_ = false;
};

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_ALERTS_FORMAT_H_
