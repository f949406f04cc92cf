// The real server on port 0, called over real gRPC: scoring, per-row errors,
// the registry, the scorecard, health and reflection.
#include "server/server.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "server/config/scorecard.h"
#include "server/service/scoring_queue.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr double kNaN = NAN;

std::string DefaultScorecard() {
  return (testing::SourceDir() / "tests/data/two_dimensions.yaml").string();
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start(int max_batch = 100,
             std::function<void(Server::Options&)> adjust = nullptr) {
    // The built-in plugins, plus a file that is not a plugin, to see it
    // reported rather than fatal.
    plugin_dir_ = testing::MakeTempDir();
    std::filesystem::create_directory_symlink(testing::BuiltinPluginDir(),
                                              plugin_dir_ / "builtin");
    testing::WriteFile(plugin_dir_, "libnot_a_plugin.so", "text");
    Server::Options options;
    options.listen = "127.0.0.1:0";
    options.config_path = DefaultScorecard();
    options.plugin_dir = plugin_dir_.string();
    options.max_batch = max_batch;
    if (adjust) adjust(options);
    auto server = Server::BuildAndStart(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    ASSERT_GT(server_->port(), 0);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::HealthScoring::NewStub(channel_);
  }

  static v1::Customer Healthy(const std::string& id) {
    v1::Customer c;
    c.set_customer_id(id);
    c.set_segment("enterprise");
    auto& s = *c.mutable_signals();
    s["feature_adoption_pct"] = 90;
    s["logins_30d"] = 40;
    s["logins_prev_30d"] = 38;
    s["revenue_growth_pct"] = 25;
    s["avg_transaction_value"] = 1500;
    s["late_payments_12m"] = 0;
    return c;
  }

  std::filesystem::path plugin_dir_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::HealthScoring::Stub> stub_;
};

TEST_F(ServerTest, ScoresOneCustomerWithItsExplanation) {
  v1::ScoreRequest request;
  *request.mutable_customer() = Healthy("acme");
  request.mutable_customer()->mutable_as_of()->set_seconds(1790000000);
  request.set_explain(v1::EXPLAIN_FULL);
  v1::ScoreResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->Score(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::CustomerScore& s = response.score();
  EXPECT_EQ(s.customer_id(), "acme");
  EXPECT_EQ(s.segment(), "enterprise");
  EXPECT_EQ(s.as_of().seconds(), 1790000000);
  EXPECT_GE(s.score(), 80);
  EXPECT_LE(s.score(), 100);
  EXPECT_EQ(s.band(), "green");
  EXPECT_EQ(s.grade(), "A");
  EXPECT_DOUBLE_EQ(s.coverage(), 1);
  ASSERT_EQ(s.dimensions_size(), 2);
  EXPECT_EQ(s.dimensions(0).name(), "product_adoption");
  EXPECT_EQ(s.dimensions(1).name(), "financial_health");
  double contributions = 0;
  for (const auto& d : s.dimensions()) {
    EXPECT_EQ(d.status(), v1::DIMENSION_STATUS_OK) << d.status_reason();
    EXPECT_GT(d.reasons_size(), 0) << d.name();
    contributions += d.contribution();
  }
  EXPECT_NEAR(contributions, s.score(), 1e-9);
  EXPECT_GT(s.top_drivers_up_size(), 0);
  EXPECT_EQ(s.provenance().scorecard_name(), "two-dimensions");
  EXPECT_EQ(s.provenance().scorecard_hash(),
            Sha256Hex(testing::ReadFile(DefaultScorecard())));
  EXPECT_THAT(
      s.provenance().plugins(),
      UnorderedElementsAre("financial_health@2.0.0", "product_adoption@2.0.0"));
  EXPECT_TRUE(response.unused_signals().empty());
}

TEST_F(ServerTest, ScoreRefusesBadValuesNamingTheField) {
  struct Case {
    std::string signal;
    double value;
    std::string message;
  };
  const Case cases[] = {
      {"logins_30d", kNaN,
       "customer.signals['logins_30d'] = NaN: values must be finite; leave a "
       "missing signal out"},
      {"logins_30d", INFINITY,
       "customer.signals['logins_30d'] = inf: values must be finite"},
      {"late_payments_12m", -2,
       "customer.signals['late_payments_12m'] = -2 is below the minimum 0 "
       "(count, declared by financial_health@2.0.0)"},
      {"feature_adoption_pct", 140,
       "customer.signals['feature_adoption_pct'] = 140 is above the maximum "
       "100 (percent, declared by product_adoption@2.0.0)"},
  };
  for (const Case& c : cases) {
    v1::ScoreRequest request;
    *request.mutable_customer() = Healthy("acme");
    (*request.mutable_customer()->mutable_signals())[c.signal] = c.value;
    v1::ScoreResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub_->Score(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), c.message);
  }
  v1::ScoreRequest no_id;
  (*no_id.mutable_customer()->mutable_signals())["logins_30d"] = 1;
  v1::ScoreResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->Score(&context, no_id, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "customer.customer_id is empty");
}

TEST_F(ServerTest, ScoreWithoutAnyRequiredSignalSaysWhatIsMissing) {
  v1::ScoreRequest request;
  request.mutable_customer()->set_customer_id("ghost");
  (*request.mutable_customer()->mutable_signals())["logins_30d"] = 3;
  (*request.mutable_customer()->mutable_signals())["shoe_size"] = 44;
  v1::ScoreResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->Score(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("feature_adoption_pct"));
  EXPECT_THAT(status.error_message(), HasSubstr("revenue_growth_pct"));
}

TEST_F(ServerTest, ABatchScoresGoodRowsAndGivesEachBadRowItsError) {
  v1::ScoreBatchRequest request;
  for (const char* name :
       {"feature_adoption_pct", "logins_30d", "revenue_growth_pct",
        "late_payments_12m", "unknown_signal"}) {
    request.add_signal_names(name);
  }
  auto add = [&](const std::string& id, std::vector<double> values) {
    v1::Row* row = request.add_rows();
    row->set_customer_id(id);
    for (double v : values) row->add_values(v);
  };
  add("good-1", {90, 30, 20, 0, 1});
  add("short", {90, 30});
  add("good-1", {50, 30, 20, 0, 1});
  add("inf", {90, INFINITY, 20, 0, 1});
  add("negative", {90, 30, 20, -1, 1});
  add("", {90, 30, 20, 0, 1});
  add("sparse", {40, kNaN, kNaN, kNaN, kNaN});
  add("empty", {kNaN, kNaN, kNaN, kNaN, kNaN});
  request.set_explain(v1::EXPLAIN_NONE);
  v1::ScoreBatchResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->ScoreBatch(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 8);
  EXPECT_TRUE(response.results(0).has_score());
  EXPECT_EQ(response.results(0).score().customer_id(), "good-1");
  const auto error = [&](int i) {
    return response.results(i).error().message();
  };
  EXPECT_EQ(error(1), "rows[1] has 2 values; signal_names has 5");
  EXPECT_EQ(error(2), "rows[2].customer_id 'good-1' repeats rows[0]");
  EXPECT_EQ(error(3),
            "rows[3].values[1] (logins_30d) = inf: values must be finite (NaN "
            "marks a missing value)");
  EXPECT_EQ(error(4),
            "rows[4].values[3] (late_payments_12m) = -1 is below the minimum "
            "0 (count, declared by financial_health@2.0.0)");
  EXPECT_EQ(error(5), "rows[5].customer_id is empty");
  for (int i : {1, 2, 3, 4, 5}) {
    EXPECT_EQ(response.results(i).error().code(), 3) << i;  // INVALID_ARGUMENT
  }
  // Sparse: product adoption alone carries the score.
  ASSERT_TRUE(response.results(6).has_score()) << error(6);
  const v1::CustomerScore& sparse = response.results(6).score();
  EXPECT_DOUBLE_EQ(sparse.coverage(), 0.5);
  EXPECT_EQ(sparse.dimensions(1).status(),
            v1::DIMENSION_STATUS_INSUFFICIENT_DATA);
  EXPECT_THAT(sparse.dimensions(1).status_reason(),
              HasSubstr("revenue_growth_pct"));
  EXPECT_EQ(response.results(7).error().code(), 9);  // FAILED_PRECONDITION
  EXPECT_THAT(response.unused_signals(),
              UnorderedElementsAre("unknown_signal"));
  EXPECT_EQ(response.provenance().scorecard_name(), "two-dimensions");
}

TEST_F(ServerTest, ABatchRowScoresTheSameAsScoringItAlone) {
  const v1::Customer customer = Healthy("same");
  v1::ScoreBatchRequest batch;
  v1::Row* row = batch.add_rows();
  row->set_customer_id(customer.customer_id());
  for (const auto& [name, value] : customer.signals()) {
    batch.add_signal_names(name);
    row->add_values(value);
  }
  batch.set_explain(v1::EXPLAIN_FULL);
  v1::ScoreBatchResponse batch_response;
  grpc::ClientContext c1;
  ASSERT_TRUE(stub_->ScoreBatch(&c1, batch, &batch_response).ok());

  v1::ScoreRequest single;
  *single.mutable_customer() = customer;
  single.mutable_customer()->clear_segment();
  single.set_explain(v1::EXPLAIN_FULL);
  v1::ScoreResponse single_response;
  grpc::ClientContext c2;
  ASSERT_TRUE(stub_->Score(&c2, single, &single_response).ok());
  EXPECT_EQ(batch_response.results(0).score().SerializeAsString(),
            single_response.score().SerializeAsString());
}

// Rows are checked in parts on the worker pool and the bad ones dropped
// before scoring: every good row of a batch with bad rows spread over several
// parts scores exactly as it does in a batch of the good rows alone.
TEST_F(ServerTest, BadRowsAcrossTheBatchLeaveTheGoodRowsScoredAsAlone) {
  Start(/*max_batch=*/1000);
  const v1::Customer healthy = Healthy("x");
  auto make = [&](const std::vector<int>& skip, int rows) {
    v1::ScoreBatchRequest batch;
    for (const auto& [name, value] : healthy.signals()) {
      batch.add_signal_names(name);
    }
    for (int i = 0; i < rows; ++i) {
      if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
      v1::Row* row = batch.add_rows();
      row->set_customer_id("c" + std::to_string(i));
      for (const auto& [name, value] : healthy.signals()) {
        // Each row its own values: logins vary with the row.
        row->add_values(name == "logins_30d" ? i % 97 : value);
      }
    }
    batch.set_explain(v1::EXPLAIN_FULL);
    return batch;
  };
  const std::vector<int> bad = {3, 300, 301, 599};
  v1::ScoreBatchRequest with_bad = make({}, 600);
  const auto& names = with_bad.signal_names();
  const int late = static_cast<int>(
      std::find(names.begin(), names.end(), "late_payments_12m") -
      names.begin());
  for (int i : bad) with_bad.mutable_rows(i)->set_values(late, -5);  // < 0
  v1::ScoreBatchResponse mixed;
  grpc::ClientContext c1;
  ASSERT_TRUE(stub_->ScoreBatch(&c1, with_bad, &mixed).ok());
  v1::ScoreBatchResponse good_only;
  grpc::ClientContext c2;
  ASSERT_TRUE(stub_->ScoreBatch(&c2, make(bad, 600), &good_only).ok());
  ASSERT_EQ(mixed.results_size(), 600);
  ASSERT_EQ(good_only.results_size(), 596);
  int k = 0;
  for (int i = 0; i < 600; ++i) {
    const v1::CustomerResult& r = mixed.results(i);
    if (std::find(bad.begin(), bad.end(), i) != bad.end()) {
      EXPECT_EQ(r.error().code(), 3) << i;
      EXPECT_THAT(r.error().message(),
                  HasSubstr(absl::StrCat("rows[", i, "].values[", late,
                                         "] (late_payments_12m) = -5")))
          << i;
      continue;
    }
    ASSERT_TRUE(r.has_score()) << i << ": " << r.error().message();
    EXPECT_EQ(r.score().SerializeAsString(),
              good_only.results(k).score().SerializeAsString())
        << r.customer_id();
    ++k;
  }
}

TEST_F(ServerTest, RefusesWholeBatchProblems) {
  auto call = [&](const v1::ScoreBatchRequest& request) {
    v1::ScoreBatchResponse response;
    grpc::ClientContext context;
    return stub_->ScoreBatch(&context, request, &response);
  };
  v1::ScoreBatchRequest empty;
  empty.add_signal_names("logins_30d");
  grpc::Status status = call(empty);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "rows is empty: a batch needs at least one row");

  v1::ScoreBatchRequest too_big;
  too_big.add_signal_names("logins_30d");
  for (int i = 0; i < 101; ++i) {
    v1::Row* row = too_big.add_rows();
    row->set_customer_id("c" + std::to_string(i));
    row->add_values(1);
  }
  status = call(too_big);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "batch has 101 rows; the limit is 100 (--max-batch)");

  v1::ScoreBatchRequest repeated;
  repeated.add_signal_names("logins_30d");
  repeated.add_signal_names("logins_30d");
  repeated.add_rows()->set_customer_id("c");
  status = call(repeated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "signal_names[1] 'logins_30d' repeats signal_names[0]");
}

