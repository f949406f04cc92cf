// absl::Status -> grpc::Status, in one place, at the RPC edge. The canonical
// codes are the same numbers in both.
#ifndef HEALTHSCORE_SERVER_SERVICE_GRPC_STATUS_H_
#define HEALTHSCORE_SERVER_SERVICE_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace healthscore {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_GRPC_STATUS_H_
