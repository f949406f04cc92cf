// CSV input for the CLI: an RFC 4180 record reader and the portfolio reader
// that turns a file of customers (one column per signal) into batch rows.
#ifndef HEALTHSCORE_CLIENTS_CLI_CSV_H_
#define HEALTHSCORE_CLIENTS_CLI_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "healthscore/v1/health_scoring.pb.h"

namespace healthscore::cli {

// One record of a CSV file and the (1-based) line it starts on, so that
// errors can point at the line a person sees in an editor.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// Splits `text` into records. Supports RFC 4180 quoting ("a,b", "say ""hi""",
// line breaks inside quotes), LF or CRLF line ends and a UTF-8 byte order
// mark. Blank lines are skipped. Fields are returned unquoted and untrimmed.
// `source` (usually the file name) prefixes error messages.
// Errors: INVALID_ARGUMENT for an unterminated quote or text after a closing
// quote.
absl::StatusOr<std::vector<CsvRecord>> ParseCsvRecords(
    absl::string_view text, absl::string_view source);

// What a portfolio file holds: the customers now (`score --csv`), or a
// timeline of them (`import`), which adds an `as_of` column: when the row's
// signals were observed.
enum class PortfolioKind { kCustomers, kTimeline };

// A portfolio file: a header row naming `customer_id`, optionally `segment`,
// for a timeline `as_of`, and one column per signal; then one row per customer
// (per customer and as_of in a timeline).
struct Portfolio {
  // Signal columns, in file order. Unique.
  std::vector<std::string> signal_names;
  // One row per customer, in file order; values line up with signal_names and
  // an empty cell is NaN (missing).
  std::vector<healthscore::v1::Row> rows;
  // The line each row starts on, parallel to `rows`.
  std::vector<int> row_lines;
  // kTimeline only: each row's as_of, parallel to `rows`.
  std::vector<absl::Time> as_of;
};

// Parses a portfolio from CSV text. Cells are trimmed of surrounding spaces.
// Errors (INVALID_ARGUMENT, each naming `source` and the line):
// - no header, no `customer_id` column, an empty or duplicate column name;
// - a row with a different number of cells than the header;
// - an empty customer_id;
// - a signal cell that is not a finite number (the message names the line,
//   the column number and name, and the value).
// kTimeline also (same form):
// - no `as_of` column;
// - an as_of cell that is not a date (YYYY-MM-DD, midnight UTC) or an
//   ISO-8601 time with a zone (see ParseTime in dates.h);
// - a customer_id and as_of pair that an earlier row has (naming its line):
//   a point is one customer at one time.
absl::StatusOr<Portfolio> ParsePortfolioCsv(
    absl::string_view text, absl::string_view source,
    PortfolioKind kind = PortfolioKind::kCustomers);

// Reads the file at `path` and parses it with ParsePortfolioCsv, naming the
// file in errors. Errors: as ReadFile and ParsePortfolioCsv.
absl::StatusOr<Portfolio> ReadPortfolioCsv(
    const std::string& path, PortfolioKind kind = PortfolioKind::kCustomers);

// Reads a whole file. Errors: INVALID_ARGUMENT naming the path and the reason,
// so that every input problem maps to one exit code.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_CSV_H_
