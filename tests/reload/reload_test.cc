// Hot reload and the admin API (healthscore.v1.Registry) on the real server:
// port 0, real gRPC, real files. Reloads under load (file rename and RPC),
// broken scorecards refused while scoring goes on, plugin versions loaded,
// switched to and unloaded, and a dry run checked by hand.
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/registry.grpc.pb.h"
#include "server/config/scorecard.h"
#include "server/server.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr double kNaN = NAN;

// Two test_echo dimensions: echo_x scores scale * x, echo_y scores scale * y.
// {version}, {pin}, the weights and scales are filled in per scorecard.
std::string EchoScorecard(const std::string& version, double wx, double sx,
                          double wy, double sy,
                          const std::string& plugin = "test_echo") {
  return absl::StrCat(R"(scorecard: echo
version: ")",
                      version, R"("
bands:
  - {name: green,  grade: A, min: 70}
  - {name: yellow, grade: C, min: 40}
  - {name: red,    grade: F, min: 0}
dimensions:
  echo_x: {plugin: )",
                      plugin, ", weight: ", wx, ", params: {scale: ", sx,
                      R"(}}
  echo_y: {plugin: )",
                      plugin, ", weight: ", wy, ", params: {scale: ", sy,
                      R"(, use_y: 1}}
)");
}

// A and B: different versions and weights, so every customer below scores
// differently under each.
const std::string& ScorecardA() {
  static const std::string* kText =
      new std::string(EchoScorecard("A-1", 1, 1, 1, 2));
  return *kText;
}
const std::string& ScorecardB() {
  static const std::string* kText =
      new std::string(EchoScorecard("B-2", 3, 1.5, 1, 1));
  return *kText;
}

// test_echo 1.1.0, built by tests/plugins/CMakeLists.txt beside test_plugins/.
std::filesystem::path EchoV110() {
  return testing::TestPlugin("test_echo")
             .parent_path()
             .parent_path()
             .parent_path()
             .parent_path() /
         "test_plugins_upgrade/test_echo/1.1.0/libtest_echo.so";
}

// Replaces `path` the way editors and config tools do: a temp file in the
// same directory, renamed over it (one atomic step, a new inode).
void WriteByRename(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temp =
      path.parent_path() / ("." + path.filename().string() + ".tmp");
  testing::WriteFile(path.parent_path(), temp.filename().string(), text);
  std::filesystem::rename(temp, path);
}