// Undefined enum values, impossible timestamps and oversized ids are refused
// naming the field; request text quoted back in a message is cut short.
TEST_F(ServerTest, RefusesWhatIsNotAValueAndEchoesInputShort) {
  auto score = [&](const v1::ScoreRequest& request) {
    v1::ScoreResponse response;
    grpc::ClientContext context;
    return stub_->Score(&context, request, &response);
  };
  v1::ScoreRequest request;
  *request.mutable_customer() = Healthy("c");
  request.set_explain(static_cast<v1::Explain>(7));
  grpc::Status status = score(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "explain = 7 is not an Explain (EXPLAIN_NONE = 1, "
            "EXPLAIN_SUMMARY = 2, EXPLAIN_FULL = 3; 0, unset, means SUMMARY)");

  request.set_explain(v1::EXPLAIN_NONE);
  request.mutable_customer()->mutable_as_of()->set_seconds(253402300800);
  status = score(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "customer.as_of.seconds = 253402300800 is outside "
            "-62135596800-253402300799 (0001-01-01 to 9999-12-31)");
  request.mutable_customer()->mutable_as_of()->set_seconds(0);
  request.mutable_customer()->mutable_as_of()->set_nanos(-1);
  status = score(request);
  EXPECT_EQ(status.error_message(),
            "customer.as_of.nanos = -1 is outside 0-999999999");

  request.mutable_customer()->set_customer_id(std::string(300, 'x'));
  request.mutable_customer()->clear_as_of();
  status = score(request);
  EXPECT_EQ(status.error_message(),
            "customer.customer_id is 300 bytes; the limit is 256");

  // A signal name of 1,000 bytes with a bad value: quoted, cut to 64 bytes.
  request.mutable_customer()->set_customer_id("c");
  (*request.mutable_customer()->mutable_signals())[std::string(1000, 'n')] =
      INFINITY;
  status = score(request);
  EXPECT_EQ(status.error_message(),
            absl::StrCat("customer.signals['", std::string(64, 'n'),
                         "...' (1000 bytes)] = inf: values must be finite"));

  v1::ScoreBatchRequest batch;
  batch.add_signal_names("logins_30d");
  const std::string long_id(200, 'i');
  for (int i = 0; i < 2; ++i) {
    v1::Row* row = batch.add_rows();
    row->set_customer_id(long_id);
    row->add_values(1);
  }
  batch.set_explain(static_cast<v1::Explain>(-1));
  v1::ScoreBatchResponse response;
  {
    grpc::ClientContext context;
    status = stub_->ScoreBatch(&context, batch, &response);
  }
  EXPECT_THAT(status.error_message(), HasSubstr("explain = -1 is not"));
  batch.set_explain(v1::EXPLAIN_NONE);
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ScoreBatch(&context, batch, &response).ok());
  }
  EXPECT_EQ(response.results(1).error().message(),
            absl::StrCat("rows[1].customer_id '", std::string(64, 'i'),
                         "...' (200 bytes) repeats rows[0]"));
}

