// HTTP/1.1 in, the RPC's message to the in-process gRPC services, JSON out.
#include "server/http/http_gateway.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <sys/stat.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "server/common/grpc_code_name.h"
#include "server/observe/access_log.h"
#include "spdlog/spdlog.h"

namespace healthscore {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
namespace pb = google::protobuf;

// The services whose unary methods the gateway serves (not the admin
// Registry, which stays on its loopback address).
constexpr const char* kPublicServices[] = {
    "healthscore.v1.HealthScoring", "healthscore.v1.History",
    "healthscore.v1.Alerts", "healthscore.v1.Overrides",
    "healthscore.v1.Validation"};

// A friendly route: verb and path pattern ({name} captures a segment, and
// may be followed by a literal suffix such as ":acknowledge") to an RPC.
struct Route {
  http::verb verb;
  std::vector<std::string> segments;
  std::string method;  // healthscore.v1.Service.Method
};

std::vector<Route> Routes() {
  auto route = [](http::verb verb, absl::string_view path, std::string method) {
    return Route{verb, absl::StrSplit(absl::StripPrefix(path, "/"), '/'),
                 std::move(method)};
  };
  return {
      route(http::verb::post, "/v1/score",
            "healthscore.v1.HealthScoring.Score"),
      route(http::verb::post, "/v1/score:batch",
            "healthscore.v1.HealthScoring.ScoreBatch"),
      route(http::verb::get, "/v1/dimensions",
            "healthscore.v1.HealthScoring.ListDimensions"),
      route(http::verb::get, "/v1/scorecard",
            "healthscore.v1.HealthScoring.GetScorecard"),
      route(http::verb::get, "/v1/customers/{customer_id}/history",
            "healthscore.v1.History.GetHistory"),
      route(http::verb::get, "/v1/customers/{customer_id}/why",
            "healthscore.v1.History.ExplainChange"),
      route(http::verb::get, "/v1/portfolio",
            "healthscore.v1.History.GetPortfolio"),
      route(http::verb::get, "/v1/movers", "healthscore.v1.History.ListMovers"),
      route(http::verb::get, "/v1/alerts", "healthscore.v1.Alerts.ListAlerts"),
      route(http::verb::post, "/v1/alerts/{id}:acknowledge",
            "healthscore.v1.Alerts.AcknowledgeAlert"),
      route(http::verb::post, "/v1/alerts/{id}:resolve",
            "healthscore.v1.Alerts.ResolveAlert"),
      route(http::verb::post, "/v1/backtest",
            "healthscore.v1.Validation.Backtest"),
  };
}

// gRPC code -> HTTP status, as Google's HTTP/JSON transcoding maps them.
http::status HttpStatus(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return http::status::ok;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return http::status::bad_request;
    case grpc::StatusCode::NOT_FOUND:
      return http::status::not_found;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return http::status::conflict;
    case grpc::StatusCode::PERMISSION_DENIED:
      return http::status::forbidden;
    case grpc::StatusCode::UNAUTHENTICATED:
      return http::status::unauthorized;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return http::status::too_many_requests;
    case grpc::StatusCode::UNIMPLEMENTED:
      return http::status::not_implemented;
    case grpc::StatusCode::UNAVAILABLE:
      return http::status::service_unavailable;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return http::status::gateway_timeout;
    case grpc::StatusCode::CANCELLED:
      return static_cast<http::status>(499);
    default:
      return http::status::internal_server_error;
  }
}

// {"code": 3, "status": "INVALID_ARGUMENT", "message": "..."}, JSON-escaped.
std::string ErrorJson(grpc::StatusCode code, absl::string_view message) {
  pb::Value value;  // escape through protobuf's JSON writer
  value.set_string_value(std::string(message));
  std::string quoted;
  (void)pb::util::MessageToJsonString(value, &quoted);
  return absl::StrCat("{\"code\":", static_cast<int>(code), ",\"status\":\"",
                      GrpcCodeName(code), "\",\"message\":", quoted, "}\n");
}

std::string ContentType(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".json") return "application/json";
  return "application/octet-stream";
}

