// Turns what the user typed (flag values, name=value signals, a JSON customer,
// a parsed portfolio) into healthscore.v1 request messages.
#ifndef HEALTHSCORE_CLIENTS_CLI_REQUESTS_H_
#define HEALTHSCORE_CLIENTS_CLI_REQUESTS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/cli/csv.h"
#include "healthscore/v1/health_scoring.pb.h"

namespace healthscore::cli {

enum class OutputFormat { kTable, kJson, kCsv };

// "none" | "summary" | "full". Errors: INVALID_ARGUMENT listing the choices.
absl::StatusOr<healthscore::v1::Explain> ParseExplain(absl::string_view text);

// "table" | "json" | "csv". Errors: INVALID_ARGUMENT listing the choices.
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);

// Builds one customer from --customer-id, --segment and signal assignments.
// Each assignment is "name=value" or a comma-separated list of them
// ("a=1,b=2"), as given to --signal or as a positional argument.
// Errors (INVALID_ARGUMENT): empty customer id; an item without '=' or with an
// empty name; a value that is not a finite number; a name given twice.
absl::StatusOr<healthscore::v1::Customer> BuildCustomer(
    absl::string_view customer_id, absl::string_view segment,
    const std::vector<std::string>& assignments);

// Parses a JSON object such as
//   {"customer_id":"c1","segment":"smb","signals":{"x":1}}
// into a Customer (the JSON mapping of healthscore.v1.Customer; lowerCamel
// names such as "customerId" work too). `source` names the input in errors.
// Errors (INVALID_ARGUMENT): malformed JSON, unknown fields, an empty
// customer_id, or a NaN / infinite signal.
absl::StatusOr<healthscore::v1::Customer> ParseCustomerJson(
    absl::string_view json, absl::string_view source);

// How many batches of at most `batch_size` rows cover `num_rows` rows.
// REQUIRES: batch_size > 0.
size_t NumBatches(size_t num_rows, size_t batch_size);

// The request for batch `index` (0-based): rows [index * batch_size,
// min(num rows, (index + 1) * batch_size)) of the portfolio, with its signal
// names and the explain level.
// REQUIRES: batch_size > 0 and index < NumBatches(rows, batch_size).
healthscore::v1::ScoreBatchRequest BuildBatchRequest(
    const Portfolio& portfolio, size_t batch_size, size_t index,
    healthscore::v1::Explain explain);

// One ScoreBatch call of `import`: rows that share one as_of.
struct ImportBatch {
  absl::Time as_of;
  // Indexes into Portfolio::rows, in file order.
  std::vector<size_t> rows;
};

// Groups a timeline's rows by as_of, oldest first (the server computes each
// recorded point's trend against the points recorded before it), and splits
// each group into batches of at most `batch_size` rows, in file order.
// REQUIRES: batch_size > 0; portfolio.as_of is parallel to portfolio.rows
// (a PortfolioKind::kTimeline file).
std::vector<ImportBatch> PlanImport(const Portfolio& portfolio,
                                    size_t batch_size);

// The request of one import batch: its rows and the file's signal names, the
// batch's as_of, record set, and EXPLAIN_NONE (an import wants the points,
// not the explanations).
healthscore::v1::ScoreBatchRequest BuildImportRequest(
    const Portfolio& portfolio, const ImportBatch& batch);

}  // namespace healthscore::cli

#endif  // HEALTHSCORE_CLIENTS_CLI_REQUESTS_H_
