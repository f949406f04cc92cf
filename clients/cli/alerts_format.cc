// Table, CSV and JSON renderings of the alert commands' replies.
#include "clients/cli/alerts_format.h"

#include <algorithm>
#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "clients/cli/dates.h"
#include "clients/cli/format.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

// One column of a table: its minimum width and whether it is right-aligned
// (numbers).
struct Column {
  size_t width;
  bool right;
};

// `cells` padded to the columns' widths (a wider cell widens its column on
// this line only); trailing spaces dropped.
std::string Line(const Cells& cells, const std::vector<Column>& columns) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += "  ";
    const size_t width = i < columns.size() ? columns[i].width : 0;
    const size_t pad = width > cells[i].size() ? width - cells[i].size() : 0;
    const bool right = i < columns.size() && columns[i].right;
    if (right) line.append(pad, ' ');
    line += cells[i];
    if (!right) line.append(pad, ' ');
  }
  return std::string(absl::StripTrailingAsciiWhitespace(line));
}

std::string Csv(const Cells& cells) {
  std::vector<std::string> fields;
  fields.reserve(cells.size());
  for (const std::string& cell : cells) fields.push_back(CsvField(cell));
  return absl::StrJoin(fields, ",");
}

const Cells& AlertCsvHeader() {
  static const auto* const kHeader =
      new Cells{"id",      "opened_at",       "closed_at",   "customer_id",
                "segment", "rule_id",         "kind",        "severity",
                "state",   "score_at_open",   "observed",    "message",
                "action",  "acknowledged_by", "resolved_by", "note"};
  return *kHeader;
}

Cells AlertCsvRow(const v1::Alert& a) {
  return {absl::StrCat(a.id()),
          Rfc3339(a.opened_at()),
          Rfc3339(a.closed_at()),
          a.customer_id(),
          a.segment(),
          a.rule_id(),
          a.kind(),
          a.severity(),
          AlertStateName(a.state()),
          Num(a.score_at_open()),
          Num(a.observed()),
          a.message(),
          a.action(),
          a.acknowledged_by(),
          a.resolved_by(),
          a.note()};
}

void PrintAlertsTable(const std::vector<v1::Alert>& alerts, bool more,
                      std::ostream& out) {
  if (alerts.empty()) {
    out << "no alerts\n";
    return;
  }
  out << alerts.size() << (alerts.size() == 1 ? " alert" : " alerts")
      << ", newest first" << (more ? "; more match, raise --limit" : "")
      << "\n";
  std::vector<Cells> rows = {{"id", "opened", "customer", "segment", "rule",
                              "severity", "state", "score", "acked by",
                              "resolved by", "message", "action"}};
  for (const v1::Alert& a : alerts) {
    rows.push_back(
        {absl::StrCat(a.id()), DisplayTime(a.opened_at()),
         std::string(OrDash(a.customer_id())), std::string(OrDash(a.segment())),
         std::string(OrDash(a.rule_id())), std::string(OrDash(a.severity())),
         AlertStateName(a.state()), Fixed1(a.score_at_open()),
         std::string(OrDash(a.acknowledged_by())),
         std::string(OrDash(a.resolved_by())), std::string(OrDash(a.message())),
         std::string(OrDash(a.action()))});
  }
  PrintColumns(rows, /*right=*/{0, 7}, "", out);  // id, score
  // --why: the change that raised each alert, biggest part first.
  for (const v1::Alert& a : alerts) {
    if (!a.has_explanation()) continue;
    out << "\nalert " << a.id() << " (" << a.customer_id() << ", "
        << a.rule_id() << "), what raised it:\n";
    for (const std::string& line : a.explanation().summary()) {
      out << "  " << line << "\n";
    }
  }
}

