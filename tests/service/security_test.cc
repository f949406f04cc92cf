// TLS, mTLS, bearer tokens, request ids and the server binary's flags
// (issue #14): certificates made with openssl by tests/security/make_certs.sh,
// real servers on loopback port 0, real gRPC and HTTPS clients, and the real
// healthscore-server binary for --help, --version, the plaintext rule and
// JSON logs.
// clang-format off
#include <utility>  // first: Boost.Asio 1.74 uses std::exchange without it
// clang-format on
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/registry.grpc.pb.h"
#include "server/server.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

// A client's TLS files: the CA it trusts, and its certificate (mTLS).
struct ClientTls {
  fs::path ca;
  fs::path cert;  // empty: no client certificate
  fs::path key;
};

std::string Read(const fs::path& path) { return testing::ReadFile(path); }

// Replaces `to` by `from`'s content in one rename, as a Secret update does.
void ReplaceFile(const fs::path& from, const fs::path& to) {
  const fs::path temp = to.string() + ".new";
  fs::copy_file(from, temp, fs::copy_options::overwrite_existing);
  fs::rename(temp, to);
}

std::shared_ptr<grpc::Channel> Channel(int port,
                                       const std::optional<ClientTls>& tls) {
  const std::string target = "127.0.0.1:" + std::to_string(port);
  if (!tls.has_value()) {
    return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  }
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = Read(tls->ca);
  if (!tls->cert.empty()) {
    options.pem_cert_chain = Read(tls->cert);
    options.pem_private_key = Read(tls->key);
  }
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  // A new connection for every channel: each check sees the server's
  // certificate of now.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(options), args);
}

void Prepare(grpc::ClientContext& context, const std::string& token,
             const std::string& request_id = "") {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  if (!request_id.empty()) context.AddMetadata("x-request-id", request_id);
}

grpc::Status CallPublic(const std::shared_ptr<grpc::Channel>& channel,
                        const std::string& token = "") {
  grpc::ClientContext context;
  Prepare(context, token);
  v1::ListDimensionsResponse response;
  return v1::HealthScoring::NewStub(channel)->ListDimensions(
      &context, v1::ListDimensionsRequest(), &response);
}

grpc::Status CallAdmin(const std::shared_ptr<grpc::Channel>& channel,
                       const std::string& token = "") {
  grpc::ClientContext context;
  Prepare(context, token);
  v1::ListPluginsResponse response;
  return v1::Registry::NewStub(channel)->ListPlugins(
      &context, v1::ListPluginsRequest(), &response);
}

grpc::Status CallHealth(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext context;
  Prepare(context, "");
  grpc::health::v1::HealthCheckResponse response;
  return grpc::health::v1::Health::NewStub(channel)->Check(
      &context, grpc::health::v1::HealthCheckRequest(), &response);
}

struct HttpReply {
  int status = 0;  // 0: no answer (connection or handshake refused)
  std::string body;
  std::string request_id;
};

