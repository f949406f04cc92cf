// What-if and the path to green over real gRPC: the real server with the
// built-in plugins and scorecards/default.yaml. Simulate scores as Score
// does; bad changes are refused with exact messages; PathToGreen's moves,
// applied with Simulate, land in the next band, each in its declared
// direction and bounds and never a not_actionable signal; a customer in the
// best band is answered; a customer given by id starts from its newest
// recorded inputs (on both real stores).
#include <grpcpp/grpcpp.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/validation.grpc.pb.h"
#include "server/config/scorecard.h"
#include "server/server.h"
#include "tests/history/history_fixture.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Customers of the sample portfolio (scripts/gen_sample_data.py), as
// "name=value ..." so that each fits a few lines.
// Red F (27.4): weak almost everywhere.
constexpr char kRed[] =
    "feature_adoption_pct=25.6 logins_30d=35 logins_prev_30d=68 "
    "basic_feature_use_pct=52.6 intermediate_feature_use_pct=3.4 "
    "advanced_feature_use_pct=0 feature_feedback_positive_pct=34.2 "
    "feature_reports_use_pct=25 feature_integrations_use_pct=0 "
    "feature_dashboards_use_pct=23.8 revenue_growth_pct=-23.3 "
    "avg_transaction_value=610.2 late_payments_12m=4 failed_payments_12m=1 "
    "avg_first_response_hours=17.2 avg_resolution_hours=89.9 "
    "support_tickets_90d=23 high_severity_tickets_90d=1 "
    "negative_tone_tickets_pct=41.8 support_escalations_90d=5 "
    "support_tickets_prev_90d=16 repeat_question_tickets_90d=4 "
    "csat_90d_pct=58.2 csat_prev_90d_pct=66.9 feedback_sentiment_net_90d=-3.1 "
    "days_since_last_contact=84 touchpoints_90d=3 touchpoints_prev_90d=6 "
    "has_executive_sponsor=1 business_reviews_12m=2 champion_changed_90d=0 "
    "days_to_contract_end=269 usage_change_30d_pct=-22 "
    "customer_communications_30d=1 email_open_rate_pct=6.4 "
    "social_interactions_30d=1 social_interactions_prev_30d=1 "
    "events_attended_90d=0 account_nps=-41 account_nps_prev=-27 "
    "referrals_12m=0 positive_social_mentions_90d=0 testimonials_12m=0 "
    "positive_reviews_12m=0 seat_utilization_pct=36.9 "
    "usage_growth_90d_pct=-24.4 upsell_offers_engaged_90d=0 site_visits_7d=4 "
    "negative_feedback_30d=2 industry_risk_score=72 recent_funding_flag=0 "
    "layoffs_pct_12m=5.1 merger_or_acquisition_flag=1 months_as_customer=6 "
    "renewal_count=0";
// Red F (16.2) with support health floored at 0: the support_floor gate
// holds the score at 45 until several support signals move together.
constexpr char kRedGated[] =
    "feature_adoption_pct=13.2 logins_30d=49 logins_prev_30d=230 "
    "basic_feature_use_pct=47.7 intermediate_feature_use_pct=6.5 "
    "advanced_feature_use_pct=0 feature_feedback_positive_pct=42.5 "
    "feature_reports_use_pct=0 feature_integrations_use_pct=0 "
    "feature_dashboards_use_pct=6.6 revenue_growth_pct=-26.1 "
    "avg_transaction_value=3013.65 late_payments_12m=9 failed_payments_12m=1 "
    "avg_first_response_hours=32.6 avg_resolution_hours=125 "
    "support_tickets_90d=37 high_severity_tickets_90d=8 "
    "negative_tone_tickets_pct=62.3 support_escalations_90d=5 "
    "support_tickets_prev_90d=22 repeat_question_tickets_90d=9 "
    "csat_90d_pct=50.2 csat_prev_90d_pct=65.7 feedback_sentiment_net_90d=-30.1 "
    "days_since_last_contact=99 touchpoints_90d=0 touchpoints_prev_90d=0 "
    "has_executive_sponsor=0 business_reviews_12m=0 champion_changed_90d=0 "
    "days_to_contract_end=170 usage_change_30d_pct=-33.8 "
    "customer_communications_30d=1 email_open_rate_pct=21.5 "
    "social_interactions_30d=1 social_interactions_prev_30d=9 "
    "events_attended_90d=0 account_nps=-45 account_nps_prev=-13 "
    "referrals_12m=0 positive_social_mentions_90d=0 testimonials_12m=0 "
    "positive_reviews_12m=0 seat_utilization_pct=58.7 usage_growth_90d_pct=-51 "
    "upsell_offers_engaged_90d=0 site_visits_7d=0 negative_feedback_30d=2 "
    "industry_risk_score=56 recent_funding_flag=0 layoffs_pct_12m=0 "
    "merger_or_acquisition_flag=0 months_as_customer=8 renewal_count=0";
