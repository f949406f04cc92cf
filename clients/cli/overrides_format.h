// Output of the override commands (override set, clear, list, audit) and how
// a score reply shows an active override. Everything writes to a caller's
// std::ostream so that tests can assert on the exact text.
#ifndef HEALTHSCORE_CLIENTS_CLI_OVERRIDES_FORMAT_H_
#define HEALTHSCORE_CLIENTS_CLI_OVERRIDES_FORMAT_H_

#include <ostream>
#include <string>
#include <vector>

#include "clients/cli/requests.h"
#include "healthscore/v1/health_scoring.pb.h"
#include "healthscore/v1/overrides.pb.h"

namespace healthscore::cli {

// "set", "cleared", "expired"; "-" for ACTION_UNSPECIFIED.
std::string OverrideActionName(healthscore::v1::OverrideAuditEntry::Action a);

// One override (the reply of set and clear), after `title` ("override set",
// "override cleared").
// - kTable: `title`, then one "name  value" line per field: customer,
//   score, band ("-" when not overridden), reason, author, set, expires
//   ("until cleared" when unset).
// - kCsv: customer_id,score,band,reason,author,set_at,expires_at and one
//   row (times RFC 3339; empty score, band, expires_at when unset).
// - kJson: the Override on one line.
void PrintOverride(const healthscore::v1::Override& o, const std::string& title,
                   OutputFormat format, std::ostream& out);

// ListOverrides, by customer.
// - kTable: "N active overrides" and one aligned line per override:
//   customer, score, band, author, set, expires, reason; "no active
//   overrides" when empty.
// - kCsv: the PrintOverride header, a row per override.
// - kJson: one Override per line.
void PrintOverrides(const std::vector<healthscore::v1::Override>& overrides,
                    OutputFormat format, std::ostream& out);

// GetOverrideAudit, newest first.
// - kTable: "N audit entries, newest first" and one aligned line per entry:
//   seq, at, action, customer, who, score, band, expires, reason, note; "no
//   audit entries" when empty.
// - kCsv: seq,at,action,who,note,customer_id,score,band,reason,author,
//   set_at,expires_at.
// - kJson: one OverrideAuditEntry per line.
void PrintOverrideAudit(
    const std::vector<healthscore::v1::OverrideAuditEntry>& entries,
    OutputFormat format, std::ostream& out);

// For the score table's header, right after the score: " (override;
// computed 42.3)" for a score override, " (band override; computed band
// yellow)" for a band-only one, "" without an override.
std::string ScoreOverrideMark(const healthscore::v1::CustomerScore& score);

// For the score table, below the header: the override's line,
//   "  override by alice: renewal signed, until 2026-12-08 17:05:00;
//   computed 42.3, band yellow, grade C"
// ("until cleared" without an expiry); nothing without an override.
void PrintScoreOverride(const healthscore::v1::CustomerScore& score,
                        std::ostream& out);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_OVERRIDES_FORMAT_H_
