// Table, CSV and JSON renderings of the override commands' replies, and the
// override's marks in the score table.
#include "clients/cli/overrides_format.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/dates.h"
#include "clients/cli/format.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

std::string Csv(const Cells& cells) {
  std::vector<std::string> fields;
  fields.reserve(cells.size());
  for (const std::string& cell : cells) fields.push_back(CsvField(cell));
  return absl::StrJoin(fields, ",");
}

const Cells& OverrideCsvHeader() {
  static const auto* const kHeader =
      new Cells{"customer_id", "score",  "band",      "reason",
                "author",      "set_at", "expires_at"};
  return *kHeader;
}

Cells OverrideCsvRow(const v1::Override& o) {
  return {o.customer_id(),
          o.has_score() ? Num(o.score()) : "",
          o.band(),
          o.reason(),
          o.author(),
          Rfc3339(o.set_at()),
          o.has_expires_at() ? Rfc3339(o.expires_at()) : ""};
}

std::string ScoreCell(const v1::Override& o) {
  return o.has_score() ? Fixed1(o.score()) : "-";
}

std::string ExpiresCell(const v1::Override& o) {
  return o.has_expires_at() ? DisplayTime(o.expires_at()) : "until cleared";
}

}  // namespace

std::string OverrideActionName(v1::OverrideAuditEntry::Action action) {
  switch (action) {
    case v1::OverrideAuditEntry::SET:
      return "set";
    case v1::OverrideAuditEntry::CLEARED:
      return "cleared";
    case v1::OverrideAuditEntry::EXPIRED:
      return "expired";
    default:
      return "-";
  }
}

void PrintOverride(const v1::Override& o, const std::string& title,
                   OutputFormat format, std::ostream& out) {
  PrintMessage(
      format, o, out,
      [&] {
        out << Csv(OverrideCsvHeader()) << "\n"
            << Csv(OverrideCsvRow(o)) << "\n";
      },
      [&] {
        out << title << "\n";
        PrintColumns({{"customer", o.customer_id()},
                      {"score", ScoreCell(o)},
                      {"band", std::string(OrDash(o.band()))},
                      {"reason", o.reason()},
                      {"author", o.author()},
                      {"set", DisplayTime(o.set_at())},
                      {"expires", ExpiresCell(o)}},
                     {}, "  ", out);
      });
}

void PrintOverrides(const std::vector<v1::Override>& overrides,
                    OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
      for (const v1::Override& o : overrides) out << ToJsonLine(o) << "\n";
      return;
    case OutputFormat::kCsv:
      out << Csv(OverrideCsvHeader()) << "\n";
      for (const v1::Override& o : overrides) {
        out << Csv(OverrideCsvRow(o)) << "\n";
      }
      return;
    case OutputFormat::kTable:
      break;
  }
  if (overrides.empty()) {
    out << "no active overrides\n";
    return;
  }
  out << overrides.size()
      << (overrides.size() == 1 ? " active override" : " active overrides")
      << "\n";
  std::vector<Cells> rows = {
      {"customer", "score", "band", "author", "set", "expires", "reason"}};
  for (const v1::Override& o : overrides) {
    rows.push_back({o.customer_id(), ScoreCell(o),
                    std::string(OrDash(o.band())), o.author(),
                    DisplayTime(o.set_at()), ExpiresCell(o), o.reason()});
  }
  PrintColumns(rows, /*right=*/{1}, "", out);
}

void PrintOverrideAudit(const std::vector<v1::OverrideAuditEntry>& entries,
                        OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
      for (const v1::OverrideAuditEntry& e : entries) {
        out << ToJsonLine(e) << "\n";
      }
      return;
    case OutputFormat::kCsv:
      out << "seq,at,action,who,note," << Csv(OverrideCsvHeader()) << "\n";
      for (const v1::OverrideAuditEntry& e : entries) {
        Cells row = {absl::StrCat(e.seq()), Rfc3339(e.at()),
                     OverrideActionName(e.action()), e.who(), e.note()};
        for (std::string& cell : OverrideCsvRow(e.override())) {
          row.push_back(std::move(cell));
        }
        out << Csv(row) << "\n";
      }
      return;
    case OutputFormat::kTable:
      break;
  }
  if (entries.empty()) {
    out << "no audit entries\n";
    return;
  }
  out << entries.size()
      << (entries.size() == 1 ? " audit entry" : " audit entries")
      << ", newest first\n";
  std::vector<Cells> rows = {{"seq", "at", "action", "customer", "who", "score",
                              "band", "expires", "reason", "note"}};
  for (const v1::OverrideAuditEntry& e : entries) {
    const v1::Override& o = e.override();
    rows.push_back({absl::StrCat(e.seq()), DisplayTime(e.at()),
                    OverrideActionName(e.action()), o.customer_id(), e.who(),
                    ScoreCell(o), std::string(OrDash(o.band())), ExpiresCell(o),
                    o.reason(), std::string(OrDash(e.note()))});
  }
  PrintColumns(rows, /*right=*/{0, 5}, "", out);  // seq, score
}

std::string ScoreOverrideMark(const v1::CustomerScore& score) {
  if (!score.has_override()) return "";
  const v1::ScoreOverride& o = score.override();
  if (o.score_overridden()) {
    return absl::StrCat(" (override; computed ", Fixed1(o.computed_score()),
                        ")");
  }
  return absl::StrCat(" (band override; computed band ",
                      OrDash(o.computed_band()), ")");
}

void PrintScoreOverride(const v1::CustomerScore& score, std::ostream& out) {
  if (!score.has_override()) return;
  const v1::ScoreOverride& o = score.override();
  out << "  override by " << o.author() << ": " << o.reason() << ", "
      << (o.has_expires_at() ? "until " + DisplayTime(o.expires_at())
                             : std::string("until cleared"))
      << "; computed " << Fixed1(o.computed_score()) << ", band "
      << OrDash(o.computed_band()) << ", grade " << OrDash(o.computed_grade())
      << "\n";
}

}  // namespace healthscore::cli
