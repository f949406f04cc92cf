// Fuzz target: the CLI's CSV reader (clients/cli/csv.h): the RFC 4180 record
// splitter and the portfolio reader, as `score --csv` (customers) and
// `import` (a timeline with as_of dates) read a file.
//
// Input: the file's bytes. Seeds: fuzz/corpus/csv/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "clients/cli/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  namespace cli = healthscore::cli;
  auto records = cli::ParseCsvRecords(text, "fuzz.csv");
  for (cli::PortfolioKind kind :
       {cli::PortfolioKind::kCustomers, cli::PortfolioKind::kTimeline}) {
    auto portfolio = cli::ParsePortfolioCsv(text, "fuzz.csv", kind);
    if (!portfolio.ok()) continue;
    // What the header promises, every row keeps.
    if (portfolio->row_lines.size() != portfolio->rows.size()) std::abort();
    for (const auto& row : portfolio->rows) {
      if (static_cast<size_t>(row.values_size()) !=
          portfolio->signal_names.size()) {
        std::abort();
      }
    }
    if (kind == cli::PortfolioKind::kTimeline &&
        portfolio->as_of.size() != portfolio->rows.size()) {
      std::abort();
    }
    // A portfolio is a set of records: the record reader accepts it too.
    if (!records.ok()) std::abort();
  }
  return 0;
}
