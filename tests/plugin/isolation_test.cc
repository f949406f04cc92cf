// Process isolation through the real server on port 0: a plugin that throws,
// crashes, aborts, hangs, sleeps, writes out of bounds or leaks under
// `isolation: process` fails its dimension's rows with the reason, the server
// stays SERVING, the other dimension scores, and once the backoff is over the
// next call is scored by a new child. Plus the time budget in process, the
// scorecard fields and the server default.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "server/config/scorecard.h"
#include "server/engine/snapshot.h"
#include "server/plugin/plugin_process.h"
#include "server/registry/registry.h"
#include "server/server.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::testing::HasSubstr;

// How long a test waits for something that should happen in milliseconds:
// long enough for a loaded machine, short enough to end a stuck test.
constexpr auto kPatience = std::chrono::seconds(60);

// A scorecard with `echo` (test_echo, in process, scores x) and `fault`
// (test_fault, scores x, misbehaves on x == 13) with `fault_fields` and
// `fault_params` added.
std::string Scorecard(const std::string& fault_fields,
                      const std::string& fault_params) {
  return absl::StrCat(R"(scorecard: isolation
version: "1"
bands:
  - {name: green, grade: A, min: 50}
  - {name: red, grade: F, min: 0}
dimensions:
  echo:
    plugin: test_echo
    weight: 50
  fault:
    plugin: test_fault
    weight: 50
)",
                      fault_fields, "    params: {trigger: 13, ", fault_params,
                      "}\n");
}

class IsolationServer {
 public:
  explicit IsolationServer(const std::string& scorecard) {
    const std::filesystem::path dir = testing::MakeTempDir();
    const std::filesystem::path plugins = dir / "plugins";
    std::filesystem::create_directory(plugins);
    for (const char* name : {"test_echo", "test_fault"}) {
      std::filesystem::create_symlink(
          testing::TestPlugin(name),
          plugins / absl::StrCat("lib", name, ".so"));
    }
    Server::Options options;
    options.listen = "127.0.0.1:0";
    options.config_path =
        testing::WriteFile(dir, "isolation.yaml", scorecard).string();
    options.plugin_dir = plugins.string();
    auto server = Server::BuildAndStart(options);
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return;
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::HealthScoring::NewStub(channel_);
    health_ = grpc::health::v1::Health::NewStub(channel_);
  }

  bool ok() const { return server_ != nullptr; }

