// Validation.SuggestWeights over real gRPC on both real stores: a history
// generated so that churn follows one dimension strongly, another weakly and
// a third not at all; the fit recovers that order, its draft is the active
// YAML with only the weights changed and binds, and it separates the
// held-out customers at least as well as the active weights.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "clients/cli/weights_commands.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/validation.grpc.pb.h"
#include "server/config/scorecard.h"
#include "server/engine/snapshot.h"
#include "server/server.h"
#include "tests/history/history_fixture.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kCustomers = 600;
constexpr int kHorizon = 90;
// Points every 30 days from day 0 to day 150.
constexpr int kPoints = 6;

// Three test_named dimensions reading a, b and c, weighted equally; groups
// whose weights are their members' sums; a segment override the draft must
// leave alone; comments and mixed styles the draft must keep byte for byte.
constexpr char kCard[] =
    R"(# Equal weights: the fit is to find that only a matters much.
scorecard: weights_test
version: "1"
bands:
  - {name: green,  grade: A, min: 70}
  - {name: yellow, grade: C, min: 40}
  - {name: red,    grade: F, min: 0}
dimensions:
  strong:                  # reads a
    plugin: test_named
    weight: 1
    params: {names: a}
  weak: {plugin: test_named, weight: 1, params: {names: b}}   # flow style
  noise:
    plugin: test_named
    weight: "1"            # quoted
    params: {names: c}
groups:
  main: {dimensions: [strong, weak], weight: 2}
  rest: {dimensions: [noise], weight: 1}
segments:
  enterprise:
    weights: {weak: 1}
)";

// A real server on port 0 with the test_named plugin and a real store.
class WeightsServer {
 public:
  static std::unique_ptr<WeightsServer> Start(const std::string& store) {
    auto h = std::unique_ptr<WeightsServer>(new WeightsServer);
    const std::filesystem::path dir = testing::MakeTempDir();
    const auto plugins = dir / "plugins/test_named/1.0.0";
    std::filesystem::create_directories(plugins);
    std::filesystem::copy_file(testing::TestPlugin("test_named"),
                               plugins / "libtest_named.so");
    Server::Options options;
    options.listen = "127.0.0.1:0";
    options.config_path = testing::WriteFile(dir, "scorecard.yaml", kCard);
    options.plugin_dir = (dir / "plugins").string();
    options.store = store;
    absl::StatusOr<std::unique_ptr<Server>> server =
        Server::BuildAndStart(options);
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return nullptr;
    h->server_ = *std::move(server);
    auto channel = grpc::CreateChannel(h->server_->address(),
                                       grpc::InsecureChannelCredentials());
    h->scoring_ = v1::HealthScoring::NewStub(channel);
    h->validation_ = v1::Validation::NewStub(channel);
    return h;
  }

