// CSV input for the CLI: an RFC 4180 record reader and the portfolio reader
// that turns a file of customers (one column per signal) into batch rows.
#ifndef HEALTHSCORE_CLIENTS_CLI_CSV_H_
#define HEALTHSCORE_CLIENTS_CLI_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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

// A portfolio file: a header row naming `customer_id`, optionally `segment`,
// and one column per signal; then one row per customer.
struct Portfolio {
  // Signal columns, in file order. Unique.
  std::vector<std::string> signal_names;
  // One row per customer, in file order; values line up with signal_names and
  // an empty cell is NaN (missing).
  std::vector<healthscore::v1::Row> rows;
  // The line each row starts on, parallel to `rows`.
  std::vector<int> row_lines;
};

// Parses a portfolio from CSV text. Cells are trimmed of surrounding spaces.
// Errors (INVALID_ARGUMENT, each naming `source` and the line):
// - no header, no `customer_id` column, an empty or duplicate column name;
// - a row with a different number of cells than the header;
// - an empty customer_id;
// - a signal cell that is not a finite number (the message names the line,
//   the column number and name, and the value).
absl::StatusOr<Portfolio> ParsePortfolioCsv(absl::string_view text,
                                            absl::string_view source);

// Reads the file at `path` and parses it with ParsePortfolioCsv, naming the
// file in errors. Errors: as ReadFile and ParsePortfolioCsv.
absl::StatusOr<Portfolio> ReadPortfolioCsv(const std::string& path);

// Reads a whole file. Errors: INVALID_ARGUMENT naming the path and the reason,
// so that every input problem maps to one exit code.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_CSV_H_
