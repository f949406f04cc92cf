// Alert webhooks against a real HTTP receiver (a loopback HTTP/1.1 server in
// this file) on both real stores: signed deliveries keyed by the event's
// cursor, retries with the same key, dead letters in ListAlerts, receivers
// that refuse, stall or redirect, the configuration's checks, a server killed
// with SIGKILL mid-delivery, and three replicas on one PostgreSQL database.
#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "healthscore/v1/alerts.grpc.pb.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "server/config/scorecard.h"
#include "server/server.h"
#include "tests/history/history_fixture.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "s3cret-key-for-tests";
constexpr char kSecretEnv[] = "HS_TEST_WEBHOOK_SECRET";

// A loopback HTTP/1.1 server on port 0 that records every request and
// answers as its policy says: keep-alive, Content-Length bodies, one thread
// per connection.
class Receiver {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    int status = 0;  // what it was answered; 0: held

    std::string Header(const std::string& name) const {
      auto it = headers.find(name);
      return it == headers.end() ? "" : it->second;
    }
  };
  // The answer to the `nth` request (0-based): an HTTP status, or 0 to hold
  // it unanswered until Release() (then the connection is closed).
  using Policy = std::function<int(const Request& request, int nth)>;

  explicit Receiver(Policy policy) : policy_(std::move(policy)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(
        bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(listen_fd_, 128), 0);
    socklen_t length = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }

  ~Receiver() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      for (int fd : open_) shutdown(fd, SHUT_RDWR);
    }
    cv_.notify_all();
    shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    close(listen_fd_);
    std::vector<std::thread> connections;
    {
      std::lock_guard<std::mutex> lock(mu_);
      connections.swap(connections_);
    }
    for (std::thread& t : connections) t.join();
  }

  std::string Url(const std::string& path = "/hook") const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }

  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  // Waits until `done(requests)` holds, at most `timeout`.
  bool WaitFor(const std::function<bool(const std::vector<Request>&)>& done,
               std::chrono::seconds timeout = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return done(requests_); });
  }

  // Closes the held connections, unanswered.
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
  }

 private:
  void Accept() {
    while (true) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;  // shut down
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) {
        close(fd);
        return;
      }
      open_.insert(fd);
      connections_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    std::string buffer;
    while (ServeOne(fd, buffer)) {
    }
    std::lock_guard<std::mutex> lock(mu_);
    open_.erase(fd);
    close(fd);
  }

  // Reads one request into `buffer` (what follows it stays there).
  bool Read(int fd, std::string& buffer, size_t want) {
    char chunk[16384];
    while (buffer.size() < want) {
      const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    return true;
  }

  // Serves one request; false when the connection is done.
  bool ServeOne(int fd, std::string& buffer) {
    size_t end;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!Read(fd, buffer, buffer.size() + 1)) return false;
    }
    Request request;
    std::vector<std::string> lines =
        absl::StrSplit(buffer.substr(0, end), "\r\n");
    std::vector<std::string> first = absl::StrSplit(lines[0], ' ');
    if (first.size() >= 2) {
      request.method = first[0];
      request.path = first[1];
    }
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == std::string::npos) continue;
      request.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
          std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
    }
    size_t length = 0;
    if (!absl::SimpleAtoi(request.Header("content-length"), &length)) {
      length = 0;
    }
    if (!Read(fd, buffer, end + 4 + length)) return false;
    request.body = buffer.substr(end + 4, length);
    buffer.erase(0, end + 4 + length);

    int status;
    {
      std::unique_lock<std::mutex> lock(mu_);
      status = policy_(request, static_cast<int>(requests_.size()));
      request.status = status;
      requests_.push_back(request);
      cv_.notify_all();
      if (status == 0) {
        cv_.wait(lock, [&] { return released_ || stopping_; });
        return false;
      }
    }
    const std::string body =
        status < 300 ? "" : absl::StrCat("receiver says ", status);
    std::string answer = absl::StrCat(
        "HTTP/1.1 ", status, status < 300 ? " OK" : " Not OK",
        "\r\nContent-Length: ", body.size(), "\r\n",
        status >= 300 && status < 400 ? "Location: http://127.0.0.1:1/\r\n"
                                      : "",
        "\r\n", body);
    size_t sent = 0;
    while (sent < answer.size()) {
      const ssize_t n =
          send(fd, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  const Policy policy_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Request> requests_;
  std::vector<std::thread> connections_;
  std::set<int> open_;
  bool released_ = false;
  bool stopping_ = false;
};

int AlwaysOk(const Receiver::Request&, int) { return 200; }

std::string Hmac(const std::string& key, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest,
       &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    absl::StrAppend(&hex, absl::Hex(digest[i], absl::kZeroPad2));
  }
  return "sha256=" + hex;
}

