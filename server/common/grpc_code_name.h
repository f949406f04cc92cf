// A gRPC status code's canonical name ("INVALID_ARGUMENT"), as the HTTP
// face's error JSON and the metrics' code label both spell it.
#ifndef HEALTHSCORE_SERVER_COMMON_GRPC_CODE_NAME_H_
#define HEALTHSCORE_SERVER_COMMON_GRPC_CODE_NAME_H_

#include <grpcpp/support/status.h>

namespace healthscore {

inline const char* GrpcCodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : "UNKNOWN";
}

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_COMMON_GRPC_CODE_NAME_H_