  // Records kPoints points for each of kCustomers customers (half smb, half
  // enterprise) and their outcomes. Each customer has a level of a, b and c
  // (0-100, plus a little noise per point; c missing at a fifth of the
  // points); it churns with probability sigmoid(-6 + 8 (1 - a/100) +
  // 2.5 (1 - b/100)) on a day between 160 and 179, and renews on day 250
  // otherwise.
  void Generate(bool with_outcomes = true) {
    std::mt19937_64 rng(20260101);
    auto uniform = [&rng]() { return (rng() >> 11) * 0x1.0p-53; };
    struct Level {
      double a, b, c;
    };
    std::vector<Level> levels;
    v1::RecordOutcomesRequest outcomes;
    for (int i = 0; i < kCustomers; ++i) {
      const Level l{100 * uniform(), 100 * uniform(), 100 * uniform()};
      levels.push_back(l);
      const double logit =
          -6 + 8 * (1 - l.a / 100) + 2.5 * (1 - l.b / 100) + 0 * l.c;
      const bool churns = uniform() < 1 / (1 + std::exp(-logit));
      v1::Outcome* o = outcomes.add_outcomes();
      o->set_customer_id(Id(i));
      o->set_kind(churns ? v1::CHURNED : v1::RENEWED);
      *o->mutable_date() = testing::Day(churns ? 160 + i % 20 : 250);
      churned_ += churns ? 1 : 0;
    }
    auto noisy = [&](double v) {
      return std::clamp(v + 10 * (uniform() - 0.5), 0.0, 100.0);
    };
    for (int k = 0; k < kPoints; ++k) {
      v1::ScoreBatchRequest batch;
      batch.set_record(true);
      batch.set_explain(v1::EXPLAIN_NONE);
      for (const char* name : {"a", "b", "c"}) batch.add_signal_names(name);
      *batch.mutable_as_of() = testing::Day(30 * k);
      for (int i = 0; i < kCustomers; ++i) {
        v1::Row* row = batch.add_rows();
        row->set_customer_id(Id(i));
        row->set_segment(i % 2 == 0 ? "smb" : "enterprise");
        row->add_values(noisy(levels[i].a));
        row->add_values(noisy(levels[i].b));
        row->add_values(uniform() < 0.2 ? kNaN : noisy(levels[i].c));
      }
      v1::ScoreBatchResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(scoring_->ScoreBatch(&context, batch, &response).ok());
      for (const v1::CustomerResult& r : response.results()) {
        ASSERT_TRUE(r.has_score()) << r.error().message();
      }
    }
    if (!with_outcomes) return;
    v1::RecordOutcomesResponse recorded;
    grpc::ClientContext context;
    const grpc::Status s =
        validation_->RecordOutcomes(&context, outcomes, &recorded);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(recorded.recorded(), kCustomers);
  }

  grpc::Status Suggest(const v1::SuggestWeightsRequest& request,
                       v1::SuggestWeightsResponse* response) {
    grpc::ClientContext context;
    return validation_->SuggestWeights(&context, request, response);
  }

  grpc::Status Backtest(const v1::BacktestRequest& request,
                        v1::BacktestResponse* response) {
    grpc::ClientContext context;
    return validation_->Backtest(&context, request, response);
  }

  static std::string Id(int i) { return absl::StrCat("c", 1000 + i); }

  Server& server() { return *server_; }
  v1::HealthScoring::Stub& scoring() { return *scoring_; }
  v1::Validation::Stub& validation() { return *validation_; }
  int churned() const { return churned_; }

 private:
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::HealthScoring::Stub> scoring_;
  std::unique_ptr<v1::Validation::Stub> validation_;
  int churned_ = 0;
};

v1::SuggestWeightsRequest Request(const std::string& segment = "") {
  v1::SuggestWeightsRequest request;
  request.set_horizon_days(kHorizon);
  request.set_segment(segment);
  request.set_seed(42);
  return request;
}

class SuggestWeightsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    h_ = WeightsServer::Start(testing::NewStore(GetParam()));
    ASSERT_NE(h_, nullptr);
  }

  std::unique_ptr<WeightsServer> h_;
};