// An as_of ahead of the server's clock by more than a few minutes is scored
// and warned about (the clock of whoever sent it is likely wrong).
TEST_F(ServerTest, AnAsOfInTheFutureIsWarnedAbout) {
  v1::ScoreRequest request;
  *request.mutable_customer() = Healthy("c");
  request.set_explain(v1::EXPLAIN_NONE);
  request.mutable_customer()->mutable_as_of()->set_seconds(
      absl::ToUnixSeconds(absl::Now() + absl::Hours(49)));
  v1::ScoreResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->Score(&context, request, &response).ok());
  const v1::Warning* future = nullptr;
  for (const v1::Warning& w : response.score().warnings()) {
    if (w.code() == "future_as_of") future = &w;
  }
  ASSERT_NE(future, nullptr);
  EXPECT_THAT(future->message(), HasSubstr("ahead of the server's clock "
                                           "(more than 5m): check the clock"));
  EXPECT_THAT(future->message(), HasSubstr(" is 48h59m"));

  request.mutable_customer()->mutable_as_of()->set_seconds(
      absl::ToUnixSeconds(absl::Now() + absl::Minutes(1)));
  grpc::ClientContext again;
  ASSERT_TRUE(stub_->Score(&again, request, &response).ok());
  for (const v1::Warning& w : response.score().warnings()) {
    EXPECT_NE(w.code(), "future_as_of");
  }
}

