// Request building for the CLI: flag values and user input -> proto messages.
#include "clients/cli/requests.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/cli/dates.h"
#include "google/protobuf/util/json_util.h"

namespace healthscore::cli {

namespace v1 = ::healthscore::v1;

absl::StatusOr<v1::Explain> ParseExplain(absl::string_view text) {
  if (text == "none") return v1::EXPLAIN_NONE;
  if (text == "summary") return v1::EXPLAIN_SUMMARY;
  if (text == "full") return v1::EXPLAIN_FULL;
  return absl::InvalidArgumentError(
      absl::StrCat("--explain=", text, " is not one of none, summary, full"));
}

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  if (text == "csv") return OutputFormat::kCsv;
  return absl::InvalidArgumentError(
      absl::StrCat("--format=", text, " is not one of table, json, csv"));
}

absl::StatusOr<v1::Customer> BuildCustomer(
    absl::string_view customer_id, absl::string_view segment,
    const std::vector<std::string>& assignments) {
  v1::Customer customer;
  customer.set_customer_id(
      std::string(absl::StripAsciiWhitespace(customer_id)));
  if (customer.customer_id().empty()) {
    return absl::InvalidArgumentError("--customer-id is empty");
  }
  customer.set_segment(std::string(absl::StripAsciiWhitespace(segment)));
  auto& signals = *customer.mutable_signals();
  for (const std::string& assignment : assignments) {
    for (absl::string_view item : absl::StrSplit(assignment, ',')) {
      item = absl::StripAsciiWhitespace(item);
      if (item.empty()) continue;  // tolerate "a=1," and ",,"
      const size_t eq = item.find('=');
      if (eq == absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat(
            "signal \"", item, "\" is not of the form name=value"));
      }
      const std::string name(absl::StripAsciiWhitespace(item.substr(0, eq)));
      const absl::string_view text =
          absl::StripAsciiWhitespace(item.substr(eq + 1));
      if (name.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("signal \"", item, "\" has no name before '='"));
      }
      double value = 0;
      if (text.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "signal ", name,
            " has no value; leave a signal out when it is missing"));
      }
      if (!absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "signal ", name, ": \"", text, "\" is not a finite number"));
      }
      if (!signals.insert({name, value}).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("signal ", name, " is given more than once"));
      }
    }
  }
  return customer;
}

absl::StatusOr<v1::Customer> ParseCustomerJson(absl::string_view json,
                                               absl::string_view source) {
  v1::Customer customer;
  google::protobuf::util::JsonParseOptions options;
  // A misspelt field ("signal" for "signals") would otherwise be dropped and
  // the customer scored without its data.
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &customer,
      options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": not a healthscore.v1.Customer JSON object: ",
        absl::string_view(status.message().data(), status.message().size())));
  }
  if (customer.customer_id().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": customer_id is missing or empty"));
  }
  for (const auto& [name, value] : customer.signals()) {
    if (!std::isfinite(value)) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": signal ", name,
          " is not a finite number; leave a signal out when it is missing"));
    }
  }
  return customer;
}

size_t NumBatches(size_t num_rows, size_t batch_size) {
  return (num_rows + batch_size - 1) / batch_size;
}

v1::ScoreBatchRequest BuildBatchRequest(const Portfolio& portfolio,
                                        size_t batch_size, size_t index,
                                        v1::Explain explain) {
  v1::ScoreBatchRequest request;
  request.set_explain(explain);
  for (const std::string& name : portfolio.signal_names) {
    request.add_signal_names(name);
  }
  const size_t begin = index * batch_size;
  const size_t end = std::min(portfolio.rows.size(), begin + batch_size);
  request.mutable_rows()->Reserve(static_cast<int>(end - begin));
  for (size_t i = begin; i < end; ++i) {
    *request.add_rows() = portfolio.rows[i];
  }
  return request;
}

std::vector<ImportBatch> PlanImport(const Portfolio& portfolio,
                                    size_t batch_size) {
  std::map<absl::Time, std::vector<size_t>> groups;
  for (size_t i = 0; i < portfolio.rows.size(); ++i) {
    groups[portfolio.as_of[i]].push_back(i);
  }
  std::vector<ImportBatch> batches;
  for (const auto& [as_of, rows] : groups) {
    for (size_t begin = 0; begin < rows.size(); begin += batch_size) {
      const size_t end = std::min(rows.size(), begin + batch_size);
      batches.push_back(ImportBatch{
          .as_of = as_of, .rows = {rows.begin() + begin, rows.begin() + end}});
    }
  }
  return batches;
}

v1::ScoreBatchRequest BuildImportRequest(const Portfolio& portfolio,
                                         const ImportBatch& batch) {
  v1::ScoreBatchRequest request;
  request.set_explain(v1::EXPLAIN_NONE);
  request.set_record(true);
  *request.mutable_as_of() = ToTimestamp(batch.as_of);
  for (const std::string& name : portfolio.signal_names) {
    request.add_signal_names(name);
  }
  request.mutable_rows()->Reserve(static_cast<int>(batch.rows.size()));
  for (size_t i : batch.rows) *request.add_rows() = portfolio.rows[i];
  return request;
}

}  // namespace healthscore::cli