TEST_P(SuggestWeightsTest, RecoversTheOrderOfTheDimensionsThatDriveChurn) {
  ASSERT_NO_FATAL_FAILURE(h_->Generate());
  ASSERT_GE(h_->churned(), 40);  // the data is as meant
  v1::SuggestWeightsResponse response;
  const grpc::Status s = h_->Suggest(Request(), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();

  const auto& w = response.weights();
  ASSERT_EQ(w.size(), 3u);
  EXPECT_GT(w.at("strong"), w.at("weak"));
  EXPECT_GT(w.at("weak"), w.at("noise"));
  // The active total (3), to a thousandth of it.
  EXPECT_NEAR(w.at("strong") + w.at("weak") + w.at("noise"), 3, 1e-9);
  for (const auto& [name, weight] : w) {
    EXPECT_NEAR(weight, std::round(weight * 1000) / 1000, 1e-12) << name;
  }

  // Customers split 70/30, every one of them on one side.
  EXPECT_EQ(response.train_customers() + response.holdout_customers(),
            kCustomers);
  EXPECT_NEAR(response.holdout_customers(), 0.3 * kCustomers, 2);
  EXPECT_EQ(response.active_holdout().customers(),
            response.holdout_customers());
  EXPECT_EQ(response.suggested_holdout().points(),
            response.active_holdout().points());

  // Better separation of the held-out customers than the equal weights.
  const double active_auc = response.active_holdout().metrics().auc_roc();
  const double suggested_auc = response.suggested_holdout().metrics().auc_roc();
  // In the XML report (--gtest_output=xml), for the record.
  RecordProperty("active_holdout_auc", absl::StrCat(active_auc));
  RecordProperty("suggested_holdout_auc", absl::StrCat(suggested_auc));
  RecordProperty("weights",
                 absl::StrCat("strong ", w.at("strong"), " weak ", w.at("weak"),
                              " noise ", w.at("noise")));
  EXPECT_GE(suggested_auc, active_auc);
  EXPECT_GT(suggested_auc, 0.7);
  EXPECT_GT(w.at("strong"), 2 * w.at("weak"))
      << "strong " << w.at("strong") << " weak " << w.at("weak");

  // The draft is the active file with only the weight values changed: the
  // dimensions' and the groups' that are their members' sums.
  const std::string& draft = response.draft_yaml();
  const std::vector<std::string> before = absl::StrSplit(kCard, '\n');
  const std::vector<std::string> after = absl::StrSplit(draft, '\n');
  ASSERT_EQ(after.size(), before.size()) << draft;
  auto fmt = [](double v) {
    std::string s = absl::StrFormat("%.3f", v);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
  };
  std::map<std::string, std::string> expected = {
      {"    weight: 1", absl::StrCat("    weight: ", fmt(w.at("strong")))},
      {"  weak: {plugin: test_named, weight: 1, params: {names: b}}   # flow "
       "style",
       absl::StrCat("  weak: {plugin: test_named, weight: ", fmt(w.at("weak")),
                    ", params: {names: b}}   # flow style")},
      {"    weight: \"1\"            # quoted",
       absl::StrCat("    weight: ", fmt(w.at("noise")),
                    "            # quoted")},
      {"  main: {dimensions: [strong, weak], weight: 2}",
       absl::StrCat("  main: {dimensions: [strong, weak], weight: ",
                    fmt(w.at("strong") + w.at("weak")), "}")},
      {"  rest: {dimensions: [noise], weight: 1}",
       absl::StrCat(
           "  rest: {dimensions: [noise], weight: ", fmt(w.at("noise")), "}")},
  };
  for (size_t i = 0; i < before.size(); ++i) {
    const auto it = expected.find(before[i]);
    EXPECT_EQ(after[i], it == expected.end() ? before[i] : it->second)
        << "line " << i + 1;
  }

  // It parses and binds, with exactly the weights reported.
  absl::StatusOr<ScorecardSpec> spec = ParseScorecard(draft, "draft.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  for (const DimensionSpec& d : spec->dimensions) {
    EXPECT_EQ(d.weight, w.at(d.name)) << d.name;
  }
  absl::StatusOr<std::shared_ptr<const Snapshot>> bound =
      Snapshot::Build(*std::move(spec), h_->server().registry());
  ASSERT_TRUE(bound.ok()) << bound.status();
  // And Backtest, which binds a draft as a reload would, agrees that it
  // separates all the points better too.
  v1::BacktestRequest backtest;
  backtest.set_horizon_days(kHorizon);
  backtest.set_draft_yaml(draft);
  v1::BacktestResponse compared;
  const grpc::Status b = h_->Backtest(backtest, &compared);
  ASSERT_TRUE(b.ok()) << b.error_message();
  EXPECT_GT(compared.draft().metrics().auc_roc(),
            compared.active().metrics().auc_roc());
}

TEST_P(SuggestWeightsTest, TheSameSeedGivesTheSameSplitAndDraft) {
  ASSERT_NO_FATAL_FAILURE(h_->Generate());
  v1::SuggestWeightsResponse first, second, other;
  ASSERT_TRUE(h_->Suggest(Request(), &first).ok());
  ASSERT_TRUE(h_->Suggest(Request(), &second).ok());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(first, second));
  v1::SuggestWeightsRequest reseeded = Request();
  reseeded.set_seed(7);
  ASSERT_TRUE(h_->Suggest(reseeded, &other).ok());
  // Another seed, other held-out customers; the same order of weights.
  EXPECT_FALSE(google::protobuf::util::MessageDifferencer::Equals(
      other.active_holdout(), first.active_holdout()));
  EXPECT_GT(other.weights().at("strong"), other.weights().at("weak"));
}