  // Scores one customer with signal x; the call itself must succeed.
  v1::CustomerScore Score(double x) {
    v1::ScoreRequest request;
    request.mutable_customer()->set_customer_id(absl::StrCat("x", x));
    (*request.mutable_customer()->mutable_signals())["x"] = x;
    request.set_explain(v1::EXPLAIN_FULL);
    v1::ScoreResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub_->Score(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.score();
  }

  bool Serving() {
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    return health_->Check(&context, request, &response).ok() &&
           response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  }

  // The fault dimension's pool of children (nullptr in process).
  const PluginProcess* FaultProcess() const {
    return server_->snapshot()->dimensions()[1].instance->process();
  }

  Server& server() { return *server_; }
  v1::HealthScoring::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::HealthScoring::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

const v1::DimensionResult& Dimension(const v1::CustomerScore& s,
                                     const std::string& name) {
  for (const v1::DimensionResult& d : s.dimensions()) {
    if (d.name() == name) return d;
  }
  ADD_FAILURE() << "no dimension " << name;
  return v1::DimensionResult::default_instance();
}

struct FaultCase {
  std::string name;
  std::string fields;  // more of the fault dimension's fields
  std::string params;  // more of its params
  std::string reason;  // what its FAILED rows say
  bool over_budget = false;
  // Calls with the trigger row until the fault shows (a leak takes a few).
  int calls = 1;
};

class FaultTest : public ::testing::TestWithParam<FaultCase> {};

TEST_P(FaultTest, FailsTheDimensionKeepsServingAndRestartsTheChild) {
  const FaultCase& c = GetParam();
  if (c.name == "Leak" && !plugin_host::kMemoryLimitApplies) {
    GTEST_SKIP() << "a sanitized plugin host has no memory limit to meet";
  }
  IsolationServer server(
      Scorecard(absl::StrCat("    isolation: process\n", c.fields), c.params));
  ASSERT_TRUE(server.ok());
  const PluginProcess* process = server.FaultProcess();
  ASSERT_NE(process, nullptr);

  // A healthy row: scored by the first child.
  v1::CustomerScore s = server.Score(20);
  ASSERT_EQ(Dimension(s, "fault").status(), v1::DIMENSION_STATUS_OK)
      << Dimension(s, "fault").status_reason();
  EXPECT_EQ(Dimension(s, "fault").score(), 20);
  EXPECT_EQ(process->stats().spawns, 1u);

  // The poisoned row.
  for (int i = 0; i < c.calls; ++i) {
    s = server.Score(13);
    if (Dimension(s, "fault").status() != v1::DIMENSION_STATUS_OK) break;
  }
  const v1::DimensionResult& fault = Dimension(s, "fault");
  EXPECT_EQ(fault.status(), v1::DIMENSION_STATUS_FAILED);
  EXPECT_THAT(fault.status_reason(), HasSubstr(c.reason));
  EXPECT_THAT(fault.status_reason(), HasSubstr("restarting it in"));
  const v1::DimensionResult& echo = Dimension(s, "echo");
  EXPECT_EQ(echo.status(), v1::DIMENSION_STATUS_OK) << echo.status_reason();
  EXPECT_EQ(echo.score(), 13);
  EXPECT_TRUE(server.Serving());
  const PluginProcess::Stats after = process->stats();
  EXPECT_EQ(after.deaths, 1u);
  EXPECT_EQ(after.budget_kills, c.over_budget ? 1u : 0u);

  // After the backoff a new child scores again. Until then a call fails at
  // once, saying so; polling, not sleeping, decides when it is over.
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  for (;;) {
    s = server.Score(20);
    if (Dimension(s, "fault").status() == v1::DIMENSION_STATUS_OK) break;
    EXPECT_THAT(Dimension(s, "fault").status_reason(),
                HasSubstr("plugin process is restarting after it"));
    ASSERT_LT(std::chrono::steady_clock::now(), give_up)
        << "no new child within " << kPatience.count() << " s";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Dimension(s, "fault").score(), 20);
  EXPECT_EQ(process->stats().spawns, 2u);
  EXPECT_EQ(process->stats().deaths, 1u);
  EXPECT_TRUE(server.Serving());
}

INSTANTIATE_TEST_SUITE_P(
    EveryFault, FaultTest,
    ::testing::Values(
        FaultCase{"Throw", "", "mode: throw",
                  "plugin process died: a C++ exception crossed the plugin "
                  "ABI (poisoned row)"},
        FaultCase{"Segfault", "", "mode: segfault",
                  "plugin process died: SIGSEGV"},
        FaultCase{"Abort", "", "mode: abort", "plugin process died: SIGABRT"},
        FaultCase{"Spin", "    time_budget_ms: 300\n", "mode: spin",
                  "plugin process exceeded its time budget of 300 ms; killed",
                  true},
        FaultCase{"SleepOverBudget", "    time_budget_ms: 300\n",
                  "mode: sleep, sleep_ms: 20000",
                  "plugin process exceeded its time budget of 300 ms; killed",
                  true},
        FaultCase{"WriteOutOfBounds", "", "mode: oob",
                  "plugin process died: SIGSEGV"},
        // 1 GB of address space a batch against the host's 4 GB limit.
        FaultCase{"Leak", "", "mode: leak, leak_mb: 1024",
                  "plugin process died: SIGSEGV", false, 8}),
    [](const ::testing::TestParamInfo<FaultCase>& info) {
      return info.param.name;
    });

TEST(IsolationTest, InProcessACallOverItsBudgetFailsItsRowsAfterTheFact) {
  IsolationServer server(
      Scorecard("    isolation: in_process\n    time_budget_ms: 50\n",
                "mode: sleep, sleep_ms: 200"));
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(server.FaultProcess(), nullptr);
  const v1::CustomerScore s = server.Score(13);
  const v1::DimensionResult& fault = Dimension(s, "fault");
  EXPECT_EQ(fault.status(), v1::DIMENSION_STATUS_FAILED);
  EXPECT_THAT(fault.status_reason(),
              HasSubstr("over its time budget of 50 ms"));
  EXPECT_THAT(fault.status_reason(), HasSubstr("isolation: process"));
  EXPECT_EQ(Dimension(s, "echo").status(), v1::DIMENSION_STATUS_OK);
  // Under budget, the same plugin scores.
  EXPECT_EQ(Dimension(server.Score(20), "fault").status(),
            v1::DIMENSION_STATUS_OK);
}

TEST(IsolationTest, ABatchScoresTheSameIsolatedAsInProcess) {
  IsolationServer isolated(Scorecard("    isolation: process\n", ""));
  IsolationServer in_process(Scorecard("", ""));
  ASSERT_TRUE(isolated.ok());
  ASSERT_TRUE(in_process.ok());
  for (double x : {0.0, 20.0, 55.5, 100.0}) {
    const v1::CustomerScore a = isolated.Score(x);
    const v1::CustomerScore b = in_process.Score(x);
    EXPECT_EQ(a.score(), b.score()) << x;
    const v1::DimensionResult& fa = Dimension(a, "fault");
    const v1::DimensionResult& fb = Dimension(b, "fault");
    EXPECT_EQ(fa.status(), v1::DIMENSION_STATUS_OK) << fa.status_reason();
    EXPECT_EQ(fa.score(), x);
    ASSERT_EQ(fa.reasons_size(), fb.reasons_size());
    for (int i = 0; i < fa.reasons_size(); ++i) {
      EXPECT_EQ(fa.reasons(i).message(), fb.reasons(i).message());
      EXPECT_EQ(fa.reasons(i).impact(), fb.reasons(i).impact());
    }
  }
}

TEST(IsolationTest, ScorecardFieldsAreCheckedNamingFileLineAndLimit) {
  struct Case {
    std::string fields;
    std::string message;
  };
  const Case cases[] = {
      {"    isolation: sideways\n",
       "iso.yaml:13: dimensions.fault.isolation: 'sideways' is not an "
       "isolation; expected in_process or process"},
      {"    time_budget_ms: 0\n",
       "iso.yaml:13: dimensions.fault.time_budget_ms: 0 is not a whole number "
       "of ms from 1 to 600000"},
      {"    time_budget_ms: 2.5\n",
       "iso.yaml:13: dimensions.fault.time_budget_ms: 2.5 is not a whole "
       "number of ms from 1 to 600000"},
  };
  for (const Case& c : cases) {
    auto spec = ParseScorecard(Scorecard(c.fields, ""), "iso.yaml");
    ASSERT_FALSE(spec.ok()) << c.fields;
    EXPECT_EQ(spec.status().message(), c.message);
  }
  auto spec = ParseScorecard(
      Scorecard("    isolation: process\n    time_budget_ms: 250\n", ""),
      "iso.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->dimensions[1].isolation, Isolation::kProcess);
  EXPECT_EQ(spec->dimensions[1].time_budget_ms, 250);
  EXPECT_EQ(spec->dimensions[0].isolation, std::nullopt);
}

TEST(IsolationTest, TheServerDefaultAppliesWhereTheScorecardSaysNothing) {
  Registry registry;
  ASSERT_TRUE(registry.LoadFile(testing::TestPlugin("test_echo")).ok());
  ASSERT_TRUE(registry.LoadFile(testing::TestPlugin("test_fault")).ok());
  registry.SetDefaultIsolation(Isolation::kProcess);
  // echo says nothing; fault keeps itself in process.
  auto spec =
      ParseScorecard(Scorecard("    isolation: in_process\n", ""), "iso.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto snapshot = Snapshot::Build(*spec, registry);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const PluginInstance& echo = *(*snapshot)->dimensions()[0].instance;
  ASSERT_NE(echo.process(), nullptr);
  EXPECT_EQ(echo.process()->time_budget_ms(), kDefaultProcessTimeBudgetMs);
  EXPECT_EQ((*snapshot)->dimensions()[1].instance->process(), nullptr);
}

}  // namespace
}  // namespace healthscore

namespace healthscore {
namespace {

// Waits for `done` (polled); false after kPatience.
template <typename F>
bool WaitFor(F done) {
  const auto end = std::chrono::steady_clock::now() + kPatience;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// In process, a plugin that sleeps holds a scoring thread; health checks
// are answered on gRPC's own threads all the same, and a call whose deadline
// passes during the sleep stops there: the dimension after it never runs
// (counted by its isolated child's batches).
TEST(IsolationTest, ASleepingPluginBlocksNeitherHealthNorOutlivesItsDeadline) {
  IsolationServer server(R"(scorecard: sleepy
version: "1"
bands:
  - {name: green, grade: A, min: 50}
  - {name: red, grade: F, min: 0}
dimensions:
  fault:
    plugin: test_fault
    weight: 50
    params: {trigger: 13, mode: sleep, sleep_ms: 800}
  echo:
    plugin: test_echo
    weight: 50
    isolation: process
)");
  ASSERT_TRUE(server.ok());
  server.Score(1);  // no trigger: both dimensions, the child started
  const uint64_t warm = PluginProcess::TotalStats().batches;

  // Every scoring thread asleep in the plugin.
  const int threads =
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> sleepers;
  for (int t = 0; t < threads; ++t) {
    sleepers.emplace_back([&] { server.Score(13); });
  }
  ASSERT_TRUE(WaitFor(
      [&] { return server.server().scoring_queue().running() == threads; }));
  {
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(500));
    const grpc::Status status =
        grpc::health::v1::Health::NewStub(
            grpc::CreateChannel(server.server().address(),
                                grpc::InsecureChannelCredentials()))
            ->Check(&context, {}, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.status(),
              grpc::health::v1::HealthCheckResponse::SERVING);
  }
  for (std::thread& t : sleepers) t.join();
  const uint64_t after_sleepers = PluginProcess::TotalStats().batches;
  EXPECT_EQ(after_sleepers, warm + threads);

  // A deadline shorter than the sleep: the client hears DEADLINE_EXCEEDED,
  // and the server stops after the sleeping dimension.
  v1::ScoreRequest request;
  request.mutable_customer()->set_customer_id("late");
  (*request.mutable_customer()->mutable_signals())["x"] = 13;
  v1::ScoreResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(200));
  EXPECT_EQ(server.stub().Score(&context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  ASSERT_TRUE(WaitFor([&] {
    return server.server().scoring_queue().running() == 0 &&
           server.server().scoring_queue().queued_rows() == 0;
  }));
  EXPECT_EQ(PluginProcess::TotalStats().batches, after_sleepers);
}

}  // namespace
}  // namespace healthscore
