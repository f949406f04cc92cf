// Backtests over real gRPC on both real stores: a hand-made history with
// known outcomes, every figure worked out by hand; and the refusals.
#include <grpcpp/grpcpp.h>

#include <cmath>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "healthscore/v1/validation.grpc.pb.h"
#include "tests/history/history_fixture.h"

namespace healthscore {
namespace {

using ::testing::HasSubstr;

// The score is x (echo_y never gets a y).
std::string Card(const std::string& bands) {
  return absl::StrCat(R"(scorecard: backtest
version: "1"
bands:
)",
                      bands, R"(dimensions:
  echo_x: {plugin: test_echo, weight: 1}
  echo_y: {plugin: test_echo, weight: 1, params: {use_y: 1}}
)");
}
constexpr char kBands[] =
    "  - {name: green,  grade: A, min: 70}\n"
    "  - {name: yellow, grade: C, min: 40}\n"
    "  - {name: red,    grade: F, min: 0}\n";

class BacktestTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    h_ = testing::HistoryServer::Start(testing::NewStore(GetParam()),
                                       Card(kBands));
    ASSERT_NE(h_, nullptr);
    validation_ = v1::Validation::NewStub(h_->channel());
  }

  void At(const std::string& id, int day, double x) {
    ASSERT_TRUE(h_->Record(id, day, x, NAN).ok()) << id << " day " << day;
  }

  grpc::Status Outcome(const std::string& id, int day, v1::OutcomeKind kind) {
    v1::RecordOutcomesRequest request;
    v1::Outcome* o = request.add_outcomes();
    o->set_customer_id(id);
    *o->mutable_date() = testing::Day(day);
    o->set_kind(kind);
    o->set_value(1000);
    v1::RecordOutcomesResponse response;
    grpc::ClientContext context;
    return validation_->RecordOutcomes(&context, request, &response);
  }

  // 20 churners: green (80) on day 0, yellow (50) on day 30, red (20) on
  // day 60; ten churn on day 80 ("a"), ten on day 100 ("b"). 20 stayers:
  // 90, 85, 75 on days 0, 30, 60, renewed on day 200. One customer without
  // outcomes: 95 on days 0 and 170.
  void MakeHistory() {
    for (int i = 0; i < 20; ++i) {
      const std::string churner = absl::StrCat(i < 10 ? "a" : "b", i);
      At(churner, 0, 80);
      At(churner, 30, 50);
      At(churner, 60, 20);
      ASSERT_TRUE(Outcome(churner, i < 10 ? 80 : 100, v1::CHURNED).ok());
      const std::string stayer = absl::StrCat("s", i);
      At(stayer, 0, 90);
      At(stayer, 30, 85);
      At(stayer, 60, 75);
      ASSERT_TRUE(Outcome(stayer, 200, v1::RENEWED).ok());
    }
    At("quiet", 0, 95);
    At("quiet", 170, 95);
  }

  grpc::Status Backtest(int horizon, v1::BacktestResponse* response,
                        const std::string& draft = "") {
    v1::BacktestRequest request;
    request.set_horizon_days(horizon);
    request.set_draft_yaml(draft);
    grpc::ClientContext context;
    return validation_->Backtest(&context, request, response);
  }

  std::unique_ptr<testing::HistoryServer> h_;
  std::unique_ptr<v1::Validation::Stub> validation_;
};