TEST_P(SuggestWeightsTest, ASegmentIsFittedOnItsOwnCustomers) {
  ASSERT_NO_FATAL_FAILURE(h_->Generate());
  v1::SuggestWeightsResponse response;
  const grpc::Status s = h_->Suggest(Request("enterprise"), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.train_customers() + response.holdout_customers(),
            kCustomers / 2);
  EXPECT_GT(response.weights().at("strong"), response.weights().at("noise"));
  // The default section's weights change; the segment's own stay.
  EXPECT_THAT(response.draft_yaml(),
              HasSubstr("segments:\n  enterprise:\n    weights: {weak: 1}\n"));
}

TEST_P(SuggestWeightsTest, BadInputsAreRefusedSayingWhy) {
  ASSERT_NO_FATAL_FAILURE(h_->Generate(/*with_outcomes=*/false));
  v1::SuggestWeightsResponse response;
  // No outcomes yet.
  grpc::Status s = h_->Suggest(Request(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("no outcomes are recorded"));

  v1::SuggestWeightsRequest request = Request();
  request.set_regularization(-1);
  s = h_->Suggest(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "regularization = -1 is not a number >= 0 (the L2 penalty on the "
            "weights; 0: the default 1)");

  request = Request();
  request.set_holdout_fraction(0.7);
  s = h_->Suggest(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "holdout_fraction = 0.7 is outside 0.1-0.5 (the share of "
            "customers held out for the comparison; 0: the default 0.3)");
  request.set_holdout_fraction(0.05);
  s = h_->Suggest(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("holdout_fraction = 0.05 is "));

  request = Request();
  request.set_horizon_days(0);
  s = h_->Suggest(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "horizon_days=0 is outside 1-3660: a point is labelled churned "
            "when its customer churned within this many days after it");
}

TEST_P(SuggestWeightsTest, TooFewChurnedCustomersAreRefusedWithTheCounts) {
  ASSERT_NO_FATAL_FAILURE(h_->Generate());
  v1::SuggestWeightsRequest request = Request("nobody");
  v1::SuggestWeightsResponse response;
  grpc::Status s = h_->Suggest(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("no recorded point in scope has a label (segment "
                        "'nobody')"));
  // A horizon so short that almost nobody churned within it of a point.
  request = Request();
  request.set_horizon_days(10);
  s = h_->Suggest(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("churned customer(s) in scope"));
}

TEST_P(SuggestWeightsTest, TheCommandPrintsBothSidesAndWritesTheDraft) {
  ASSERT_NO_FATAL_FAILURE(h_->Generate());
  const std::filesystem::path draft = testing::MakeTempDir() / "draft.yaml";
  cli::SuggestWeightsCommandOptions command;
  command.horizon_days = kHorizon;
  command.out_path = draft.string();
  std::ostringstream out, err;
  ASSERT_EQ(cli::RunSuggestWeights(h_->validation(), h_->scoring(),
                                   cli::CommonOptions(), command, out, err),
            cli::kExitOk)
      << err.str();
  EXPECT_THAT(out.str(), HasSubstr("  dimension  active  suggested"));
  EXPECT_THAT(out.str(), HasSubstr("  total           3          3\n"));
  EXPECT_THAT(out.str(), HasSubstr("  AUC-ROC"));
  EXPECT_THAT(err.str(),
              HasSubstr(absl::StrCat("draft written to ", draft.string())));
  // The file is the server's draft (seed 0 here), and it binds.
  v1::SuggestWeightsRequest request;
  request.set_horizon_days(kHorizon);
  v1::SuggestWeightsResponse response;
  ASSERT_TRUE(h_->Suggest(request, &response).ok());
  EXPECT_EQ(testing::ReadFile(draft), response.draft_yaml());

  command.regularization = -1;
  EXPECT_EQ(cli::RunSuggestWeights(h_->validation(), h_->scoring(),
                                   cli::CommonOptions(), command, out, err),
            cli::kExitUsage);
}

INSTANTIATE_TEST_SUITE_P(Stores, SuggestWeightsTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace healthscore
