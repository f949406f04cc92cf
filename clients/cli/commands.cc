// The score, dimensions and scorecard commands: build requests, call the
// stub with a deadline, print, and map the outcome to an exit code.
#include "clients/cli/commands.h"

#include <memory>
#include <set>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/compact.h"
#include "clients/cli/csv.h"
#include "clients/cli/format.h"
#include "grpcpp/client_context.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

// Signals the scorecard ignores are usually a misspelt column; say so on
// stderr, where it does not break a json or csv stream on stdout.
void NoteUnusedSignals(const std::set<std::string>& unused, std::ostream& err) {
  if (unused.empty()) return;
  err << "note: no dimension of the active scorecard reads these signals: "
      << absl::StrJoin(unused, ", ") << "\n";
}

int ScoreOne(v1::HealthScoring::StubInterface& stub,
             const CommonOptions& options, const ScoreOptions& score_options,
             std::ostream& out, std::ostream& err) {
  absl::StatusOr<v1::Customer> customer;
  if (!score_options.json_path.empty()) {
    absl::StatusOr<std::string> json = ReadFile(score_options.json_path);
    customer = json.ok() ? ParseCustomerJson(*json, score_options.json_path)
                         : absl::StatusOr<v1::Customer>(json.status());
  } else {
    customer = BuildCustomer(score_options.customer_id, score_options.segment,
                             score_options.signals);
  }
  if (!customer.ok()) {
    err << "error: " << customer.status().message() << "\n";
    return kExitUsage;
  }

  v1::ScoreRequest request;
  *request.mutable_customer() = *std::move(customer);
  request.set_explain(options.explain);
  request.set_record(score_options.record);
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::ScoreResponse response;
  const grpc::Status status = stub.Score(&context, request, &response);
  if (!status.ok()) {
    err << DescribeRpcError(status, options) << "\n";
    // Score refuses a customer's bad data with INVALID_ARGUMENT: that is the
    // one-customer form of a batch row error, not a failure to talk to the
    // server, and scripts should be able to tell the two apart.
    return status.error_code() == grpc::StatusCode::INVALID_ARGUMENT
               ? kExitNotScored
               : kExitRpcFailed;
  }
  NoteUnusedSignals(
      {response.unused_signals().begin(), response.unused_signals().end()},
      err);
  if (options.format == OutputFormat::kJson) {
    out << ToJsonLine(response) << "\n";
    return kExitOk;
  }
  v1::CustomerResult result;
  result.set_customer_id(response.score().customer_id());
  *result.mutable_score() = std::move(*response.mutable_score());
  std::unique_ptr<ResultPrinter> printer = MakeResultPrinter(
      options.format, options.explain, /*summary=*/false, out);
  printer->Add(result);
  printer->Finish();
  return kExitOk;
}

int ScoreCsv(v1::HealthScoring::StubInterface& stub,
             const CommonOptions& options, const ScoreOptions& score_options,
             std::ostream& out, std::ostream& err) {
  const std::string& path = score_options.csv_path;
  absl::StatusOr<Portfolio> portfolio = ReadPortfolioCsv(path);
  if (!portfolio.ok()) {
    err << "error: " << portfolio.status().message() << "\n";
    return kExitUsage;
  }
  if (portfolio->rows.empty()) {
    err << "error: " << path << " has a header but no customer rows\n";
    return kExitUsage;
  }

  std::unique_ptr<ResultPrinter> printer =
      MakeResultPrinter(options.format, options.explain, /*summary=*/true, out);
  std::set<std::string> unused;
  bool any_not_scored = false;
  const size_t batch_size = score_options.batch_size;
  const size_t num_batches = NumBatches(portfolio->rows.size(), batch_size);
  for (size_t i = 0; i < num_batches; ++i) {
    v1::ScoreBatchRequest request =
        BuildBatchRequest(*portfolio, batch_size, i, options.explain);
    request.set_record(score_options.record);
    if (score_options.compact) request.set_layout(v1::LAYOUT_COMPACT);
    grpc::ClientContext context;
    SetDeadline(context, options);
    v1::ScoreBatchResponse response;
    const grpc::Status status = stub.ScoreBatch(&context, request, &response);
    const size_t first_row = i * batch_size;
    const size_t last_row = first_row + request.rows_size() - 1;
    const std::string where =
        absl::StrCat("batch ", i + 1, " of ", num_batches, ": lines ",
                     portfolio->row_lines[first_row], "-",
                     portfolio->row_lines[last_row], " of ", path);
    if (!status.ok()) {
      // Earlier batches' results stay printed (a CSV header included), but
      // no summary: counts of part of the file would read as the whole.
      printer->Flush();
      err << DescribeRpcError(status, options) << " (" << where
          << "; this and later rows were not scored)\n";
      return kExitRpcFailed;
    }
    if (score_options.compact) {
      absl::StatusOr<std::vector<v1::CustomerResult>> expanded =
          ExpandCompact(response);
      if (!expanded.ok()) {
        printer->Flush();
        err << "error: " << expanded.status().message() << " (" << where
            << ")\n";
        return kExitRpcFailed;
      }
      for (v1::CustomerResult& r : *expanded) {
        *response.add_results() = std::move(r);
      }
    }
    if (response.results_size() != request.rows_size()) {
      printer->Flush();
      err << "error: the server returned " << response.results_size()
          << " results for " << request.rows_size() << " rows (" << where
          << ")\n";
      return kExitRpcFailed;
    }
    for (const v1::CustomerResult& result : response.results()) {
      if (!result.has_score()) any_not_scored = true;
      printer->Add(result);
    }
    unused.insert(response.unused_signals().begin(),
                  response.unused_signals().end());
  }
  printer->Finish();
  NoteUnusedSignals(unused, err);
  return any_not_scored ? kExitNotScored : kExitOk;
}

}  // namespace