bool SignedWith(const Receiver::Request& r, const std::string& key) {
  return r.Header("x-healthscore-signature") == Hmac(key, r.body);
}

google::protobuf::Struct Json(const std::string& text) {
  google::protobuf::Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text, &parsed).ok())
      << text;
  return parsed;
}

// Polls `done` until it holds, at most `timeout`.
bool Eventually(const std::function<bool()>& done,
                std::chrono::seconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The alerts_test scorecard (the score is x) with one rule and `webhooks`.
std::string Card(const std::string& webhooks) {
  return absl::StrCat(R"(scorecard: hooks
version: "1"
bands:
  - {name: green,  grade: A, min: 70}
  - {name: yellow, grade: C, min: 40}
  - {name: red,    grade: F, min: 0}
dimensions:
  echo_x: {plugin: test_echo, weight: 1}
  echo_y: {plugin: test_echo, weight: 1, params: {use_y: 1}}
alerts:
  - {id: low, kind: score_below, enter: 50, exit: 55, say: Low}
webhooks:
)",
                      webhooks);
}

// One webhook (secret from $HS_TEST_WEBHOOK_SECRET) with small backoffs;
// `more` adds fields or replaces these defaults.
std::string Hook(const std::string& id, const std::string& url,
                 const std::string& more = "") {
  std::string fields = absl::StrCat("id: ", id, ", url: \"", url,
                                    "\", secret_env: ", kSecretEnv);
  for (const char* field :
       {"initial_backoff_ms: 20", "max_backoff_ms: 100", "timeout_ms: 2000"}) {
    const std::string key(field, std::string_view(field).find(':'));
    if (more.find(key) == std::string::npos) {
      absl::StrAppend(&fields, ", ", field);
    }
  }
  if (!more.empty()) absl::StrAppend(&fields, ", ", more);
  return absl::StrCat("  - {", fields, "}\n");
}

v1::ListAlertsResponse ListAlerts(v1::Alerts::Stub& stub,
                                  bool dead_lettered = false) {
  v1::ListAlertsRequest request;
  request.set_dead_lettered(dead_lettered);
  request.set_page_size(1000);
  v1::ListAlertsResponse response;
  grpc::ClientContext context;
  grpc::Status s = stub.ListAlerts(&context, request, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return response;
}

// Whether every delivery of every alert listed is in `state`, and there are
// `count` of them.
bool AllDeliveries(v1::Alerts::Stub& stub, v1::WebhookDelivery::State state,
                   int count) {
  int seen = 0;
  const v1::ListAlertsResponse listed = ListAlerts(stub);
  for (const v1::Alert& a : listed.alerts()) {
    for (const v1::WebhookDelivery& d : a.deliveries()) {
      if (d.state() != state) return false;
      ++seen;
    }
  }
  return seen == count;
}

class WebhookTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { setenv(kSecretEnv, kSecret, 1); }

  void Start(const std::string& webhooks) {
    h_ = testing::HistoryServer::Start(testing::NewStore(GetParam()),
                                       Card(webhooks));
    ASSERT_NE(h_, nullptr);
    alerts_ = v1::Alerts::NewStub(h_->channel());
  }

  // Records score x for `id` at day `day`.
  void At(int day, double x, const std::string& id = "acme") {
    ASSERT_TRUE(h_->Record(id, day, x, NAN).ok()) << id << " day " << day;
  }

  int64_t LastCursor() {
    absl::StatusOr<int64_t> last = h_->server().store()->LastAlertCursor();
    EXPECT_TRUE(last.ok());
    return last.ok() ? *last : 0;
  }

  std::unique_ptr<testing::HistoryServer> h_;
  std::unique_ptr<v1::Alerts::Stub> alerts_;
};

