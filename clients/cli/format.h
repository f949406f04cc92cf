// Output of the CLI: the person-readable table, CSV and JSON renderings of
// scores, batch results, dimensions and the scorecard. Everything writes to a
// caller's std::ostream so that tests can assert on the exact text.
#ifndef HEALTHSCORE_CLIENTS_CLI_FORMAT_H_
#define HEALTHSCORE_CLIENTS_CLI_FORMAT_H_

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "clients/cli/requests.h"
#include "google/protobuf/message.h"
#include "healthscore/v1/health_scoring.pb.h"

namespace healthscore::cli {

// Number formats every printer shares, so that one score reads the same in
// every command.
// A row of a table, cell by cell.
using Cells = std::vector<std::string>;

// Rows of cells as aligned columns, each as wide as its widest cell, the
// first row being the header, each line after `indent`. Columns whose index
// is in `right` are right-aligned (numbers). Trailing spaces are dropped.
void PrintColumns(const std::vector<Cells>& rows,
                  const absl::flat_hash_set<size_t>& right,
                  absl::string_view indent, std::ostream& out);

// Machine-readable numbers (csv): three decimals at most, so that the parts
// of an attribution still add up in a spreadsheet.
std::string Num(double value);

// Scores, points and impacts to one decimal ("82.4"; never "-0.0").
std::string Fixed1(double value);
// Metrics (AUC, Brier, weights) to three decimals ("0.811").
std::string Fixed3(double value);
// Signed points to one decimal ("+4.0", "-0.0"): a change keeps its sign even
// when it rounds to zero.
std::string Signed1(double value);
// A 0-1 share as a percentage: "100%", "62.5%".
std::string Percent(double share);
// Configured numbers (weights, parameters) as written: "%g".
std::string Short(double value);
// `value` with at most `decimals` decimals and no trailing zeros.
std::string Trimmed(double value, int decimals);
// "-" for an empty text.
absl::string_view OrDash(absl::string_view text);

// The canonical name of a gRPC / absl status code ("INVALID_ARGUMENT"), or
// "code N" for a number outside the canonical set.
std::string StatusCodeName(int code);

// `text` as one CSV field: quoted (with quotes doubled) when it holds a comma,
// a quote or a line break; as is otherwise.
std::string CsvField(absl::string_view text);

// `message` as one line of JSON with the proto field names (customer_id, as
// the input files use) and default values printed, so every line of a batch
// has the same keys.
std::string ToJsonLine(const google::protobuf::Message& message);

// A whole response in `format`: JSON is the message itself on one line; CSV
// and table are the printers given.
template <typename Csv, typename Table>
void PrintMessage(OutputFormat format, const google::protobuf::Message& message,
                  std::ostream& out, Csv csv, Table table) {
  switch (format) {
    case OutputFormat::kJson:
      out << ToJsonLine(message) << "\n";
      return;
    case OutputFormat::kCsv:
      csv();
      return;
    case OutputFormat::kTable:
      table();
      return;
  }
}

// One customer as a table: a header line
//   acme-001  score 82.4  grade A  band green  coverage 100%
// then one line per dimension; for EXPLAIN_SUMMARY and EXPLAIN_FULL the top
// drivers; for EXPLAIN_FULL each dimension's reasons and actions.
void PrintScoreTable(const healthscore::v1::CustomerScore& score,
                     healthscore::v1::Explain explain, std::ostream& out);

// A row the server could not score, as one table line:
//   acme-002  ERROR INVALID_ARGUMENT: <message>
void PrintErrorTable(absl::string_view customer_id,
                     const healthscore::v1::Error& error, std::ostream& out);

// Prints CustomerResults one at a time, in the order given, in one format.
// Not thread-safe.
class ResultPrinter {
 public:
  virtual ~ResultPrinter() = default;
  virtual void Add(const healthscore::v1::CustomerResult& result) = 0;
  // Writes whatever is held back, without closing lines: for when the run
  // stops early and a summary of part of the input would mislead.
  virtual void Flush() = 0;
  // Flush() plus the closing lines. Call once, last.
  virtual void Finish() = 0;
};

// - kTable: PrintScoreTable / PrintErrorTable per result, a blank line
//   between customers; Finish() prints the scorecard that produced the scores
//   and, when `summary` is true, a line "N scored, M errors; bands: ...".
// - kJson: one ToJsonLine per result.
// - kCsv: a header "customer_id,segment,score,grade,band,coverage,
//   <dimension>...,top_driver_down,error", then one row per result. The
//   dimension columns come from the first scored result, so rows are held
//   back until one arrives (or until Flush() / Finish()).
// `out` must outlive the printer.
std::unique_ptr<ResultPrinter> MakeResultPrinter(
    OutputFormat format, healthscore::v1::Explain explain, bool summary,
    std::ostream& out);

// ListDimensions in `format`. kCsv writes one row per signal and parameter:
// dimension,version,state,state_reason,kind,name,unit,higher_is_better,
// required,min,max,default,description.
void PrintDimensions(const healthscore::v1::ListDimensionsResponse& response,
                     OutputFormat format, std::ostream& out);

// GetScorecard in `format`. kCsv writes one row per dimension:
// scorecard,version,dimension,plugin,plugin_version,weight,params (params as
// name=value;name=value); the bands are in the table and JSON forms only.
void PrintScorecard(const healthscore::v1::GetScorecardResponse& response,
                    OutputFormat format, std::ostream& out);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_FORMAT_H_
