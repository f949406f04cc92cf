// Four customers of the default scorecard (scorecards/default.yaml) worked by
// hand end to end and pinned: each dimension's score and status, its share of
// the total, the groups, the gate, the total, band, grade and the top drivers.
//
// The expected values are written as the arithmetic a reviewer can follow,
// from the documented formulas only: docs/dimensions/<name>.md for each
// dimension (sub-scores, weights renormalized over the components present,
// penalties, reasons as share * (sub - 50)), docs/scorecards.md for the
// groups (a group is the weighted mean of its members with data; the total
// is the weighted mean of the groups with data), the gate (the lowest cap
// that fired binds; its impact is the points it took, and it is a driver
// down as gate:<id>) and the bands, and docs/api.md / docs/plugin-sdk.md for
// the drivers (a reason's impact times its dimension's effective weight, the
// top three up and down, impact-0 reasons never rank). Nothing here was
// copied from the program's output.
//
// The four customers take different paths:
//   high     (segment mid_market, its variant): every signal given, grade A;
//            a renewal credit cut at the ceiling of 100; three drivers of
//            four down.
//   at_risk  (no segment: the default): support collapsed below the gate's
//            floor, the gate caps the total at 45 (red, D) and is the top
//            driver down; penalties in five dimensions; the rules dimension
//            clamped at 0 with its impacts scaled.
//   sparse   (segment startup, which has no variant: the default and a
//            segment_default warning): eight dimensions INSUFFICIENT_DATA, a
//            whole group (context) without data, weights shared out inside
//            the groups and across them, coverage 0.57 (a low_coverage
//            warning), fewer than three drivers down.
//   enterprise (its variant): robust_adoption_pct 80 and the group weights
//            relationship 40, product 30 (the total weight 105).
#include <grpcpp/grpcpp.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "server/server.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

// Scores are sums of a dozen products; 1e-9 leaves room for the order of
// the additions and nothing else.
constexpr double kTol = 1e-9;

// The scorecard's dimensions, their configured weights and groups.
struct DimensionSpec {
  const char* name;
  double weight;
  const char* group;
};
constexpr DimensionSpec kDimensions[] = {
    {"product_adoption", 15, "product"},
    {"feature_adoption", 10, "product"},
    {"financial_health", 15, "financial"},
    {"support_health", 9, "service"},
    {"satisfaction", 8, "relationship"},
    {"relationship_health", 8, "relationship"},
    {"renewal_readiness", 8, "relationship"},
    {"engagement", 6, "product"},
    {"advocacy", 6, "relationship"},
    {"expansion_potential", 5, "financial"},
    {"web_engagement", 4, "product"},
    {"external_factors", 3, "context"},
    {"tenure", 3, "context"},
};

// What a dimension should come to. `reason` is the status reason of a
// dimension without data (empty for OK).
struct Dim {
  double score = 0;
  double effective_weight = 0;
  bool ok = true;
  std::string reason;
};
Dim Ok(double score, double share) { return {score, share, true, ""}; }
Dim Missing(std::string reason) { return {0, 0, false, std::move(reason)}; }

struct Group {
  double score;
  double effective_weight;
  bool has_data = true;
};

struct DriverSpec {
  std::string dimension;
  std::string rule_id;
  double impact;
};

struct Expected {
  std::string variant;
  double score;     // after the gate
  double uncapped;  // the groups' weighted mean: contributions sum to it
  std::string band;
  std::string grade;
  double coverage;
  std::map<std::string, Dim> dims;
  std::map<std::string, Group> groups;
  // At most one gate in the default scorecard: support_floor.
  bool gate_fired = false;
  double gate_observed = 0;
  double gate_impact = 0;
  std::vector<DriverSpec> up;
  std::vector<DriverSpec> down;
  std::vector<std::string> warnings;  // codes
};

class GoldenCustomersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Server::Options options;
    options.listen = "127.0.0.1:0";
    options.config_path =
        (testing::SourceDir() / "scorecards/default.yaml").string();
    options.plugin_dir = testing::BuiltinPluginDir().string();
    auto server = Server::BuildAndStart(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server).release();
    channel_ = new std::shared_ptr<grpc::Channel>(grpc::CreateChannel(
        server_->address(), grpc::InsecureChannelCredentials()));
  }
  static void TearDownTestSuite() {
    delete channel_;
    channel_ = nullptr;
    delete server_;
    server_ = nullptr;
  }

  static v1::CustomerScore Score(const std::string& id,
                                 const std::string& segment,
                                 const std::map<std::string, double>& signals) {
    v1::ScoreRequest request;
    request.mutable_customer()->set_customer_id(id);
    request.mutable_customer()->set_segment(segment);
    for (const auto& [name, value] : signals) {
      (*request.mutable_customer()->mutable_signals())[name] = value;
    }
    request.set_explain(v1::EXPLAIN_FULL);
    auto stub = v1::HealthScoring::NewStub(*channel_);
    grpc::ClientContext context;
    v1::ScoreResponse response;
    grpc::Status status = stub->Score(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(response.unused_signals().empty())
        << response.unused_signals(0);
    return response.score();
  }

  static void Check(const v1::CustomerScore& s, const Expected& e) {
    EXPECT_EQ(s.variant(), e.variant);
    EXPECT_NEAR(s.score(), e.score, kTol);
    EXPECT_EQ(s.band(), e.band);
    EXPECT_EQ(s.grade(), e.grade);
    EXPECT_NEAR(s.coverage(), e.coverage, kTol);

    ASSERT_EQ(s.dimensions_size(), static_cast<int>(std::size(kDimensions)));
    double contributions = 0;
    double shares = 0;
    for (const DimensionSpec& spec : kDimensions) {
      SCOPED_TRACE(spec.name);
      const v1::DimensionResult* d = nullptr;
      for (const auto& x : s.dimensions()) {
        if (x.name() == spec.name) d = &x;
      }
      ASSERT_NE(d, nullptr);
      ASSERT_EQ(e.dims.count(spec.name), 1u);
      const Dim& want = e.dims.at(spec.name);
      EXPECT_DOUBLE_EQ(d->weight(), spec.weight);
      EXPECT_EQ(d->group(), spec.group);
      if (want.ok) {
        EXPECT_EQ(d->status(), v1::DIMENSION_STATUS_OK) << d->status_reason();
        EXPECT_NEAR(d->score(), want.score, kTol);
        EXPECT_NEAR(d->effective_weight(), want.effective_weight, kTol);
        EXPECT_NEAR(d->contribution(), want.effective_weight * want.score,
                    kTol);
        EXPECT_NEAR(d->points_lost(),
                    want.effective_weight * (100 - want.score), kTol);
        // 50 + the impacts is the score (docs/plugin-sdk.md).
        double sum = 50;
        for (const auto& r : d->reasons()) sum += r.impact();
        EXPECT_NEAR(sum, want.score, kTol);
      } else {
        EXPECT_EQ(d->status(), v1::DIMENSION_STATUS_INSUFFICIENT_DATA);
        EXPECT_EQ(d->status_reason(), want.reason);
        EXPECT_EQ(d->score(), 0);
        EXPECT_EQ(d->effective_weight(), 0);
        EXPECT_EQ(d->contribution(), 0);
      }
      contributions += d->contribution();
      shares += d->effective_weight();
    }
    // Contributions add up to the total before the gate; shares to 1.
    EXPECT_NEAR(contributions, e.uncapped, kTol);
    EXPECT_NEAR(shares, 1, kTol);

    ASSERT_EQ(s.groups_size(), static_cast<int>(e.groups.size()));
    for (const auto& g : s.groups()) {
      SCOPED_TRACE(g.name());
      ASSERT_EQ(e.groups.count(g.name()), 1u);
      const Group& want = e.groups.at(g.name());
      EXPECT_EQ(g.has_data(), want.has_data);
      EXPECT_NEAR(g.score(), want.score, kTol);
      EXPECT_NEAR(g.effective_weight(), want.effective_weight, kTol);
      EXPECT_NEAR(g.contribution(), want.effective_weight * want.score, kTol);
    }

    if (e.gate_fired) {
      ASSERT_EQ(s.gates_size(), 1);
      const v1::GateResult& g = s.gates(0);
      EXPECT_EQ(g.id(), "support_floor");
      EXPECT_EQ(g.dimension(), "support_health");
      EXPECT_NEAR(g.observed(), e.gate_observed, kTol);
      EXPECT_EQ(g.below(), 25);
      EXPECT_EQ(g.cap(), 45);
      EXPECT_NEAR(g.impact(), e.gate_impact, kTol);
      EXPECT_EQ(g.message(), "Support health below 25 caps the score at 45");
    } else {
      EXPECT_EQ(s.gates_size(), 0);
    }

    auto check_drivers = [](const auto& got,
                            const std::vector<DriverSpec>& want,
                            const char* which) {
      SCOPED_TRACE(which);
      ASSERT_EQ(got.size(), static_cast<int>(want.size()));
      for (size_t i = 0; i < want.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(got[i].dimension(), want[i].dimension);
        EXPECT_EQ(got[i].rule_id(), want[i].rule_id);
        EXPECT_NEAR(got[i].impact(), want[i].impact, kTol);
        EXPECT_FALSE(got[i].message().empty());
      }
    };
    check_drivers(s.top_drivers_up(), e.up, "up");
    check_drivers(s.top_drivers_down(), e.down, "down");

    std::vector<std::string> codes;
    for (const auto& w : s.warnings()) codes.push_back(w.code());
    EXPECT_THAT(codes, UnorderedElementsAreArray(e.warnings));
  }

  // The impacts of a dimension's reasons, by rule id.
  static std::map<std::string, double> Reasons(const v1::CustomerScore& s,
                                               const std::string& dimension) {
    std::map<std::string, double> out;
    for (const auto& d : s.dimensions()) {
      if (d.name() != dimension) continue;
      for (const auto& r : d.reasons()) out[r.rule_id()] = r.impact();
    }
    return out;
  }

  static Server* server_;
  static std::shared_ptr<grpc::Channel>* channel_;
};

Server* GoldenCustomersTest::server_ = nullptr;
std::shared_ptr<grpc::Channel>* GoldenCustomersTest::channel_ = nullptr;