// Yellow C (56.2), with some signals missing.
constexpr char kYellow[] =
    "feature_adoption_pct=55.8 basic_feature_use_pct=71.5 "
    "intermediate_feature_use_pct=53.2 advanced_feature_use_pct=31.3 "
    "feature_feedback_positive_pct=64.9 feature_reports_use_pct=66.5 "
    "feature_integrations_use_pct=47.9 feature_dashboards_use_pct=64.3 "
    "revenue_growth_pct=-19.5 avg_transaction_value=5243.65 "
    "late_payments_12m=3 failed_payments_12m=0 avg_resolution_hours=55.9 "
    "support_tickets_90d=14 support_tickets_prev_90d=12 "
    "repeat_question_tickets_90d=1 csat_90d_pct=59.3 "
    "feedback_sentiment_net_90d=-2.6 days_since_last_contact=62 "
    "touchpoints_90d=5 touchpoints_prev_90d=5 has_executive_sponsor=0 "
    "business_reviews_12m=3 days_to_contract_end=172 usage_change_30d_pct=-7.8 "
    "email_open_rate_pct=19.4 social_interactions_30d=4 events_attended_90d=3 "
    "account_nps=7 referrals_12m=2 testimonials_12m=0 "
    "usage_growth_90d_pct=-8.6 site_visits_7d=3 negative_feedback_30d=1 "
    "industry_risk_score=77 recent_funding_flag=0 layoffs_pct_12m=0 "
    "merger_or_acquisition_flag=0 months_as_customer=12 renewal_count=1";
// Green B (76.5).
constexpr char kGreen[] =
    "logins_30d=37 advanced_feature_use_pct=37.8 "
    "feature_feedback_positive_pct=88.9 feature_reports_use_pct=80.5 "
    "feature_integrations_use_pct=100 feature_dashboards_use_pct=100 "
    "avg_transaction_value=278.98 late_payments_12m=1 failed_payments_12m=0 "
    "avg_first_response_hours=17.6 support_tickets_90d=17 "
    "negative_tone_tickets_pct=30.7 support_escalations_90d=1 "
    "support_tickets_prev_90d=13 repeat_question_tickets_90d=4 "
    "csat_90d_pct=68.5 feedback_sentiment_net_90d=29.6 "
    "days_since_last_contact=36 business_reviews_12m=5 days_to_contract_end=16 "
    "usage_change_30d_pct=-15 social_interactions_prev_30d=7 account_nps=19 "
    "referrals_12m=1 positive_social_mentions_90d=3 testimonials_12m=1 "
    "seat_utilization_pct=102.6 usage_growth_90d_pct=-25.3 "
    "upsell_offers_engaged_90d=1 site_visits_7d=10 negative_feedback_30d=0 "
    "industry_risk_score=15 recent_funding_flag=0 layoffs_pct_12m=0 "
    "merger_or_acquisition_flag=0";

v1::Customer MakeCustomer(const std::string& id, const std::string& segment,
                          const std::string& signals) {
  v1::Customer c;
  c.set_customer_id(id);
  c.set_segment(segment);
  for (absl::string_view item :
       absl::StrSplit(signals, ' ', absl::SkipEmpty())) {
    const std::vector<std::string> kv = absl::StrSplit(item, '=');
    double value = 0;
    EXPECT_TRUE(absl::SimpleAtod(kv[1], &value)) << item;
    (*c.mutable_signals())[kv[0]] = value;
  }
  return c;
}