// One request on a new connection, over TLS when `tls` is set.
HttpReply HttpCall(int port, const std::string& target,
                   const std::optional<ClientTls>& tls,
                   const std::map<std::string, std::string>& headers = {}) {
  net::io_context io;
  http::request<http::string_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "localhost");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  beast::error_code ec;
  const net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"),
                                        port);
  if (!tls.has_value()) {
    beast::tcp_stream stream(io);
    stream.connect(endpoint, ec);
    if (!ec) http::write(stream, request, ec);
    if (!ec) http::read(stream, buffer, response, ec);
  } else {
    ssl::context context(ssl::context::tls_client);
    context.load_verify_file(tls->ca.string());
    if (!tls->cert.empty()) {
      context.use_certificate_chain_file(tls->cert.string());
      context.use_private_key_file(tls->key.string(), ssl::context::pem);
    }
    context.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, context);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(stream).connect(endpoint, ec);
    if (!ec) stream.handshake(ssl::stream_base::client, ec);
    if (!ec) http::write(stream, request, ec);
    if (!ec) http::read(stream, buffer, response, ec);
  }
  HttpReply reply;
  if (ec) return reply;
  reply.status = response.result_int();
  reply.body = response.body();
  reply.request_id = std::string(response["X-Request-Id"]);
  return reply;
}

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new fs::path(testing::MakeTempDir());
    const std::string command =
        (testing::SourceDir() / "tests/security/make_certs.sh").string() + " " +
        certs_->string();
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }

  static fs::path Cert(const std::string& name) { return *certs_ / name; }
  static ClientTls Trusting(const std::string& ca) {
    return {Cert(ca + ".pem"), {}, {}};
  }
  static ClientTls Presenting(const std::string& client) {
    return {Cert("ca.pem"), Cert(client + ".pem"), Cert(client + ".key")};
  }

  Server::Options BaseOptions() {
    plugin_dir_ = testing::MakeTempDir();
    fs::create_directory_symlink(testing::BuiltinPluginDir(),
                                 plugin_dir_ / "builtin");
    Server::Options options;
    options.listen = "127.0.0.1:0";
    options.admin_listen = "127.0.0.1:0";
    options.http_listen = "127.0.0.1:0";
    options.config_path =
        (testing::SourceDir() / "tests/data/two_dimensions.yaml").string();
    options.plugin_dir = plugin_dir_.string();
    return options;
  }

  static security::TlsFiles ServerTls(bool mutual) {
    return {.cert_file = Cert("server.pem").string(),
            .key_file = Cert("server.key").string(),
            .client_ca_file = mutual ? Cert("ca.pem").string() : ""};
  }

  void Start(const Server::Options& options) {
    auto server = Server::BuildAndStart(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  static fs::path* certs_;
  fs::path plugin_dir_;
  std::unique_ptr<Server> server_;
};

fs::path* SecurityTest::certs_ = nullptr;

TEST_F(SecurityTest, ATlsServerRefusesPlaintextClientsAndServesTlsOnes) {
  Server::Options options = BaseOptions();
  options.tls = ServerTls(/*mutual=*/false);
  Start(options);

  EXPECT_FALSE(CallPublic(Channel(server_->port(), std::nullopt)).ok());
  EXPECT_FALSE(CallAdmin(Channel(server_->admin_port(), std::nullopt)).ok());
  EXPECT_EQ(
      HttpCall(server_->http_port(), "/v1/dimensions", std::nullopt).status, 0);
  // A client that does not trust the server's CA refuses it.
  EXPECT_FALSE(CallPublic(Channel(server_->port(), Trusting("other-ca"))).ok());

  const ClientTls tls = Trusting("ca");
  const grpc::Status status = CallPublic(Channel(server_->port(), tls));
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(CallAdmin(Channel(server_->admin_port(), tls)).ok());
  EXPECT_TRUE(CallHealth(Channel(server_->port(), tls)).ok());
  const HttpReply reply = HttpCall(server_->http_port(), "/v1/dimensions", tls);
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.body, HasSubstr("product_adoption"));
}

TEST_F(SecurityTest, MutualTlsServesOnlyClientsWithACertificateItsCaSigned) {
  Server::Options options = BaseOptions();
  options.tls = ServerTls(/*mutual=*/true);
  Start(options);

  struct Case {
    const char* what;
    ClientTls tls;
    bool served;
  };
  for (const Case& c :
       {Case{"no client certificate", Trusting("ca"), false},
        Case{"a certificate from another CA", Presenting("other-client"),
             false},
        Case{"a certificate the CA signed", Presenting("client"), true}}) {
    SCOPED_TRACE(c.what);
    const grpc::Status status = CallPublic(Channel(server_->port(), c.tls));
    EXPECT_EQ(status.ok(), c.served) << status.error_message();
    EXPECT_EQ(CallAdmin(Channel(server_->admin_port(), c.tls)).ok(), c.served);
    EXPECT_EQ(HttpCall(server_->http_port(), "/v1/dimensions", c.tls).status,
              c.served ? 200 : 0);
  }
}