void PrintAlertTable(const v1::Alert& a, std::ostream& out) {
  std::string rule(OrDash(a.rule_id()));
  if (!a.kind().empty()) absl::StrAppend(&rule, " (", a.kind(), ")");
  const std::vector<Cells> rows = {
      {"alert", absl::StrCat(a.id())},
      {"state", AlertStateName(a.state())},
      {"customer", std::string(OrDash(a.customer_id()))},
      {"segment", std::string(OrDash(a.segment()))},
      {"rule", rule},
      {"severity", std::string(OrDash(a.severity()))},
      {"opened", DisplayTime(a.opened_at())},
      {"score at open", Fixed1(a.score_at_open())},
      {"observed", Trimmed(a.observed(), 1)},
      {"closed", DisplayTime(a.closed_at())},
      {"message", std::string(OrDash(a.message()))},
      {"action", std::string(OrDash(a.action()))},
      {"acknowledged by", std::string(OrDash(a.acknowledged_by()))},
      {"resolved by", std::string(OrDash(a.resolved_by()))},
      {"note", std::string(OrDash(a.note()))},
  };
  PrintColumns(rows, {}, "", out);
}

// The watch table's columns: cursor, kind, alert, customer, rule, severity,
// state, message. Fixed: the events to come are not known yet.
const std::vector<Column>& EventColumns() {
  static const auto* const kColumns = new std::vector<Column>{
      {6, true},   {12, false}, {5, true},   {12, false},
      {12, false}, {8, false},  {12, false}, {0, false}};
  return *kColumns;
}

}  // namespace

std::string AlertStateName(v1::AlertState state) {
  switch (state) {
    case v1::ALERT_STATE_OPEN:
      return "open";
    case v1::ALERT_STATE_ACKNOWLEDGED:
      return "acknowledged";
    case v1::ALERT_STATE_RESOLVED:
      return "resolved";
    default:
      return "-";
  }
}

std::string AlertEventKindName(v1::AlertEvent::Kind kind) {
  switch (kind) {
    case v1::AlertEvent::OPENED:
      return "opened";
    case v1::AlertEvent::ACKNOWLEDGED:
      return "acknowledged";
    case v1::AlertEvent::RESOLVED:
      return "resolved";
    default:
      return "-";
  }
}

void PrintAlerts(const std::vector<v1::Alert>& alerts, bool more,
                 OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
      for (const v1::Alert& alert : alerts) out << ToJsonLine(alert) << "\n";
      return;
    case OutputFormat::kCsv:
      out << Csv(AlertCsvHeader()) << "\n";
      for (const v1::Alert& alert : alerts) {
        out << Csv(AlertCsvRow(alert)) << "\n";
      }
      return;
    case OutputFormat::kTable:
      PrintAlertsTable(alerts, more, out);
      return;
  }
}

void PrintAlert(const v1::Alert& alert, OutputFormat format,
                std::ostream& out) {
  PrintMessage(
      format, alert, out,
      [&] {
        out << Csv(AlertCsvHeader()) << "\n" << Csv(AlertCsvRow(alert)) << "\n";
      },
      [&] { PrintAlertTable(alert, out); });
}

void AlertEventPrinter::Print(const v1::AlertEvent& event) {
  const v1::Alert& a = event.alert();
  switch (format_) {
    case OutputFormat::kJson:
      out_ << ToJsonLine(event) << "\n";
      break;
    case OutputFormat::kCsv:
      if (!header_printed_) {
        out_ << "cursor,at,kind,alert_id,customer_id,segment,rule_id,"
                "severity,state,score_at_open,message,action,acknowledged_by,"
                "resolved_by,note\n";
      }
      out_ << Csv({absl::StrCat(event.cursor()), Rfc3339(event.at()),
                   AlertEventKindName(event.kind()), absl::StrCat(a.id()),
                   a.customer_id(), a.segment(), a.rule_id(), a.severity(),
                   AlertStateName(a.state()), Num(a.score_at_open()),
                   a.message(), a.action(), a.acknowledged_by(),
                   a.resolved_by(), a.note()})
           << "\n";
      break;
    case OutputFormat::kTable:
      if (!header_printed_) {
        out_ << Line({"cursor", "kind", "alert", "customer", "rule", "severity",
                      "state", "message"},
                     EventColumns())
             << "\n";
      }
      out_ << Line(
                  {absl::StrCat(event.cursor()),
                   AlertEventKindName(event.kind()), absl::StrCat(a.id()),
                   std::string(OrDash(a.customer_id())),
                   std::string(OrDash(a.rule_id())),
                   std::string(OrDash(a.severity())), AlertStateName(a.state()),
                   std::string(OrDash(a.message()))},
                  EventColumns())
           << "\n";
      break;
  }
  header_printed_ = true;
  out_.flush();
}

}  // namespace healthscore::cli