// A batch whose response could not be sent is refused before any work,
// saying how many rows would fit.
TEST_F(ServerTest, ABatchTooBigToSendIsRefusedUpFront) {
  Start(/*max_batch=*/1000,
        [](Server::Options& o) { o.max_message_bytes = 1 << 20; });
  v1::ScoreBatchRequest batch;
  const v1::Customer healthy = Healthy("x");
  for (const auto& [name, value] : healthy.signals()) {
    batch.add_signal_names(name);
  }
  for (int i = 0; i < 400; ++i) {
    v1::Row* row = batch.add_rows();
    row->set_customer_id("c" + std::to_string(i));
    for (const auto& [name, value] : healthy.signals()) row->add_values(value);
  }
  batch.set_explain(v1::EXPLAIN_FULL);
  v1::ScoreBatchResponse response;
  grpc::Status status;
  {
    grpc::ClientContext context;
    status = stub_->ScoreBatch(&context, batch, &response);
  }
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Two dimensions: (300 + 700 * 2 + 2200 + 600) * 1.2 = 5400 bytes each.
  EXPECT_EQ(status.error_message(),
            "the response to 400 rows at EXPLAIN_FULL (full layout) would be "
            "about 2 MB (about 5400 bytes a customer with this scorecard), "
            "over the 1 MB a response may be (--max-message-bytes): send at "
            "most 194 rows a batch, or ask for layout LAYOUT_COMPACT");
  // What it says fits does fit, and is scored.
  batch.mutable_rows()->DeleteSubrange(194, 400 - 194);
  grpc::ClientContext context;
  status = stub_->ScoreBatch(&context, batch, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.results_size(), 194);
  EXPECT_LT(response.ByteSizeLong(), 1u << 20);
}