class AdminTest : public ::testing::Test {
 protected:
  void Start(const std::string& scorecard, bool watch,
             const std::string& allowlist = "",
             const std::function<void(Server::Options&)>& adjust = nullptr) {
    dir_ = testing::MakeTempDir();
    plugin_dir_ = dir_ / "plugins";
    std::filesystem::create_directories(plugin_dir_ / "test_echo/1.0.0");
    std::filesystem::copy_file(testing::TestPlugin("test_echo"),
                               plugin_dir_ / "test_echo/1.0.0/libtest_echo.so");
    // A file that is not a plugin: listed FAILED, and the server serves.
    testing::WriteFile(plugin_dir_, "libbroken.so", "not a shared library");
    config_ = testing::WriteFile(dir_, "scorecard.yaml", scorecard);
    Server::Options options;
    options.listen = "127.0.0.1:0";
    options.admin_listen = "127.0.0.1:0";
    options.config_path = config_.string();
    options.plugin_dir = plugin_dir_.string();
    options.watch_config = watch;
    options.plugin_allowlist = allowlist;
    if (adjust) adjust(options);
    auto server = Server::BuildAndStart(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    ASSERT_GT(server_->admin_port(), 0);
    ASSERT_NE(server_->admin_port(), server_->port());
    public_ = grpc::CreateChannel(server_->address(),
                                  grpc::InsecureChannelCredentials());
    admin_ = grpc::CreateChannel(server_->admin_address(),
                                 grpc::InsecureChannelCredentials());
    scoring_ = v1::HealthScoring::NewStub(public_);
    registry_ = v1::Registry::NewStub(admin_);
  }

  std::string LiveHash() {
    v1::GetScorecardResponse response;
    grpc::ClientContext context;
    if (!scoring_->GetScorecard(&context, {}, &response).ok()) return "";
    return response.scorecard().hash();
  }

  // Polls GetScorecard until `hash` is live; false only if the server seems
  // hung (testing::WaitFor's outer bound).
  bool WaitForHash(const std::string& hash) {
    return testing::WaitFor([&] { return LiveHash() == hash; });
  }

  v1::ReloadResponse Reload(bool rescan = false) {
    v1::ReloadRequest request;
    request.set_rescan_plugins(rescan);
    v1::ReloadResponse response;
    grpc::ClientContext context;
    const grpc::Status status = registry_->Reload(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Scores one customer (x, y) and returns the response; fails the test on a
  // bad status.
  v1::ScoreResponse Score(double x, double y) {
    v1::ScoreRequest request;
    request.mutable_customer()->set_customer_id("probe");
    if (!std::isnan(x))
      (*request.mutable_customer()->mutable_signals())["x"] = x;
    if (!std::isnan(y))
      (*request.mutable_customer()->mutable_signals())["y"] = y;
    request.set_explain(v1::EXPLAIN_NONE);
    v1::ScoreResponse response;
    grpc::ClientContext context;
    const grpc::Status status = scoring_->Score(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::vector<v1::PluginInfo> ListPlugins() {
    v1::ListPluginsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(registry_->ListPlugins(&context, {}, &response).ok());
    return {response.plugins().begin(), response.plugins().end()};
  }

  // 50 reloads alternating A and B, each written by rename, while two
  // clients score continuously; via the Reload RPC or the file watcher.
  void ReloadUnderLoad(bool via_rpc);

  const v1::PluginInfo* FindPlugin(const std::vector<v1::PluginInfo>& plugins,
                                   const std::string& name,
                                   const std::string& version) {
    for (const v1::PluginInfo& p : plugins) {
      if (p.name() == name && p.version() == version) return &p;
    }
    return nullptr;
  }

  std::filesystem::path dir_;
  std::filesystem::path plugin_dir_;
  std::filesystem::path config_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> public_;
  std::shared_ptr<grpc::Channel> admin_;
  std::unique_ptr<v1::HealthScoring::Stub> scoring_;
  std::unique_ptr<v1::Registry::Stub> registry_;
};

// The known customers of the load test, and their score under A and B,
// worked by hand (not by a copy of the engine's formula):
//   A: echo_x = 1 * x, echo_y = 2 * y, weights 1 and 1: (x + 2y) / 2
//   B: echo_x = 1.5 * x, echo_y = 1 * y, weights 3 and 1: (3 * 1.5x + y) / 4
//   c1 x=40 y=20: A (40 + 40) / 2 = 40   B (3 * 60 + 20) / 4 = 200 / 4 = 50
//   c2 x=10 y=30: A (10 + 60) / 2 = 35   B (3 * 15 + 30) / 4 = 75 / 4 = 18.75
//   c3 x=66 y=12: A (66 + 24) / 2 = 45   B (3 * 99 + 12) / 4 = 309 / 4 = 77.25
//   c4 x=0  y=45: A (0 + 90) / 2 = 45    B (3 * 0 + 45) / 4 = 45 / 4 = 11.25
// Every customer scores differently under A and B, so a reply scored by one
// scorecard and labelled with the other's hash is caught.
struct Customer {
  std::string id;
  double x;
  double y;
  double under_a;
  double under_b;
};
const Customer kCustomers[] = {{"c1", 40, 20, 40, 50},
                               {"c2", 10, 30, 35, 18.75},
                               {"c3", 66, 12, 45, 77.25},
                               {"c4", 0, 45, 45, 11.25}};

struct LoadCounts {
  // Calls finished, read by the main thread while the client runs.
  std::atomic<int> finished{0};
  // The scorecard hash of the last reply (read after the client stopped).
  std::string last_hash;
  int calls = 0;
  int ok = 0;
  int failed = 0;
  int under_a = 0;
  int under_b = 0;
  int inconsistent = 0;
  std::string first_problem;
};

// Scores kCustomers as a batch again and again until `stop`, checking every
// response against the two scorecards.
void ScoreContinuously(v1::HealthScoring::Stub& stub, const std::string& hash_a,
                       const std::string& hash_b, std::atomic<bool>& stop,
                       LoadCounts& counts) {
  v1::ScoreBatchRequest request;
  request.add_signal_names("x");
  request.add_signal_names("y");
  request.set_explain(v1::EXPLAIN_NONE);
  for (const Customer& c : kCustomers) {
    v1::Row* row = request.add_rows();
    row->set_customer_id(c.id);
    row->add_values(c.x);
    row->add_values(c.y);
  }
  auto problem = [&](const std::string& what) {
    ++counts.inconsistent;
    if (counts.first_problem.empty()) counts.first_problem = what;
  };
  while (!stop.load()) {
    v1::ScoreBatchResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub.ScoreBatch(&context, request, &response);
    ++counts.calls;
    ++counts.finished;
    if (!status.ok()) {
      ++counts.failed;
      if (counts.first_problem.empty()) {
        counts.first_problem = status.error_message();
      }
      continue;
    }
    ++counts.ok;
    const std::string& hash = response.provenance().scorecard_hash();
    counts.last_hash = hash;
    const bool is_a = hash == hash_a;
    if (!is_a && hash != hash_b) {
      problem("unknown hash " + hash);
      continue;
    }
    ++(is_a ? counts.under_a : counts.under_b);
    // One result per customer, in order: a short or empty reply is wrong.
    if (response.results_size() != static_cast<int>(std::size(kCustomers))) {
      problem(absl::StrCat(response.results_size(), " results for ",
                           std::size(kCustomers), " customers"));
      continue;
    }
    for (int i = 0; i < response.results_size(); ++i) {
      const Customer& c = kCustomers[i];
      const v1::CustomerResult& r = response.results(i);
      const double expected = is_a ? c.under_a : c.under_b;
      if (r.customer_id() != c.id || !r.has_score() ||
          r.score().provenance().scorecard_hash() != hash ||
          std::abs(r.score().score() - expected) > 1e-9) {
        problem(absl::StrCat("result ", i, " (", r.customer_id(), ") scored ",
                             r.score().score(), " under ", is_a ? "A" : "B",
                             "; expected ", c.id, " ", expected));
      }
    }
  }
}

void AdminTest::ReloadUnderLoad(bool via_rpc) {
  const std::string hash_a = Sha256Hex(ScorecardA());
  const std::string hash_b = Sha256Hex(ScorecardB());
  ASSERT_NE(hash_a, hash_b);
  ASSERT_EQ(LiveHash(), hash_a);
  // The scores must differ, or consistency would prove nothing.
  for (const Customer& c : kCustomers) ASSERT_NE(c.under_a, c.under_b) << c.id;
  const ReloadCounters before = server_->reloader().counters();

  std::atomic<bool> stop{false};
  LoadCounts counts[2];
  std::vector<std::thread> clients;
  for (LoadCounts& c : counts) {
    clients.emplace_back(
        [&, &c = c] { ScoreContinuously(*scoring_, hash_a, hash_b, stop, c); });
  }
  constexpr int kReloads = 50;  // even: A is live at the end
  bool hung = false;
  for (int i = 0; i < kReloads && !hung; ++i) {
    const bool to_b = i % 2 == 0;
    WriteByRename(config_, to_b ? ScorecardB() : ScorecardA());
    if (via_rpc) {
      const v1::ReloadResponse reply = Reload();
      EXPECT_TRUE(reply.ok()) << reply.error();
      EXPECT_EQ(reply.scorecard_hash(), to_b ? hash_b : hash_a);
    }
    hung = !WaitForHash(to_b ? hash_b : hash_a);
  }
  // Each client finishes two more calls: the second began after the last
  // scorecard went live, so every client's last reply is under it.
  int seen[2];
  for (int i = 0; i < 2; ++i) seen[i] = counts[i].finished.load();
  const bool clients_went_on = testing::WaitFor([&] {
    return counts[0].finished.load() >= seen[0] + 2 &&
           counts[1].finished.load() >= seen[1] + 2;
  });
  stop = true;
  for (std::thread& t : clients) t.join();
  ASSERT_FALSE(hung) << "a reload never went live (hung server?)";
  ASSERT_TRUE(clients_went_on) << "a client stopped getting replies";
  for (const LoadCounts& c : counts) EXPECT_EQ(c.last_hash, hash_a);

  LoadCounts total;
  for (const LoadCounts& c : counts) {
    total.calls += c.calls;
    total.ok += c.ok;
    total.failed += c.failed;
    total.under_a += c.under_a;
    total.under_b += c.under_b;
    total.inconsistent += c.inconsistent;
    if (total.first_problem.empty()) total.first_problem = c.first_problem;
  }
  // A reload is counted just after its swap: let the last count land.
  testing::WaitFor([&] {
    const ReloadCounters c = server_->reloader().counters();
    return (c.successes - c.unchanged) -
               (before.successes - before.unchanged) >=
           kReloads;
  });
  const ReloadCounters after = server_->reloader().counters();
  const int64_t swaps = (after.successes - after.unchanged) -
                        (before.successes - before.unchanged);
  std::cout << "[reload under load, "
            << (via_rpc ? "Reload RPC" : "file rename") << "] reloads "
            << kReloads << " (snapshots swapped " << swaps << ", unchanged "
            << after.unchanged - before.unchanged << ", failed "
            << after.failures - before.failures << "); ScoreBatch calls "
            << total.calls << ": OK " << total.ok << ", failed " << total.failed
            << "; under A " << total.under_a << ", under B " << total.under_b
            << ", inconsistent " << total.inconsistent << "\n";
  EXPECT_EQ(total.failed, 0) << total.first_problem;
  EXPECT_EQ(total.inconsistent, 0) << total.first_problem;
  EXPECT_EQ(total.ok, total.calls);
  EXPECT_GT(total.under_a, 0);
  EXPECT_GT(total.under_b, 0);
  EXPECT_EQ(swaps, kReloads);
  EXPECT_EQ(after.failures, before.failures);
}

TEST_F(AdminTest, FiftyReloadsByFileRenameUnderLoadFailNoRequest) {
  Start(ScorecardA(), /*watch=*/true);
  ReloadUnderLoad(/*via_rpc=*/false);
}

TEST_F(AdminTest, FiftyReloadsByRpcUnderLoadFailNoRequest) {
  Start(ScorecardA(), /*watch=*/false);
  ReloadUnderLoad(/*via_rpc=*/true);
}

TEST_F(AdminTest, AnEditInPlaceIsPickedUpToo) {
  Start(ScorecardA(), /*watch=*/true);
  // Truncate and write, as `cat > file` or an editor without backups does.
  testing::WriteFile(dir_, "scorecard.yaml", ScorecardB());
  EXPECT_TRUE(WaitForHash(Sha256Hex(ScorecardB())));
  EXPECT_DOUBLE_EQ(Score(40, 20).score().score(), 50);  // (3*60 + 20) / 4
}

TEST_F(AdminTest, AnUnchangedFileIsANoOpSuccess) {
  Start(ScorecardA(), /*watch=*/false);
  const v1::ReloadResponse reply = Reload();
  EXPECT_TRUE(reply.ok());
  EXPECT_FALSE(reply.changed());
  EXPECT_THAT(reply.message(), HasSubstr("is unchanged"));
  EXPECT_THAT(reply.message(), HasSubstr("nothing to do"));
  EXPECT_EQ(reply.scorecard_hash(), Sha256Hex(ScorecardA()));
  EXPECT_EQ(reply.scorecard_version(), "A-1");
  // The start was the first success; this one the second, and unchanged.
  EXPECT_EQ(reply.counters().successes(), 2);
  EXPECT_EQ(reply.counters().unchanged(), 1);
  EXPECT_EQ(reply.counters().failures(), 0);
  EXPECT_GT(reply.counters().last_success_time().seconds(), 0);
}

TEST_F(AdminTest, TwentyBrokenScorecardsAreRefusedWhileScoringGoesOn) {
  Start(ScorecardA(), /*watch=*/false);
  const std::string hash_a = Sha256Hex(ScorecardA());
  const std::string a = ScorecardA();
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string text = absl::StrReplaceAll(a, {{from, to}});
    EXPECT_NE(text, a) << from;
    return text;
  };
  std::string deep_lists = a;
  deep_lists.insert(
      deep_lists.find("use_y: 1"),
      "deep: " + std::string(10000, '[') + std::string(10000, ']') + ", ");
  std::string deep_maps = a + "extra: ";
  for (int i = 0; i < 10000; ++i) deep_maps += "{a: ";
  deep_maps += "1" + std::string(10000, '}') + "\n";
  std::string deep_dashes = a + "extra:\n  ";
  for (int i = 0; i < 10000; ++i) deep_dashes += "- ";
  deep_dashes += "x\n";

  struct Case {
    std::string name;
    std::string text;
    std::string message;  // a part of the error
  };
  const std::vector<Case> cases = {
      {"syntax error", "scorecard: [echo\nversion: 1\n", "invalid YAML"},
      {"unknown plugin",
       replace("echo_y: {plugin: test_echo", "echo_y: {plugin: churn_oracle"),
       "dimensions.echo_y.plugin: unknown plugin 'churn_oracle'"},
      {"unknown plugin version",
       replace("echo_x: {plugin: test_echo", "echo_x: {plugin: test_echo@9.9"),
       "unknown plugin 'test_echo@9.9'"},
      {"negative weight",
       replace("weight: 1, params: {scale: 1}",
               "weight: -5, params: {scale: 1}"),
       "-5 is negative; weights must be >= 0"},
      {"weights add up to zero", EchoScorecard("A-1", 0, 1, 0, 2),
       "the total weight must be above 0"},
      {"weight not a number",
       replace("weight: 1, params: {scale: 1}",
               "weight: heavy, params: {scale: 1}"),
       "expected a number, got 'heavy'"},
      {"missing bands",
       "scorecard: echo\nversion: \"A-1\"\ndimensions:\n  echo_x: {plugin: "
       "test_echo, weight: 1}\n",
       "bands: is required"},
      {"overlapping bands",
       replace("{name: yellow, grade: C, min: 40}",
               "{name: yellow, grade: C, min: 70}"),
       "overlap"},
      {"band above 100", replace("min: 70}", "min: 170}"), "outside 0-100"},
      {"no band from 0", replace("grade: F, min: 0}", "grade: F, min: 10}"),
       "have no band"},
      {"unknown top-level field", a + "wieghts: {echo_x: 2}\n",
       "wieghts: unknown field"},
      {"unknown dimension field",
       replace("echo_x: {plugin: test_echo, weight",
               "echo_x: {plugin: test_echo, wieght"),
       "unknown field"},
      {"param above its maximum", replace("scale: 2,", "scale: 50,"),
       "scale: 50 is above the maximum 10"},
      {"unknown parameter", replace("params: {scale: 1}", "params: {sclae: 1}"),
       "unknown parameter for plugin test_echo@1.0.0"},
      {"parameter refused by the plugin",
       replace("use_y: 1", "use_y: 1, refuse: 1"), "refused its parameters"},
      {"missing version", replace("version: \"A-1\"\n", ""),
       "version: is required"},
      {"empty file", "", "expected a mapping"},
      {"10,000 nested lists", deep_lists, "nesting: more than 64 levels deep"},
      {"10,000 nested mappings", deep_maps,
       "nesting: more than 64 levels deep"},
      {"10,000 nested sequences", deep_dashes,
       "nesting: more than 64 levels deep"},
      {"file over 4 MiB", a + "# " + std::string(5 << 20, 'x') + "\n",
       "bytes; the limit is 4194304"},
  };
  ASSERT_GE(cases.size(), 20u);
  int64_t failures = Reload().counters().failures();  // unchanged: 0
  for (const Case& c : cases) {
    WriteByRename(config_, c.text);
    const v1::ReloadResponse reply = Reload();
    std::cout << "[broken scorecard] " << c.name << ": "
              << reply.error().substr(0, 300) << "\n";
    EXPECT_FALSE(reply.ok()) << c.name;
    EXPECT_FALSE(reply.changed()) << c.name;
    EXPECT_THAT(reply.error(), HasSubstr(c.message)) << c.name;
    EXPECT_NE(reply.error_code(), 0) << c.name;
    EXPECT_THAT(reply.message(), HasSubstr("stays live")) << c.name;
    EXPECT_EQ(reply.scorecard_hash(), hash_a) << c.name;
    EXPECT_EQ(reply.counters().failures(), ++failures) << c.name;
    EXPECT_EQ(reply.counters().last_error(), reply.error()) << c.name;
    EXPECT_EQ(reply.counters().last_error_trigger(), "rpc") << c.name;
    // Scoring goes on, on the old scorecard.
    const v1::ScoreResponse score = Score(40, 20);
    EXPECT_EQ(score.score().provenance().scorecard_hash(), hash_a) << c.name;
    EXPECT_DOUBLE_EQ(score.score().score(), 40) << c.name;  // (40 + 2*20) / 2
  }
  // A good file goes live after all that.
  WriteByRename(config_, ScorecardB());
  const v1::ReloadResponse reply = Reload();
  EXPECT_TRUE(reply.ok()) << reply.error();
  EXPECT_TRUE(reply.changed());
  EXPECT_EQ(reply.scorecard_version(), "B-2");
  EXPECT_EQ(reply.counters().failures(), failures);
  EXPECT_DOUBLE_EQ(Score(40, 20).score().score(), 50);
  // The same, read without reloading.
  v1::GetReloadStatusResponse status;
  grpc::ClientContext context;
  ASSERT_TRUE(registry_->GetReloadStatus(&context, {}, &status).ok());
  EXPECT_EQ(status.scorecard_version(), "B-2");
  EXPECT_EQ(status.scorecard_hash(), Sha256Hex(ScorecardB()));
  EXPECT_EQ(status.config_path(), config_.string());
  EXPECT_EQ(status.counters().failures(), failures);
  EXPECT_EQ(status.counters().successes(), reply.counters().successes());
  EXPECT_EQ(status.counters().last_error_trigger(), "rpc");
}

TEST_F(AdminTest, PluginVersionsLoadSwitchAndUnload) {
  Start(EchoScorecard("pinned-1.0", 1, 1, 1, 2, "test_echo@1.0.0"),
        /*watch=*/false);
  // Loaded at start: test_echo 1.0.0, used by both dimensions; the broken
  // file FAILED with its reason.
  std::vector<v1::PluginInfo> plugins = ListPlugins();
  const v1::PluginInfo* v100 = FindPlugin(plugins, "test_echo", "1.0.0");
  ASSERT_NE(v100, nullptr);
  EXPECT_EQ(v100->state(), v1::PluginInfo::STATE_READY);
  EXPECT_EQ(v100->abi_version(), "2.0");
  EXPECT_THAT(v100->used_by(), ElementsAre("echo_x", "echo_y"));
  EXPECT_GT(v100->load_time().seconds(), 0);
  EXPECT_THAT(v100->path(), HasSubstr("test_echo/1.0.0/libtest_echo.so"));
  const v1::PluginInfo* broken = FindPlugin(plugins, "libbroken", "");
  ASSERT_NE(broken, nullptr);
  EXPECT_EQ(broken->state(), v1::PluginInfo::STATE_FAILED);
  EXPECT_THAT(broken->state_reason(),
              HasSubstr("cannot be loaded as a shared library"));
  EXPECT_DOUBLE_EQ(Score(40, 20).score().score(), 40);  // (40 + 40) / 2

  // A name@version that is not in the plugin dir yet.
  {
    v1::LoadPluginRequest request;
    request.set_plugin("test_echo@1.1.0");
    v1::LoadPluginResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        registry_->LoadPlugin(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(
        status.error_message(),
        HasSubstr("no file at " +
                  (plugin_dir_ / "test_echo/1.1.0/libtest_echo.so").string()));
  }
  // The new version arrives next to the old one and is loaded by name.
  std::filesystem::create_directories(plugin_dir_ / "test_echo/1.1.0");
  std::filesystem::copy_file(EchoV110(),
                             plugin_dir_ / "test_echo/1.1.0/libtest_echo.so");
  {
    v1::LoadPluginRequest request;
    request.set_plugin("test_echo@1.1.0");
    v1::LoadPluginResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        registry_->LoadPlugin(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.plugin().name(), "test_echo");
    EXPECT_EQ(response.plugin().version(), "1.1.0");
    EXPECT_EQ(response.plugin().state(), v1::PluginInfo::STATE_READY);
    EXPECT_THAT(response.plugin().used_by(), IsEmpty());
  }
  // The live scorecard pins 1.0.0: it is still what scores, and it cannot go.
  EXPECT_DOUBLE_EQ(Score(40, 20).score().score(), 40);
  {
    v1::UnloadPluginRequest request;
    request.set_plugin("test_echo@1.0.0");
    v1::UnloadPluginResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        registry_->UnloadPlugin(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(status.error_message(),
                HasSubstr("plugin test_echo@1.0.0 is in use by the live "
                          "scorecard echo version pinned-1.0"));
    EXPECT_THAT(status.error_message(), HasSubstr("dimensions echo_x, echo_y"));
  }
  // Switch the scorecard to 1.1.0, which scores 5 points more per dimension.
  WriteByRename(config_,
                EchoScorecard("pinned-1.1", 1, 1, 1, 2, "test_echo@1.1.0"));
  v1::ReloadResponse reply = Reload();
  ASSERT_TRUE(reply.ok()) << reply.error();
  EXPECT_TRUE(reply.changed());
  const v1::ScoreResponse score = Score(40, 20);
  EXPECT_DOUBLE_EQ(score.score().score(), 45);  // (40+5 + 40+5) / 2
  EXPECT_THAT(score.score().provenance().plugins(),
              ElementsAre("test_echo@1.1.0"));
  // Now the old one can go.
  {
    v1::UnloadPluginRequest request;
    request.set_plugin("test_echo@1.0.0");
    v1::UnloadPluginResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        registry_->UnloadPlugin(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.plugin().state(), v1::PluginInfo::STATE_UNLOADED);
    EXPECT_GT(response.plugin().unload_time().seconds(), 0);
  }
  plugins = ListPlugins();
  ASSERT_NE(FindPlugin(plugins, "test_echo", "1.0.0"), nullptr);
  EXPECT_EQ(FindPlugin(plugins, "test_echo", "1.0.0")->state(),
            v1::PluginInfo::STATE_UNLOADED);
  EXPECT_THAT(FindPlugin(plugins, "test_echo", "1.1.0")->used_by(),
              ElementsAre("echo_x", "echo_y"));
  // No new scorecard can bind the unloaded version, and the error says why.
  WriteByRename(config_,
                EchoScorecard("back-1.0", 1, 1, 1, 2, "test_echo@1.0.0"));
  reply = Reload();
  EXPECT_FALSE(reply.ok());
  EXPECT_THAT(reply.error(),
              HasSubstr("unknown plugin 'test_echo@1.0.0'; the registry has"));
  EXPECT_THAT(reply.error(), HasSubstr("unloaded: test_echo@1.0.0"));
  EXPECT_DOUBLE_EQ(Score(40, 20).score().score(), 45);
  // Unpinned, "test_echo" takes the newest READY version.
  WriteByRename(config_, EchoScorecard("newest", 1, 1, 1, 2));
  reply = Reload();
  ASSERT_TRUE(reply.ok()) << reply.error();
  EXPECT_THAT(Score(40, 20).score().provenance().plugins(),
              ElementsAre("test_echo@1.1.0"));
}

TEST_F(AdminTest, APluginThatFailsToLoadIsFailedAndServingGoesOn) {
  Start(ScorecardA(), /*watch=*/false);
  const std::filesystem::path bad =
      testing::WriteFile(plugin_dir_, "bad/9.9/libbad.so", "garbage");
  v1::LoadPluginRequest request;
  request.set_plugin(bad.string());
  v1::LoadPluginResponse response;
  grpc::ClientContext context;
  const grpc::Status status =
      registry_->LoadPlugin(&context, request, &response);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.error_message(), HasSubstr(bad.string()));
  EXPECT_THAT(status.error_message(),
              HasSubstr("cannot be loaded as a shared library"));
  const std::vector<v1::PluginInfo> plugins = ListPlugins();
  const v1::PluginInfo* failed = FindPlugin(plugins, "libbad", "");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->state(), v1::PluginInfo::STATE_FAILED);
  EXPECT_EQ(failed->path(), bad.string());
  EXPECT_THAT(failed->state_reason(),
              HasSubstr("cannot be loaded as a shared library"));
  // The service keeps serving, on the same scorecard.
  const v1::ScoreResponse score = Score(40, 20);
  EXPECT_DOUBLE_EQ(score.score().score(), 40);
  EXPECT_EQ(score.score().provenance().scorecard_hash(),
            Sha256Hex(ScorecardA()));
  // A path climbing out of the plugin dir is not a name@version.
  v1::LoadPluginRequest climbing;
  climbing.set_plugin("..@1.0");
  grpc::ClientContext context2;
  EXPECT_EQ(registry_->LoadPlugin(&context2, climbing, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// LoadPlugin runs the plugin's code as the server: it loads only regular
// files under the plugin dir (links resolved) that neither group nor others
// can write, and, with an allow-list, only listed digests. Each refusal says
// which rule and what to do.
TEST_F(AdminTest, LoadPluginRefusesWhatThePolicyDoesNotAllow) {
  namespace fs = std::filesystem;
  const fs::path allowlist = testing::MakeTempDir() / "allowlist";
  testing::WriteFile(allowlist.parent_path(), "allowlist",
                     "# nothing allowed yet\n");
  Start(ScorecardA(), /*watch=*/false, allowlist.string());
  auto load = [&](const std::string& plugin) {
    v1::LoadPluginRequest request;
    request.set_plugin(plugin);
    v1::LoadPluginResponse response;
    grpc::ClientContext context;
    return registry_->LoadPlugin(&context, request, &response);
  };
  const fs::path dir = fs::canonical(plugin_dir_);
  // Outside the plugin dir.
  const std::string outside = testing::TestPlugin("test_named").string();
  grpc::Status status = load(outside);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      status.error_message(),
      absl::StrCat("plugin ", outside, " outside --plugin-dir ", dir.string(),
                   ": LoadPlugin loads only files under it (loading a "
                   "plugin runs its code as the server's user; "
                   "docs/admin.md)"));
  // Inside, but a link to a file outside.
  fs::create_directories(plugin_dir_ / "test_named/1.0.0");
  fs::create_symlink(outside,
                     plugin_dir_ / "test_named/1.0.0/libtest_named.so");
  status = load("test_named@1.0.0");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr(" resolves to "));
  EXPECT_THAT(status.error_message(), HasSubstr("outside --plugin-dir"));
  // A real copy, writable by everyone.
  fs::remove(plugin_dir_ / "test_named/1.0.0/libtest_named.so");
  const fs::path copy = plugin_dir_ / "test_named/1.0.0/libtest_named.so";
  fs::copy_file(outside, copy);
  fs::permissions(copy, fs::perms::others_write, fs::perm_options::add);
  status = load("test_named@1.0.0");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("is writable by everyone (mode 0757): whoever can "
                        "write it chooses the code the server runs"));
  // The file is fine, its folder is group-writable.
  fs::permissions(copy, fs::perms::others_write, fs::perm_options::remove);
  fs::permissions(copy.parent_path(), fs::perms::group_write,
                  fs::perm_options::add);
  status = load("test_named@1.0.0");
  EXPECT_THAT(status.error_message(),
              HasSubstr(absl::StrCat(dir.string(),
                                     "/test_named/1.0.0 is writable by its "
                                     "group (mode 0775)")));
  // Permissions right, digest not listed.
  fs::permissions(copy.parent_path(), fs::perms::group_write,
                  fs::perm_options::remove);
  std::ifstream in(copy, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  const std::string digest = Sha256Hex(bytes);
  status = load("test_named@1.0.0");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(),
            absl::StrCat("plugin ", dir.string(),
                         "/test_named/1.0.0/libtest_named.so (sha256 ", digest,
                         ") is not in --plugin-allowlist ", allowlist.string(),
                         ": add its digest there to allow it"));
  // Listed (in capitals, with a comment): loaded.
  testing::WriteFile(allowlist.parent_path(), "allowlist",
                     absl::AsciiStrToUpper(digest) + "  # test_named 1.0.0\n");
  status = load("test_named@1.0.0");
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(AdminTest, ReloadCanRescanThePluginDirFirst) {
  Start(ScorecardA(), /*watch=*/false);
  std::filesystem::create_directories(plugin_dir_ / "test_named/1.0.0");
  std::filesystem::copy_file(testing::TestPlugin("test_named"),
                             plugin_dir_ / "test_named/1.0.0/libtest_named.so");
  const v1::ReloadResponse reply = Reload(/*rescan=*/true);
  EXPECT_TRUE(reply.ok()) << reply.error();
  EXPECT_THAT(reply.plugins_loaded(), ElementsAre("test_named@1.0.0"));
  // libbroken.so failed at start and is tried again.
  ASSERT_EQ(reply.plugins_failed_size(), 1);
  EXPECT_THAT(reply.plugins_failed(0), HasSubstr("libbroken.so"));
  // A second rescan finds nothing new to load.
  const v1::ReloadResponse again = Reload(/*rescan=*/true);
  EXPECT_THAT(again.plugins_loaded(), IsEmpty());
  EXPECT_EQ(FindPlugin(ListPlugins(), "test_named", "1.0.0")->state(),
            v1::PluginInfo::STATE_READY);
}

// Active: echo_x (weight 1, scale 1) + echo_y (weight 1, scale 2): (x + 2y)/2.
// Draft:  echo_x (weight 3, scale 1) + echo_y (weight 1, scale 1): (3x + y)/4.
// Bands: green >= 70, yellow >= 40, red below.
//
//   row   x    y    active            draft
//   c1    80   40   80    green       70     green  (70 is green)
//   c2    60   30   60    yellow      52.5   yellow
//   c3    90   10   55    yellow      70     green   yellow -> green
//   c4    30   45   60    yellow      33.75  red     yellow -> red
//   c5    20   40   50    yellow      25     red     yellow -> red
//   c6    100  50   100   green       87.5   green
//   c7    50   0    25    red         37.5   red
//   c8    70   5    40    yellow      53.75  yellow  (40 is yellow)
//   c9    -    30   60    yellow      30     red     yellow -> red (only y)
//   c10   -    -    not scored under either: not compared
//
// Moves: 3 yellow -> red, 1 yellow -> green; 9 compared, 5 unchanged.
// Bands now: green 2, yellow 6, red 1; draft: green 3, yellow 2, red 4.
// Score change: -10 -7.5 +15 -26.25 -25 -12.5 +12.5 +13.75 -30 = -70; / 9.
TEST_F(AdminTest, DryRunSaysHowBandsWouldMoveWithoutActivating) {
  Start(ScorecardA(), /*watch=*/false);
  v1::DryRunRequest request;
  request.set_scorecard_yaml(EchoScorecard("draft-1", 3, 1, 1, 1));
  request.set_source("draft.yaml");
  v1::ScoreBatchRequest& batch = *request.mutable_batch();
  batch.add_signal_names("x");
  batch.add_signal_names("y");
  batch.set_explain(v1::EXPLAIN_NONE);
  const std::vector<std::tuple<std::string, double, double>> rows = {
      {"c1", 80, 40},   {"c2", 60, 30},     {"c3", 90, 10}, {"c4", 30, 45},
      {"c5", 20, 40},   {"c6", 100, 50},    {"c7", 50, 0},  {"c8", 70, 5},
      {"c9", kNaN, 30}, {"c10", kNaN, kNaN}};
  for (const auto& [id, x, y] : rows) {
    v1::Row* row = batch.add_rows();
    row->set_customer_id(id);
    row->add_values(x);
    row->add_values(y);
  }
  v1::DryRunResponse response;
  grpc::ClientContext context;
  const grpc::Status status = registry_->DryRun(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  ASSERT_EQ(response.moves_size(), 2);
  EXPECT_EQ(response.moves(0).from_band(), "yellow");
  EXPECT_EQ(response.moves(0).to_band(), "red");
  EXPECT_EQ(response.moves(0).count(), 3);
  EXPECT_EQ(response.moves(1).from_band(), "yellow");
  EXPECT_EQ(response.moves(1).to_band(), "green");
  EXPECT_EQ(response.moves(1).count(), 1);
  EXPECT_THAT(response.sentences(),
              ElementsAre("3 customers would go from yellow to red",
                          "1 customer would go from yellow to green"));
  EXPECT_EQ(response.compared(), 9);
  EXPECT_EQ(response.unchanged(), 5);
  EXPECT_EQ(response.no_longer_scored(), 0);
  EXPECT_EQ(response.newly_scored(), 0);
  auto counts = [](const auto& bands) {
    std::vector<std::pair<std::string, int>> out;
    for (const v1::BandCount& b : bands) out.emplace_back(b.band(), b.count());
    return out;
  };
  using Counts = std::vector<std::pair<std::string, int>>;
  EXPECT_EQ(counts(response.active_bands()),
            (Counts{{"green", 2}, {"yellow", 6}, {"red", 1}}));
  EXPECT_EQ(counts(response.draft_bands()),
            (Counts{{"green", 3}, {"yellow", 2}, {"red", 4}}));
  EXPECT_NEAR(response.mean_score_change(), -70.0 / 9, 1e-9);
  ASSERT_EQ(response.changes_size(), 9);
  EXPECT_EQ(response.changes(2).customer_id(), "c3");
  EXPECT_DOUBLE_EQ(response.changes(2).active_score(), 55);
  EXPECT_DOUBLE_EQ(response.changes(2).draft_score(), 70);
  // The draft's own results, one per row.
  ASSERT_EQ(response.results_size(), 10);
  EXPECT_DOUBLE_EQ(response.results(3).score().score(), 33.75);
  EXPECT_EQ(response.results(3).score().band(), "red");
  EXPECT_TRUE(response.results(9).has_error());
  EXPECT_EQ(response.draft().scorecard_version(), "draft-1");
  EXPECT_EQ(response.draft().scorecard_hash(),
            Sha256Hex(request.scorecard_yaml()));
  EXPECT_EQ(response.active().scorecard_version(), "A-1");
  // Nothing was activated, and nothing counted as a reload.
  EXPECT_EQ(LiveHash(), Sha256Hex(ScorecardA()));
  EXPECT_EQ(server_->reloader().counters().successes, 1);
}

TEST_F(AdminTest, DryRunRefusesABrokenDraftSayingWhy) {
  Start(ScorecardA(), /*watch=*/false);
  v1::DryRunRequest request;
  request.set_scorecard_yaml(
      absl::StrReplaceAll(ScorecardA(), {{"scale: 2", "scale: 50"}}));
  request.mutable_batch()->add_signal_names("x");
  request.mutable_batch()->add_rows()->set_customer_id("c1");
  request.mutable_batch()->mutable_rows(0)->add_values(1);
  v1::DryRunResponse response;
  grpc::ClientContext context;
  grpc::Status status = registry_->DryRun(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("draft:9: dimensions.echo_y.params.scale: 50 is above "
                        "the maximum 10"));
  request.set_scorecard_yaml("a: " + std::string(10000, '[') +
                             std::string(10000, ']'));
  grpc::ClientContext context2;
  status = registry_->DryRun(&context2, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("more than 64 levels deep"));
}

TEST_F(AdminTest, TheAdminApiIsOnlyOnTheAdminAddress) {
  Start(ScorecardA(), /*watch=*/false);
  auto public_registry = v1::Registry::NewStub(public_);
  v1::ListPluginsResponse plugins;
  grpc::ClientContext c1;
  EXPECT_EQ(public_registry->ListPlugins(&c1, {}, &plugins).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  auto admin_scoring = v1::HealthScoring::NewStub(admin_);
  v1::GetScorecardResponse scorecard;
  grpc::ClientContext c2;
  EXPECT_EQ(admin_scoring->GetScorecard(&c2, {}, &scorecard).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

// The watcher waits until the directory has been quiet for the debounce
// period, so a burst of writes (a config tool writing in steps, an editor
// saving twice) is one reload. Five versions are renamed over the file back
// to back, with a call to the server between them; a reload per write, or
// one fired mid-burst, would swap in an intermediate version and count more
// than one. The debounce is raised to
// 1 s here so that a descheduled writer on a busy machine still writes
// within it (the default is 100 ms, docs/admin.md).
TEST_F(AdminTest, QuickWritesAreDebouncedIntoOneReload) {
  Start(ScorecardA(), /*watch=*/true, /*allowlist=*/"",
        [](Server::Options& o) { o.watch_debounce = absl::Seconds(1); });
  const ReloadCounters before = server_->reloader().counters();
  const std::string hash_a = Sha256Hex(ScorecardA());
  std::string last;
  for (int i = 1; i <= 5; ++i) {
    last = EchoScorecard(absl::StrCat("burst-", i), 1, 1, 1, 2);
    WriteByRename(config_, last);
    // A round trip to the server between writes lets the watcher thread run;
    // held back by the debounce, nothing has gone live yet.
    if (i < 5) {
      EXPECT_EQ(LiveHash(), hash_a) << "live after write " << i;
    }
  }
  ASSERT_TRUE(WaitForHash(Sha256Hex(last)));
  // Counted just after the swap: wait for the count too.
  EXPECT_TRUE(testing::WaitFor([&] {
    return server_->reloader().counters().successes > before.successes;
  }));
  const ReloadCounters after = server_->reloader().counters();
  EXPECT_EQ(after.successes - before.successes, 1);
  EXPECT_EQ(after.unchanged - before.unchanged, 0);
  EXPECT_EQ(after.failures, before.failures);
  v1::GetReloadStatusResponse status;
  grpc::ClientContext context;
  ASSERT_TRUE(registry_->GetReloadStatus(&context, {}, &status).ok());
  EXPECT_EQ(status.scorecard_version(), "burst-5");
}

// A Kubernetes ConfigMap volume: the files are links through `..data`, a
// link to a timestamped folder, and an update swaps `..data` atomically
// (a new folder, a temporary link renamed over `..data`). --config names the
// top-level link; the watcher sees the swap and the new content goes live.
TEST_F(AdminTest, AKubernetesConfigMapSwapIsReloaded) {
  namespace fs = std::filesystem;
  const fs::path volume = testing::MakeTempDir();
  const std::string first = "..2026_12_02_00_00_00.1";
  testing::WriteFile(volume / first, "default.yaml", ScorecardA());
  fs::create_directory_symlink(first, volume / "..data");
  fs::create_symlink("..data/default.yaml", volume / "default.yaml");
  Start(ScorecardA(), /*watch=*/true, /*allowlist=*/"",
        [&](Server::Options& o) {
          o.config_path = (volume / "default.yaml").string();
        });
  ASSERT_EQ(LiveHash(), Sha256Hex(ScorecardA()));
  // The kubelet's update: the new folder, `..data_tmp` -> it, renamed over
  // `..data`, then the old folder removed.
  const std::string second = "..2026_12_02_00_05_00.2";
  testing::WriteFile(volume / second, "default.yaml", ScorecardB());
  fs::create_directory_symlink(second, volume / "..data_tmp");
  fs::rename(volume / "..data_tmp", volume / "..data");
  fs::remove_all(volume / first);
  ASSERT_TRUE(WaitForHash(Sha256Hex(ScorecardB())));
  EXPECT_DOUBLE_EQ(Score(40, 20).score().score(), 50);  // (3*60 + 20) / 4
  // The reloader counts a reload just after it publishes the snapshot: wait
  // for the count as well (start, the swap).
  EXPECT_TRUE(testing::WaitFor([&] {
    const ReloadCounters c = server_->reloader().counters();
    return c.successes - c.unchanged >= 2;
  }));
  const ReloadCounters counters = server_->reloader().counters();
  EXPECT_EQ(counters.failures, 0);
  EXPECT_EQ(counters.successes - counters.unchanged, 2);
}

// A plugin bound by the live scorecard cannot be unloaded, whichever of its
// variants binds it: here `named` weighs 0 in the default and 1 in the
// enterprise segment, which scores with it. (A segment overrides weights and
// parameters only, so the default binds the same plugin too.)
TEST_F(AdminTest, UnloadIsRefusedWhileASegmentVariantUsesThePlugin) {
  Start(ScorecardA(), /*watch=*/false);
  std::filesystem::create_directories(plugin_dir_ / "test_named/1.0.0");
  std::filesystem::copy_file(testing::TestPlugin("test_named"),
                             plugin_dir_ / "test_named/1.0.0/libtest_named.so");
  {
    v1::LoadPluginRequest request;
    request.set_plugin("test_named@1.0.0");
    v1::LoadPluginResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        registry_->LoadPlugin(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  const std::string segmented = R"(scorecard: echo
version: "seg-1"
bands:
  - {name: green,  grade: A, min: 70}
  - {name: yellow, grade: C, min: 40}
  - {name: red,    grade: F, min: 0}
dimensions:
  echo_x: {plugin: test_echo, weight: 1}
  named: {plugin: test_named, weight: 0, params: {names: [z]}}
segments:
  enterprise:
    weights: {named: 1}
)";
  WriteByRename(config_, segmented);
  const v1::ReloadResponse reply = Reload();
  ASSERT_TRUE(reply.ok()) << reply.error();
  // An enterprise customer is scored with `named`: (x + z) / 2 = (40 + 20)
  // / 2 = 30; the default variant gives it no weight: x = 40.
  for (const auto& [segment, expected] :
       std::vector<std::pair<std::string, double>>{{"enterprise", 30},
                                                   {"smb", 40}}) {
    v1::ScoreRequest request;
    request.mutable_customer()->set_customer_id("seg");
    request.mutable_customer()->set_segment(segment);
    (*request.mutable_customer()->mutable_signals())["x"] = 40;
    (*request.mutable_customer()->mutable_signals())["z"] = 20;
    request.set_explain(v1::EXPLAIN_NONE);
    v1::ScoreResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(scoring_->Score(&context, request, &response).ok());
    EXPECT_DOUBLE_EQ(response.score().score(), expected) << segment;
  }
  auto unload = [&](const std::string& plugin) {
    v1::UnloadPluginRequest request;
    request.set_plugin(plugin);
    v1::UnloadPluginResponse response;
    grpc::ClientContext context;
    return registry_->UnloadPlugin(&context, request, &response);
  };
  grpc::Status status = unload("test_named@1.0.0");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(),
            absl::StrCat("plugin test_named@1.0.0 is in use by the live "
                         "scorecard echo version seg-1 (sha256 ",
                         Sha256Hex(segmented).substr(0, 12),
                         "): dimension named; reload a scorecard that does "
                         "not use it first"));
  EXPECT_EQ(FindPlugin(ListPlugins(), "test_named", "1.0.0")->state(),
            v1::PluginInfo::STATE_READY);
  // Once no scorecard uses it, it goes.
  WriteByRename(config_, ScorecardA());
  ASSERT_TRUE(Reload().ok());
  status = unload("test_named@1.0.0");
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// A score names at most three drivers each way (docs/api.md: "the top 3
// drivers up and down"), the reasons that moved the total most. Eight
// test_echo dimensions, weight 1 each (share 1/8), one reason each of
// (score - 50); x = 64 and y = 32, scales exact in binary:
//   dimension  score            impact on the total
//   up_150     1.5 * 64 = 96    (96 - 50) / 8 = +5.75
//   up_125     1.25 * 64 = 80   (80 - 50) / 8 = +3.75
//   up_100     1 * 64 = 64      (64 - 50) / 8 = +1.75
//   up_0875    0.875 * 64 = 56  (56 - 50) / 8 = +0.75   (4th: left out)
//   down_050   0.5 * 32 = 16    (16 - 50) / 8 = -4.25
//   down_100   1 * 32 = 32      (32 - 50) / 8 = -2.25
//   down_125   1.25 * 32 = 40   (40 - 50) / 8 = -1.25
//   down_150   1.5 * 32 = 48    (48 - 50) / 8 = -0.25   (4th: left out)
// Total: (96 + 80 + 64 + 56 + 16 + 32 + 40 + 48) / 8 = 432 / 8 = 54.
// The scorecard lists them shuffled, so the order is the engine's.
TEST_F(AdminTest, TheTopDriversAreTheThreeThatMovedTheTotalMost) {
  Start(ScorecardA(), /*watch=*/false);
  std::string card = R"(scorecard: drivers
version: "1"
bands:
  - {name: green,  grade: A, min: 70}
  - {name: yellow, grade: C, min: 40}
  - {name: red,    grade: F, min: 0}
dimensions:
)";
  for (const auto& [name, scale, use_y] :
       std::vector<std::tuple<std::string, std::string, int>>{
           {"up_0875", "0.875", 0},
           {"down_125", "1.25", 1},
           {"up_100", "1", 0},
           {"down_150", "1.5", 1},
           {"up_150", "1.5", 0},
           {"down_050", "0.5", 1},
           {"up_125", "1.25", 0},
           {"down_100", "1", 1}}) {
    absl::StrAppend(&card, "  ", name,
                    ": {plugin: test_echo, weight: 1, params: {scale: ", scale,
                    ", use_y: ", use_y, "}}\n");
  }
  WriteByRename(config_, card);
  const v1::ReloadResponse reply = Reload();
  ASSERT_TRUE(reply.ok()) << reply.error();
  v1::ScoreRequest request;
  request.mutable_customer()->set_customer_id("eight");
  (*request.mutable_customer()->mutable_signals())["x"] = 64;
  (*request.mutable_customer()->mutable_signals())["y"] = 32;
  request.set_explain(v1::EXPLAIN_SUMMARY);
  v1::ScoreResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(scoring_->Score(&context, request, &response).ok());
  const v1::CustomerScore& score = response.score();
  EXPECT_DOUBLE_EQ(score.score(), 54);
  auto drivers = [](const auto& list) {
    std::vector<std::tuple<std::string, std::string, double, double>> out;
    for (const v1::Driver& d : list) {
      out.emplace_back(d.dimension(), d.rule_id(), d.impact(), d.observed());
    }
    return out;
  };
  using Drivers =
      std::vector<std::tuple<std::string, std::string, double, double>>;
  EXPECT_EQ(drivers(score.top_drivers_up()),
            (Drivers{{"up_150", "echo", 5.75, 64},
                     {"up_125", "echo", 3.75, 64},
                     {"up_100", "echo", 1.75, 64}}));
  EXPECT_EQ(drivers(score.top_drivers_down()),
            (Drivers{{"down_050", "echo", -4.25, 32},
                     {"down_100", "echo", -2.25, 32},
                     {"down_125", "echo", -1.25, 32}}));
}

// Whether this machine can bind the IPv6 loopback (containers often have
// IPv6 off).
bool Ipv6LoopbackWorks() {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  address.sin6_port = 0;
  const bool bound = bind(fd, reinterpret_cast<const sockaddr*>(&address),
                          sizeof address) == 0;
  close(fd);
  return bound;
}

// The admin API binds and serves on each loopback form docs/admin.md allows:
// unix:PATH, localhost and [::1] (127.0.0.1 is the fixture's).
void ExpectAdminServesOn(const std::string& admin_listen,
                         const std::string& expected_prefix) {
  Server::Options options;
  options.listen = "127.0.0.1:0";
  options.admin_listen = admin_listen;
  options.config_path =
      (testing::SourceDir() / "tests/data/two_dimensions.yaml").string();
  options.plugin_dir = testing::BuiltinPluginDir().string();
  auto server = Server::BuildAndStart(options);
  ASSERT_TRUE(server.ok()) << admin_listen << ": " << server.status();
  const std::string address = (*server)->admin_address();
  EXPECT_TRUE(absl::StartsWith(address, expected_prefix)) << address;
  auto registry = v1::Registry::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::GetReloadStatusResponse status;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  const grpc::Status call = registry->GetReloadStatus(&context, {}, &status);
  ASSERT_TRUE(call.ok()) << address << ": " << call.error_message();
  EXPECT_EQ(status.scorecard_version(), "2026.11.1") << address;
  EXPECT_EQ(status.config_path(), options.config_path);
}

TEST(AdminListen, ServesOnAUnixSocket) {
  const std::string path = (testing::MakeTempDir() / "admin.sock").string();
  ExpectAdminServesOn("unix:" + path, "unix:" + path);
}

TEST(AdminListen, ServesOnLocalhost) {
  ExpectAdminServesOn("localhost:0", "localhost:");
}

TEST(AdminListen, ServesOnTheIpv6Loopback) {
  if (!Ipv6LoopbackWorks()) {
    GTEST_SKIP() << "this machine cannot bind [::1] (IPv6 loopback off), so "
                    "an admin API there cannot be tested here";
  }
  ExpectAdminServesOn("[::1]:0", "[::1]:");
}

TEST(AdminStart, RefusesAnAdminAddressThatIsNotLoopback) {
  Server::Options options;
  options.listen = "127.0.0.1:0";
  options.admin_listen = "0.0.0.0:0";
  options.config_path =
      (testing::SourceDir() / "tests/data/two_dimensions.yaml").string();
  options.plugin_dir = testing::BuiltinPluginDir().string();
  auto server = Server::BuildAndStart(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().message(),
            "--admin-listen=0.0.0.0:0: without authentication the admin API "
            "listens only on loopback (127.0.0.1, [::1], localhost) or "
            "unix:PATH, because it can change every score; give "
            "--admin-token-file or --admin-allowed-clients "
            "(docs/security.md)");
}

}  // namespace
}  // namespace healthscore
