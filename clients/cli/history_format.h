// Output of the history commands (import, history, why, movers, portfolio):
// table, CSV and JSON renderings of healthscore.v1.History replies and of an
// import's summary and progress. Everything writes to a caller's std::ostream
// so that tests can assert on the exact text.
#ifndef HEALTHSCORE_CLIENTS_CLI_HISTORY_FORMAT_H_
#define HEALTHSCORE_CLIENTS_CLI_HISTORY_FORMAT_H_

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/cli/requests.h"
#include "healthscore/v1/history.pb.h"

namespace healthscore::cli {

// A row of an import file the server could not score (so did not record).
struct ImportRowError {
  int line = 0;
  std::string customer_id;
  absl::Time as_of;
  int code = 0;
  std::string message;
};

// What an import did.
struct ImportSummary {
  std::string path;
  size_t rows_read = 0;
  // Distinct as_of values, and the oldest and newest.
  size_t dates = 0;
  absl::Time first_as_of;
  absl::Time last_as_of;
  // Rows the server scored and recorded (their score carries a trend).
  size_t recorded = 0;
  // Rows the server scored without recording them (no trend): a server that
  // does not know `record`.
  size_t not_recorded = 0;
  // Every row error, in the order the server answered.
  std::vector<ImportRowError> errors;
  // ScoreBatch calls made.
  size_t batches = 0;
  absl::Duration elapsed;
};

// How many row errors the table form lists; the CSV and JSON forms list all.
inline constexpr size_t kShownImportErrors = 10;

// - kTable: the counts, elapsed seconds and rows per second, then the first
//   kShownImportErrors row errors (file:line, customer, as_of, code, message).
// - kCsv: "line,customer_id,as_of,code,message", one row per row error.
// - kJson: one object: file, rows_read, dates, first_as_of, last_as_of,
//   recorded, not_recorded, errors (each line, customer_id, as_of, code,
//   message), batches, elapsed_seconds, rows_per_second.
void PrintImportSummary(const ImportSummary& summary, OutputFormat format,
                        std::ostream& out);

// An import's progress on stderr. With `bar` (stderr is a terminal), one line
// redrawn in place:
//   import [########------------]  40%  4000/10000 rows  2.1 s
// otherwise a line each time another tenth of the rows is done:
//   import: 40% (4000 of 10000 rows, 2.1 s)
// Not thread-safe; `err` must outlive it.
class ImportProgress {
 public:
  ImportProgress(size_t total_rows, bool bar, std::ostream& err);
  // `rows_done` rows have been answered, `elapsed` after the start.
  void Update(size_t rows_done, absl::Duration elapsed);
  // Ends the bar's line (so what follows starts on a fresh one).
  void Finish();

 private:
  const size_t total_rows_;
  const bool bar_;
  std::ostream& err_;
  // Tenths of the rows reported so far (the line form).
  size_t tenths_reported_ = 0;
  bool drawn_ = false;
};

// GetHistory: one customer's points, newest first.
// - kTable: "<customer>  segment S  N points, newest first", then one line
//   per point: as_of, score, grade, band, change against the previous point,
//   coverage, and each dimension's score ("-" when it had no data). With
//   `full`, each point is followed by its scorecard, inputs, fired rules and
//   gates.
// - kCsv: customer_id,segment,as_of,score,grade,band,change,coverage, then
//   one column per dimension (every dimension any point has, in order of
//   first appearance).
// - kJson: one HistoryPoint per line.
void PrintHistory(absl::string_view customer_id,
                  const std::vector<healthscore::v1::HistoryPoint>& points,
                  bool full, OutputFormat format, std::ostream& out);

// ExplainChange.
// - kTable: the two points, the summary sentences, the delta split into the
//   scorecard and the data change, then a table of dimension changes
//   (change, from_score, from_weight, score and share before -> after), the
//   signal changes (before -> after, points) and the rule changes.
// - kCsv: kind,name,dimension,state,before,after,change,from_score,
//   from_weight,message; kind is total, scorecard, data, gates, dimension,
//   signal or rule.
// - kJson: the reply as one line.
void PrintExplainChange(const healthscore::v1::ExplainChangeResponse& response,
                        OutputFormat format, std::ostream& out);

// ListMovers; `request` says which dates and direction were asked for.
// - kTable: a title line, one line per mover (customer, segment, score
//   before -> after, change, band before -> after, top cause), and how many
//   customers were compared.
// - kCsv: customer_id,segment,score_before,score_after,change,band_before,
//   band_after,top_dimension,top_dimension_change,top_cause.
// - kJson: the reply as one line.
void PrintMovers(const healthscore::v1::ListMoversRequest& request,
                 const healthscore::v1::ListMoversResponse& response,
                 OutputFormat format, std::ostream& out);

// GetPortfolio.
// - kTable: per segment (every segment together first): customers and mean
//   score now and one window earlier, then the count and share of each band
//   and grade now, before, and the change.
// - kCsv: as_of,previous_as_of,segment,kind,name,now,now_share,previous,
//   previous_share; kind is customers, mean_score, band or grade.
// - kJson: the reply as one line.
// A parent account's roll-up: its score, then its children, most points
// lost first.
void PrintRollup(const healthscore::v1::AccountRollup& rollup,
                 OutputFormat format, std::ostream& out);

void PrintPortfolio(const healthscore::v1::GetPortfolioResponse& response,
                    OutputFormat format, std::ostream& out);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_HISTORY_FORMAT_H_
