// Request ids and access log lines: every call of the server the
// interceptor is installed on gets a request id (its `x-request-id`
// metadata when it sends a usable one, else 128 random bits in hex),
// returned in its initial metadata, and one access log line (every call not
// OK; OK calls sampled). docs/logging.md describes the fields.
#ifndef HEALTHSCORE_SERVER_OBSERVE_ACCESS_LOG_H_
#define HEALTHSCORE_SERVER_OBSERVE_ACCESS_LOG_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace healthscore {

inline constexpr char kRequestIdHeader[] = "x-request-id";

// 32 lowercase hex digits (128 random bits). Thread-safe.
std::string NewRequestId();

// Whether a client's request id is kept: 1 to 128 characters of letters,
// digits and -_.:/ (anything else is replaced by a new id, so a log line
// cannot be forged through it).
bool UsableRequestId(absl::string_view id);

struct AccessLogOptions {
  // The fraction (0..1) of OK calls logged; every call not OK is logged.
  // OK health checks are never logged (probes would drown the rest).
  double sample = 1.0;
};

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
AccessLogInterceptorFactory(AccessLogOptions options);

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_OBSERVE_ACCESS_LOG_H_