TEST_F(SecurityTest, TokensGuardThePublicApiTheAdminApiAndHttp) {
  const fs::path dir = testing::MakeTempDir();
  Server::Options options = BaseOptions();
  options.api_token_file =
      testing::WriteFile(dir, "api-token", "public-secret\n").string();
  options.admin_token_file =
      testing::WriteFile(dir, "admin-token", "admin-secret\n").string();
  Start(options);
  const auto public_api = Channel(server_->port(), std::nullopt);
  const auto admin_api = Channel(server_->admin_port(), std::nullopt);

  struct Row {
    const char* presented;
    const char* api_token;
    const char* admin_token;
    grpc::StatusCode expected;
    int http_expected;
  };
  std::cout << "token matrix (public gRPC, admin gRPC, HTTP):\n";
  for (const Row& row :
       {Row{"none", "", "", grpc::StatusCode::UNAUTHENTICATED, 401},
        Row{"wrong", "nope", "nope", grpc::StatusCode::UNAUTHENTICATED, 401},
        Row{"right", "public-secret", "admin-secret", grpc::StatusCode::OK,
            200}}) {
    SCOPED_TRACE(row.presented);
    const grpc::Status p = CallPublic(public_api, row.api_token);
    const grpc::Status a = CallAdmin(admin_api, row.admin_token);
    std::map<std::string, std::string> headers;
    if (*row.api_token != '\0') {
      headers["Authorization"] = std::string("Bearer ") + row.api_token;
    }
    const HttpReply h =
        HttpCall(server_->http_port(), "/v1/dimensions", std::nullopt, headers);
    std::cout << "  " << row.presented << ": " << p.error_code() << " "
              << a.error_code() << " " << h.status << "\n";
    EXPECT_EQ(p.error_code(), row.expected) << p.error_message();
    EXPECT_EQ(a.error_code(), row.expected) << a.error_message();
    EXPECT_EQ(h.status, row.http_expected) << h.body;
    if (row.http_expected == 401) {
      EXPECT_THAT(h.body, HasSubstr("\"status\":\"UNAUTHENTICATED\""));
    }
  }
  // One API's token does not open the other.
  EXPECT_EQ(CallAdmin(admin_api, "public-secret").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CallPublic(public_api, "admin-secret").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CallAdmin(admin_api).error_message(),
            "missing bearer token: the admin API needs `authorization: "
            "Bearer <token>` (see --admin-token-file)");
  // Probes need no token; /metrics does.
  EXPECT_TRUE(CallHealth(public_api).ok());
  EXPECT_TRUE(CallHealth(admin_api).ok());
  EXPECT_EQ(HttpCall(server_->http_port(), "/healthz", std::nullopt).status,
            200);
  EXPECT_EQ(HttpCall(server_->http_port(), "/readyz", std::nullopt).status,
            200);
  EXPECT_EQ(HttpCall(server_->http_port(), "/metrics", std::nullopt).status,
            401);
  EXPECT_EQ(HttpCall(server_->http_port(), "/metrics", std::nullopt,
                     {{"Authorization", "Bearer public-secret"}})
                .status,
            200);

  // A rotated token file is read at the next call: the old token stops
  // working, the new one works.
  ReplaceFile(testing::WriteFile(dir, "admin-token-2", "admin-secret-2"),
              options.admin_token_file);
  EXPECT_EQ(CallAdmin(admin_api, "admin-secret").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(CallAdmin(admin_api, "admin-secret-2").ok());
}

TEST_F(SecurityTest, TheAdminApiLetsInAllowedClientCertificatesOnly) {
  const fs::path dir = testing::MakeTempDir();
  Server::Options options = BaseOptions();
  options.tls = ServerTls(/*mutual=*/true);
  options.admin_allowed_clients = {"admin-client"};
  options.admin_token_file =
      testing::WriteFile(dir, "admin-token", "admin-secret").string();
  Start(options);
  const auto allowed = Channel(server_->admin_port(), Presenting("client"));
  const auto other = Channel(server_->admin_port(), Presenting("someone"));

  EXPECT_TRUE(CallAdmin(allowed).ok());
  const grpc::Status denied = CallAdmin(other);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(denied.error_message(), HasSubstr("someone-else"));
  EXPECT_THAT(denied.error_message(), HasSubstr("--admin-allowed-clients"));
  // A client not on the list may still use the token.
  EXPECT_TRUE(CallAdmin(other, "admin-secret").ok());
  EXPECT_EQ(CallAdmin(other, "wrong").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // The list is the admin API's: the public API serves any verified client.
  EXPECT_TRUE(CallPublic(Channel(server_->port(), Presenting("someone"))).ok());
}

TEST_F(SecurityTest, ARotatedCertificateIsServedWithoutARestart) {
  const fs::path dir = testing::MakeTempDir();
  const fs::path cert = dir / "tls.crt";
  const fs::path key = dir / "tls.key";
  fs::copy_file(Cert("server.pem"), cert);
  fs::copy_file(Cert("server.key"), key);
  Server::Options options = BaseOptions();
  options.tls = {.cert_file = cert.string(), .key_file = key.string()};
  options.tls_reload_interval = absl::Seconds(1);
  Start(options);
  ASSERT_TRUE(CallPublic(Channel(server_->port(), Trusting("ca"))).ok());
  ASSERT_FALSE(CallPublic(Channel(server_->port(), Trusting("ca2"))).ok());
  ASSERT_EQ(HttpCall(server_->http_port(), "/healthz", Trusting("ca2")).status,
            0);

  // The key first: a client connecting between the two renames may fail,
  // which the polling below allows.
  ReplaceFile(Cert("server2.key"), key);
  ReplaceFile(Cert("server2.pem"), cert);

  // Wait for the event (a client trusting only the new CA gets in), bounded
  // generously; the server checks the files every second.
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool grpc_rotated = false;
  bool http_rotated = false;
  while (std::chrono::steady_clock::now() < give_up &&
         !(grpc_rotated && http_rotated)) {
    grpc_rotated = grpc_rotated ||
                   CallPublic(Channel(server_->port(), Trusting("ca2"))).ok();
    http_rotated =
        http_rotated ||
        HttpCall(server_->http_port(), "/healthz", Trusting("ca2")).status ==
            200;
    if (!(grpc_rotated && http_rotated)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_TRUE(grpc_rotated);
  EXPECT_TRUE(http_rotated);
  // The old certificate is no longer served.
  EXPECT_FALSE(CallPublic(Channel(server_->port(), Trusting("ca"))).ok());
}

TEST_F(SecurityTest, RequestIdsAreKeptOrMadeAndReturned) {
  Start(BaseOptions());
  auto stub =
      v1::HealthScoring::NewStub(Channel(server_->port(), std::nullopt));
  grpc::ClientContext given;
  Prepare(given, "", "req-given-42");
  v1::ListDimensionsResponse response;
  ASSERT_TRUE(
      stub->ListDimensions(&given, v1::ListDimensionsRequest(), &response)
          .ok());
  const auto& returned = given.GetServerInitialMetadata();
  ASSERT_EQ(returned.count("x-request-id"), 1u);
  EXPECT_EQ(std::string(returned.find("x-request-id")->second.data(),
                        returned.find("x-request-id")->second.size()),
            "req-given-42");

  grpc::ClientContext made;
  Prepare(made, "", "not ok: spaces and \"quotes\"");
  ASSERT_TRUE(
      stub->ListDimensions(&made, v1::ListDimensionsRequest(), &response).ok());
  const auto it = made.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(it, made.GetServerInitialMetadata().end());
  EXPECT_THAT(std::string(it->second.data(), it->second.size()),
              MatchesRegex("[0-9a-f]{32}"));

  const HttpReply kept =
      HttpCall(server_->http_port(), "/v1/dimensions", std::nullopt,
               {{"X-Request-Id", "http-req-7"}});
  EXPECT_EQ(kept.request_id, "http-req-7");
  EXPECT_THAT(
      HttpCall(server_->http_port(), "/v1/dimensions", std::nullopt).request_id,
      MatchesRegex("[0-9a-f]{32}"));
}

TEST_F(SecurityTest, ListenersRefuseUnsafeOrBrokenSettingsNamingTheFlag) {
  struct Case {
    const char* what;
    std::function<void(Server::Options&)> change;
    std::vector<std::string> message;
  };
  const std::vector<Case> cases = {
      {"public plaintext off loopback",
       [](Server::Options& o) { o.listen = "0.0.0.0:0"; },
       {"--listen=0.0.0.0:0 is not a loopback address", "--plaintext"}},
      {"HTTP plaintext off loopback",
       [](Server::Options& o) { o.http_listen = "0.0.0.0:0"; },
       {"--http-listen=0.0.0.0:0", "--plaintext"}},
      {"admin off loopback without authentication",
       [](Server::Options& o) {
         o.admin_listen = "0.0.0.0:0";
         o.plaintext = true;
       },
       {"--admin-listen=0.0.0.0:0", "--admin-token-file"}},
      {"allowed clients without mTLS",
       [](Server::Options& o) { o.admin_allowed_clients = {"ops"}; },
       {"--admin-allowed-clients", "--tls-client-ca"}},
      {"a certificate file that is not one",
       [](Server::Options& o) {
         o.tls = {.cert_file = Cert("ca.srl").string(),
                  .key_file = Cert("server.key").string()};
       },
       {"--tls-cert=", "not a readable PEM certificate chain"}},
      {"a key of another certificate",
       [](Server::Options& o) {
         o.tls = {.cert_file = Cert("server.pem").string(),
                  .key_file = Cert("client.key").string()};
       },
       {"does not match --tls-cert"}},
      {"a missing token file",
       [](Server::Options& o) { o.api_token_file = "/nonexistent/token"; },
       {"--api-token-file=/nonexistent/token"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Server::Options options = BaseOptions();
    c.change(options);
    auto server = Server::BuildAndStart(options);
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
    for (const std::string& part : c.message) {
      EXPECT_THAT(std::string(server.status().message()), HasSubstr(part));
    }
  }
}

// --- The binary ---

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `command` in a shell, with stderr joined to stdout.
RunResult RunCommand(const std::string& command_line) {
  const std::string command = command_line + " 2>&1";
  RunResult run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.output.append(buf, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

RunResult RunServer(const std::string& args) {
  return RunCommand((testing::BinDir() / "healthscore-server").string() + " " +
                    args);
}

// The CLI's --tls-ca, --tls-cert/--tls-key and --token-file against a
// server with mTLS and tokens on both APIs.
TEST_F(SecurityTest, TheCliSendsItsClientCertificateAndToken) {
  const fs::path dir = testing::MakeTempDir();
  Server::Options options = BaseOptions();
  options.tls = ServerTls(/*mutual=*/true);
  options.api_token_file =
      testing::WriteFile(dir, "api-token", "public-secret\n").string();
  options.admin_token_file =
      testing::WriteFile(dir, "admin-token", "admin-secret\n").string();
  Start(options);
  const std::string cli = (testing::BinDir() / "healthscore").string();
  const std::string tls = " --tls-ca=" + Cert("ca.pem").string() +
                          " --tls-cert=" + Cert("client.pem").string() +
                          " --tls-key=" + Cert("client.key").string();
  const std::string target =
      " --target=localhost:" + std::to_string(server_->port());
  const std::string admin =
      " --admin-target=localhost:" + std::to_string(server_->admin_port());

  const RunResult no_token = RunCommand(cli + " dimensions" + target + tls);
  EXPECT_EQ(no_token.exit_code, 3);
  EXPECT_THAT(no_token.output, HasSubstr("UNAUTHENTICATED"));
  const RunResult with_token =
      RunCommand(cli + " dimensions" + target + tls +
                 " --token-file=" + (dir / "api-token").string());
  EXPECT_EQ(with_token.exit_code, 0) << with_token.output;
  EXPECT_THAT(with_token.output, HasSubstr("product_adoption"));
  const RunResult plugins =
      RunCommand(cli + " plugins" + admin + tls +
                 " --token-file=" + (dir / "admin-token").string());
  EXPECT_EQ(plugins.exit_code, 0) << plugins.output;
  EXPECT_THAT(plugins.output, HasSubstr("READY"));
}

TEST(ServerBinaryTest, HelpListsEveryFlagWithItsDefaultAndMeaning) {
  const RunResult run = RunServer("--help");
  EXPECT_EQ(run.exit_code, 0);
  for (const char* flag :
       {"listen", "admin-listen", "http-listen", "config", "plugin-dir",
        "store", "log-level", "log-format", "access-log-sample", "tls-cert",
        "tls-key", "tls-client-ca", "tls-reload-seconds", "plaintext",
        "admin-token-file", "api-token-file", "admin-allowed-clients",
        "max-batch", "drain-seconds"}) {
    EXPECT_THAT(run.output,
                HasSubstr(std::string("  --") + flag + "  (default: "))
        << flag;
  }
  EXPECT_THAT(run.output, HasSubstr("--listen  (default: 127.0.0.1:50051)"));
  EXPECT_THAT(run.output, HasSubstr("mTLS"));
  EXPECT_THAT(run.output, Not(HasSubstr("No flags matched")));
}

TEST(ServerBinaryTest, VersionPrintsTheVersionTheAbiAndTheCommit) {
  const RunResult run = RunServer("--version");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(std::regex_match(
      run.output, std::regex("healthscore-server [0-9]+\\.[0-9]+\\.[0-9]+\n"
                             "plugin ABI [0-9]+\\.[0-9]+\n"
                             "git commit ([0-9a-f]{4,40}|unknown)\n")))
      << run.output;
}

TEST(ServerBinaryTest, APlaintextNonLoopbackListenerNeedsThePlaintextFlag) {
  const RunResult run = RunServer(
      "--listen=0.0.0.0:0 --admin-listen= --store=none --config=" +
      (testing::SourceDir() / "tests/data/two_dimensions.yaml").string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output,
              HasSubstr("--listen=0.0.0.0:0 is not a loopback address and "
                        "there is no --tls-cert"));
  EXPECT_THAT(run.output, HasSubstr("--plaintext"));
}

// Lines of `path` parsed as JSON objects; a line that does not parse fails
// the test.
std::vector<google::protobuf::Struct> JsonLines(const fs::path& path) {
  std::vector<google::protobuf::Struct> lines;
  std::istringstream in(testing::ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    google::protobuf::Struct object;
    const auto status =
        google::protobuf::util::JsonStringToMessage(line, &object);
    EXPECT_TRUE(status.ok()) << "not JSON: " << line;
    if (status.ok()) lines.push_back(std::move(object));
  }
  return lines;
}

std::string Field(const google::protobuf::Struct& line,
                  const std::string& name) {
  const auto it = line.fields().find(name);
  return it == line.fields().end() ? "" : it->second.string_value();
}

TEST(ServerBinaryTest, JsonLogLinesParseAndCarryTheRequestId) {
  const fs::path dir = testing::MakeTempDir();
  fs::create_directory_symlink(testing::BuiltinPluginDir(), dir / "builtin");
  const fs::path log = dir / "server.log";
  const std::string binary =
      (testing::BinDir() / "healthscore-server").string();
  const std::vector<std::string> args = {
      binary,
      "--listen=127.0.0.1:0",
      "--admin-listen=",
      "--store=none",
      "--log-format=json",
      "--access-log-sample=1",
      "--grace-seconds=1",
      "--config=" +
          (testing::SourceDir() / "tests/data/two_dimensions.yaml").string(),
      "--plugin-dir=" + dir.string()};
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FILE* out = std::freopen(log.c_str(), "w", stdout);
    if (out == nullptr) _exit(127);
    dup2(fileno(stdout), STDERR_FILENO);
    std::vector<char*> argv;
    for (const std::string& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  // Wait for the ready line (the event), bounded generously.
  std::smatch ready;
  std::string text;
  const std::regex ready_re("ready on 127\\.0\\.0\\.1:([0-9]+)");
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < give_up) {
    text = testing::ReadFile(log);
    if (std::regex_search(text, ready, ready_re)) break;
    ASSERT_EQ(waitpid(pid, nullptr, WNOHANG), 0) << "the server exited:\n"
                                                 << text;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(ready.empty()) << text;
  const int port = std::stoi(ready[1].str());

  auto stub = v1::HealthScoring::NewStub(Channel(port, std::nullopt));
  grpc::ClientContext given;
  Prepare(given, "", "json-log-req-1");
  v1::ListDimensionsResponse dimensions;
  ASSERT_TRUE(
      stub->ListDimensions(&given, v1::ListDimensionsRequest(), &dimensions)
          .ok());
  // A batch of 3 rows, one with a value count that does not match: rows=3.
  grpc::ClientContext batch_context;
  Prepare(batch_context, "");
  v1::ScoreBatchRequest batch;
  batch.add_signal_names("feature_adoption_pct");
  for (int i = 0; i < 3; ++i) {
    v1::Row* row = batch.add_rows();
    row->set_customer_id("c" + std::to_string(i));
    row->add_values(50 + i);
  }
  v1::ScoreBatchResponse scored;
  ASSERT_TRUE(stub->ScoreBatch(&batch_context, batch, &scored).ok());
  const auto made =
      batch_context.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(made, batch_context.GetServerInitialMetadata().end());
  const std::string made_id(made->second.data(), made->second.size());

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  const std::vector<google::protobuf::Struct> lines = JsonLines(log);
  ASSERT_GE(lines.size(), 4u);
  const google::protobuf::Struct* given_line = nullptr;
  const google::protobuf::Struct* made_line = nullptr;
  for (const auto& line : lines) {
    EXPECT_FALSE(Field(line, "time").empty());
    EXPECT_FALSE(Field(line, "level").empty());
    EXPECT_EQ(line.fields().count("message"), 1u);
    if (Field(line, "request_id") == "json-log-req-1") given_line = &line;
    if (Field(line, "request_id") == made_id) made_line = &line;
  }
  ASSERT_NE(given_line, nullptr) << testing::ReadFile(log);
  EXPECT_EQ(Field(*given_line, "method"),
            "/healthscore.v1.HealthScoring/ListDimensions");
  EXPECT_EQ(Field(*given_line, "code"), "OK");
  EXPECT_GE(given_line->fields().at("duration_ms").number_value(), 0);
  ASSERT_NE(made_line, nullptr) << testing::ReadFile(log);
  EXPECT_EQ(Field(*made_line, "method"),
            "/healthscore.v1.HealthScoring/ScoreBatch");
  EXPECT_EQ(made_line->fields().at("rows").number_value(), 3);
}

}  // namespace
}  // namespace healthscore
