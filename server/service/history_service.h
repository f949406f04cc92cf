// The healthscore.v1.History service (gRPC callback API): forwards to
// history::HistoryQueries, converting the status at the edge.
#ifndef HEALTHSCORE_SERVER_SERVICE_HISTORY_SERVICE_H_
#define HEALTHSCORE_SERVER_SERVICE_HISTORY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "healthscore/v1/history.grpc.pb.h"
#include "server/history/history.h"

namespace healthscore {

// Thread-safe. Without a store (--store=none) every call is
// FAILED_PRECONDITION.
class HistoryService final : public v1::History::CallbackService {
 public:
  // `queries` may be null (no store); it must outlive the service.
  explicit HistoryService(history::HistoryQueries* queries)
      : queries_(queries) {}

  grpc::ServerUnaryReactor* GetHistory(
      grpc::CallbackServerContext* context,
      const v1::GetHistoryRequest* request,
      v1::GetHistoryResponse* response) override;
  grpc::ServerUnaryReactor* ExplainChange(
      grpc::CallbackServerContext* context,
      const v1::ExplainChangeRequest* request,
      v1::ExplainChangeResponse* response) override;
  grpc::ServerUnaryReactor* ListMovers(
      grpc::CallbackServerContext* context,
      const v1::ListMoversRequest* request,
      v1::ListMoversResponse* response) override;
  grpc::ServerUnaryReactor* GetPortfolio(
      grpc::CallbackServerContext* context,
      const v1::GetPortfolioRequest* request,
      v1::GetPortfolioResponse* response) override;
  grpc::ServerUnaryReactor* GetAccountRollup(
      grpc::CallbackServerContext* context,
      const v1::GetAccountRollupRequest* request,
      v1::AccountRollup* response) override;

 private:
  history::HistoryQueries* const queries_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_HISTORY_SERVICE_H_
