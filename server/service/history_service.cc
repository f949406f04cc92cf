// The healthscore.v1.History handlers.
#include "server/service/history_service.h"

#include "server/service/grpc_status.h"

namespace healthscore {
namespace {

template <typename Request, typename Response>
grpc::ServerUnaryReactor* Run(
    grpc::CallbackServerContext* context, history::HistoryQueries* queries,
    absl::Status (history::HistoryQueries::*method)(const Request&, Response&),
    const Request& request, Response& response) {
  absl::Status status =
      queries == nullptr
          ? absl::FailedPreconditionError(
                "this server keeps no history (started with --store=none)")
          : (queries->*method)(request, response);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* HistoryService::GetHistory(
    grpc::CallbackServerContext* context, const v1::GetHistoryRequest* request,
    v1::GetHistoryResponse* response) {
  return Run(context, queries_, &history::HistoryQueries::GetHistory, *request,
             *response);
}

grpc::ServerUnaryReactor* HistoryService::ExplainChange(
    grpc::CallbackServerContext* context,
    const v1::ExplainChangeRequest* request,
    v1::ExplainChangeResponse* response) {
  return Run(context, queries_, &history::HistoryQueries::ExplainChange,
             *request, *response);
}

grpc::ServerUnaryReactor* HistoryService::ListMovers(
    grpc::CallbackServerContext* context, const v1::ListMoversRequest* request,
    v1::ListMoversResponse* response) {
  return Run(context, queries_, &history::HistoryQueries::ListMovers, *request,
             *response);
}

grpc::ServerUnaryReactor* HistoryService::GetPortfolio(
    grpc::CallbackServerContext* context,
    const v1::GetPortfolioRequest* request,
    v1::GetPortfolioResponse* response) {
  return Run(context, queries_, &history::HistoryQueries::GetPortfolio,
             *request, *response);
}

grpc::ServerUnaryReactor* HistoryService::GetAccountRollup(
    grpc::CallbackServerContext* context,
    const v1::GetAccountRollupRequest* request, v1::AccountRollup* response) {
  return Run(context, queries_, &history::HistoryQueries::GetAccountRollup,
             *request, *response);
}

}  // namespace healthscore