// With the default group weights (each the sum of its members' weights) a
// dimension's effective weight is its weight / 100 when every dimension has
// data: the group's share (group weight / 100) times its share in the group
// (weight / group weight).
TEST_F(GoldenCustomersTest, AHealthyCustomerWithEverySignal) {
  const v1::CustomerScore s =
      Score("golden-high", "mid_market",
            {// product_adoption
             {"feature_adoption_pct", 85},
             {"logins_30d", 20},
             {"logins_prev_30d", 18},
             {"basic_feature_use_pct", 100},
             {"intermediate_feature_use_pct", 90},
             {"advanced_feature_use_pct", 80},
             // feature_adoption (and feature_adoption_pct above)
             {"feature_reports_use_pct", 90},
             {"feature_integrations_use_pct", 40},
             {"feature_dashboards_use_pct", 70},
             {"feature_feedback_positive_pct", 80},
             // financial_health
             {"revenue_growth_pct", 20},
             {"avg_transaction_value", 1000},
             {"late_payments_12m", 1},
             {"failed_payments_12m", 0},
             // support_health
             {"avg_first_response_hours", 4},
             {"avg_resolution_hours", 24},
             {"support_tickets_90d", 10},
             {"support_tickets_prev_90d", 10},
             {"high_severity_tickets_90d", 0},
             {"negative_tone_tickets_pct", 10},
             {"support_escalations_90d", 0},
             {"repeat_question_tickets_90d", 1},
             // satisfaction
             {"csat_90d_pct", 90},
             {"csat_prev_90d_pct", 88},
             {"feedback_sentiment_net_90d", 60},
             // relationship_health
             {"days_since_last_contact", 30},
             {"touchpoints_90d", 6},
             {"touchpoints_prev_90d", 6},
             {"has_executive_sponsor", 1},
             {"business_reviews_12m", 4},
             {"champion_changed_90d", 0},
             // renewal_readiness
             {"days_to_contract_end", 200},
             {"usage_change_30d_pct", 8},
             {"customer_communications_30d", 4},
             // engagement
             {"email_open_rate_pct", 40},
             {"social_interactions_30d", 10},
             {"social_interactions_prev_30d", 8},
             {"events_attended_90d", 2},
             // advocacy
             {"account_nps", 50},
             {"account_nps_prev", 40},
             {"referrals_12m", 2},
             {"positive_social_mentions_90d", 3},
             {"testimonials_12m", 0},
             {"positive_reviews_12m", 1},
             // expansion_potential
             {"seat_utilization_pct", 90},
             {"usage_growth_90d_pct", 20},
             {"upsell_offers_engaged_90d", 2},
             // web_engagement (rules)
             {"site_visits_7d", 12},
             {"negative_feedback_30d", 1},
             // external_factors
             {"industry_risk_score", 30},
             {"recent_funding_flag", 0},
             {"layoffs_pct_12m", 6},
             {"merger_or_acquisition_flag", 0},
             // tenure
             {"months_as_customer", 48},
             {"renewal_count", 2}});

  // product_adoption: adoption 100 * min(1, 85/85) = 100 (share .5); logins
  // 100 * 20/20 = 100 (.25); tiers (.2*100 + .3*90 + .5*80) / 1 = 87 (.25).
  // Logins rose (18 -> 20): no trend penalty.
  const double pa = 0.5 * 100 + 0.25 * 100 + 0.25 * 87;  // 96.75
  // feature_adoption: key features (3*90 + 2*40 + 1*70) / 6 = 70 (.6),
  // adoption 85 (.3), feedback 80 (.1). Reasons: reports .6*3/6*(90-50) =
  // +12, integrations .6*2/6*(40-50) = -2, dashboards .6*1/6*20 = +2,
  // adoption .3*35 = +10.5, feedback .1*30 = +3.
  const double fa = 0.6 * 70 + 0.3 * 85 + 0.1 * 80;  // 75.5
  // financial_health: growth 100*(20+20)/40 = 100 (.4), ATV 100*1000/1000 =
  // 100 (.2), payments 100 - 1*10 - 0*25 = 90 (.4).
  const double fh = 0.4 * 100 + 0.2 * 100 + 0.4 * 90;  // 96
  // support_health: every component at its good mark (4 h, 24 h, 10
  // tickets, 0 severe, 10% tone, 0 escalations): 100; tickets flat (10 ->
  // 10): no surge; 1 repeat < 3: no education gap.
  const double sh = 100;
  // satisfaction: CSAT 90 (.7), sentiment (60 + 100) / 2 = 80 (.3); CSAT
  // rose 88 -> 90: no trend penalty.
  const double sat = 0.7 * 90 + 0.3 * 80;  // 87
  // relationship_health: contact 30 days <= 30: 100; touchpoints 6/6: 100;
  // sponsor: 100; reviews 4/4: 100; touchpoints flat; no champion change.
  const double rh = 100;
  // renewal_readiness: usage 100*(8+30)/40 = 95 (.6), communications 4/4 =
  // 100 (.4); 200 days left: renewal_window, impact 0.
  const double rr = 0.6 * 95 + 0.4 * 100;  // 97
  // engagement: email 40/40, social 10/10 (rose from 8), events 2/2: 100.
  const double en = 100;
  // advocacy: NPS 100*(50+50)/100 = 100 (.5), referrals 2/2 = 100 (.2),
  // mentions 3/3 = 100 (.1), testimonials 0/1 = 0 (.1), reviews 1/1 = 100
  // (.1); NPS rose 40 -> 50. Testimonials' reason: .1 * (0 - 50) = -5.
  const double ad = 0.5 * 100 + 0.2 * 100 + 0.1 * 100 + 0.1 * 0 + 0.1 * 100;
  // expansion_potential: seats 100*(90-50)/40 = 100, growth 100*(20+20)/40
  // = 100, upsell 2/2 = 100.
  const double ex = 100;
  // web_engagement: 12 visits: regular_visits +20 and frequent_visits +15;
  // 1 piece of negative feedback: -10 * min(1, 4) = -10.
  const double we = 50 + 20 + 15 - 10;  // 75
  // external_factors: industry 30 <= 30: level 100; no funding, no merger;
  // layoffs 6% >= 5%: -25 * min(1, 6/20) = -7.5.
  const double ef = 100 - 7.5;  // 92.5
  // tenure: curve 100 * (1 - 0.1^(48/24)) = 99; 2 renewals would credit
  // min(2*5, 15) = 10 points, cut to the 1 left below 100.
  const double te = 100;

  // Groups (mid_market has no overrides: the default's weights).
  const double product = (15 * pa + 10 * fa + 6 * en + 4 * we) / 35;  // 88.75
  const double financial = (15 * fh + 5 * ex) / 20;                   // 97
  const double relationship =
      (8 * sat + 8 * rh + 8 * rr + 6 * ad) / 30;  // 93.7333...
  const double service = sh;                      // 100
  const double context = (3 * ef + 3 * te) / 6;   // 96.25
  const double total = 0.35 * product + 0.20 * financial + 0.30 * relationship +
                       0.09 * service + 0.06 * context;  // 93.3575

  Expected e;
  e.variant = "mid_market";
  e.score = e.uncapped = total;
  e.band = "green";  // >= 80
  e.grade = "A";
  e.coverage = 1;
  e.dims = {{"product_adoption", Ok(pa, 0.15)},
            {"feature_adoption", Ok(fa, 0.10)},
            {"financial_health", Ok(fh, 0.15)},
            {"support_health", Ok(sh, 0.09)},
            {"satisfaction", Ok(sat, 0.08)},
            {"relationship_health", Ok(rh, 0.08)},
            {"renewal_readiness", Ok(rr, 0.08)},
            {"engagement", Ok(en, 0.06)},
            {"advocacy", Ok(ad, 0.06)},
            {"expansion_potential", Ok(ex, 0.05)},
            {"web_engagement", Ok(we, 0.04)},
            {"external_factors", Ok(ef, 0.03)},
            {"tenure", Ok(te, 0.03)}};
  e.groups = {{"product", {product, 0.35}},
              {"financial", {financial, 0.20}},
              {"relationship", {relationship, 0.30}},
              {"service", {service, 0.09}},
              {"context", {context, 0.06}}};
  // Up: adoption .5*(100-50) = 25 on 15% of the total = 3.75; growth
  // .4*50 = 20 * .15 = 3; payments .4*(90-50) = 16 * .15 = 2.4. Next, left
  // out: CSAT .7*40 = 28 * .08 = 2.24.
  e.up = {{"product_adoption", "feature_adoption", 25 * 0.15},
          {"financial_health", "revenue_growth", 20 * 0.15},
          {"financial_health", "payment_history", 16 * 0.15}};
  // Down, four candidates and three kept: negative feedback -10 * .04 =
  // -0.4; testimonials -5 * .06 = -0.3; layoffs -7.5 * .03 = -0.225; left
  // out: integrations -2 * .10 = -0.2.
  e.down = {{"web_engagement", "negative_feedback", -10 * 0.04},
            {"advocacy", "testimonials", -5 * 0.06},
            {"external_factors", "layoffs", -7.5 * 0.03}};
  e.warnings = {};
  Check(s, e);

  // The renewal credit cut at the ceiling: curve 99 + 1 (not 10).
  const auto tenure = Reasons(s, "tenure");
  EXPECT_NEAR(tenure.at("tenure"), 100 * (1 - 0.01) - 50, kTol);  // +49
  EXPECT_NEAR(tenure.at("renewals"), 1, kTol);
  const auto fa_reasons = Reasons(s, "feature_adoption");
  EXPECT_NEAR(fa_reasons.at("key_feature_reports"), 12, kTol);
  EXPECT_NEAR(fa_reasons.at("key_feature_integrations"), -2, kTol);
  EXPECT_NEAR(fa_reasons.at("key_feature_dashboards"), 2, kTol);
}