// Admission control: bounded queued rows and response bytes, refusals naming
// the limit; a stop gives the calls not started UNAVAILABLE and lets the
// running one finish.
TEST(ScoringQueueTest, AdmitsUpToItsLimitsAndStopsCleanly) {
  // The callbacks' state first: the queue (declared after it) is destroyed
  // first, joining its thread while that state is still alive.
  absl::Mutex mu;
  bool release = false;
  bool first_running = false;
  absl::Status first, second;
  ScoringQueue queue(
      {.threads = 1, .max_queued_rows = 10, .max_inflight_bytes = 3 << 20});
  ASSERT_TRUE(queue
                  .Submit(4, 1 << 20,
                          [&](absl::Status s) {
                            absl::MutexLock lock(&mu);
                            first_running = true;
                            mu.Await(absl::Condition(&release));
                            first = s;
                          })
                  .ok());
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&first_running));  // the thread is busy
  }
  ASSERT_TRUE(queue
                  .Submit(4, 1 << 20,
                          [&](absl::Status s) {
                            absl::MutexLock lock(&mu);
                            second = s;
                          })
                  .ok());
  absl::Status refused = queue.Submit(3, 0, [](absl::Status) {
    ADD_FAILURE() << "a refused call must not run";
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.message(),
            "the server has 8 rows queued or scoring; this call's 3 would "
            "pass the limit of 10 (--max-queued-rows): retry with backoff");
  refused = queue.Submit(1, 2 << 20, [](absl::Status) {
    ADD_FAILURE() << "a refused call must not run";
  });
  EXPECT_EQ(refused.message(),
            "the server holds 2 MB of responses queued or scoring; this "
            "call's estimated 2 MB would pass the limit of 3 MB "
            "(--max-inflight-mb): retry with backoff");
  refused = queue.Submit(11, 0, [](absl::Status) {});
  EXPECT_EQ(refused.message(),
            "this call has 11 rows; the server queues at most 10 rows "
            "(--max-queued-rows): send smaller batches");
  EXPECT_EQ(queue.queued_rows(), 8);

  queue.Stop();  // the second never started: UNAVAILABLE, now
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(second.code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(second.message(), HasSubstr("shutting down; retry"));
    release = true;
  }
  EXPECT_EQ(queue.Submit(1, 0, [](absl::Status) {}).code(),
            absl::StatusCode::kUnavailable);
}

