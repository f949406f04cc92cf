// The healthscore.v1.Validation service. Synchronous gRPC API: a backtest
// takes seconds and holds one of gRPC's sync threads, not a callback thread.
#ifndef HEALTHSCORE_SERVER_SERVICE_VALIDATION_SERVICE_H_
#define HEALTHSCORE_SERVER_SERVICE_VALIDATION_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "healthscore/v1/validation.grpc.pb.h"
#include "server/engine/snapshot_holder.h"
#include "server/registry/registry.h"
#include "server/store/store.h"

namespace healthscore {

// Thread-safe. Without a store, RecordOutcomes, Backtest and SuggestWeights
// are FAILED_PRECONDITION; Simulate and PathToGreen work on a customer given
// with its signals.
class ValidationService final : public v1::Validation::Service {
 public:
  // All must outlive the service; `store` may be null.
  ValidationService(store::Store* store, const SnapshotHolder* snapshots,
                    const Registry* registry)
      : store_(store), snapshots_(snapshots), registry_(registry) {}

  grpc::Status RecordOutcomes(grpc::ServerContext* context,
                              const v1::RecordOutcomesRequest* request,
                              v1::RecordOutcomesResponse* response) override;
  grpc::Status Backtest(grpc::ServerContext* context,
                        const v1::BacktestRequest* request,
                        v1::BacktestResponse* response) override;
  grpc::Status SuggestWeights(grpc::ServerContext* context,
                              const v1::SuggestWeightsRequest* request,
                              v1::SuggestWeightsResponse* response) override;
  grpc::Status Simulate(grpc::ServerContext* context,
                        const v1::SimulateRequest* request,
                        v1::SimulateResponse* response) override;
  grpc::Status PathToGreen(grpc::ServerContext* context,
                           const v1::PathToGreenRequest* request,
                           v1::PathToGreenResponse* response) override;

 private:
  store::Store* const store_;
  const SnapshotHolder* const snapshots_;
  const Registry* const registry_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_VALIDATION_SERVICE_H_
