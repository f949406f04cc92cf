// The history commands: import a timeline through ScoreBatch, and query the
// History service; map each outcome to an exit code.
#include "clients/cli/history_commands.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/csv.h"
#include "clients/cli/dates.h"
#include "clients/cli/format.h"
#include "clients/cli/history_format.h"
#include "clients/cli/requests.h"
#include "grpcpp/client_context.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

int QueryFailed(const grpc::Status& status, const CommonOptions& options,
                std::ostream& err) {
  err << DescribeRpcError(status, options) << "\n";
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::INVALID_ARGUMENT:
      return kExitNotFound;
    default:
      return kExitRpcFailed;
  }
}

int UsageFailed(const absl::Status& status, std::ostream& err) {
  err << "error: " << status.message() << "\n";
  return kExitUsage;
}

// --from, or --days before --to (before `now` when --to is not given).
// Errors: both or neither of --from and --days; --days below 1.
absl::StatusOr<absl::Time> ResolveFrom(const std::optional<absl::Time>& from,
                                       const std::optional<absl::Time>& to,
                                       const std::optional<int>& days,
                                       absl::Time now) {
  if (from.has_value() && days.has_value()) {
    return absl::InvalidArgumentError(
        "--from and --days are alternatives; give one");
  }
  if (days.has_value()) {
    if (*days < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("--days=", *days, " must be at least 1"));
    }
    return to.value_or(now) - absl::Hours(24) * *days;
  }
  if (!from.has_value()) {
    return absl::InvalidArgumentError(
        "give --from DATE or --days N (N days before --to, or before now)");
  }
  return *from;
}

absl::Status CheckRange(absl::Time from, const std::optional<absl::Time>& to) {
  if (to.has_value() && *to < from) {
    return absl::InvalidArgumentError(
        absl::StrCat("--to ", DisplayTime(*to), " is before --from ",
                     DisplayTime(from), "; the range must run forwards"));
  }
  return absl::OkStatus();
}

absl::Status CheckCount(absl::string_view flag, int value, int max) {
  if (value < 1 || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", value, " must be between 1 and ", max));
  }
  return absl::OkStatus();
}

// The lines of an import batch's rows, as "lines 2-9" or "line 4".
std::string LinesOf(const Portfolio& portfolio, const ImportBatch& batch) {
  int first = portfolio.row_lines[batch.rows.front()];
  int last = first;
  for (size_t i : batch.rows) {
    first = std::min(first, portfolio.row_lines[i]);
    last = std::max(last, portfolio.row_lines[i]);
  }
  return first == last ? absl::StrCat("line ", first)
                       : absl::StrCat("lines ", first, "-", last);
}

}  // namespace

absl::StatusOr<v1::GetHistoryRequest> BuildHistoryRequest(
    const HistoryOptions& options) {
  if (options.customer_id.empty()) {
    return absl::InvalidArgumentError("history needs a customer id");
  }
  // --limit has no upper bound: the CLI pages.
  if (options.limit < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--limit=", options.limit, " must be at least 1"));
  }
  if (options.from.has_value()) {
    if (absl::Status s = CheckRange(*options.from, options.to); !s.ok()) {
      return s;
    }
  }
  v1::GetHistoryRequest request;
  request.set_customer_id(options.customer_id);
  if (options.from.has_value()) {
    *request.mutable_from() = ToTimestamp(*options.from);
  }
  if (options.to.has_value()) *request.mutable_to() = ToTimestamp(*options.to);
  request.set_page_size(std::min(options.limit, kMaxHistoryPage));
  request.set_full(options.full);
  return request;
}

absl::StatusOr<v1::ExplainChangeRequest> BuildWhyRequest(
    const WhyOptions& options, absl::Time now) {
  if (options.customer_id.empty()) {
    return absl::InvalidArgumentError("why needs a customer id");
  }
  absl::StatusOr<absl::Time> from =
      ResolveFrom(options.from, options.to, options.days, now);
  if (!from.ok()) return from.status();
  if (absl::Status s = CheckRange(*from, options.to); !s.ok()) return s;
  v1::ExplainChangeRequest request;
  request.set_customer_id(options.customer_id);
  *request.mutable_from() = ToTimestamp(*from);
  if (options.to.has_value()) *request.mutable_to() = ToTimestamp(*options.to);
  return request;
}