TEST_P(BacktestTest, HandWorkedHistory) {
  MakeHistory();
  v1::BacktestResponse response;
  const grpc::Status status = Backtest(60, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::BacktestResult& r = response.active();
  // Horizon 60 days. Churner "a" (churns day 80): day 0 -> 80 > 60, not
  // churned; day 30 -> 80 <= 90, churned; day 60 churned. Churner "b"
  // (day 100): day 0 and day 30 (100 > 90) not churned, day 60 churned.
  // Stayers: every point's horizon ends by day 200, not churned. "quiet":
  // day 0 not churned (60 <= 170, its last point); day 170 censored.
  EXPECT_EQ(r.points(), 121);
  EXPECT_EQ(r.censored_points(), 1);
  EXPECT_EQ(r.customers(), 41);
  EXPECT_EQ(r.churned_customers(), 20);
  EXPECT_EQ(r.metrics().positives(), 30);  // a: 2 x 10, b: 1 x 10
  EXPECT_EQ(r.metrics().negatives(), 91);
  // Risk is lower for higher scores. Churned at 20 (20 points) outrank all
  // 91 retained: 1820 pairs. Churned at 50 (10 points) outrank the 81
  // retained above 50 (810 pairs) and tie the 10 "b" points at 50 (50).
  // AUC = 2680 / (30 * 91).
  EXPECT_NEAR(r.metrics().auc_roc(), 2680.0 / 2730.0, 1e-12);
  EXPECT_NEAR(r.metrics().base_rate(), 30.0 / 121, 1e-12);

  // Bands, best first: green 81 points (20 churner day-0 points, 60 stayer
  // points, quiet's day 0), none churned; yellow 20, the 10 "a" points
  // churned; red 20, all churned.
  ASSERT_EQ(r.bands_size(), 3);
  EXPECT_EQ(r.bands(0).name(), "green");
  EXPECT_EQ(r.bands(0).points(), 81);
  EXPECT_EQ(r.bands(0).churned(), 0);
  EXPECT_EQ(r.bands(1).name(), "yellow");
  EXPECT_EQ(r.bands(1).points(), 20);
  EXPECT_DOUBLE_EQ(r.bands(1).rate(), 0.5);
  EXPECT_EQ(r.bands(2).name(), "red");
  EXPECT_DOUBLE_EQ(r.bands(2).rate(), 1.0);
  EXPECT_TRUE(r.bands_ordered());
  // Wilson 95% for 10 of 20: 0.5 -+ 1.96 * sqrt(0.25 / 20 + 1.96^2 / 1600)
  // / (1 + 1.96^2 / 20) = 0.5 -+ 0.2005...: [0.2993, 0.7007].
  EXPECT_NEAR(r.bands(1).wilson_low(), 0.29930, 1e-4);
  EXPECT_NEAR(r.bands(1).wilson_high(), 0.70070, 1e-4);

  // Lead time: first red on day 60; "a" churn on day 80 (20 days), "b" on
  // day 100 (40 days); the median of ten 20s and ten 40s is 30.
  EXPECT_EQ(r.lead_customers(), 20);
  EXPECT_DOUBLE_EQ(r.median_lead_days(), 30);
  // The ROC curve runs from (0, 0) to (1, 1).
  ASSERT_GE(r.roc_size(), 2);
  EXPECT_EQ(r.roc(0).false_positive_rate(), 0);
  EXPECT_EQ(r.roc(r.roc_size() - 1).true_positive_rate(), 1);
}

TEST_P(BacktestTest, ADraftIsComparedOnTheSamePoints) {
  MakeHistory();
  // A draft where 50 is green: yellow disappears.
  v1::BacktestResponse response;
  const grpc::Status status = Backtest(
      60, &response,
      Card("  - {name: green, grade: A, min: 45}\n"
           "  - {name: red,   grade: F, min: 0}\n"));
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.draft().points(), response.active().points());
  // Same scores, same order: the same AUC.
  EXPECT_DOUBLE_EQ(response.draft().metrics().auc_roc(),
                   response.active().metrics().auc_roc());
  ASSERT_EQ(response.draft().bands_size(), 2);
  EXPECT_EQ(response.draft().bands(0).points(), 101);  // 81 + 20 at 50
  EXPECT_EQ(response.draft().bands(0).churned(), 10);
}

TEST_P(BacktestTest, Refusals) {
  v1::BacktestResponse response;
  grpc::Status s = Backtest(0, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("horizon_days=0 is outside 1-3660"));

  At("c", 0, 50);
  s = Backtest(90, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("no outcomes are recorded"));

  ASSERT_TRUE(Outcome("c", 10, v1::CHURNED).ok());
  s = Backtest(90, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(),
            "only 1 churned customer(s) in scope (1 customers, 1 labelled "
            "points, horizon 90 days); a backtest needs at least 20 to say "
            "anything");

  s = Backtest(90, &response, "scorecard: x\nversion: \"1\"\nbands: []\n");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("draft:"));

  v1::RecordOutcomesRequest bad;
  v1::Outcome* o = bad.add_outcomes();
  o->set_customer_id("c");
  *o->mutable_date() = testing::Day(1);
  v1::RecordOutcomesResponse recorded;
  grpc::ClientContext context;
  s = validation_->RecordOutcomes(&context, bad, &recorded);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "outcomes[0].kind = 0 is not one of CHURNED, RENEWED, EXPANDED, "
            "CONTRACTED");
  o->set_kind(v1::RENEWED);
  o->set_value(-1);
  grpc::ClientContext context2;
  s = validation_->RecordOutcomes(&context2, bad, &recorded);
  EXPECT_EQ(s.error_message(),
            "outcomes[0].value = -1 is not a finite number >= 0");
}

INSTANTIATE_TEST_SUITE_P(Stores, BacktestTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace healthscore
