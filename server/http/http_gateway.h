// The HTTP/JSON face (--http-listen): every public unary RPC as JSON over
// HTTP/1.1 (protobuf's JSON mapping), plus /metrics, /healthz and /readyz.
//
// Built on Boost.Beast (part of Boost, already a dependency for Boost.DLL;
// the one HTTP library at hand that is asynchronous, keeps connections
// alive, bounds request bodies and is maintained with Boost's release
// cadence). A request is turned into the RPC's protobuf message and sent to
// the server's own gRPC services over an in-process channel: admission
// control, deadlines, metrics and errors are then exactly gRPC's, with one
// mechanism for every RPC instead of a handler each. Each request carries
// an X-Request-Id (the client's, or a new one) to the RPC and back in the
// response.
#ifndef HEALTHSCORE_SERVER_HTTP_HTTP_GATEWAY_H_
#define HEALTHSCORE_SERVER_HTTP_HTTP_GATEWAY_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "server/security/tls.h"
#include "server/security/token_file.h"

namespace healthscore {

class HttpGateway {
 public:
  struct Options {
    // host:port (port 0 picks a free one).
    std::string listen = "127.0.0.1:8080";
    // The largest request body accepted (as gRPC's max receive size).
    size_t max_body_bytes = 64 << 20;
    // The gRPC services the JSON routes call.
    std::shared_ptr<grpc::Channel> channel;
    // /readyz: true once a scorecard is live and until shutdown begins.
    std::function<bool()> ready;
    // /metrics: the text to serve.
    std::function<std::string()> metrics;
    // Served under / (the dashboard's built files); empty: none.
    std::string static_dir;
    // HTTPS with these files (mTLS with a client CA); certificates re-read
    // when their files change, checked as connections arrive. Not enabled:
    // plain HTTP.
    security::TlsFiles tls;
    // Every route but /healthz, /readyz and the dashboard's files needs
    // `Authorization: Bearer <this token>`; null: open.
    std::shared_ptr<security::TokenFile> api_token;
  };

  // Binds and starts serving on its own thread. Fails naming the address.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(Options options);
  // Stops accepting and closes connections; joins the thread.
  ~HttpGateway();

  int port() const;

  class Impl;

 private:
  explicit HttpGateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_HTTP_HTTP_GATEWAY_H_