absl::StatusOr<v1::ListMoversRequest> BuildMoversRequest(
    const MoversOptions& options, absl::Time now) {
  std::optional<int> days = options.days;
  if (!options.from.has_value() && !days.has_value()) days = 30;
  absl::StatusOr<absl::Time> from =
      ResolveFrom(options.from, options.to, days, now);
  if (!from.ok()) return from.status();
  if (absl::Status s = CheckRange(*from, options.to); !s.ok()) return s;
  if (absl::Status s = CheckCount("limit", options.limit, kMaxHistoryPage);
      !s.ok()) {
    return s;
  }
  v1::ListMoversRequest request;
  *request.mutable_from() = ToTimestamp(*from);
  if (options.to.has_value()) *request.mutable_to() = ToTimestamp(*options.to);
  request.set_segment(options.segment);
  request.set_direction(options.rises ? v1::RISES : v1::DROPS);
  request.set_limit(options.limit);
  return request;
}

absl::StatusOr<v1::GetPortfolioRequest> BuildPortfolioRequest(
    const PortfolioOptions& options) {
  if (options.window_days < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--window-days=", options.window_days, " must be at least 1"));
  }
  v1::GetPortfolioRequest request;
  if (options.as_of.has_value()) {
    *request.mutable_as_of() = ToTimestamp(*options.as_of);
  }
  request.set_segment(options.segment);
  request.set_window_days(options.window_days);
  return request;
}

int RunImport(v1::HealthScoring::StubInterface& stub,
              const CommonOptions& options, const ImportOptions& import,
              std::ostream& out, std::ostream& err) {
  const std::string& path = import.csv_path;
  if (import.batch_size == 0) {
    return UsageFailed(
        absl::InvalidArgumentError("--batch-size must be at least 1"), err);
  }
  absl::StatusOr<Portfolio> portfolio =
      ReadPortfolioCsv(path, PortfolioKind::kTimeline);
  if (!portfolio.ok()) return UsageFailed(portfolio.status(), err);
  if (portfolio->rows.empty()) {
    err << "error: " << path << " has a header but no rows\n";
    return kExitUsage;
  }

  const absl::Time start = import.now();
  const std::vector<ImportBatch> batches =
      PlanImport(*portfolio, import.batch_size);
  ImportSummary summary;
  summary.path = path;
  summary.rows_read = portfolio->rows.size();
  summary.first_as_of = batches.front().as_of;
  summary.last_as_of = batches.back().as_of;
  std::set<absl::Time> dates(portfolio->as_of.begin(), portfolio->as_of.end());
  summary.dates = dates.size();

  ImportProgress progress(summary.rows_read, import.progress_bar, err);
  std::set<std::string> unused;
  size_t rows_done = 0;
  for (size_t i = 0; i < batches.size(); ++i) {
    const ImportBatch& batch = batches[i];
    const v1::ScoreBatchRequest request = BuildImportRequest(*portfolio, batch);
    grpc::ClientContext context;
    SetDeadline(context, options);
    v1::ScoreBatchResponse response;
    const grpc::Status status = stub.ScoreBatch(&context, request, &response);
    ++summary.batches;
    const std::string where =
        absl::StrCat("batch ", i + 1, " of ", batches.size(), ": ",
                     batch.rows.size(), " rows at ", DisplayTime(batch.as_of),
                     ", ", LinesOf(*portfolio, batch), " of ", path);
    if (!status.ok() || response.results_size() != request.rows_size()) {
      progress.Finish();
      if (!status.ok()) {
        err << DescribeRpcError(status, options);
      } else {
        err << "error: the server returned " << response.results_size()
            << " results for " << request.rows_size() << " rows";
      }
      err << " (" << where << "); " << summary.recorded
          << " rows were recorded before it, this batch and "
          << batches.size() - i - 1
          << " later ones were not; importing the file again is safe: a "
             "point recorded again replaces itself\n";
      return kExitRpcFailed;
    }
    for (int r = 0; r < response.results_size(); ++r) {
      const v1::CustomerResult& result = response.results(r);
      if (result.has_score()) {
        if (result.score().has_trend()) {
          ++summary.recorded;
        } else {
          ++summary.not_recorded;
        }
        continue;
      }
      summary.errors.push_back(ImportRowError{
          .line = portfolio->row_lines[batch.rows[r]],
          .customer_id = result.customer_id(),
          .as_of = batch.as_of,
          .code = result.has_error()
                      ? result.error().code()
                      : static_cast<int>(absl::StatusCode::kUnknown),
          .message = result.has_error()
                         ? result.error().message()
                         : "the server returned neither a score nor an error",
      });
    }
    unused.insert(response.unused_signals().begin(),
                  response.unused_signals().end());
    rows_done += batch.rows.size();
    progress.Update(rows_done, import.now() - start);
  }
  progress.Finish();
  summary.elapsed = import.now() - start;
  PrintImportSummary(summary, options.format, out);
  if (options.format == OutputFormat::kCsv) {
    // The CSV form lists the row errors only; the counts go where a person
    // reads them.
    err << summary.rows_read << " rows read, " << summary.recorded
        << " recorded, " << summary.errors.size()
        << (summary.errors.size() == 1 ? " error, " : " errors, ")
        << summary.batches << " batches\n";
  }
  if (!unused.empty()) {
    err << "note: no dimension of the active scorecard reads these signals: "
        << absl::StrJoin(unused, ", ") << "\n";
  }
  if (summary.not_recorded > 0) {
    err << "warning: " << summary.not_recorded
        << " rows were scored but not recorded (no trend came back); is the "
           "server recording history (its --record)?\n";
  }
  return summary.errors.empty() && summary.not_recorded == 0 ? kExitOk
                                                             : kExitNotScored;
}