// SIGTERM's path under load: a drain (NOT_SERVING, still serving), then the
// grace. Every call made before the shutdown began gets OK (the drain serves
// it), and none of any is cut off by our handlers: calls made after get
// UNAVAILABLE (which standard retry policies retry). The exception is gRPC's
// own: a call arriving in the instant its listener closes is answered
// CANCELLED by gRPC core (grpc/grpc#41785); those are counted apart.
TEST_F(ServerTest, ADrainUnderLoadCancelsNothing) {
  std::atomic<bool> done{false};
  std::atomic<bool> shutting_down{false};
  std::atomic<int> ok{0}, unavailable{0}, cancelled{0}, other{0};
  std::atomic<int> cancelled_by_grpc{0};
  std::string other_message;
  absl::Mutex mu;
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      auto channel = grpc::CreateChannel(server_->address(),
                                         grpc::InsecureChannelCredentials());
      auto stub = v1::HealthScoring::NewStub(channel);
      v1::ScoreRequest request;
      *request.mutable_customer() = Healthy("c" + std::to_string(t));
      request.set_explain(v1::EXPLAIN_FULL);
      while (!done.load()) {
        v1::ScoreResponse response;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(30));
        const bool before = !shutting_down.load();
        const grpc::Status s = stub->Score(&context, request, &response);
        switch (s.error_code()) {
          case grpc::StatusCode::OK:
            ++ok;
            break;
          case grpc::StatusCode::UNAVAILABLE:
            if (before) {
              ++other;  // the drain should have served it
              absl::MutexLock lock(&mu);
              other_message =
                  "UNAVAILABLE before the shutdown: " + s.error_message();
            }
            ++unavailable;
            break;
          case grpc::StatusCode::CANCELLED:
            ++(before ? cancelled : cancelled_by_grpc);
            break;
          default: {
            ++other;
            absl::MutexLock lock(&mu);
            other_message = s.error_message();
          }
        }
      }
    });
  }
  // Load first, then the shutdown under it.
  while (ok.load() < 200) std::this_thread::yield();
  shutting_down = true;
  server_->Shutdown(absl::Seconds(1), absl::Milliseconds(300));
  // Every call after the listeners closed is refused: the clients see it.
  const int before = unavailable.load();
  while (unavailable.load() < before + 20) std::this_thread::yield();
  done = true;
  for (std::thread& t : clients) t.join();
  EXPECT_GT(ok.load(), 200);
  EXPECT_EQ(cancelled.load(), 0);
  EXPECT_EQ(other.load(), 0) << other_message;
  std::printf(
      "drain under load: %d OK, %d UNAVAILABLE, %d CANCELLED by gRPC "
      "core at listener close (grpc/grpc#41785)\n",
      ok.load(), unavailable.load(), cancelled_by_grpc.load());
}