// Only external factors and tenure: red unless the customer's situation is
// good and it has been a customer for years. Tenure cannot be acted on.
constexpr char kContextCard[] = R"(scorecard: context
version: "1"
bands:
  - {name: green,  grade: A, min: 70}
  - {name: yellow, grade: C, min: 50}
  - {name: red,    grade: F, min: 0}
dimensions:
  external_factors: {plugin: external_factors, weight: 1}
  tenure: {plugin: tenure, weight: 1}
not_actionable: [months_as_customer, renewal_count]
)";

// A direction and bounds as the plugins declare them.
struct Declared {
  bool higher_is_better = true;
  std::optional<double> min, max;
};

class WhatIfServer {
 public:
  // The built-in plugins and `scorecard` (scorecards/default.yaml when
  // empty); `store` as Server::Options::store.
  static std::unique_ptr<WhatIfServer> Start(
      const std::string& store, const std::string& scorecard = "") {
    auto w = std::unique_ptr<WhatIfServer>(new WhatIfServer);
    const std::filesystem::path dir = testing::MakeTempDir();
    const std::string text = scorecard.empty()
                                 ? testing::ReadFile(testing::SourceDir() /
                                                     "scorecards/default.yaml")
                                 : scorecard;
    Server::Options options;
    options.listen = "127.0.0.1:0";
    options.config_path = testing::WriteFile(dir, "card.yaml", text).string();
    options.plugin_dir = testing::BuiltinPluginDir().string();
    options.store = store;
    absl::StatusOr<std::unique_ptr<Server>> server =
        Server::BuildAndStart(options);
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return nullptr;
    w->server_ = *std::move(server);
    auto channel = grpc::CreateChannel(w->server_->address(),
                                       grpc::InsecureChannelCredentials());
    w->scoring_ = v1::HealthScoring::NewStub(channel);
    w->validation_ = v1::Validation::NewStub(channel);
    return w;
  }

  grpc::Status Score(const v1::Customer& customer, v1::CustomerScore* out,
                     bool record = false) {
    v1::ScoreRequest request;
    *request.mutable_customer() = customer;
    request.set_explain(v1::EXPLAIN_FULL);
    request.set_record(record);
    v1::ScoreResponse response;
    grpc::ClientContext context;
    grpc::Status status = scoring_->Score(&context, request, &response);
    *out = response.score();
    return status;
  }

  grpc::Status Simulate(const v1::Customer& customer,
                        const std::map<std::string, double>& changes,
                        v1::SimulateResponse* out) {
    v1::SimulateRequest request;
    *request.mutable_customer() = customer;
    for (const auto& [name, value] : changes) {
      (*request.mutable_changes())[name] = value;
    }
    grpc::ClientContext context;
    return validation_->Simulate(&context, request, out);
  }

  grpc::Status PathToGreen(const v1::Customer& customer,
                           v1::PathToGreenResponse* out) {
    v1::PathToGreenRequest request;
    *request.mutable_customer() = customer;
    grpc::ClientContext context;
    return validation_->PathToGreen(&context, request, out);
  }

  // Every signal's direction and bounds as ListDimensions reports the
  // plugins' declarations (the rules dimension's signals come from the
  // scorecard: see `signals:` of web_engagement in default.yaml).
  std::map<std::string, std::vector<Declared>> Declarations() {
    v1::ListDimensionsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(
        scoring_
            ->ListDimensions(&context, v1::ListDimensionsRequest(), &response)
            .ok());
    std::map<std::string, std::vector<Declared>> out;
    for (const v1::DimensionInfo& d : response.dimensions()) {
      for (const v1::SignalSpec& s : d.signals()) {
        Declared declared{s.higher_is_better(), std::nullopt, std::nullopt};
        if (s.has_min()) declared.min = s.min();
        if (s.has_max()) declared.max = s.max();
        out[s.name()].push_back(declared);
      }
    }
    out["site_visits_7d"].push_back({true, 0.0, std::nullopt});
    out["negative_feedback_30d"].push_back({false, 0.0, std::nullopt});
    return out;
  }