int RunHistory(v1::History::StubInterface& stub, const CommonOptions& options,
               const HistoryOptions& history, std::ostream& out,
               std::ostream& err) {
  absl::StatusOr<v1::GetHistoryRequest> request = BuildHistoryRequest(history);
  if (!request.ok()) return UsageFailed(request.status(), err);
  std::vector<v1::HistoryPoint> points;
  const size_t limit = static_cast<size_t>(history.limit);
  while (points.size() < limit) {
    request->set_page_size(static_cast<int>(std::min<size_t>(
        limit - points.size(), static_cast<size_t>(kMaxHistoryPage))));
    grpc::ClientContext context;
    SetDeadline(context, options);
    v1::GetHistoryResponse response;
    const grpc::Status status = stub.GetHistory(&context, *request, &response);
    if (!status.ok()) return QueryFailed(status, options, err);
    for (v1::HistoryPoint& point : *response.mutable_points()) {
      if (points.size() == limit) break;
      points.push_back(std::move(point));
    }
    // An empty page with a token would loop forever; stop there.
    if (response.next_page_token().empty() || response.points().empty()) break;
    request->set_page_token(response.next_page_token());
  }
  PrintHistory(history.customer_id, points, history.full, options.format, out);
  return kExitOk;
}

int RunWhy(v1::History::StubInterface& stub, const CommonOptions& options,
           const WhyOptions& why, std::ostream& out, std::ostream& err) {
  absl::StatusOr<v1::ExplainChangeRequest> request =
      BuildWhyRequest(why, absl::Now());
  if (!request.ok()) return UsageFailed(request.status(), err);
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::ExplainChangeResponse response;
  const grpc::Status status = stub.ExplainChange(&context, *request, &response);
  if (!status.ok()) return QueryFailed(status, options, err);
  PrintExplainChange(response, options.format, out);
  return kExitOk;
}

int RunMovers(v1::History::StubInterface& stub, const CommonOptions& options,
              const MoversOptions& movers, std::ostream& out,
              std::ostream& err) {
  absl::StatusOr<v1::ListMoversRequest> request =
      BuildMoversRequest(movers, absl::Now());
  if (!request.ok()) return UsageFailed(request.status(), err);
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::ListMoversResponse response;
  const grpc::Status status = stub.ListMovers(&context, *request, &response);
  if (!status.ok()) return QueryFailed(status, options, err);
  PrintMovers(*request, response, options.format, out);
  return kExitOk;
}

int RunPortfolio(v1::History::StubInterface& stub, const CommonOptions& options,
                 const PortfolioOptions& portfolio, std::ostream& out,
                 std::ostream& err) {
  absl::StatusOr<v1::GetPortfolioRequest> request =
      BuildPortfolioRequest(portfolio);
  if (!request.ok()) return UsageFailed(request.status(), err);
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::GetPortfolioResponse response;
  const grpc::Status status = stub.GetPortfolio(&context, *request, &response);
  if (!status.ok()) return QueryFailed(status, options, err);
  PrintPortfolio(response, options.format, out);
  return kExitOk;
}

int RunRollup(v1::History::StubInterface& stub, const CommonOptions& options,
              const RollupOptions& rollup, std::ostream& out,
              std::ostream& err) {
  v1::GetAccountRollupRequest request;
  request.set_parent_id(rollup.parent_id);
  if (rollup.as_of.has_value())
    *request.mutable_at() = ToTimestamp(*rollup.as_of);
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::AccountRollup response;
  const grpc::Status status =
      stub.GetAccountRollup(&context, request, &response);
  if (!status.ok()) {
    // No child with a score yet is an answer about the data, like NOT_FOUND.
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
        absl::StrContains(status.error_message(), "children has")) {
      err << "healthscore: " << status.error_message() << "\n";
      return kExitNotFound;
    }
    return QueryFailed(status, options, err);
  }
  PrintRollup(response, options.format, out);
  return kExitOk;
}

}  // namespace healthscore::cli