TEST_F(ServerTest, ListsDimensionsAndTheFileThatFailedToLoad) {
  v1::ListDimensionsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ListDimensions(&context, {}, &response).ok());
  // READY plugins first, sorted by name; the failed file last.
  ASSERT_GE(response.dimensions_size(), 3);
  const v1::DimensionInfo* found = nullptr;
  for (const auto& d : response.dimensions()) {
    if (d.name() == "financial_health") found = &d;
  }
  ASSERT_NE(found, nullptr);
  const v1::DimensionInfo& financial = *found;
  EXPECT_EQ(financial.version(), "2.0.0");
  EXPECT_EQ(financial.state(), v1::PLUGIN_STATE_READY);
  EXPECT_EQ(financial.abi_version(), "2.0");
  // Every built-in plugin speaks ABI 2.x.
  for (const auto& d : response.dimensions()) {
    if (d.state() != v1::PLUGIN_STATE_READY) continue;
    EXPECT_THAT(d.abi_version(), ::testing::StartsWith("2.")) << d.name();
  }
  EXPECT_FALSE(financial.description().empty());
  bool saw_late_payments = false;
  for (const auto& s : financial.signals()) {
    if (s.name() != "late_payments_12m") continue;
    saw_late_payments = true;
    EXPECT_FALSE(s.higher_is_better());
    EXPECT_FALSE(s.required());
    EXPECT_EQ(s.unit(), "count");
    EXPECT_TRUE(s.has_min());
    EXPECT_EQ(s.min(), 0);
  }
  EXPECT_TRUE(saw_late_payments);
  EXPECT_GT(financial.parameters_size(), 0);
  for (int i = 1; i + 1 < response.dimensions_size(); ++i) {
    EXPECT_EQ(response.dimensions(i).state(), v1::PLUGIN_STATE_READY);
    EXPECT_LT(response.dimensions(i - 1).name(), response.dimensions(i).name());
  }
  const v1::DimensionInfo& failed =
      response.dimensions(response.dimensions_size() - 1);
  EXPECT_EQ(failed.state(), v1::PLUGIN_STATE_FAILED);
  EXPECT_THAT(failed.path(), HasSubstr("libnot_a_plugin.so"));
  EXPECT_THAT(failed.state_reason(),
              HasSubstr("cannot be loaded as a shared library"));
}

TEST_F(ServerTest, ReturnsTheActiveScorecard) {
  v1::GetScorecardResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->GetScorecard(&context, {}, &response).ok());
  const v1::Scorecard& sc = response.scorecard();
  EXPECT_EQ(sc.name(), "two-dimensions");
  EXPECT_EQ(sc.hash(), Sha256Hex(testing::ReadFile(DefaultScorecard())));
  EXPECT_EQ(sc.missing_data(), "renormalize");
  ASSERT_EQ(sc.dimensions_size(), 2);
  EXPECT_EQ(sc.dimensions(0).plugin(), "product_adoption");
  EXPECT_EQ(sc.dimensions(0).params().at("robust_adoption_pct"), 85);
  ASSERT_EQ(sc.bands_size(), 5);
  EXPECT_EQ(sc.bands(0).grade(), "A");
  EXPECT_EQ(sc.bands(4).min(), 0);
}

TEST_F(ServerTest, HealthIsServingOnceTheScorecardIsLive) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const char* service : {"", "healthscore.v1.HealthScoring"}) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(health->Check(&context, request, &response).ok());
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING)
        << service;
  }
}