  // Dimension -> the signals it reads (GetScorecard).
  std::map<std::string, std::set<std::string>> Readers() {
    v1::GetScorecardResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(
        scoring_->GetScorecard(&context, v1::GetScorecardRequest(), &response)
            .ok());
    std::map<std::string, std::set<std::string>> out;
    for (const v1::ScorecardDimension& d : response.scorecard().dimensions()) {
      out[d.name()].insert(d.signals().begin(), d.signals().end());
    }
    return out;
  }

 private:
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::HealthScoring::Stub> scoring_;
  std::unique_ptr<v1::Validation::Stub> validation_;
};

double Dimension(const v1::CustomerScore& score, const std::string& name) {
  for (const v1::DimensionResult& d : score.dimensions()) {
    if (d.name() == name) return d.score();
  }
  ADD_FAILURE() << "no dimension " << name;
  return NAN;
}

// The path's moves as Simulate changes.
std::map<std::string, double> Changes(const v1::PathToGreenResponse& path) {
  std::map<std::string, double> changes;
  for (const v1::SignalMove& m : path.moves()) changes[m.signal()] = m.to();
  return changes;
}

class WhatIfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    w_ = WhatIfServer::Start("");
    ASSERT_NE(w_, nullptr);
  }
  std::unique_ptr<WhatIfServer> w_;
};

TEST_F(WhatIfTest, SimulateScoresTheChangedCustomerAsScoreDoes) {
  const v1::Customer red = MakeCustomer("c1", "mid_market", kRed);
  v1::Customer changed = red;
  (*changed.mutable_signals())["avg_first_response_hours"] = 4;
  (*changed.mutable_signals())["support_escalations_90d"] = 0;
  changed.mutable_signals()->erase("referrals_12m");
  v1::CustomerScore before, after;
  ASSERT_TRUE(w_->Score(red, &before).ok());
  ASSERT_TRUE(w_->Score(changed, &after).ok());
  ASSERT_GT(after.score(), before.score() + 1);  // a change worth testing

  v1::SimulateResponse sim;
  ASSERT_TRUE(w_->Simulate(red,
                           {{"avg_first_response_hours", 4},
                            {"support_escalations_90d", 0},
                            {"referrals_12m", NAN}},
                           &sim)
                  .ok());
  EXPECT_DOUBLE_EQ(sim.before().score(), before.score());
  EXPECT_DOUBLE_EQ(sim.after().score(), after.score());
  EXPECT_EQ(sim.after().band(), after.band());
  EXPECT_EQ(sim.after().grade(), after.grade());
  EXPECT_DOUBLE_EQ(Dimension(sim.after(), "support_health"),
                   Dimension(after, "support_health"));
  EXPECT_DOUBLE_EQ(Dimension(sim.after(), "advocacy"),
                   Dimension(after, "advocacy"));
  // Explained in full by default.
  bool has_reasons = false;
  for (const v1::DimensionResult& d : sim.after().dimensions()) {
    has_reasons = has_reasons || d.reasons_size() > 0;
  }
  EXPECT_TRUE(has_reasons);
}

