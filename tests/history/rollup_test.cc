// Account roll-ups over real gRPC on both real stores: the hierarchy from
// recorded attributes, the contract-value-weighted score worked by hand,
// roll-up points with their own alerts, and the refusals (cycles, bad
// attributes).
#include <grpcpp/grpcpp.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "healthscore/v1/alerts.grpc.pb.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/history.grpc.pb.h"
#include "tests/history/history_fixture.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The score is x (echo_y never gets a y). Roll-ups below 60 raise an alert.
constexpr char kCard[] = R"(scorecard: rollups
version: "1"
bands:
  - {name: green,  grade: A, min: 70}
  - {name: yellow, grade: C, min: 40}
  - {name: red,    grade: F, min: 0}
dimensions:
  echo_x: {plugin: test_echo, weight: 1}
  echo_y: {plugin: test_echo, weight: 1, params: {use_y: 1}}
alerts:
  - {id: low, kind: score_below, enter: 60, exit: 65, severity: high,
     say: Score below 60, action: Call the account}
)";

class RollupTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    h_ = testing::HistoryServer::Start(testing::NewStore(GetParam()), kCard);
    ASSERT_NE(h_, nullptr);
  }

  // Records score x for `id` on `day` with the given attributes ("" leaves
  // one out).
  grpc::Status Child(const std::string& id, int day, double x,
                     const std::string& parent, const std::string& value) {
    v1::ScoreRequest request;
    request.set_record(true);
    v1::Customer* c = request.mutable_customer();
    c->set_customer_id(id);
    c->set_segment("smb");
    *c->mutable_as_of() = testing::Day(day);
    (*c->mutable_signals())["x"] = x;
    if (!parent.empty()) (*c->mutable_attributes())["parent_id"] = parent;
    if (!value.empty()) (*c->mutable_attributes())["contract_value"] = value;
    v1::ScoreResponse response;
    grpc::ClientContext context;
    return h_->scoring().Score(&context, request, &response);
  }

  grpc::Status Rollup(const std::string& parent, int day,
                      v1::AccountRollup* out) {
    v1::GetAccountRollupRequest request;
    request.set_parent_id(parent);
    *request.mutable_at() = testing::Day(day);
    grpc::ClientContext context;
    return h_->history().GetAccountRollup(&context, request, out);
  }

  std::unique_ptr<testing::HistoryServer> h_;
};

TEST_P(RollupTest, ParentScoreIsTheContractValueWeightedMeanOfItsChildren) {
  ASSERT_TRUE(Child("a", 1, 40, "p", "300").ok());
  ASSERT_TRUE(Child("b", 1, 80, "p", "100").ok());
  ASSERT_TRUE(Child("c", 1, 90, "p", "").ok());    // no contract value
  ASSERT_TRUE(Child("d", 9, 10, "p", "50").ok());  // after the date asked
  v1::AccountRollup r;
  ASSERT_TRUE(Rollup("p", 5, &r).ok());
  // (300 * 40 + 100 * 80) / (300 + 100) = 20000 / 400 = 50: yellow, C.
  EXPECT_DOUBLE_EQ(r.score(), 50);
  EXPECT_EQ(r.band(), "yellow");
  EXPECT_EQ(r.grade(), "C");
  EXPECT_DOUBLE_EQ(r.contract_value(), 400);
  EXPECT_DOUBLE_EQ(r.coverage(), 0.5);  // 2 of 4 children count
  ASSERT_EQ(r.children_size(), 4);
  // Drivers, most points lost first: a costs 0.75 * (100 - 40) = 45,
  // b 0.25 * (100 - 80) = 5; then the excluded ones.
  EXPECT_EQ(r.children(0).customer_id(), "a");
  EXPECT_DOUBLE_EQ(r.children(0).weight(), 0.75);
  EXPECT_DOUBLE_EQ(r.children(0).points_lost(), 45);
  EXPECT_EQ(r.children(1).customer_id(), "b");
  EXPECT_DOUBLE_EQ(r.children(1).points_lost(), 5);
  EXPECT_EQ(r.children(2).customer_id(), "c");
  EXPECT_EQ(r.children(2).excluded(), "no contract_value attribute");
  EXPECT_EQ(r.children(3).customer_id(), "d");
  EXPECT_THAT(r.children(3).excluded(),
              HasSubstr("no recorded score at or before 2026-01-06"));

  // At day 9, d counts too: (12000 + 8000 + 50 * 10) / 450 = 45.555...
  ASSERT_TRUE(Rollup("p", 9, &r).ok());
  EXPECT_NEAR(r.score(), 20500.0 / 450, 1e-9);
}