// README ("The server"): health is NOT_SERVING on shutdown, and it goes
// NOT_SERVING before the listener closes, so load balancers move away while
// calls are still served. A health watcher sees SERVING, then NOT_SERVING
// once the shutdown begins; after that a new connection is still accepted
// and scored (the listener is open); once Shutdown returns, it is closed.
TEST_F(ServerTest, HealthGoesNotServingBeforeTheListenerCloses) {
  using grpc::health::v1::HealthCheckResponse;
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("healthscore.v1.HealthScoring");
  grpc::ClientContext watch_context;
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> watch =
      health->Watch(&watch_context, request);
  HealthCheckResponse update;
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::SERVING);
  // A drain long enough for the few calls below (it only has to outlast
  // them; nothing here measures it).
  std::thread shutdown(
      [&] { server_->Shutdown(absl::Seconds(1), absl::Seconds(2)); });
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::NOT_SERVING);
  // A new connection (its own subchannel pool), accepted and served.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto fresh = grpc::CreateCustomChannel(
      server_->address(), grpc::InsecureChannelCredentials(), args);
  {
    grpc::health::v1::HealthCheckRequest overall;  // the server as a whole
    HealthCheckResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(grpc::health::v1::Health::NewStub(fresh)
                    ->Check(&context, overall, &response)
                    .ok());
    EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  }
  v1::ScoreRequest score_request;
  *score_request.mutable_customer() = Healthy("draining");
  v1::ScoreResponse score;
  {
    grpc::ClientContext context;
    const grpc::Status status = v1::HealthScoring::NewStub(fresh)->Score(
        &context, score_request, &score);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(score.score().customer_id(), "draining");
  }
  shutdown.join();
  watch_context.TryCancel();
  watch->Finish().IgnoreError();
  // Closed: a new connection is refused.
  auto after = grpc::CreateCustomChannel(
      server_->address(), grpc::InsecureChannelCredentials(), args);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  EXPECT_EQ(v1::HealthScoring::NewStub(after)
                ->Score(&context, score_request, &score)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

// Server reflection, spoken over a generic stub: the reflection messages come
// from the descriptors libgrpc++_reflection registers, so the test compiles
// no second copy of reflection.proto (protobuf refuses duplicates).
TEST_F(ServerTest, ReflectionListsTheServices) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const auto* request_type = pool->FindMessageTypeByName(
      "grpc.reflection.v1alpha.ServerReflectionRequest");
  const auto* response_type = pool->FindMessageTypeByName(
      "grpc.reflection.v1alpha.ServerReflectionResponse");
  ASSERT_NE(request_type, nullptr);
  ASSERT_NE(response_type, nullptr);
  google::protobuf::DynamicMessageFactory factory(pool);
  std::unique_ptr<google::protobuf::Message> request(
      factory.GetPrototype(request_type)->New());
  request->GetReflection()->SetString(
      request.get(), request_type->FindFieldByName("list_services"), "");
  std::string bytes = request->SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer out(&slice, 1);

  grpc::GenericStub stub(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  auto call = stub.PrepareCall(
      &context,
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](intptr_t expected) {
    ASSERT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(reinterpret_cast<intptr_t>(tag), expected);
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  call->Write(out, reinterpret_cast<void*>(2));
  step(2);
  call->WritesDone(reinterpret_cast<void*>(3));
  step(3);
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(4));
  step(4);
  ASSERT_TRUE(ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(in.Dump(&slices).ok());
  std::string received;
  for (const auto& s : slices) {
    received.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  std::unique_ptr<google::protobuf::Message> response(
      factory.GetPrototype(response_type)->New());
  ASSERT_TRUE(response->ParseFromString(received));
  const auto* list_field =
      response_type->FindFieldByName("list_services_response");
  const auto& list =
      response->GetReflection()->GetMessage(*response, list_field);
  const auto* service_field = list.GetDescriptor()->FindFieldByName("service");
  std::vector<std::string> names;
  for (int i = 0; i < list.GetReflection()->FieldSize(list, service_field);
       ++i) {
    const auto& service =
        list.GetReflection()->GetRepeatedMessage(list, service_field, i);
    names.push_back(service.GetReflection()->GetString(
        service, service.GetDescriptor()->FindFieldByName("name")));
  }
  EXPECT_THAT(names,
              ::testing::IsSupersetOf(
                  {"healthscore.v1.HealthScoring", "grpc.health.v1.Health",
                   "grpc.reflection.v1alpha.ServerReflection"}));
}

TEST(ServerStart, RefusesAScorecardThatDoesNotBind) {
  const auto dir = testing::MakeTempDir();
  const auto config = testing::WriteFile(dir, "card.yaml", R"(scorecard: bad
version: "1"
bands: [{name: red, grade: F, min: 0}]
dimensions:
  churn: {plugin: churn_oracle, weight: 1}
)");
  Server::Options options;
  options.listen = "127.0.0.1:0";
  options.config_path = config.string();
  options.plugin_dir = testing::BuiltinPluginDir().string();
  auto server = Server::BuildAndStart(options);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(server.status().message(),
              HasSubstr("card.yaml:5: dimensions.churn.plugin: unknown plugin "
                        "'churn_oracle'"));
}

TEST(ServerStart, RefusesAnAddressItCannotBind) {
  Server::Options options;
  options.listen = "127.0.0.1:0";
  options.config_path = DefaultScorecard();
  options.plugin_dir = testing::BuiltinPluginDir().string();
  auto first = Server::BuildAndStart(options);
  ASSERT_TRUE(first.ok()) << first.status();
  options.listen = (*first)->address();
  auto second = Server::BuildAndStart(options);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(),
              HasSubstr("cannot listen on " + (*first)->address()));
}

}  // namespace
}  // namespace healthscore
