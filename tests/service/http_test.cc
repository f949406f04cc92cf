// The HTTP/JSON face on a real server: JSON in and out for RPCs (friendly
// routes and the generic /<service>/<method>), errors as JSON with the gRPC
// code, the body limit, /healthz, /readyz and /metrics.
// clang-format off
#include <utility>  // first: Boost.Asio 1.74 uses std::exchange without it
// clang-format on
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/server.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using ::testing::HasSubstr;

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plugin_dir_ = testing::MakeTempDir();
    std::filesystem::create_directory_symlink(testing::BuiltinPluginDir(),
                                              plugin_dir_ / "builtin");
    Server::Options options;
    options.listen = "127.0.0.1:0";
    options.http_listen = "127.0.0.1:0";
    options.config_path =
        (testing::SourceDir() / "tests/data/two_dimensions.yaml").string();
    options.plugin_dir = plugin_dir_.string();
    options.max_message_bytes = 1 << 20;
    auto server = Server::BuildAndStart(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    ASSERT_GT(server_->http_port(), 0);
  }

  // One request on a new connection.
  Reply Call(http::verb verb, const std::string& target,
             const std::string& body = "") {
    net::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                          server_->http_port()));
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = body;
    }
    request.prepare_payload();
    beast::error_code ec;
    // A server refusing a body over its limit answers before reading it
    // all: the write may then fail, and the answer is still there to read.
    http::write(stream, request, ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(stream, buffer, parser, ec);
    Reply reply;
    if (ec) return reply;
    reply.status = parser.get().result_int();
    reply.content_type = std::string(parser.get()[http::field::content_type]);
    reply.body = parser.get().body();
    return reply;
  }

  std::filesystem::path plugin_dir_;
  std::unique_ptr<Server> server_;
};

TEST_F(HttpTest, ScoresOverJsonByRouteAndByMethodName) {
  const std::string customer = R"({"customer": {"customerId": "c1",
      "signals": {"feature_adoption_pct": 90, "logins_30d": 40,
                  "revenue_growth_pct": 25, "late_payments_12m": 0}},
      "explain": "EXPLAIN_NONE"})";
  Reply reply = Call(http::verb::post, "/v1/score", customer);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_THAT(reply.body, HasSubstr("\"customerId\":\"c1\""));
  EXPECT_THAT(reply.body, HasSubstr("\"band\":\""));
  // The same RPC by its gRPC name gives the same JSON.
  const Reply generic =
      Call(http::verb::post, "/healthscore.v1.HealthScoring/Score", customer);
  EXPECT_EQ(generic.status, 200);
  EXPECT_EQ(generic.body, reply.body);
  // A GET route with a path parameter and a query parameter: no store, so
  // the history service answers FAILED_PRECONDITION as JSON, naming it.
  reply = Call(http::verb::get, "/v1/customers/c1/history?page_size=5");
  EXPECT_EQ(reply.status, 400);
  EXPECT_THAT(reply.body, HasSubstr("\"status\":\"FAILED_PRECONDITION\""));
  reply = Call(http::verb::get, "/v1/dimensions");
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.body, HasSubstr("financial_health"));
}

TEST_F(HttpTest, ErrorsAreJsonWithTheGrpcCodeAndMessage) {
  Reply reply = Call(http::verb::post, "/v1/score",
                     R"({"customer": {"customerId": "c1",
                         "signals": {"late_payments_12m": -2}}})");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.body,
            "{\"code\":3,\"status\":\"INVALID_ARGUMENT\",\"message\":"
            "\"customer.signals['late_payments_12m'] = -2 is below the "
            "minimum 0 (count, declared by financial_health@2.0.0)\"}\n");
  reply = Call(http::verb::post, "/v1/score", "{\"customer\": 7}");
  EXPECT_EQ(reply.status, 400);
  EXPECT_THAT(reply.body,
              HasSubstr("the JSON body is not a healthscore.v1.ScoreRequest"));
  reply = Call(http::verb::get, "/v1/customers/c1/history?bogus=1");
  EXPECT_EQ(reply.status, 400);
  EXPECT_THAT(reply.body, HasSubstr("parameter bogus is not a field of "
                                    "healthscore.v1.GetHistoryRequest"));
  reply = Call(http::verb::get, "/v1/customers/c1/history?page_size=many");
  EXPECT_THAT(reply.body, HasSubstr("parameter page_size = 'many' is not a "
                                    "32-bit integer"));
  reply = Call(http::verb::get, "/nowhere");
  EXPECT_EQ(reply.status, 404);
  EXPECT_THAT(reply.body, HasSubstr("no route for GET /nowhere"));
  // The admin Registry is not on the public face.
  reply = Call(http::verb::post, "/healthscore.v1.Registry/Reload", "{}");
  EXPECT_EQ(reply.status, 404);
  // Over the body limit (1 MB here, as gRPC's).
  reply = Call(http::verb::post, "/v1/score:batch", std::string(2 << 20, ' '));
  EXPECT_EQ(reply.status, 413);
  EXPECT_THAT(reply.body, HasSubstr("over the limit of 1048576 bytes"));
}

TEST_F(HttpTest, HealthReadinessAndMetrics) {
  EXPECT_EQ(Call(http::verb::get, "/healthz").status, 200);
  EXPECT_EQ(Call(http::verb::get, "/readyz").status, 200);
  Call(http::verb::post, "/v1/score",
       R"({"customer": {"customerId": "m1", "signals":
           {"feature_adoption_pct": 50}}})");
  Call(http::verb::post, "/v1/score", R"({"customer": {"customerId": ""}})");
  const Reply metrics = Call(http::verb::get, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4");
  const std::string& m = metrics.body;
  EXPECT_THAT(m, HasSubstr("healthscore_requests_total{method=\"/healthscore."
                           "v1.HealthScoring/Score\",code=\"OK\"} 1\n"));
  EXPECT_THAT(m, HasSubstr("healthscore_requests_total{method=\"/healthscore."
                           "v1.HealthScoring/Score\",code=\"INVALID_ARGUMENT\""
                           "} 1\n"));
  EXPECT_THAT(m, HasSubstr("healthscore_request_duration_seconds_count{method="
                           "\"/healthscore.v1.HealthScoring/Score\"} 2\n"));
  EXPECT_THAT(m, HasSubstr("healthscore_customers_scored_total 1\n"));
  // m1 had no financial signals: that dimension was INSUFFICIENT_DATA.
  EXPECT_THAT(m, HasSubstr("healthscore_dimension_results_total{dimension="
                           "\"financial_health\",status=\"INSUFFICIENT_DATA\"}"
                           " 1\n"));
  EXPECT_THAT(m, HasSubstr("healthscore_queued_rows 0\n"));
  EXPECT_THAT(m, HasSubstr("healthscore_reloads{outcome=\"refused\"} 0\n"));
  EXPECT_THAT(m, HasSubstr("healthscore_plugins{state=\"ready\"} 13\n"));
  // Shutting down: not ready (then the listener goes).
  std::thread stop(
      [&] { server_->Shutdown(absl::Seconds(1), absl::Seconds(1)); });
  Reply ready;
  for (int i = 0; i < 400; ++i) {  // the drain lasts 1 s
    ready = Call(http::verb::get, "/readyz");
    if (ready.status == 503) break;
  }
  EXPECT_EQ(ready.status, 503);
  EXPECT_THAT(ready.body, HasSubstr("not ready"));
  stop.join();
}

}  // namespace
}  // namespace healthscore