TEST_F(WhatIfTest, SimulateRefusesBadChangesNamingFieldValueAndLimit) {
  const v1::Customer red = MakeCustomer("c1", "smb", kRed);
  v1::SimulateResponse sim;
  grpc::Status s = w_->Simulate(red, {{"login_30d", 5}}, &sim);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              StartsWith("changes['login_30d']: no dimension of scorecard "
                         "default reads it; known signals, closest first: "
                         "logins_30d, logins_prev_30d, "));
  EXPECT_THAT(s.error_message(), HasSubstr(", ... (55 in all)"));

  s = w_->Simulate(red, {{"feature_adoption_pct", 120}}, &sim);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              StartsWith("changes['feature_adoption_pct'] = 120 is above the "
                         "maximum 100 (percent, declared by "));

  s = w_->Simulate(red, {{"logins_30d", -1}}, &sim);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              StartsWith("changes['logins_30d'] = -1 is below the minimum 0 "
                         "(count, declared by product_adoption@"));

  s = w_->Simulate(red, {{"logins_30d", INFINITY}}, &sim);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "changes['logins_30d'] = inf: values must be finite (NaN makes "
            "the signal missing)");

  s = w_->Simulate(red, {}, &sim);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "changes is empty: give at least one signal and its new value "
            "(NaN makes it missing)");

  v1::Customer bad = red;
  (*bad.mutable_signals())["csat_90d_pct"] = 101;
  s = w_->Simulate(bad, {{"logins_30d", 5}}, &sim);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              StartsWith("customer.signals['csat_90d_pct'] = 101 is above the "
                         "maximum 100 (percent, declared by satisfaction@"));

  bad.set_customer_id("");
  s = w_->Simulate(bad, {{"logins_30d", 5}}, &sim);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "customer.customer_id is empty");
}

// Every path of these customers: the moves applied with Simulate land in
// the target band (the next better one), as `after` says; each move goes
// the way its plugins declare better and stays within every declared bound;
// no not_actionable signal moves; a filled signal feeds a dimension that
// scores; the points add up to the gain.
TEST_F(WhatIfTest, PathToGreenLandsInTheNextBandMovingSignalsOnlyTheRightWay) {
  const auto declared = w_->Declarations();
  const auto readers = w_->Readers();
  absl::StatusOr<ScorecardSpec> card =
      LoadScorecardFile(testing::SourceDir() / "scorecards/default.yaml");
  ASSERT_TRUE(card.ok()) << card.status();
  const std::set<std::string> not_actionable(card->not_actionable.begin(),
                                             card->not_actionable.end());
  ASSERT_TRUE(not_actionable.contains("industry_risk_score"));
  ASSERT_TRUE(not_actionable.contains("months_as_customer"));

  struct Case {
    const char* signals;
    const char* segment;
    const char* from_band;
    const char* to_band;
  };
  for (const Case& c : {Case{kRed, "smb", "red", "yellow"},
                        Case{kRed, "enterprise", "red", "yellow"},
                        Case{kRedGated, "mid_market", "red", "yellow"},
                        Case{kYellow, "mid_market", "yellow", "green"}}) {
    SCOPED_TRACE(absl::StrCat(c.segment, " ", c.from_band, " ",
                              std::string(c.signals).substr(0, 40)));
    const v1::Customer customer = MakeCustomer("c1", c.segment, c.signals);
    v1::PathToGreenResponse path;
    ASSERT_TRUE(w_->PathToGreen(customer, &path).ok());
    EXPECT_EQ(path.current().band(), c.from_band);
    EXPECT_FALSE(path.already_best());
    EXPECT_EQ(path.target_band(), c.to_band);
    EXPECT_EQ(path.note(), "");
    ASSERT_GT(path.moves_size(), 0);
    EXPECT_EQ(path.after().band(), c.to_band);
    EXPECT_GE(path.after().score(), path.target_min());

    double points = 0;
    for (const v1::SignalMove& m : path.moves()) {
      SCOPED_TRACE(m.signal());
      points += m.points();
      EXPECT_FALSE(not_actionable.contains(m.signal()));
      ASSERT_TRUE(declared.contains(m.signal()));
      for (const Declared& d : declared.at(m.signal())) {
        if (d.min) {
          EXPECT_GE(m.to(), *d.min);
        }
        if (d.max) {
          EXPECT_LE(m.to(), *d.max);
        }
        if (!m.was_missing()) {
          EXPECT_EQ(m.to() > m.from(), d.higher_is_better)
              << m.from() << " -> " << m.to();
          EXPECT_NE(m.to(), m.from());
          EXPECT_EQ(m.from(), customer.signals().at(m.signal()));
        }
      }
      if (m.was_missing()) {
        EXPECT_FALSE(customer.signals().contains(m.signal()));
        bool fed = false;
        for (const v1::DimensionResult& d : path.after().dimensions()) {
          fed = fed || (d.status() == v1::DIMENSION_STATUS_OK &&
                        readers.at(d.name()).contains(m.signal()));
        }
        EXPECT_TRUE(fed);
      }
    }
    EXPECT_NEAR(points, path.after().score() - path.current().score(), 1e-9);

    v1::SimulateResponse sim;
    ASSERT_TRUE(w_->Simulate(customer, Changes(path), &sim).ok());
    EXPECT_EQ(sim.after().band(), c.to_band);
    EXPECT_DOUBLE_EQ(sim.after().score(), path.after().score());
    EXPECT_DOUBLE_EQ(sim.before().score(), path.current().score());
  }
}