TEST_P(RollupTest, RollupsAreRecordedAsTheParentsPointsAndAlert) {
  // Day 1: p = (100 * 90 + 100 * 70) / 200 = 80. Day 2: a falls to 20:
  // p = (100 * 20 + 100 * 70) / 200 = 45, below the rule's 60.
  ASSERT_TRUE(Child("a", 1, 90, "p", "100").ok());
  ASSERT_TRUE(Child("b", 1, 70, "p", "100").ok());
  ASSERT_TRUE(Child("a", 2, 20, "", "").ok());  // attributes kept as stored
  v1::GetHistoryRequest request;
  request.set_customer_id("p");
  v1::GetHistoryResponse history;
  ASSERT_TRUE(h_->GetHistory(request, &history).ok());
  std::vector<double> scores;
  for (const v1::HistoryPoint& p : history.points()) {
    scores.push_back(p.score());
    EXPECT_EQ(p.variant(), "rollup");
  }
  // Newest first; day 1 was recorded twice (after a, then after b): the
  // last write wins.
  EXPECT_THAT(scores, ElementsAre(45, 80));

  auto alerts = v1::Alerts::NewStub(h_->channel());
  v1::ListAlertsRequest list;
  list.set_customer_id("p");
  v1::ListAlertsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(alerts->ListAlerts(&context, list, &response).ok());
  ASSERT_EQ(response.alerts_size(), 1);
  EXPECT_EQ(response.alerts(0).rule_id(), "low");
  EXPECT_DOUBLE_EQ(response.alerts(0).score_at_open(), 45);

  // A roll-up is not a customer: the portfolio counts a and b only.
  v1::GetPortfolioRequest portfolio;
  *portfolio.mutable_as_of() = testing::Day(2);
  v1::GetPortfolioResponse figures;
  grpc::ClientContext portfolio_context;
  ASSERT_TRUE(
      h_->history().GetPortfolio(&portfolio_context, portfolio, &figures).ok());
  ASSERT_GT(figures.current().figures_size(), 0);
  EXPECT_EQ(figures.current().figures(0).customers(), 2);

  // Its change is explained by its children, not by rules.
  v1::ExplainChangeResponse why;
  const grpc::Status explained = h_->Explain("p", 1, 2, &why);
  EXPECT_EQ(explained.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(explained.error_message(), HasSubstr("GetAccountRollup"));
}

TEST_P(RollupTest, ACycleIsRefusedWithTheCycleNamed) {
  ASSERT_TRUE(Child("a", 1, 50, "b", "").ok());
  ASSERT_TRUE(Child("b", 1, 50, "c", "").ok());
  const grpc::Status s = Child("c", 1, 50, "a", "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "customer.attributes['parent_id'] = 'a' makes a parent cycle: "
            "c -> a -> b -> c; nothing was recorded");
  // Nothing of c was recorded.
  v1::GetHistoryRequest request;
  request.set_customer_id("c");
  v1::GetHistoryResponse history;
  EXPECT_EQ(h_->GetHistory(request, &history).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_P(RollupTest, BadAttributesAndUnknownParentsAreRefused) {
  grpc::Status s = Child("a", 1, 50, "p", "-5");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "customer.attributes['contract_value'] = '-5' is not a number >= "
            "0 (e.g. 120000: the account's contract value, its weight in its "
            "parent's roll-up)");
  s = Child("a", 1, 50, "a", "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "customer.attributes['parent_id'] = 'a' is the customer itself; "
            "an account cannot be its own parent");

  // In a batch, the row alone is refused.
  v1::ScoreBatchRequest batch;
  batch.add_signal_names("x");
  v1::Row* good = batch.add_rows();
  good->set_customer_id("g");
  good->add_values(50);
  v1::Row* bad = batch.add_rows();
  bad->set_customer_id("h");
  bad->add_values(50);
  (*bad->mutable_attributes())["contract_value"] = "lots";
  v1::ScoreBatchResponse response;
  grpc::ClientContext context;
  const grpc::Status batch_status =
      h_->scoring().ScoreBatch(&context, batch, &response);
  ASSERT_TRUE(batch_status.ok()) << batch_status.error_message();
  EXPECT_TRUE(response.results(0).has_score());
  EXPECT_EQ(response.results(1).error().message(),
            "rows[1].attributes['contract_value'] = 'lots' is not a number "
            ">= 0 (e.g. 120000: the account's contract value, its weight in "
            "its parent's roll-up)");

  v1::AccountRollup r;
  s = Rollup("nobody", 1, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(),
              HasSubstr("no account names 'nobody' as its parent_id"));
  ASSERT_TRUE(Child("z", 1, 50, "q", "").ok());  // q: no child has a value
  s = Rollup("q", 1, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("none of 'q''s 1 children has both a recorded score "
                        "and a contract_value > 0"));
}

INSTANTIATE_TEST_SUITE_P(Stores, RollupTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace healthscore