TEST_F(GoldenCustomersTest, AnAtRiskCustomerCappedByTheSupportGate) {
  const v1::CustomerScore s = Score("golden-at-risk", "",
                                    {{"feature_adoption_pct", 68},
                                     {"logins_30d", 15},
                                     {"logins_prev_30d", 30},
                                     {"advanced_feature_use_pct", 60},
                                     {"feature_reports_use_pct", 70},
                                     {"feature_integrations_use_pct", 45},
                                     {"revenue_growth_pct", 4},
                                     {"avg_transaction_value", 800},
                                     {"late_payments_12m", 2},
                                     {"failed_payments_12m", 1},
                                     {"avg_first_response_hours", 14},
                                     {"avg_resolution_hours", 72},
                                     {"support_tickets_90d", 34},
                                     {"support_tickets_prev_90d", 20},
                                     {"high_severity_tickets_90d", 2},
                                     {"negative_tone_tickets_pct", 40},
                                     {"support_escalations_90d", 1},
                                     {"repeat_question_tickets_90d", 5},
                                     {"csat_90d_pct", 72},
                                     {"csat_prev_90d_pct", 80},
                                     {"days_since_last_contact", 45},
                                     {"touchpoints_90d", 4},
                                     {"has_executive_sponsor", 1},
                                     {"champion_changed_90d", 1},
                                     {"days_to_contract_end", -10},
                                     {"usage_change_30d_pct", -5},
                                     {"email_open_rate_pct", 24},
                                     {"account_nps", 10},
                                     {"seat_utilization_pct", 75},
                                     {"usage_growth_90d_pct", -4},
                                     {"site_visits_7d", 0},
                                     {"negative_feedback_30d", 3},
                                     {"industry_risk_score", 50},
                                     {"months_as_customer", 2}});

  // product_adoption: adoption 100*68/85 = 80 (.5), logins 100*15/20 = 75
  // (.25), tiers: advanced alone 60 (.25) = 73.75; logins fell
  // 100*(1 - 15/30) = 50% >= 30%: penalty 10 * 50/100 = 5.
  const double pa = 0.5 * 80 + 0.25 * 75 + 0.25 * 60 - 5;  // 68.75
  // feature_adoption: key (3*70 + 2*45) / 5 = 60 (.6/.9), adoption 68
  // (.3/.9), no feedback. Reasons: reports 2/3*3/5*20 = +8, integrations
  // 2/3*2/5*(-5) = -1.333, adoption 1/3*18 = +6.
  const double fa = (0.6 * 60 + 0.3 * 68) / 0.9;  // 62.667
  // financial_health: growth 100*(4+20)/40 = 60 (.4), ATV 80 (.2), payments
  // 100 - 2*10 - 1*25 = 55 (.4).
  const double fh = 0.4 * 60 + 0.2 * 80 + 0.4 * 55;  // 62
  // support_health: response (24-14)/20 = 50 (.2), resolution (120-72)/96 =
  // 50 (.2), volume (40-34)/30 = 20 (.15), severity (3-2)/3 = 33.33 (.15),
  // tone (50-40)/40 = 25 (.15), escalations (2-1)/2 = 50 (.15) = 39.25;
  // surge 20 -> 34 = +70% >= 50% with 34 >= 5 tickets: 10 * min(1, .7) = 7;
  // 5 repeated questions >= 3: min(10, 2*5) = 10.
  const double sh =
      0.2 * 50 + 0.2 * 50 + 0.15 * (20 + 100.0 / 3 + 25 + 50) - 7 - 10;
  // = 22.25, below the gate's 25.
  // satisfaction: CSAT 72 alone; fell 80 -> 72 = 8 points >= 5: 0.5*8 = 4.
  const double sat = 72 - 0.5 * 8;  // 68
  // relationship_health: recency (90-45)/60 = 75, touchpoints 100*4/6 =
  // 66.67, sponsor 100, no reviews: a third each = 80.56; no previous
  // touchpoints: no trend; champion changed: -15.
  const double rh = (75 + 400.0 / 6 + 100) / 3 - 15;  // 65.556
  // renewal_readiness: usage 100*(-5+30)/40 = 62.5 alone; the contract
  // ended 10 days ago: renewal_overdue, impact 0.
  const double rr = 62.5;
  // engagement: email 100*24/40 = 60 alone.
  const double en = 60;
  // advocacy: NPS 100*(10+50)/100 = 60 alone.
  const double ad = 60;
  // expansion_potential: seats 100*(75-50)/40 = 62.5 (.5/.8), growth
  // 100*(-4+20)/40 = 40 (.3/.8).
  const double ex = (0.5 * 62.5 + 0.3 * 40) / 0.8;  // 54.0625
  // web_engagement: no visits -25, 3 pieces of negative feedback
  // -10*min(3, 4) = -30: 50 - 55 = -5, clamped to 0; the impacts scaled
  // alike by 50/55 (-22.73 and -27.27) so that 50 + impacts = 0.
  const double we = 0;
  // external_factors: industry 50, halfway between 30 and 70: level 50.
  const double ef = 50;
  // tenure: curve 100*(1 - 0.1^(2/24)) = 17.46; early tenure 10*(1 - 2/3)
  // = 3.33 off; no renewal_count: no credit.
  const double curve = 100 * (1 - std::pow(0.1, 2.0 / 24));
  const double te = curve - 10 * (1 - 2.0 / 3);  // 14.126

  const double product = (15 * pa + 10 * fa + 6 * en + 4 * we) / 35;
  const double financial = (15 * fh + 5 * ex) / 20;
  const double relationship = (8 * sat + 8 * rh + 8 * rr + 6 * ad) / 30;
  const double service = sh;
  const double context = (3 * ef + 3 * te) / 6;
  const double total = 0.35 * product + 0.20 * financial + 0.30 * relationship +
                       0.09 * service + 0.06 * context;  // 55.393
  ASSERT_GT(total, 45);  // so that the gate binds

  Expected e;
  e.variant = "default";
  e.uncapped = total;
  e.score = 45;  // support 22.25 < 25: capped at 45
  e.band = "red";
  e.grade = "D";  // 30 <= 45 < 50
  e.coverage = 1;
  e.dims = {{"product_adoption", Ok(pa, 0.15)},
            {"feature_adoption", Ok(fa, 0.10)},
            {"financial_health", Ok(fh, 0.15)},
            {"support_health", Ok(sh, 0.09)},
            {"satisfaction", Ok(sat, 0.08)},
            {"relationship_health", Ok(rh, 0.08)},
            {"renewal_readiness", Ok(rr, 0.08)},
            {"engagement", Ok(en, 0.06)},
            {"advocacy", Ok(ad, 0.06)},
            {"expansion_potential", Ok(ex, 0.05)},
            {"web_engagement", Ok(we, 0.04)},
            {"external_factors", Ok(ef, 0.03)},
            {"tenure", Ok(te, 0.03)}};
  e.groups = {{"product", {product, 0.35}},
              {"financial", {financial, 0.20}},
              {"relationship", {relationship, 0.30}},
              {"service", {service, 0.09}},
              {"context", {context, 0.06}}};
  e.gate_fired = true;
  e.gate_observed = sh;
  e.gate_impact = 45 - total;  // -10.39
  // Up: adoption .5*(80-50) = 15 * .15 = 2.25; CSAT 1*(72-50) = 22 * .08 =
  // 1.76; sponsor 1/3*50 = 16.67 * .08 = 1.333. Left out: usage 12.5 * .08
  // = 1.0.
  e.up = {{"product_adoption", "feature_adoption", 15 * 0.15},
          {"satisfaction", "csat", 22 * 0.08},
          {"relationship_health", "executive_sponsor", 50.0 / 3 * 0.08}};
  // Down: the gate, -10.39; champion change -15 * .08 = -1.2; negative
  // feedback -30*50/55 * .04 = -1.09. Left out: tenure's curve
  // (17.46 - 50) * .03 = -0.98, no visits -25*50/55 * .04 = -0.91.
  e.down = {{"support_health", "gate:support_floor", 45 - total},
            {"relationship_health", "champion_change", -15 * 0.08},
            {"web_engagement", "negative_feedback", -30 * 50.0 / 55 * 0.04}};
  e.warnings = {};
  Check(s, e);

  const auto support = Reasons(s, "support_health");
  EXPECT_NEAR(support.at("ticket_volume"), 0.15 * (20 - 50), kTol);
  EXPECT_NEAR(support.at("ticket_surge"), -7, kTol);
  EXPECT_NEAR(support.at("education_gap"), -10, kTol);
  const auto web = Reasons(s, "web_engagement");
  EXPECT_NEAR(web.at("no_visits"), -25 * 50.0 / 55, kTol);
  EXPECT_NEAR(web.at("negative_feedback"), -30 * 50.0 / 55, kTol);
  const auto tenure = Reasons(s, "tenure");
  EXPECT_NEAR(tenure.at("tenure"), curve - 50, kTol);
  EXPECT_NEAR(tenure.at("early_tenure"), -10.0 / 3, kTol);
  const auto renewal = Reasons(s, "renewal_readiness");
  EXPECT_EQ(renewal.count("renewal_overdue"), 1u);
  EXPECT_EQ(renewal.count("renewal_window"), 0u);
}