// The path is pruned: without any one of its moves, the customer stays
// below the target band.
TEST_F(WhatIfTest, EveryMoveOfAPathIsNeeded) {
  const v1::Customer red = MakeCustomer("c1", "smb", kRed);
  v1::PathToGreenResponse path;
  ASSERT_TRUE(w_->PathToGreen(red, &path).ok());
  ASSERT_GT(path.moves_size(), 1);
  for (const v1::SignalMove& m : path.moves()) {
    std::map<std::string, double> changes = Changes(path);
    changes.erase(m.signal());
    v1::SimulateResponse sim;
    ASSERT_TRUE(w_->Simulate(red, changes, &sim).ok());
    EXPECT_LT(sim.after().score(), path.target_min())
        << "without " << m.signal();
  }
}

TEST_F(WhatIfTest, ACustomerInTheBestBandIsAnsweredNotRefused) {
  v1::PathToGreenResponse path;
  ASSERT_TRUE(w_->PathToGreen(MakeCustomer("c1", "smb", kGreen), &path).ok());
  EXPECT_EQ(path.current().band(), "green");
  EXPECT_TRUE(path.already_best());
  EXPECT_EQ(path.moves_size(), 0);
  EXPECT_FALSE(path.has_after());
}

TEST(WhatIfContext, NotActionableSignalsAreNeverMovedAndNoPathIsExplained) {
  auto w = WhatIfServer::Start("", kContextCard);
  ASSERT_NE(w, nullptr);
  // A new customer in a risky situation: tenure would help most, but only
  // the external factors may move.
  const v1::Customer c = MakeCustomer(
      "c1", "",
      "months_as_customer=1 renewal_count=0 industry_risk_score=90 "
      "recent_funding_flag=0 layoffs_pct_12m=30 merger_or_acquisition_flag=1");
  v1::PathToGreenResponse path;
  ASSERT_TRUE(w->PathToGreen(c, &path).ok());
  EXPECT_EQ(path.current().band(), "red");
  ASSERT_GT(path.moves_size(), 0) << path.note();
  for (const v1::SignalMove& m : path.moves()) {
    EXPECT_NE(m.signal(), "months_as_customer");
    EXPECT_NE(m.signal(), "renewal_count");
  }
  EXPECT_EQ(path.after().band(), "yellow");

  // Green needs 70: external factors alone (at most 100 of the half they
  // weigh) with tenure at 1 month cannot get there.
  v1::Customer yellow = c;
  for (const char* name : {"industry_risk_score", "layoffs_pct_12m",
                           "merger_or_acquisition_flag"}) {
    (*yellow.mutable_signals())[name] = 0;
  }
  (*yellow.mutable_signals())["recent_funding_flag"] = 1;
  ASSERT_TRUE(w->PathToGreen(yellow, &path).ok());
  ASSERT_EQ(path.current().band(), "yellow") << path.current().score();
  EXPECT_EQ(path.moves_size(), 0);
  EXPECT_EQ(path.target_band(), "green");
  EXPECT_THAT(path.note(),
              StartsWith("the actionable signals are at their bounds or no "
                         "change to one of them raises the score; it stays "));
  EXPECT_THAT(path.note(),
              HasSubstr("green needs 70.0; not moved: 2 signals marked "
                        "not_actionable"));
}