TEST_P(WebhookTest, ADeliveryIsSignedKeyedByTheCursorAndListedWithItsAlert) {
  Receiver receiver(AlwaysOk);
  Start(Hook("all", receiver.Url("/all")) +
        Hook("closing", receiver.Url("/closing"), "events: [resolved]"));
  At(0, 40);  // opens "low"
  const int64_t opened = LastCursor();
  ASSERT_GT(opened, 0);
  ASSERT_TRUE(receiver.WaitFor([](const auto& r) { return r.size() >= 1; }));
  Receiver::Request first = receiver.requests()[0];
  EXPECT_EQ(first.method, "POST");
  EXPECT_EQ(first.path, "/all");
  EXPECT_EQ(first.Header("content-type"), "application/json");
  EXPECT_EQ(first.Header("idempotency-key"), absl::StrCat(opened));
  EXPECT_EQ(first.Header("x-healthscore-event"), "opened");
  EXPECT_EQ(first.Header("x-healthscore-webhook"), "all");
  EXPECT_TRUE(SignedWith(first, kSecret)) << first.body;
  EXPECT_FALSE(SignedWith(first, "another key"));
  google::protobuf::Struct body = Json(first.body);
  EXPECT_EQ(body.fields().at("cursor").number_value(),
            static_cast<double>(opened));
  EXPECT_EQ(body.fields().at("kind").string_value(), "opened");
  EXPECT_THAT(body.fields().at("at").string_value(), HasSubstr("T"));
  const auto& alert = body.fields().at("alert").struct_value().fields();
  EXPECT_EQ(alert.at("customerId").string_value(), "acme");
  EXPECT_EQ(alert.at("ruleId").string_value(), "low");
  EXPECT_EQ(alert.at("state").string_value(), "ALERT_STATE_OPEN");

  // ListAlerts shows the delivery once the outcome is recorded; the
  // "closing" webhook takes only resolved events, so it has none yet.
  ASSERT_TRUE(Eventually([&] {
    return AllDeliveries(*alerts_, v1::WebhookDelivery::DELIVERED, 1);
  }));
  v1::Alert listed = ListAlerts(*alerts_).alerts(0);
  ASSERT_EQ(listed.deliveries_size(), 1);
  EXPECT_EQ(listed.deliveries(0).webhook_id(), "all");
  EXPECT_EQ(listed.deliveries(0).cursor(), opened);
  EXPECT_EQ(listed.deliveries(0).event_kind(), v1::AlertEvent::OPENED);
  EXPECT_EQ(listed.deliveries(0).attempts(), 1);
  EXPECT_EQ(listed.deliveries(0).last_error(), "");

  // Closing it (past the exit) is one event for both webhooks.
  At(7, 60);
  const int64_t resolved = LastCursor();
  ASSERT_TRUE(receiver.WaitFor([](const auto& r) { return r.size() >= 3; }));
  ASSERT_TRUE(Eventually([&] {
    return AllDeliveries(*alerts_, v1::WebhookDelivery::DELIVERED, 3);
  }));
  std::multiset<std::string> got;
  for (const Receiver::Request& r : receiver.requests()) {
    EXPECT_TRUE(SignedWith(r, kSecret));
    got.insert(absl::StrCat(r.path, " ", r.Header("x-healthscore-event"), " ",
                            r.Header("idempotency-key")));
  }
  EXPECT_EQ(got, (std::multiset<std::string>{
                     absl::StrCat("/all opened ", opened),
                     absl::StrCat("/all resolved ", resolved),
                     absl::StrCat("/closing resolved ", resolved)}));
}

TEST_P(WebhookTest, AReceiverFailingThreeTimesGetsItOnTheFourthWithTheSameKey) {
  Receiver receiver(
      [](const Receiver::Request&, int nth) { return nth < 3 ? 503 : 200; });
  Start(Hook("flaky", receiver.Url()));
  At(0, 40);
  const int64_t cursor = LastCursor();
  ASSERT_TRUE(receiver.WaitFor([](const auto& r) { return r.size() >= 4; }));
  ASSERT_TRUE(Eventually([&] {
    return AllDeliveries(*alerts_, v1::WebhookDelivery::DELIVERED, 1);
  }));
  const std::vector<Receiver::Request> requests = receiver.requests();
  ASSERT_EQ(requests.size(), 4u);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].Header("idempotency-key"), absl::StrCat(cursor));
    EXPECT_TRUE(SignedWith(requests[i], kSecret)) << "attempt " << i + 1;
    EXPECT_EQ(requests[i].body, requests[0].body) << "attempt " << i + 1;
    EXPECT_EQ(requests[i].Header("x-healthscore-attempt"), absl::StrCat(i + 1));
  }
  const v1::WebhookDelivery d = ListAlerts(*alerts_).alerts(0).deliveries(0);
  EXPECT_EQ(d.attempts(), 4);
  EXPECT_EQ(d.last_error(), "");
}