TEST_F(GoldenCustomersTest, ASparseCustomerSharesOutTheMissingWeight) {
  const v1::CustomerScore s =
      Score("golden-sparse", "startup",
            {{"feature_adoption_pct", 60},
             {"logins_30d", 5},
             {"revenue_growth_pct", -8},
             {"support_tickets_90d", 0},
             {"csat_90d_pct", 95},
             // Signals of dimensions that cannot score without another:
             {"touchpoints_90d", 5},               // no contact date
             {"usage_change_30d_pct", 3},          // no contract end
             {"social_interactions_prev_30d", 7},  // a baseline only
             {"usage_growth_90d_pct", 12},         // no seat utilization
             {"renewal_count", 1}});               // no months

  // product_adoption: adoption 100*60/85 = 70.59 (.5/.75), logins 100*5/20
  // = 25 (.25/.75), no tiers.
  const double pa = (0.5 * (100 * 60.0 / 85) + 0.25 * 25) / 0.75;  // 55.39
  // feature_adoption: overall adoption 60 carries all the weight.
  const double fa = 60;
  // financial_health: growth 100*(-8+20)/40 = 30 alone.
  const double fh = 30;
  // support_health: 0 tickets: volume 100 alone; no previous count.
  const double sh = 100;
  // satisfaction: CSAT 95 alone.
  const double sat = 95;

  // Groups: product has product_adoption and feature_adoption (25 of its
  // 35); financial financial_health (15 of 20); relationship satisfaction
  // (8 of 30); service support_health; context nothing, so its weight 6 is
  // shared out among the other groups: 35 + 20 + 30 + 9 = 94.
  const double product = (15 * pa + 10 * fa) / 25;  // 57.235
  const double financial = fh;
  const double relationship = sat;
  const double service = sh;
  const double total =
      (35 * product + 20 * financial + 30 * relationship + 9 * service) /
      94;  // 67.588

  Expected e;
  e.variant = "default";  // startup has no variant
  e.score = e.uncapped = total;
  e.band = "yellow";
  e.grade = "C";
  // The share of the weight with data: 15+10+15+9+8 = 57 of 100.
  e.coverage = 0.35 * 25 / 35 + 0.20 * 15 / 20 + 0.30 * 8 / 30 + 0.09;
  e.dims = {
      {"product_adoption", Ok(pa, 35.0 / 94 * 15 / 25)},
      {"feature_adoption", Ok(fa, 35.0 / 94 * 10 / 25)},
      {"financial_health", Ok(fh, 20.0 / 94)},
      {"support_health", Ok(sh, 9.0 / 94)},
      {"satisfaction", Ok(sat, 30.0 / 94)},
      {"relationship_health",
       Missing("missing required signal days_since_last_contact")},
      {"renewal_readiness",
       Missing("missing required signal days_to_contract_end")},
      {"engagement",
       Missing("missing engagement data: none of email_open_rate_pct, "
               "social_interactions_30d, events_attended_90d is present (at "
               "least one is required)")},
      {"advocacy", Missing("missing required signal account_nps")},
      {"expansion_potential",
       Missing("missing required signal seat_utilization_pct")},
      // docs/dimensions/rules.md: "No listed signal present at all:
      // INSUFFICIENT_DATA, naming them" (the wording is not given; checked
      // below).
      {"web_engagement", Missing("")},
      {"external_factors",
       Missing("missing signals industry_risk_score, recent_funding_flag, "
               "layoffs_pct_12m and merger_or_acquisition_flag: at least one "
               "is required")},
      {"tenure", Missing("missing required signal months_as_customer")}};
  e.groups = {{"product", {product, 35.0 / 94}},
              {"financial", {financial, 20.0 / 94}},
              {"relationship", {relationship, 30.0 / 94}},
              {"service", {service, 9.0 / 94}},
              {"context", {0, 0, false}}};
  // Up: CSAT 1*(95-50) = 45 * 30/94 = 14.36; volume 50 * 9/94 = 4.79;
  // adoption 2/3*(70.59-50) = 13.73 * 35/94*15/25 = 3.07. Left out:
  // feature_adoption's adoption +10 * 35/94*10/25 = 1.49.
  e.up = {{"satisfaction", "csat", 45 * 30.0 / 94},
          {"support_health", "ticket_volume", 50 * 9.0 / 94},
          {"product_adoption", "feature_adoption",
           (0.5 / 0.75) * (100 * 60.0 / 85 - 50) * 35.0 / 94 * 15 / 25}};
  // Down, only two: growth -20 * 20/94 = -4.26; logins 1/3*(25-50) = -8.33
  // * 35/94*15/25 = -1.86.
  e.down = {{"financial_health", "revenue_growth", -20 * 20.0 / 94},
            {"product_adoption", "login_frequency",
             (0.25 / 0.75) * (25 - 50) * 35.0 / 94 * 15 / 25}};
  // 57% < 60%, and the segment has no variant.
  e.warnings = {"low_coverage", "segment_default"};

  // web_engagement's reason is not documented word for word: check it
  // names both signals, then pin the rest.
  for (const auto& d : s.dimensions()) {
    if (d.name() != "web_engagement") continue;
    EXPECT_THAT(d.status_reason(), HasSubstr("site_visits_7d"));
    EXPECT_THAT(d.status_reason(), HasSubstr("negative_feedback_30d"));
    e.dims["web_engagement"].reason = d.status_reason();
  }
  Check(s, e);
}