absl::Status ValidateScoreOptions(const ScoreOptions& options) {
  const bool single = !options.customer_id.empty();
  const int inputs = (single ? 1 : 0) + (options.json_path.empty() ? 0 : 1) +
                     (options.csv_path.empty() ? 0 : 1);
  if (inputs == 0) {
    return absl::InvalidArgumentError(
        "score needs one input: --customer-id ID with signals, --json FILE "
        "or --csv FILE");
  }
  if (inputs > 1) {
    return absl::InvalidArgumentError(
        "--customer-id, --json and --csv are alternatives; give only one");
  }
  if (!single && !options.signals.empty()) {
    return absl::InvalidArgumentError(
        "--signal and name=value arguments go with --customer-id; a --json "
        "object or a --csv file carries its own signals");
  }
  if (!single && !options.segment.empty()) {
    return absl::InvalidArgumentError(
        "--segment goes with --customer-id; a --json object has a segment "
        "field and a --csv file a segment column");
  }
  if (options.batch_size == 0) {
    return absl::InvalidArgumentError("--batch-size must be at least 1");
  }
  return absl::OkStatus();
}

int RunScore(v1::HealthScoring::StubInterface& stub,
             const CommonOptions& options, const ScoreOptions& score_options,
             std::ostream& out, std::ostream& err) {
  if (!score_options.csv_path.empty()) {
    return ScoreCsv(stub, options, score_options, out, err);
  }
  return ScoreOne(stub, options, score_options, out, err);
}

int RunDimensions(v1::HealthScoring::StubInterface& stub,
                  const CommonOptions& options, std::ostream& out,
                  std::ostream& err) {
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::ListDimensionsResponse response;
  const grpc::Status status =
      stub.ListDimensions(&context, v1::ListDimensionsRequest(), &response);
  if (!status.ok()) {
    err << DescribeRpcError(status, options) << "\n";
    return kExitRpcFailed;
  }
  PrintDimensions(response, options.format, out);
  return kExitOk;
}

int RunScorecard(v1::HealthScoring::StubInterface& stub,
                 const CommonOptions& options, std::ostream& out,
                 std::ostream& err) {
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::GetScorecardResponse response;
  const grpc::Status status =
      stub.GetScorecard(&context, v1::GetScorecardRequest(), &response);
  if (!status.ok()) {
    err << DescribeRpcError(status, options) << "\n";
    return kExitRpcFailed;
  }
  PrintScorecard(response, options.format, out);
  return kExitOk;
}

std::string DescribeRpcError(const grpc::Status& status,
                             const CommonOptions& options) {
  std::string text =
      absl::StrCat("error: ", StatusCodeName(status.error_code()), ": ",
                   status.error_message());
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      absl::StrAppend(&text,
                      options.admin ? "; is the server's admin API "
                                      "(--admin-listen) at "
                                    : "; is the server running at ",
                      options.target, "?");
      break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      absl::StrAppend(&text, "; no answer within ",
                      absl::FormatDuration(options.timeout), " (--timeout)");
      break;
    case grpc::StatusCode::UNIMPLEMENTED:
      absl::StrAppend(&text, "; is ", options.target,
                      options.admin ? " the admin address (--admin-listen) of "
                                      "a healthscore server?"
                                    : " a healthscore.v1 server?");
      break;
    default:
      break;
  }
  return text;
}

void SetDeadline(grpc::ClientContext& context, const CommonOptions& options) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
}

int RefusedOrFailed(const grpc::Status& status, const CommonOptions& options,
                    std::ostream& err) {
  err << DescribeRpcError(status, options) << "\n";
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:  // e.g. the LoadPlugin policy
      return kExitRefused;
    default:
      return kExitRpcFailed;
  }
}

}  // namespace healthscore::cli