TEST(WhatIfScorecard, AnUnknownNotActionableSignalIsALoadError) {
  const std::filesystem::path dir = testing::MakeTempDir();
  std::string card = kContextCard;
  card.replace(card.find("renewal_count]"), 14,
               "renewal_count, tenure_months]");
  Server::Options options;
  options.listen = "127.0.0.1:0";
  options.config_path = testing::WriteFile(dir, "card.yaml", card).string();
  options.plugin_dir = testing::BuiltinPluginDir().string();
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::BuildAndStart(options);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(server.status().message(),
              HasSubstr("card.yaml:10: not_actionable[2]: 'tenure_months' is "
                        "read by no dimension"));

  card = kContextCard;
  card.replace(card.find("renewal_count]"), 14, "months_as_customer]");
  absl::StatusOr<ScorecardSpec> twice = ParseScorecard(card, "card.yaml");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(),
            "card.yaml:10: not_actionable[1]: 'months_as_customer' is listed "
            "twice (also as not_actionable[0])");
}

TEST_F(WhatIfTest, ACustomerByIdNeedsAStore) {
  v1::Customer by_id;
  by_id.set_customer_id("c1");
  v1::SimulateResponse sim;
  grpc::Status s = w_->Simulate(by_id, {{"logins_30d", 5}}, &sim);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(),
            "customer 'c1' was given without signals, and this server keeps "
            "no history (started with --store=none) to take its newest "
            "inputs from: give its signals");
}

class WhatIfStoreTest : public ::testing::TestWithParam<std::string> {};

TEST_P(WhatIfStoreTest, ACustomerByIdStartsFromItsNewestRecordedInputs) {
  auto w = WhatIfServer::Start(testing::NewStore(GetParam()));
  ASSERT_NE(w, nullptr);
  // An older yellow point, then the newest: red.
  v1::Customer yellow = MakeCustomer("c1", "smb", kYellow);
  *yellow.mutable_as_of() = testing::Day(1);
  v1::Customer red = MakeCustomer("c1", "smb", kRed);
  *red.mutable_as_of() = testing::Day(8);
  v1::CustomerScore recorded;
  ASSERT_TRUE(w->Score(yellow, &recorded, /*record=*/true).ok());
  ASSERT_TRUE(w->Score(red, &recorded, /*record=*/true).ok());
  ASSERT_EQ(recorded.band(), "red");

  v1::Customer by_id;
  by_id.set_customer_id("c1");
  v1::SimulateResponse sim;
  ASSERT_TRUE(w->Simulate(by_id, {{"support_escalations_90d", 0}}, &sim).ok());
  EXPECT_DOUBLE_EQ(sim.before().score(), recorded.score());
  EXPECT_EQ(sim.before().segment(), "smb");
  v1::Customer changed = MakeCustomer("c1", "smb", kRed);
  (*changed.mutable_signals())["support_escalations_90d"] = 0;
  v1::CustomerScore expected;
  ASSERT_TRUE(w->Score(changed, &expected).ok());
  EXPECT_DOUBLE_EQ(sim.after().score(), expected.score());

  v1::PathToGreenResponse from_store, given;
  ASSERT_TRUE(w->PathToGreen(by_id, &from_store).ok());
  ASSERT_TRUE(w->PathToGreen(MakeCustomer("c1", "smb", kRed), &given).ok());
  EXPECT_EQ(from_store.target_band(), "yellow");
  ASSERT_EQ(from_store.moves_size(), given.moves_size());
  for (int i = 0; i < given.moves_size(); ++i) {
    EXPECT_EQ(from_store.moves(i).signal(), given.moves(i).signal());
    EXPECT_EQ(from_store.moves(i).to(), given.moves(i).to());
  }
  EXPECT_DOUBLE_EQ(from_store.after().score(), given.after().score());

  v1::Customer unknown;
  unknown.set_customer_id("nobody");
  grpc::Status s = w->PathToGreen(unknown, &from_store);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(),
            "customer 'nobody' has no recorded point to start from; give its "
            "signals");
}

INSTANTIATE_TEST_SUITE_P(WhatIfStores, WhatIfStoreTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace healthscore