TEST_F(GoldenCustomersTest, AnEnterpriseCustomerScoredByItsVariant) {
  const v1::CustomerScore s = Score("golden-enterprise", "enterprise",
                                    {{"feature_adoption_pct", 72},
                                     {"logins_30d", 16},
                                     {"logins_prev_30d", 20},
                                     {"basic_feature_use_pct", 80},
                                     {"intermediate_feature_use_pct", 50},
                                     {"feature_reports_use_pct", 60},
                                     {"feature_dashboards_use_pct", 20},
                                     {"revenue_growth_pct", 10},
                                     {"late_payments_12m", 0},
                                     {"avg_first_response_hours", 6},
                                     {"support_tickets_90d", 16},
                                     {"support_tickets_prev_90d", 12},
                                     {"negative_tone_tickets_pct", 20},
                                     {"csat_90d_pct", 80},
                                     {"feedback_sentiment_net_90d", -20},
                                     {"days_since_last_contact", 12},
                                     {"touchpoints_90d", 3},
                                     {"touchpoints_prev_90d", 9},
                                     {"has_executive_sponsor", 0},
                                     {"business_reviews_12m", 3},
                                     {"days_to_contract_end", 60},
                                     {"usage_change_30d_pct", -18},
                                     {"customer_communications_30d", 3},
                                     {"email_open_rate_pct", 30},
                                     {"social_interactions_30d", 6},
                                     {"social_interactions_prev_30d", 12},
                                     {"events_attended_90d", 1},
                                     {"account_nps", 30},
                                     {"account_nps_prev", 20},
                                     {"referrals_12m", 1},
                                     {"positive_reviews_12m", 2},
                                     {"seat_utilization_pct", 82},
                                     {"upsell_offers_engaged_90d", 1},
                                     {"site_visits_7d", 4},
                                     {"industry_risk_score", 40},
                                     {"recent_funding_flag", 1},
                                     {"months_as_customer", 24},
                                     {"renewal_count", 1}});

  // product_adoption with the variant's robust_adoption_pct 80: adoption
  // 100*72/80 = 90 (.5), logins 100*16/20 = 80 (.25), tiers (.2*80 +
  // .3*50) / .5 = 62 (.25); logins fell 20% < 30%: no penalty.
  const double pa = 0.5 * 90 + 0.25 * 80 + 0.25 * 62;  // 80.5
  // feature_adoption: key (3*60 + 1*20) / 4 = 50 (.6/.9), adoption 72
  // (.3/.9). Reasons: reports 2/3*3/4*10 = +5, dashboards 2/3*1/4*(-30) =
  // -5, adoption 1/3*22 = +7.33.
  const double fa = (0.6 * 50 + 0.3 * 72) / 0.9;  // 57.33
  // financial_health: growth 100*(10+20)/40 = 75 (.4/.8), payments 0 late
  // (failed not reported: 0) = 100 (.4/.8).
  const double fh = (0.4 * 75 + 0.4 * 100) / 0.8;  // 87.5
  // support_health: response (24-6)/20 = 90 (.2/.5), volume (40-16)/30 =
  // 80 (.15/.5), tone (50-20)/40 = 75 (.15/.5); 12 -> 16 is +33% < 50%.
  const double sh = (0.2 * 90 + 0.15 * 80 + 0.15 * 75) / 0.5;  // 82.5
  // satisfaction: CSAT 80 (.7), sentiment (-20+100)/2 = 40 (.3).
  const double sat = 0.7 * 80 + 0.3 * 40;  // 68
  // relationship_health: recency 12 <= 30: 100, touchpoints 3/6 = 50,
  // sponsor 0, reviews 3/4 = 75: (100+50+0+75)/4 = 56.25; touchpoints fell
  // 100*(1 - 3/9) = 66.7% >= 50%: 10 * 66.7/100 = 6.67 off.
  const double rh = (100 + 50 + 0 + 75) / 4.0 - 10 * (1 - 3.0 / 9);  // 49.58
  // renewal_readiness: usage 100*(-18+30)/40 = 30 (.6), communications 3/4
  // = 75 (.4).
  const double rr = 0.6 * 30 + 0.4 * 75;  // 48
  // engagement: email 100*30/40 = 75 (.4), social 6/10 = 60 (.3), events
  // 1/2 = 50 (.3) = 63; social fell 12 -> 6 = 50% >= 30%: 10*50/100 = 5.
  const double en = 0.4 * 75 + 0.3 * 60 + 0.3 * 50 - 5;  // 58
  // advocacy: NPS 100*(30+50)/100 = 80 (.5/.8), referrals 1/2 = 50 (.2/.8),
  // reviews min(1, 2/1) = 100 (.1/.8); NPS rose 20 -> 30.
  const double ad = (0.5 * 80 + 0.2 * 50 + 0.1 * 100) / 0.8;  // 75
  // expansion_potential: seats 100*(82-50)/40 = 80 (.5/.7), upsell 1/2 = 50
  // (.2/.7).
  const double ex = (0.5 * 80 + 0.2 * 50) / 0.7;  // 71.43
  // web_engagement: 4 visits: regular_visits +20; no feedback signal.
  const double we = 50 + 20;
  // external_factors: industry 100*(70-40)/40 = 75, funding +10.
  const double ef = 75 + 10;
  // tenure: 24 months: 100*(1 - 0.1) = 90; one renewal +5.
  const double te = 90 + 5;

  // The enterprise variant's group weights: relationship 40, product 30,
  // the others as the default's: 30 + 20 + 40 + 9 + 6 = 105.
  const double product = (15 * pa + 10 * fa + 6 * en + 4 * we) / 35;
  const double financial = (15 * fh + 5 * ex) / 20;
  const double relationship = (8 * sat + 8 * rh + 8 * rr + 6 * ad) / 30;
  const double service = sh;
  const double context = (3 * ef + 3 * te) / 6;
  const double total = (30 * product + 20 * financial + 40 * relationship +
                        9 * service + 6 * context) /
                       105;  // 70.315

  Expected e;
  e.variant = "enterprise";
  e.score = e.uncapped = total;
  e.band = "green";
  e.grade = "B";  // 70 <= 70.3 < 80
  e.coverage = 1;
  auto share = [](double group_weight, double weight, double group_total) {
    return group_weight / 105 * weight / group_total;
  };
  e.dims = {{"product_adoption", Ok(pa, share(30, 15, 35))},
            {"feature_adoption", Ok(fa, share(30, 10, 35))},
            {"financial_health", Ok(fh, share(20, 15, 20))},
            {"support_health", Ok(sh, share(9, 9, 9))},
            {"satisfaction", Ok(sat, share(40, 8, 30))},
            {"relationship_health", Ok(rh, share(40, 8, 30))},
            {"renewal_readiness", Ok(rr, share(40, 8, 30))},
            {"engagement", Ok(en, share(30, 6, 35))},
            {"advocacy", Ok(ad, share(40, 6, 30))},
            {"expansion_potential", Ok(ex, share(20, 5, 20))},
            {"web_engagement", Ok(we, share(30, 4, 35))},
            {"external_factors", Ok(ef, share(6, 3, 6))},
            {"tenure", Ok(te, share(6, 3, 6))}};
  e.groups = {{"product", {product, 30.0 / 105}},
              {"financial", {financial, 20.0 / 105}},
              {"relationship", {relationship, 40.0 / 105}},
              {"service", {service, 9.0 / 105}},
              {"context", {context, 6.0 / 105}}};
  // Up: payments .5*(100-50) = 25 * 20/105*15/20 = 3.571; adoption
  // .5*(90-50) = 20 * 30/105*15/35 = 2.449; CSAT .7*(80-50) = 21 *
  // 40/105*8/30 = 2.133. Left out: growth .5*25 = 12.5 * 1/7 = 1.786.
  e.up = {{"financial_health", "payment_history", 25 * share(20, 15, 20)},
          {"product_adoption", "feature_adoption", 20 * share(30, 15, 35)},
          {"satisfaction", "csat", 21 * share(40, 8, 30)}};
  // Down: no sponsor .25*(0-50) = -12.5 * 40/105*8/30 = -1.270; usage
  // .6*(30-50) = -12 * the same share = -1.219; touchpoint trend -6.67 *
  // the same = -0.677. Left out: dashboards -5 * 30/105*10/35 = -0.408.
  e.down = {
      {"relationship_health", "executive_sponsor", -12.5 * share(40, 8, 30)},
      {"renewal_readiness", "usage_trend", -12 * share(40, 8, 30)},
      {"relationship_health", "touchpoint_trend",
       -10 * (1 - 3.0 / 9) * share(40, 8, 30)}};
  e.warnings = {};
  Check(s, e);
}

}  // namespace
}  // namespace healthscore
