// The healthscore.v1.Overrides service (synchronous gRPC API): checks each
// request, writes through the store (which keeps the audit log) and tells
// the override cache, so this replica's scores show the change at once.
#ifndef HEALTHSCORE_SERVER_SERVICE_OVERRIDES_SERVICE_H_
#define HEALTHSCORE_SERVER_SERVICE_OVERRIDES_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "healthscore/v1/overrides.grpc.pb.h"
#include "server/engine/snapshot_holder.h"
#include "server/history/overrides.h"
#include "server/store/store.h"

namespace healthscore {

// Thread-safe. Without a store (--store unset) every call is
// FAILED_PRECONDITION.
class OverridesService final : public v1::Overrides::Service {
 public:
  // `store` and `cache` are both null (no store) or both set; all must
  // outlive the service.
  OverridesService(store::Store* store, history::OverrideCache* cache,
                   const SnapshotHolder* snapshots)
      : store_(store), cache_(cache), snapshots_(snapshots) {}

  grpc::Status SetOverride(grpc::ServerContext* context,
                           const v1::SetOverrideRequest* request,
                           v1::Override* response) override;
  grpc::Status ClearOverride(grpc::ServerContext* context,
                             const v1::ClearOverrideRequest* request,
                             v1::Override* response) override;
  grpc::Status ListOverrides(grpc::ServerContext* context,
                             const v1::ListOverridesRequest* request,
                             v1::ListOverridesResponse* response) override;
  grpc::Status GetOverrideAudit(
      grpc::ServerContext* context, const v1::GetOverrideAuditRequest* request,
      v1::GetOverrideAuditResponse* response) override;

  // The handlers, without gRPC.
  absl::Status DoSetOverride(const v1::SetOverrideRequest& request,
                             v1::Override& response);
  absl::Status DoClearOverride(const v1::ClearOverrideRequest& request,
                               v1::Override& response);
  absl::Status DoListOverrides(const v1::ListOverridesRequest& request,
                               v1::ListOverridesResponse& response);
  absl::Status DoGetOverrideAudit(const v1::GetOverrideAuditRequest& request,
                                  v1::GetOverrideAuditResponse& response);

 private:
  // The request's override, checked, as a row set now.
  absl::StatusOr<store::OverrideRow> CheckedRow(const v1::Override& o) const;
  // Reloads the cache after a change (a failure is logged: the poll
  // catches up).
  void RefreshCache();

  store::Store* const store_;
  history::OverrideCache* const cache_;
  const SnapshotHolder* const snapshots_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_OVERRIDES_SERVICE_H_