TEST_P(WebhookTest, AReceiverThatAlwaysFailsIsDeadLetteredAfterMaxAttempts) {
  // Fails every alert of customer "doomed"; takes the others.
  Receiver receiver([](const Receiver::Request& r, int) {
    return r.body.find("\"customerId\":\"doomed\"") != std::string::npos ? 500
                                                                         : 200;
  });
  Start(Hook("crm", receiver.Url(), "max_attempts: 3"));
  At(0, 40, "doomed");
  At(0, 40, "fine");
  ASSERT_TRUE(receiver.WaitFor([](const auto& r) { return r.size() >= 4; }));
  ASSERT_TRUE(Eventually([&] {
    return ListAlerts(*alerts_, /*dead_lettered=*/true).alerts_size() == 1;
  }));
  EXPECT_EQ(ListAlerts(*alerts_).alerts_size(), 2);
  const v1::ListAlertsResponse dead = ListAlerts(*alerts_, true);
  ASSERT_EQ(dead.alerts_size(), 1);
  EXPECT_EQ(dead.alerts(0).customer_id(), "doomed");
  ASSERT_EQ(dead.alerts(0).deliveries_size(), 1);
  const v1::WebhookDelivery& d = dead.alerts(0).deliveries(0);
  EXPECT_EQ(d.state(), v1::WebhookDelivery::DEAD);
  EXPECT_EQ(d.attempts(), 3);
  EXPECT_EQ(d.last_error(), "HTTP 500 from the receiver: receiver says 500");
  ASSERT_TRUE(Eventually([&] {
    const v1::ListAlertsResponse listed = ListAlerts(*alerts_);
    for (const v1::Alert& a : listed.alerts()) {
      if (a.customer_id() == "fine") {
        return a.deliveries_size() == 1 &&
               a.deliveries(0).state() == v1::WebhookDelivery::DELIVERED;
      }
    }
    return false;
  }));
  // /metrics counts the attempts by outcome: "fine" delivered at once,
  // "doomed" failed twice and then dead-lettered on its third attempt.
  // Each outcome is counted before it is written to the store, which the
  // waits above saw.
  const std::string metrics = h_->server().metrics().Render();
  EXPECT_THAT(metrics, HasSubstr("# TYPE healthscore_webhook_deliveries_total "
                                 "counter\n"));
  EXPECT_THAT(metrics, HasSubstr("healthscore_webhook_deliveries_total{outcome="
                                 "\"delivered\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("healthscore_webhook_deliveries_total{outcome="
                                 "\"failed\"} 2\n"));
  EXPECT_THAT(metrics, HasSubstr("healthscore_webhook_deliveries_total{outcome="
                                 "\"dead_lettered\"} 1\n"));
  // And the store's latency by the Store method that held a connection:
  // two points recorded (each a write), deliveries queued and finished.
  for (const char* operation :
       {"Record", "QueueDeliveries", "FinishDelivery"}) {
    std::smatch count;
    const std::regex line(
        absl::StrCat("healthscore_store_duration_seconds_count\\{operation=\"",
                     operation, "\"\\} ([0-9]+)\n"));
    ASSERT_TRUE(std::regex_search(metrics, count, line)) << operation;
    EXPECT_GE(std::stoi(count[1]), operation == std::string("Record") ? 2 : 1)
        << operation;
  }
  int doomed = 0;
  for (const Receiver::Request& r : receiver.requests()) {
    if (r.status == 500) ++doomed;
  }
  EXPECT_EQ(doomed, 3);
}

TEST_P(WebhookTest, AReloadedScorecardsNewWebhookIsSentTheEventsAfterIt) {
  Receiver receiver(AlwaysOk);
  Start("  []\n");
  At(0, 40, "before");
  const int64_t before = LastCursor();
  h_->Reload(Card(Hook("late", receiver.Url())));
  // The deliverer reads the live scorecard each tick: the webhook is seen
  // within a tick of the reload, and is sent what is committed from then on.
  int n = 0;
  ASSERT_TRUE(Eventually([&] {
    At(0, 40, absl::StrCat("after", n++));
    return receiver.WaitFor([](const auto& r) { return !r.empty(); },
                            std::chrono::seconds(0));
  }));
  for (const Receiver::Request& r : receiver.requests()) {
    int64_t key = 0;
    ASSERT_TRUE(absl::SimpleAtoi(r.Header("idempotency-key"), &key));
    EXPECT_GT(key, before);
    EXPECT_THAT(r.body, Not(HasSubstr("\"customerId\":\"before\"")));
  }
}

INSTANTIATE_TEST_SUITE_P(Webhooks, WebhookTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// A port nothing listens on: bound, then closed.
int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t length = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(WebhookFailures, RefusedStalledAndRedirectingReceiversAreReadableErrors) {
  setenv(kSecretEnv, kSecret, 1);
  Receiver receiver([](const Receiver::Request& r, int) {
    if (r.path == "/stall") return 0;
    return r.path == "/moved" ? 302 : 404;
  });
  auto h = testing::HistoryServer::Start(
      testing::NewStore("sqlite"),
      Card(Hook("refused",
                absl::StrCat("http://127.0.0.1:", ClosedPort(), "/hook"),
                "max_attempts: 1") +
           Hook("stalled", receiver.Url("/stall"),
                "max_attempts: 1, timeout_ms: 300") +
           Hook("moved", receiver.Url("/moved"), "max_attempts: 1") +
           Hook("missing", receiver.Url("/missing"), "max_attempts: 2")));
  ASSERT_NE(h, nullptr);
  auto alerts = v1::Alerts::NewStub(h->channel());
  ASSERT_TRUE(h->Record("acme", 0, 40, NAN).ok());
  ASSERT_TRUE(Eventually(
      [&] { return AllDeliveries(*alerts, v1::WebhookDelivery::DEAD, 4); }));
  std::map<std::string, std::string> errors;
  const v1::Alert alert = ListAlerts(*alerts).alerts(0);
  for (const v1::WebhookDelivery& d : alert.deliveries()) {
    errors[d.webhook_id()] = d.last_error();
  }
  EXPECT_THAT(errors["refused"], HasSubstr("Failed to connect to 127.0.0.1"));
  EXPECT_THAT(errors["stalled"], HasSubstr("timed out after"));
  EXPECT_EQ(errors["moved"],
            "HTTP 302 from the receiver (redirects are not followed): "
            "receiver says 302");
  EXPECT_EQ(errors["missing"], "HTTP 404 from the receiver: receiver says 404");
  receiver.Release();
  // The server still serves.
  ASSERT_TRUE(h->Record("acme", 7, 30, NAN).ok());
}

std::string LoadError(const std::string& webhooks,
                      const std::string& source = "card.yaml") {
  absl::StatusOr<ScorecardSpec> spec = ParseScorecard(Card(webhooks), source);
  EXPECT_FALSE(spec.ok());
  return spec.ok() ? "" : std::string(spec.status().message());
}

TEST(WebhookConfig, IsCheckedAtLoadWithTheFileLineAndField) {
  setenv(kSecretEnv, kSecret, 1);
  unsetenv("HS_TEST_UNSET_SECRET");
  // Line 13 is the first webhook's.
  EXPECT_EQ(LoadError("  - {id: a, url: \"ftp://example.com/hook\", "
                      "secret_env: HS_TEST_WEBHOOK_SECRET}\n"),
            "card.yaml:13: webhooks[0].url: 'ftp://example.com/hook' is not "
            "an http:// or https:// URL");
  EXPECT_EQ(LoadError("  - {id: a, url: \"https://\", secret_env: "
                      "HS_TEST_WEBHOOK_SECRET}\n"),
            "card.yaml:13: webhooks[0].url: 'https://' names no host after "
            "the scheme");
  EXPECT_EQ(LoadError("  - {id: a, url: \"http://x/\"}\n"),
            "card.yaml:13: webhooks[0]: needs exactly one of secret_env (an "
            "environment variable's name) or secret_file (a file, relative "
            "to the scorecard's directory)");
  EXPECT_EQ(LoadError("  - {id: a, url: \"http://x/\", secret_env: "
                      "HS_TEST_UNSET_SECRET}\n"),
            "card.yaml:13: webhooks[0].secret_env: the environment variable "
            "HS_TEST_UNSET_SECRET is not set");
  const std::filesystem::path dir = testing::MakeTempDir();
  EXPECT_EQ(LoadError("  - {id: a, url: \"http://x/\", secret_file: "
                      "nope.txt}\n",
                      (dir / "card.yaml").string()),
            absl::StrCat((dir / "card.yaml").string(),
                         ":13: webhooks[0].secret_file: cannot read the "
                         "secret file ",
                         (dir / "nope.txt").string(),
                         " (No such file or directory)"));
  EXPECT_EQ(LoadError(Hook("a", "http://x/") + Hook("a", "http://y/")),
            "card.yaml:14: webhooks[1].id: 'a' is used twice");
  EXPECT_EQ(LoadError(Hook("flag", "http://x/")),
            "card.yaml:13: webhooks[0].id: 'flag' is the id of the "
            "--webhook-url webhook; name this one otherwise");
  EXPECT_EQ(LoadError(Hook("a", "http://x/", "events: [opened, closed]")),
            "card.yaml:13: webhooks[0].events[1]: 'closed' is not an alert "
            "event; expected opened, acknowledged or resolved");
  EXPECT_EQ(LoadError(Hook("a", "http://x/", "max_attempts: 101")),
            "card.yaml:13: webhooks[0].max_attempts: 101 is not a whole "
            "number from 1 to 100");
  EXPECT_EQ(LoadError(Hook("a", "http://x/", "max_attempts: 0")),
            "card.yaml:13: webhooks[0].max_attempts: 0 is not a whole number "
            "from 1 to 100");
  EXPECT_EQ(LoadError("  - {id: a, url: \"http://x/\", secret_env: "
                      "HS_TEST_WEBHOOK_SECRET, initial_backoff_ms: 500, "
                      "max_backoff_ms: 100}\n"),
            "card.yaml:13: webhooks[0].max_backoff_ms: 100 is below "
            "initial_backoff_ms (500); the backoff doubles from the initial "
            "one up to the max");
  EXPECT_EQ(LoadError(Hook("a", "http://x/", "secret: abc")),
            "card.yaml:13: webhooks[0].secret: unknown field; expected one of "
            "id, url, secret_env, secret_file, events, max_attempts, "
            "initial_backoff_ms, max_backoff_ms, timeout_ms");

  // A secret file is read relative to the scorecard, without its newline;
  // the defaults are documented ones.
  testing::WriteFile(dir, "secret.txt", "from-a-file\n");
  absl::StatusOr<ScorecardSpec> spec = ParseScorecard(
      Card("  - {id: a, url: \"https://hooks.example.com/x\", secret_file: "
           "secret.txt}\n"),
      (dir / "card.yaml").string());
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->webhooks.size(), 1u);
  const WebhookSpec& hook = spec->webhooks[0];
  EXPECT_EQ(hook.secret, "from-a-file");
  EXPECT_TRUE(hook.events.empty());
  EXPECT_EQ(hook.max_attempts, 8);
  EXPECT_EQ(hook.initial_backoff_ms, 1000);
  EXPECT_EQ(hook.max_backoff_ms, 600000);
  EXPECT_EQ(hook.timeout_ms, 5000);
}

TEST(WebhookConfig, TheServerRefusesABadScorecardWebhookOrFlagAtStart) {
  unsetenv("HS_TEST_UNSET_SECRET");
  const std::filesystem::path dir = testing::MakeTempDir();
  Server::Options options;
  options.listen = "127.0.0.1:0";
  options.plugin_dir = testing::BuiltinPluginDir().string();
  options.config_path =
      testing::WriteFile(dir, "card.yaml",
                         Card("  - {id: a, url: \"http://x/\", secret_env: "
                              "HS_TEST_UNSET_SECRET}\n"))
          .string();
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::BuildAndStart(options);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(server.status().message(),
              HasSubstr("card.yaml:13: webhooks[0].secret_env: the "
                        "environment variable HS_TEST_UNSET_SECRET is not "
                        "set"));

  options.config_path = "/nonexistent.yaml";  // flags are checked first
  options.store = "sqlite:" + (dir / "db").string();
  options.webhook_url = "ftp://example.com/";
  options.webhook_secret_file = testing::WriteFile(dir, "key", "k").string();
  server = Server::BuildAndStart(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().message(),
            "--webhook-url: 'ftp://example.com/' is not an http:// or "
            "https:// URL");
  options.webhook_url = "http://example.com/";
  options.webhook_secret_file = "";
  server = Server::BuildAndStart(options);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(server.status().message(),
              HasSubstr("--webhook-url=http://example.com/ needs "
                        "--webhook-secret-file=PATH"));
  options.webhook_secret_file = (dir / "missing-key").string();
  server = Server::BuildAndStart(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().message(),
            absl::StrCat("--webhook-secret-file: cannot read the secret file ",
                         (dir / "missing-key").string(),
                         " (No such file or directory)"));
  options.webhook_secret_file = (dir / "key").string();
  options.store = "";
  server = Server::BuildAndStart(options);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(server.status().message(),
              HasSubstr("--webhook-url needs a --store"));
}

// The real server binary, started and killed as a separate process.
class ServerProcess {
 public:
  ServerProcess(const std::filesystem::path& dir, const std::string& name,
                std::vector<std::string> flags)
      : log_(dir / (name + ".log")) {
    const std::string bin = (testing::BinDir() / "healthscore-server").string();
    std::vector<std::string> args = {
        bin,
        "--listen=127.0.0.1:0",
        "--admin-listen=",
        "--watch-config=false",
        "--config=" + (dir / "scorecard.yaml").string(),
        "--plugin-dir=" + (dir / "plugins").string()};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log = log_.string();
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    // It logs "ready on 127.0.0.1:PORT" once it serves.
    const std::regex ready(R"(ready on (127\.0\.0\.1:[0-9]+))");
    const bool up = Eventually(
        [&] {
          std::smatch m;
          const std::string text = testing::ReadFile(log_);
          if (std::regex_search(text, m, ready)) address_ = m[1];
          int status = 0;
          return !address_.empty() || waitpid(pid_, &status, WNOHANG) == pid_;
        },
        std::chrono::seconds(30));
    EXPECT_TRUE(up && !address_.empty())
        << "the server did not start: " << testing::ReadFile(log_);
  }

  ~ServerProcess() {
    if (pid_ > 0) Kill(SIGKILL);
  }

  // Sends `signal` and reaps; returns the wait status.
  int Kill(int signal) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  bool ok() const { return !address_.empty(); }
  const std::string& address() const { return address_; }
  std::string log() const { return testing::ReadFile(log_); }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  std::string address_;
};

// A directory with the test_echo plugin and `scorecard` as scorecard.yaml.
std::filesystem::path ServerDir(const std::string& scorecard) {
  const std::filesystem::path dir = testing::MakeTempDir();
  std::filesystem::create_directories(dir / "plugins/test_echo/1.0.0");
  std::filesystem::copy_file(testing::TestPlugin("test_echo"),
                             dir / "plugins/test_echo/1.0.0/libtest_echo.so");
  testing::WriteFile(dir, "scorecard.yaml", scorecard);
  testing::WriteFile(dir, "secret.txt", absl::StrCat(kSecret, "\n"));
  return dir;
}

// Records score x for customers first..first+count-1 in one batch.
grpc::Status RecordBatch(const std::string& address, int first, int count,
                         double x) {
  auto stub = v1::HealthScoring::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::ScoreBatchRequest batch;
  batch.set_record(true);
  batch.set_explain(v1::EXPLAIN_NONE);
  batch.add_signal_names("x");
  *batch.mutable_as_of() = testing::Day(0);
  for (int i = first; i < first + count; ++i) {
    v1::Row* row = batch.add_rows();
    row->set_customer_id(absl::StrCat("c", i));
    row->add_values(x);
  }
  v1::ScoreBatchResponse response;
  grpc::ClientContext context;
  return stub->ScoreBatch(&context, batch, &response);
}

std::unique_ptr<v1::Alerts::Stub> AlertsOf(const std::string& address) {
  return v1::Alerts::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

class WebhookCrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(WebhookCrashTest, AServerKilledMidDeliveryDeliversAfterRestartSameKey) {
  // The first request is held open (the server is killed while it waits);
  // the later ones are answered.
  Receiver receiver(
      [](const Receiver::Request&, int nth) { return nth == 0 ? 0 : 200; });
  // timeout_ms 1000: a claim is leased for 2 x 1 s + 1 s.
  const std::filesystem::path dir = ServerDir(
      Card(absl::StrCat("  - {id: crm, url: \"", receiver.Url(),
                        "\", secret_file: secret.txt, timeout_ms: 1000, "
                        "initial_backoff_ms: 20}\n")));
  const std::string store = testing::NewStore(GetParam());
  auto first = std::make_unique<ServerProcess>(
      dir, "first", std::vector<std::string>{"--store=" + store});
  ASSERT_TRUE(first->ok());
  ASSERT_TRUE(RecordBatch(first->address(), 0, 1, 40).ok());
  ASSERT_TRUE(receiver.WaitFor([](const auto& r) { return r.size() >= 1; }))
      << first->log();
  const int status = first->Kill(SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(status));
  receiver.Release();

  ServerProcess second(dir, "second", {"--store=" + store});
  ASSERT_TRUE(second.ok());
  auto alerts = AlertsOf(second.address());
  ASSERT_TRUE(Eventually([&] {
    return AllDeliveries(*alerts, v1::WebhookDelivery::DELIVERED, 1);
  })) << second.log();
  const std::vector<Receiver::Request> requests = receiver.requests();
  ASSERT_GE(requests.size(), 2u);
  const std::string key = requests[0].Header("idempotency-key");
  EXPECT_EQ(key,
            absl::StrCat(ListAlerts(*alerts).alerts(0).deliveries(0).cursor()));
  for (const Receiver::Request& r : requests) {
    EXPECT_EQ(r.Header("idempotency-key"), key);
    EXPECT_TRUE(SignedWith(r, kSecret));
    EXPECT_EQ(r.body, requests[0].body);
  }
  // A clean stop joins the deliverer before the store closes.
  const int stopped = second.Kill(SIGTERM);
  EXPECT_TRUE(WIFEXITED(stopped) && WEXITSTATUS(stopped) == 0) << second.log();
}

INSTANTIATE_TEST_SUITE_P(Webhooks, WebhookCrashTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST(WebhookReplicasTest, ThreeReplicasOnOnePostgresDeliverEachEventOnce) {
  constexpr int kAlerts = 1000;
  constexpr int kReplicas = 3;
  Receiver receiver(AlwaysOk);
  // The webhook comes from the flags this time.
  const std::filesystem::path dir = ServerDir(Card("  []\n"));
  const std::string store = testing::FreshPostgresDatabase();
  ASSERT_FALSE(store.empty());
  std::vector<std::unique_ptr<ServerProcess>> replicas;
  for (int i = 0; i < kReplicas; ++i) {
    replicas.push_back(std::make_unique<ServerProcess>(
        dir, absl::StrCat("replica", i),
        std::vector<std::string>{
            "--store=" + store, "--webhook-url=" + receiver.Url(),
            "--webhook-secret-file=" + (dir / "secret.txt").string(),
            "--log-level=debug"}));
    ASSERT_TRUE(replicas.back()->ok());
  }
  // Each replica records a third of the customers, all below the threshold.
  std::vector<std::thread> writers;
  std::vector<grpc::Status> written(kReplicas);
  for (int i = 0; i < kReplicas; ++i) {
    const int first = i * kAlerts / kReplicas;
    const int last = (i + 1) * kAlerts / kReplicas;
    writers.emplace_back([&, i, first, last] {
      written[i] = RecordBatch(replicas[i]->address(), first, last - first, 40);
    });
  }
  for (std::thread& t : writers) t.join();
  for (const grpc::Status& s : written)
    ASSERT_TRUE(s.ok()) << s.error_message();

  auto alerts = AlertsOf(replicas[0]->address());
  ASSERT_TRUE(Eventually(
      [&] {
        return AllDeliveries(*alerts, v1::WebhookDelivery::DELIVERED, kAlerts);
      },
      std::chrono::seconds(40)))
      << receiver.requests().size() << " requests";
  std::set<std::string> keys;
  std::set<int64_t> cursors;
  const v1::ListAlertsResponse listed = ListAlerts(*alerts);
  for (const v1::Alert& a : listed.alerts()) {
    for (const v1::WebhookDelivery& d : a.deliveries()) {
      EXPECT_EQ(d.attempts(), 1);
      cursors.insert(d.cursor());
    }
  }
  const std::vector<Receiver::Request> requests = receiver.requests();
  for (const Receiver::Request& r : requests) {
    keys.insert(r.Header("idempotency-key"));
  }
  EXPECT_EQ(cursors.size(), size_t{kAlerts});
  EXPECT_EQ(keys.size(), size_t{kAlerts});
  EXPECT_EQ(requests.size(), size_t{kAlerts});
  std::set<std::string> want;
  for (int64_t c : cursors) want.insert(absl::StrCat(c));
  EXPECT_EQ(keys, want);
  // Who delivered what: each replica logs its deliveries (at debug level).
  // How the work splits is timing; that the shares add up is not.
  int total = 0;
  std::string shares;
  for (auto& r : replicas) {
    const int status = r->Kill(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << r->log();
    const std::string log = r->log();
    const std::regex delivered(
        "webhook flag: alert [0-9]+ cursor [0-9]+ "
        "delivered");
    const auto n =
        std::distance(std::sregex_iterator(log.begin(), log.end(), delivered),
                      std::sregex_iterator());
    total += static_cast<int>(n);
    absl::StrAppend(&shares, shares.empty() ? "" : " + ", n);
  }
  EXPECT_EQ(total, kAlerts);
  std::cout << "deliveries by replica: " << shares << " = " << total << "\n";
}

// Two replicas recording the same customers at the same moment (a client
// retrying after a deadline while its first attempt still runs, or two
// pipelines): both calls succeed, and each customer has one open alert.
// Without the store's per-customer lock both transactions read "no open
// alert" and the second one's insert broke the one-open-alert index.
TEST(WebhookReplicasTest,
     TwoReplicasRecordingTheSameCustomersAtOnceBothSucceed) {
  constexpr int kCustomers = 1000;
  const std::filesystem::path dir = ServerDir(Card("  []\n"));
  const std::string store = testing::FreshPostgresDatabase();
  ASSERT_FALSE(store.empty());
  std::vector<std::unique_ptr<ServerProcess>> replicas;
  for (int i = 0; i < 2; ++i) {
    replicas.push_back(std::make_unique<ServerProcess>(
        dir, absl::StrCat("replica", i),
        std::vector<std::string>{"--store=" + store}));
    ASSERT_TRUE(replicas.back()->ok());
  }
  std::vector<grpc::Status> written(2);
  std::vector<std::thread> writers;
  for (int i = 0; i < 2; ++i) {
    writers.emplace_back([&, i] {
      written[i] = RecordBatch(replicas[i]->address(), 0, kCustomers, 40);
    });
  }
  for (std::thread& t : writers) t.join();
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(written[i].ok())
        << "replica " << i << ": " << written[i].error_message();
  }
  const v1::ListAlertsResponse listed =
      ListAlerts(*AlertsOf(replicas[0]->address()));
  std::set<std::string> customers;
  for (const v1::Alert& a : listed.alerts()) customers.insert(a.customer_id());
  EXPECT_EQ(listed.alerts_size(), kCustomers);
  EXPECT_EQ(customers.size(), size_t{kCustomers});
}

}  // namespace
}  // namespace healthscore