// Sets `field` of `message` from a path or query parameter's text.
absl::Status SetField(pb::Message& message, const pb::FieldDescriptor& field,
                      absl::string_view text, absl::string_view param) {
  const pb::Reflection& r = *message.GetReflection();
  const bool repeated = field.is_repeated();
  auto bad = [&](absl::string_view expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "parameter ", param, " = '", text.substr(0, 64), "' is not ", expected,
        " (field ", field.full_name(), ")"));
  };
  switch (field.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      repeated ? r.AddString(&message, &field, std::string(text))
               : r.SetString(&message, &field, std::string(text));
      return absl::OkStatus();
    case pb::FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("a 32-bit integer");
      repeated ? r.AddInt32(&message, &field, v)
               : r.SetInt32(&message, &field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("an integer");
      repeated ? r.AddInt64(&message, &field, v)
               : r.SetInt64(&message, &field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("a non-negative integer");
      repeated ? r.AddUInt32(&message, &field, v)
               : r.SetUInt32(&message, &field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("a non-negative integer");
      repeated ? r.AddUInt64(&message, &field, v)
               : r.SetUInt64(&message, &field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
    case pb::FieldDescriptor::CPPTYPE_FLOAT: {
      double v;
      if (!absl::SimpleAtod(text, &v)) return bad("a number");
      if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_FLOAT) {
        repeated ? r.AddFloat(&message, &field, static_cast<float>(v))
                 : r.SetFloat(&message, &field, static_cast<float>(v));
      } else {
        repeated ? r.AddDouble(&message, &field, v)
                 : r.SetDouble(&message, &field, v);
      }
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (!absl::SimpleAtob(text, &v)) return bad("true or false");
      repeated ? r.AddBool(&message, &field, v)
               : r.SetBool(&message, &field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const pb::EnumValueDescriptor* v =
          field.enum_type()->FindValueByName(std::string(text));
      int number;
      if (v == nullptr && absl::SimpleAtoi(text, &number)) {
        v = field.enum_type()->FindValueByNumber(number);
      }
      if (v == nullptr) {
        return bad(absl::StrCat("a value of ", field.enum_type()->full_name()));
      }
      repeated ? r.AddEnum(&message, &field, v)
               : r.SetEnum(&message, &field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
      if (field.message_type()->full_name() != "google.protobuf.Timestamp" ||
          repeated) {
        return bad("settable from a parameter (send it in the JSON body)");
      }
      pb::Timestamp t;
      if (!pb::util::TimeUtil::FromString(std::string(text), &t)) {
        return bad("an RFC 3339 time (2026-11-30T00:00:00Z)");
      }
      r.MutableMessage(&message, &field)->CopyFrom(t);
      return absl::OkStatus();
    }
  }
  return bad("supported");
}

}  // namespace

class HttpGateway::Impl {
 public:
  explicit Impl(Options options)
      : options_(std::move(options)),
        stub_(options_.channel),
        routes_(Routes()),
        acceptor_(io_) {}

  absl::Status Listen() {
    const size_t colon = options_.listen.rfind(':');
    if (colon == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--http-listen=", options_.listen, ": expected host:port"));
    }
    std::string host = options_.listen.substr(0, colon);
    if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
      host = host.substr(1, host.size() - 2);
    }
    if (host == "localhost") host = "127.0.0.1";
    int port = 0;
    if (!absl::SimpleAtoi(options_.listen.substr(colon + 1), &port) ||
        port < 0 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--http-listen=", options_.listen, ": the port is not 0-65535"));
    }
    beast::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("--http-listen=", options_.listen, ": ", host,
                       " is not an IP address (", ec.message(), ")"));
    }
    const tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("--http-listen=", options_.listen,
                       ": cannot listen: ", ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    if (options_.tls.enabled()) {
      tls_stamps_ = TlsStamps();
      absl::StatusOr<std::shared_ptr<ssl::context>> context = MakeContext();
      if (!context.ok()) return context.status();
      tls_context_ = *std::move(context);
    }
    Accept();
    thread_ = std::thread([this] { io_.run(); });
    return absl::OkStatus();
  }

  // Stops accepting, stops the connections' thread, then waits for the RPCs
  // still running for them: their completions post to io_, which must
  // outlive them.
  void Stop() {
    net::post(io_, [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    io_.stop();
    if (thread_.joinable()) thread_.join();
    absl::MutexLock lock(&calls_mu_);
    calls_mu_.Await(absl::Condition(
        +[](int* n) { return *n == 0; }, &calls_in_flight_));
  }

  int port() const { return port_; }

  template <class Stream>
  class Session;

 private:
  // What tells a certificate file changed (a Kubernetes Secret's symlink
  // swap changes them all).
  struct Stamp {
    long long mtime_ns = 0;
    long long size = -1;
    unsigned long long inode = 0;
    bool operator==(const Stamp&) const = default;
  };

  void Accept();

  std::vector<Stamp> TlsStamps() const {
    std::vector<Stamp> stamps;
    for (const std::string* file :
         {&options_.tls.cert_file, &options_.tls.key_file,
          &options_.tls.client_ca_file}) {
      struct stat st;
      Stamp stamp;
      if (!file->empty() && stat(file->c_str(), &st) == 0) {
        stamp = {st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                 static_cast<long long>(st.st_size),
                 static_cast<unsigned long long>(st.st_ino)};
      }
      stamps.push_back(stamp);
    }
    return stamps;
  }

  absl::StatusOr<std::shared_ptr<ssl::context>> MakeContext() const {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    context->set_options(ssl::context::default_workarounds |
                         ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (absl::Status s =
            security::LoadTlsFiles(options_.tls, context->native_handle());
        !s.ok()) {
      return s;
    }
    return context;
  }

  // The TLS context for a new connection: re-made when a file changed (a
  // file that does not load keeps the context before, logged). On the
  // accepting thread only.
  std::shared_ptr<ssl::context> TlsContext() {
    std::vector<Stamp> stamps = TlsStamps();
    if (stamps != tls_stamps_) {
      tls_stamps_ = std::move(stamps);
      absl::StatusOr<std::shared_ptr<ssl::context>> next = MakeContext();
      if (next.ok()) {
        tls_context_ = *std::move(next);
        spdlog::info("HTTP listener: re-read the TLS certificate files");
      } else {
        spdlog::warn(
            "HTTP listener: the TLS files changed but do not load ({}); "
            "serving the certificate read before",
            std::string(next.status().message()));
      }
    }
    return tls_context_;
  }

  const Options options_;
  grpc::GenericStub stub_;
  const std::vector<Route> routes_;
  net::io_context io_{1};
  tcp::acceptor acceptor_;
  absl::Mutex calls_mu_;
  int calls_in_flight_ ABSL_GUARDED_BY(calls_mu_) = 0;
  std::thread thread_;
  int port_ = 0;
  std::vector<Stamp> tls_stamps_;
  std::shared_ptr<ssl::context> tls_context_;
};

// One connection: beast::tcp_stream for HTTP, beast::ssl_stream over it for
// HTTPS.
template <class Stream>
class HttpGateway::Impl::Session
    : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  // `context`: the TLS context (HTTPS only; kept alive with the stream).
  Session(tcp::socket socket, Impl& gateway,
          std::shared_ptr<ssl::context> context)
      : context_(std::move(context)),
        stream_(MakeStream(std::move(socket), context_.get())),
        gateway_(gateway) {}

  // HTTPS: the handshake (a client without a certificate the client CA
  // signed fails here), then requests.
  void Start() {
    if constexpr (kTls) {
      Tcp().expires_after(std::chrono::seconds(30));
      stream_.async_handshake(
          ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) {
            if (ec) {
              spdlog::debug("HTTP listener: TLS handshake failed: {}",
                            ec.message());
              return;
            }
            self->Read();
          });
    } else {
      Read();
    }
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(gateway_.options_.max_body_bytes);
    Tcp().expires_after(std::chrono::seconds(120));
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](
                         beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  using Response = http::response<http::string_body>;

  static Stream MakeStream(tcp::socket socket, ssl::context* context) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *context);
    } else {
      (void)context;
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // Ends the connection after its last response (or a failed read). HTTP:
  // half-closes and, after a response, drops what the client still sends
  // (Linger); HTTPS: the TLS close_notify, then the socket.
  void Close(bool after_response) {
    beast::error_code ignored;
    if constexpr (kTls) {
      (void)after_response;
      Tcp().expires_after(std::chrono::seconds(5));
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) {
            beast::error_code ignored;
            self->Tcp().socket().close(ignored);
          });
    } else {
      Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
      if (after_response) Linger();
    }
  }

  // With --api-token-file: whether the request carries the token; if not,
  // answers 401.
  bool Authorized() {
    security::TokenFile* token = gateway_.options_.api_token.get();
    if (token == nullptr) return true;
    const beast::string_view header = request_[http::field::authorization];
    absl::string_view value(header.data(), header.size());
    std::string problem;
    if (value.empty()) {
      problem =
          "missing bearer token: the API needs `Authorization: Bearer "
          "<token>` (see --api-token-file)";
    } else if (!absl::ConsumePrefix(&value, "Bearer ") &&
               !absl::ConsumePrefix(&value, "bearer ")) {
      problem =
          "the Authorization header is not `Bearer <token>` (see "
          "--api-token-file)";
    } else if (!token->Matches(value)) {
      problem = "invalid bearer token for the API (see --api-token-file)";
    } else {
      return true;
    }
    Response res{http::status::unauthorized,
                 request_.version() == 0 ? 11 : request_.version()};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::www_authenticate, "Bearer");
    res.body() = ErrorJson(grpc::StatusCode::UNAUTHENTICATED, problem);
    Send(std::move(res));
    return false;
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      Json(http::status::payload_too_large,
           ErrorJson(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     absl::StrCat("the request body is over the limit of ",
                                  gateway_.options_.max_body_bytes,
                                  " bytes (--max-message-bytes)")));
      return;
    }
    if (ec) {
      Close(/*after_response=*/false);
      return;
    }
    request_ = parser_->release();
    keep_alive_ = request_.keep_alive();
    const beast::string_view header = request_["X-Request-Id"];
    const absl::string_view id(header.data(), header.size());
    request_id_ = UsableRequestId(id) ? std::string(id) : NewRequestId();
    Handle();
  }

  void Handle() {
    const std::string target(request_.target());
    const size_t q = target.find('?');
    const std::string path = target.substr(0, q);
    std::vector<std::pair<std::string, std::string>> params;
    if (q != std::string::npos) {
      for (absl::string_view kv :
           absl::StrSplit(target.substr(q + 1), '&', absl::SkipEmpty())) {
        const size_t eq = kv.find('=');
        params.emplace_back(
            Decode(kv.substr(0, eq)),
            eq == absl::string_view::npos ? "" : Decode(kv.substr(eq + 1)));
      }
    }
    const http::verb verb = request_.method();
    if (path == "/healthz" && verb == http::verb::get) {
      return Json(http::status::ok, "{\"status\":\"ok\"}\n");
    }
    if (path == "/readyz" && verb == http::verb::get) {
      const bool ready = gateway_.options_.ready && gateway_.options_.ready();
      return Json(
          ready ? http::status::ok : http::status::service_unavailable,
          ready ? "{\"status\":\"ready\"}\n" : "{\"status\":\"not ready\"}\n");
    }
    if (path == "/metrics" && verb == http::verb::get) {
      if (!Authorized()) return;
      Response res{http::status::ok, request_.version()};
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      res.body() = gateway_.options_.metrics ? gateway_.options_.metrics() : "";
      return Send(std::move(res));
    }
    // A friendly route, or POST /healthscore.v1.<Service>/<Method>.
    const pb::MethodDescriptor* method = nullptr;
    const std::vector<std::string> segments =
        absl::StrSplit(absl::StripPrefix(path, "/"), '/');
    for (const Route& route : gateway_.routes_) {
      if (route.verb != verb || route.segments.size() != segments.size()) {
        continue;
      }
      std::vector<std::pair<std::string, std::string>> captured;
      bool match = true;
      for (size_t i = 0; i < segments.size() && match; ++i) {
        const std::string& pattern = route.segments[i];
        if (!absl::StartsWith(pattern, "{")) {
          match = pattern == segments[i];
          continue;
        }
        const size_t close = pattern.find('}');
        const std::string suffix = pattern.substr(close + 1);
        match = absl::EndsWith(segments[i], suffix) &&
                segments[i].size() > suffix.size();
        if (match) {
          captured.emplace_back(pattern.substr(1, close - 1),
                                Decode(segments[i].substr(
                                    0, segments[i].size() - suffix.size())));
        }
      }
      if (!match) continue;
      if (!Authorized()) return;
      method =
          pb::DescriptorPool::generated_pool()->FindMethodByName(route.method);
      params.insert(params.begin(), captured.begin(), captured.end());
      break;
    }
    if (method == nullptr && verb == http::verb::post && segments.size() == 2) {
      if (!Authorized()) return;
      for (const char* service : kPublicServices) {
        if (segments[0] != service) continue;
        method = pb::DescriptorPool::generated_pool()->FindMethodByName(
            absl::StrCat(service, ".", segments[1]));
      }
      if (method != nullptr &&
          (method->client_streaming() || method->server_streaming())) {
        return Json(http::status::not_implemented,
                    ErrorJson(grpc::StatusCode::UNIMPLEMENTED,
                              absl::StrCat(method->full_name(),
                                           " streams: call it over gRPC")));
      }
    }
    if (method == nullptr) {
      if (verb == http::verb::get && Static(path)) return;
      return Json(http::status::not_found,
                  ErrorJson(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat("no route for ",
                                         std::string(request_.method_string()),
                                         " ", path.substr(0, 200),
                                         " (docs/http.md lists them)")));
    }
    Call(*method, params);
  }

  // Builds the RPC's request from the JSON body and the parameters, calls
  // it on the in-process channel, and answers with its JSON.
  void Call(const pb::MethodDescriptor& method,
            const std::vector<std::pair<std::string, std::string>>& params) {
    struct Pending {
      grpc::ClientContext context;
      grpc::ByteBuffer request;
      grpc::ByteBuffer response;
    };
    std::unique_ptr<pb::Message> request(pb::MessageFactory::generated_factory()
                                             ->GetPrototype(method.input_type())
                                             ->New());
    const std::string& body = request_.body();
    if (!absl::StripAsciiWhitespace(body).empty()) {
      pb::util::JsonParseOptions options;
      const auto status =
          pb::util::JsonStringToMessage(body, request.get(), options);
      if (!status.ok()) {
        return Json(
            http::status::bad_request,
            ErrorJson(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat("the JSON body is not a ",
                                   method.input_type()->full_name(), ": ",
                                   status.message().as_string())));
      }
    }
    for (const auto& [name, value] : params) {
      if (name == "timeout_ms") continue;
      const pb::Descriptor& d = *method.input_type();
      const pb::FieldDescriptor* field = d.FindFieldByName(name);
      if (field == nullptr) field = d.FindFieldByCamelcaseName(name);
      if (field == nullptr) {
        return Json(
            http::status::bad_request,
            ErrorJson(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat("parameter ", name.substr(0, 64),
                                   " is not a field of ", d.full_name())));
      }
      if (absl::Status s = SetField(*request, *field, value, name); !s.ok()) {
        return Json(http::status::bad_request,
                    ErrorJson(grpc::StatusCode::INVALID_ARGUMENT, s.message()));
      }
    }
    auto pending = std::make_shared<Pending>();
    pending->context.AddMetadata(kRequestIdHeader, request_id_);
    for (const auto& [name, value] : params) {
      int64_t ms;
      if (name == "timeout_ms" && absl::SimpleAtoi(value, &ms) && ms > 0) {
        pending->context.set_deadline(std::chrono::system_clock::now() +
                                      std::chrono::milliseconds(ms));
      }
    }
    const std::string bytes = request->SerializeAsString();
    grpc::Slice slice(bytes);
    pending->request = grpc::ByteBuffer(&slice, 1);
    const pb::Descriptor* output = method.output_type();
    {
      absl::MutexLock lock(&gateway_.calls_mu_);
      ++gateway_.calls_in_flight_;
    }
    gateway_.stub_.UnaryCall(
        &pending->context,
        absl::StrCat("/", method.service()->full_name(), "/", method.name()),
        grpc::StubOptions(), &pending->request, &pending->response,
        [self = this->shared_from_this(), pending,
         output](grpc::Status status) mutable {
          std::string json;
          http::status code = HttpStatus(status.error_code());
          if (status.ok()) {
            std::unique_ptr<pb::Message> response(
                pb::MessageFactory::generated_factory()
                    ->GetPrototype(output)
                    ->New());
            grpc::Slice all;
            if (!pending->response.DumpToSingleSlice(&all).ok() ||
                !response->ParseFromArray(all.begin(),
                                          static_cast<int>(all.size()))) {
              code = http::status::internal_server_error;
              json = ErrorJson(grpc::StatusCode::INTERNAL,
                               "the reply could not be read");
            } else {
              pb::util::JsonPrintOptions options;
              options.always_print_primitive_fields = true;
              (void)pb::util::MessageToJsonString(*response, &json, options);
              json += "\n";
            }
          } else {
            json = ErrorJson(status.error_code(), status.error_message());
          }
          // Back to the connection's thread to answer. The session moves
          // there with the answer: once the count below reaches 0, Stop may
          // destroy the io_context, and no reference to the session (whose
          // socket belongs to it) may be left on this thread.
          // (Nor a copy of its executor, which holds its strand.)
          Impl& gateway = self->gateway_;
          {
            auto executor = self->stream_.get_executor();
            net::post(executor, [self = std::move(self), code,
                                 json = std::move(json)]() mutable {
              self->Json(code, std::move(json));
            });
          }
          absl::MutexLock lock(&gateway.calls_mu_);
          --gateway.calls_in_flight_;
        });
  }

  // Serves a file of the dashboard (static_dir); false when there is none.
  bool Static(const std::string& path) {
    if (gateway_.options_.static_dir.empty()) return false;
    if (absl::StrContains(path, "..")) return false;
    std::filesystem::path file =
        std::filesystem::path(gateway_.options_.static_dir) /
        (path == "/" ? "index.html" : path.substr(1));
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return false;
    std::ifstream in(file, std::ios::binary);
    Response res{http::status::ok, request_.version()};
    res.set(http::field::content_type, ContentType(file));
    res.body().assign(std::istreambuf_iterator<char>(in),
                      std::istreambuf_iterator<char>());
    Send(std::move(res));
    return true;
  }

  static std::string Decode(absl::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out += ' ';
      } else if (s[i] == '%' && i + 2 < s.size()) {
        int v = 0;
        if (absl::SimpleHexAtoi(s.substr(i + 1, 2), &v)) {
          out += static_cast<char>(v);
          i += 2;
        } else {
          out += s[i];
        }
      } else {
        out += s[i];
      }
    }
    return out;
  }

  void Json(http::status status, std::string body) {
    Response res{status, request_.version() == 0 ? 11 : request_.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = std::move(body);
    Send(std::move(res));
  }

  void Send(Response res) {
    if (!request_id_.empty()) res.set("X-Request-Id", request_id_);
    res.keep_alive(keep_alive_);
    res.prepare_payload();
    auto shared = std::make_shared<Response>(std::move(res));
    http::async_write(stream_, *shared,
                      [self = this->shared_from_this(), shared](
                          beast::error_code ec, size_t) {
                        if (!ec && self->keep_alive_) {
                          self->Read();
                          return;
                        }
                        self->Close(/*after_response=*/!ec);
                      });
  }

  // After the last response, reads and drops what the client still sends
  // (the rest of a body over the limit) until it closes, for at most 5 s and
  // twice the body limit: closing a socket with unread data resets it, and
  // the client could lose the response it has not read yet.
  void Linger() {
    Tcp().expires_after(std::chrono::seconds(5));
    Tcp().async_read_some(
        net::buffer(drain_),
        [self = this->shared_from_this()](beast::error_code ec, size_t n) {
          self->drained_ += n;
          if (ec ||
              self->drained_ > 2 * self->gateway_.options_.max_body_bytes) {
            return;
          }
          self->Linger();
        });
  }

  const std::shared_ptr<ssl::context> context_;
  Stream stream_;
  Impl& gateway_;
  std::string request_id_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  bool keep_alive_ = true;
  std::array<char, 16384> drain_;
  size_t drained_ = 0;
};

void HttpGateway::Impl::Accept() {
  acceptor_.async_accept(
      net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted) return;
        if (!ec && options_.tls.enabled()) {
          std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
              std::move(socket), *this, TlsContext())
              ->Start();
        } else if (!ec) {
          std::make_shared<Session<beast::tcp_stream>>(std::move(socket), *this,
                                                       nullptr)
              ->Start();
        }
        Accept();
      });
}

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(
    Options options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  if (absl::Status s = impl->Listen(); !s.ok()) return s;
  return std::unique_ptr<HttpGateway>(new HttpGateway(std::move(impl)));
}

HttpGateway::HttpGateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpGateway::~HttpGateway() { impl_->Stop(); }

int HttpGateway::port() const { return impl_->port(); }

}  // namespace healthscore
