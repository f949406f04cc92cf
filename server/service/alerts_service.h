// The healthscore.v1.Alerts service. Synchronous gRPC API: a WatchAlerts
// stream holds one of gRPC's sync threads while it is open, and waits on the
// AlertSignal between reads of the outbox.
#ifndef HEALTHSCORE_SERVER_SERVICE_ALERTS_SERVICE_H_
#define HEALTHSCORE_SERVER_SERVICE_ALERTS_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"
#include "healthscore/v1/alerts.grpc.pb.h"
#include "server/history/alerts.h"
#include "server/history/history.h"
#include "server/store/store.h"

namespace healthscore {

// Thread-safe. Without a store every call is FAILED_PRECONDITION.
class AlertsService final : public v1::Alerts::Service {
 public:
  struct Options {
    // How often an idle stream looks for other replicas' events.
    absl::Duration poll = absl::Milliseconds(250);
  };

  // `store` and `history` may be null (no store); all must outlive the
  // service.
  AlertsService(store::Store* store, history::HistoryQueries* history,
                history::AlertSignal* signal, Options options)
      : store_(store), history_(history), signal_(signal), options_(options) {}

  grpc::Status ListAlerts(grpc::ServerContext* context,
                          const v1::ListAlertsRequest* request,
                          v1::ListAlertsResponse* response) override;
  grpc::Status WatchAlerts(grpc::ServerContext* context,
                           const v1::WatchAlertsRequest* request,
                           grpc::ServerWriter<v1::AlertEvent>* writer) override;
  grpc::Status AcknowledgeAlert(grpc::ServerContext* context,
                                const v1::AcknowledgeAlertRequest* request,
                                v1::Alert* response) override;
  grpc::Status ResolveAlert(grpc::ServerContext* context,
                            const v1::ResolveAlertRequest* request,
                            v1::Alert* response) override;

 private:
  grpc::Status SetState(int64_t id, int state, const std::string& who,
                        const std::string& note, v1::Alert* response);

  // The change that raised `alert` (see Alert.explanation).
  absl::Status Explain(v1::Alert& alert);

  store::Store* const store_;
  history::HistoryQueries* const history_;
  history::AlertSignal* const signal_;
  const Options options_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_ALERTS_SERVICE_H_
