// Alerts over real gRPC on both real stores: rules opening and closing with
// hysteresis and cooldowns as points are recorded, WatchAlerts resumed by
// cursor, acknowledging and resolving by hand, and the rules' validation.
#include <grpcpp/grpcpp.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "healthscore/v1/alerts.grpc.pb.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "server/config/scorecard.h"
#include "server/server.h"
#include "tests/history/history_fixture.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// echo_x scores x (y is never sent, so echo_x carries all the weight and
// the score is x).
std::string Card(const std::string& alerts) {
  return absl::StrCat(R"(scorecard: alerts
version: "1"
bands:
  - {name: green,  grade: A, min: 70}
  - {name: yellow, grade: C, min: 40}
  - {name: red,    grade: F, min: 0}
dimensions:
  echo_x: {plugin: test_echo, weight: 1}
  echo_y: {plugin: test_echo, weight: 1, params: {use_y: 1}}
alerts:
)",
                      alerts);
}

class AlertsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void Start(const std::string& alerts) {
    h_ = testing::HistoryServer::Start(testing::NewStore(GetParam()),
                                       Card(alerts));
    ASSERT_NE(h_, nullptr);
    alerts_ = v1::Alerts::NewStub(h_->channel());
  }

  // Records score x for `id` at day `day`.
  void At(int day, double x, const std::string& id = "acme") {
    ASSERT_TRUE(h_->Record(id, day, x, NAN).ok()) << "day " << day;
  }

  std::vector<v1::AlertEvent> Events(int64_t after = 0, size_t want = 0) {
    grpc::ClientContext context;
    v1::WatchAlertsRequest request;
    request.set_after_cursor(after);
    auto reader = alerts_->WatchAlerts(&context, request);
    std::vector<v1::AlertEvent> out;
    v1::AlertEvent event;
    // The stream stays open; stop at `want` events, or at the last one
    // committed (LastCursor) when want is 0.
    const int64_t last = LastCursor();
    while ((want == 0
                ? (out.empty() ? after < last : out.back().cursor() < last)
                : out.size() < want) &&
           reader->Read(&event)) {
      out.push_back(event);
    }
    context.TryCancel();
    while (reader->Read(&event)) {
    }
    reader->Finish();
    return out;
  }

  int64_t LastCursor() {
    auto store = h_->server().store();
    auto last = store->LastAlertCursor();
    EXPECT_TRUE(last.ok());
    return last.ok() ? *last : 0;
  }

  std::vector<v1::Alert> List(
      v1::AlertState state = v1::ALERT_STATE_UNSPECIFIED) {
    v1::ListAlertsRequest request;
    request.set_state(state);
    v1::ListAlertsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(alerts_->ListAlerts(&context, request, &response).ok());
    return {response.alerts().begin(), response.alerts().end()};
  }

  std::unique_ptr<testing::HistoryServer> h_;
  std::unique_ptr<v1::Alerts::Stub> alerts_;
};

std::vector<std::string> Kinds(const std::vector<v1::AlertEvent>& events) {
  std::vector<std::string> out;
  for (const v1::AlertEvent& e : events) {
    out.push_back(absl::StrCat(v1::AlertEvent::Kind_Name(e.kind()), " ",
                               e.alert().rule_id(), " ",
                               e.alert().customer_id()));
  }
  return out;
}

TEST_P(AlertsTest, AScoreWobblingAroundTheThresholdOpensOneAlert) {
  Start(
      "  - {id: low, kind: score_below, enter: 50, exit: 55, severity: high,"
      " say: Score below 50, action: Call the customer}\n");
  // 20 points, +-1 around 50: the first dip opens it, nothing else moves it.
  for (int week = 0; week < 20; ++week) At(week * 7, week % 2 == 0 ? 49 : 51);
  std::vector<v1::AlertEvent> events = Events();
  ASSERT_EQ(events.size(), 1u);
  const v1::Alert& alert = events[0].alert();
  EXPECT_EQ(events[0].kind(), v1::AlertEvent::OPENED);
  EXPECT_EQ(alert.rule_id(), "low");
  EXPECT_EQ(alert.kind(), "score_below");
  EXPECT_EQ(alert.severity(), "high");
  EXPECT_EQ(alert.state(), v1::ALERT_STATE_OPEN);
  EXPECT_EQ(alert.message(), "Score below 50 (score 49.0)");
  EXPECT_EQ(alert.action(), "Call the customer");
  EXPECT_DOUBLE_EQ(alert.score_at_open(), 49);
  EXPECT_EQ(alert.opened_at(), testing::Day(0));
  // Past the exit threshold it closes; the next dip opens a new one.
  At(20 * 7, 56);
  At(21 * 7, 48);
  events = Events(events.back().cursor());
  ASSERT_THAT(Kinds(events),
              ElementsAre("RESOLVED low acme", "OPENED low acme"));
  EXPECT_EQ(events[0].alert().resolved_by(), "healthscore");
  EXPECT_EQ(events[0].alert().state(), v1::ALERT_STATE_RESOLVED);
  EXPECT_EQ(events[0].alert().closed_at(), testing::Day(140));
  EXPECT_NE(events[1].alert().id(), events[0].alert().id());
  EXPECT_EQ(List(v1::ALERT_STATE_OPEN).size(), 1u);
  EXPECT_EQ(List().size(), 2u);
}

TEST_P(AlertsTest, ACooldownKeepsAClosedAlertFromReopeningTooSoon) {
  Start(
      "  - {id: low, kind: score_below, enter: 50, exit: 55, cooldown_days: "
      "30, say: Low}\n");
  At(0, 40);   // opens
  At(7, 60);   // closes at day 7
  At(14, 40);  // within 30 days of the close: no alert
  At(37, 40);  // 30 days after the close: opens again
  EXPECT_THAT(
      Kinds(Events()),
      ElementsAre("OPENED low acme", "RESOLVED low acme", "OPENED low acme"));
}

// Each kind, hand-worked on one timeline of weekly scores:
//   day:    0   7  14  21  28  35  42
//   score: 80  75  70  65  45  47  80
// falling (3 declines): opens at day 21 (75, 70, 65 each lower), closes at
//   day 35 (a rise).
// drop (20 points within 30 days, exit 10): opens at day 28 (80 -> 45 is
//   35 below the peak of 80 at day 0), stays at day 35 (peak 75 at day 7:
//   28 below), closes at day 42 (peak 80 now: 0 below).
// band_change: day 14 (70, green) -> day 21 (65, yellow) opens; day 28 (45,
//   yellow) stays; day 42 (80, green, the band it fell from) closes.
// dimension_below echo_x (enter 50, exit 60): opens at day 28, closes at 42.
TEST_P(AlertsTest, EachKindOpensAndClosesAsItsRuleSays) {
  Start(
      "  - {id: falling, kind: falling, declines: 3, say: Falling}\n"
      "  - {id: drop, kind: drop, points: 20, within_days: 30, exit: 10, "
      "say: Dropped}\n"
      "  - {id: band, kind: band_change, say: Worse band}\n"
      "  - {id: x_low, kind: dimension_below, dimension: echo_x, enter: 50, "
      "exit: 60, say: x low}\n");
  const double scores[] = {80, 75, 70, 65, 45, 47, 80};
  std::vector<std::vector<std::string>> by_day;
  int64_t cursor = 0;
  for (int i = 0; i < 7; ++i) {
    At(i * 7, scores[i]);
    std::vector<v1::AlertEvent> events = Events(cursor);
    if (!events.empty()) cursor = events.back().cursor();
    by_day.push_back(Kinds(events));
  }
  EXPECT_THAT(by_day[0], ElementsAre());
  EXPECT_THAT(by_day[1], ElementsAre());
  EXPECT_THAT(by_day[2], ElementsAre());
  EXPECT_THAT(by_day[3],
              ElementsAre("OPENED falling acme", "OPENED band acme"));
  EXPECT_THAT(by_day[4], ElementsAre("OPENED drop acme", "OPENED x_low acme"));
  EXPECT_THAT(by_day[5], ElementsAre("RESOLVED falling acme"));
  EXPECT_THAT(by_day[6], ElementsAre("RESOLVED drop acme", "RESOLVED band acme",
                                     "RESOLVED x_low acme"));
}

TEST_P(AlertsTest, AReconnectingWatcherMissesNothingAndSeesNothingTwice) {
  Start("  - {id: low, kind: score_below, enter: 50, exit: 55, say: Low}\n");
  for (int i = 0; i < 4; ++i) At(0, 40, absl::StrCat("c", i));
  std::vector<v1::AlertEvent> first = Events(0, 2);
  ASSERT_EQ(first.size(), 2u);
  for (int i = 4; i < 6; ++i) At(0, 40, absl::StrCat("c", i));
  std::vector<v1::AlertEvent> rest = Events(first.back().cursor());
  ASSERT_EQ(rest.size(), 4u);
  std::vector<std::string> customers;
  int64_t previous = 0;
  for (const auto& batch : {first, rest}) {
    for (const v1::AlertEvent& e : batch) {
      EXPECT_GT(e.cursor(), previous);
      previous = e.cursor();
      customers.push_back(e.alert().customer_id());
    }
  }
  EXPECT_THAT(customers, ElementsAre("c0", "c1", "c2", "c3", "c4", "c5"));
  // A cursor this history never gave.
  grpc::ClientContext context;
  v1::WatchAlertsRequest request;
  request.set_after_cursor(previous + 100);
  auto reader = alerts_->WatchAlerts(&context, request);
  v1::AlertEvent event;
  EXPECT_FALSE(reader->Read(&event));
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(s.error_message(), HasSubstr("the newest event's is "));
}

TEST_P(AlertsTest, AcknowledgingAndResolvingByHand) {
  Start("  - {id: low, kind: score_below, enter: 50, exit: 55, say: Low}\n");
  At(0, 40);
  const int64_t id = List()[0].id();
  v1::AcknowledgeAlertRequest ack;
  ack.set_id(id);
  v1::Alert alert;
  {
    grpc::ClientContext context;
    grpc::Status s = alerts_->AcknowledgeAlert(&context, ack, &alert);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(s.error_message(),
              "who is empty: say who is acting on the alert");
  }
  ack.set_who("dana");
  ack.set_note("calling them today");
  {
    grpc::ClientContext context;
    ASSERT_TRUE(alerts_->AcknowledgeAlert(&context, ack, &alert).ok());
  }
  EXPECT_EQ(alert.state(), v1::ALERT_STATE_ACKNOWLEDGED);
  EXPECT_EQ(alert.acknowledged_by(), "dana");
  // Acknowledged, it still counts as not resolved: a dip keeps it, a rise
  // past the exit closes it.
  At(7, 45);
  At(14, 60);
  std::vector<v1::AlertEvent> events = Events();
  EXPECT_THAT(Kinds(events),
              ElementsAre("OPENED low acme", "ACKNOWLEDGED low acme",
                          "RESOLVED low acme"));
  EXPECT_EQ(events[1].alert().note(), "calling them today");
  v1::ResolveAlertRequest resolve;
  resolve.set_id(id);
  resolve.set_who("dana");
  {
    grpc::ClientContext context;
    grpc::Status s = alerts_->ResolveAlert(&context, resolve, &alert);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(s.error_message(),
              absl::StrCat("alert ", id, " is resolved already"));
  }
  resolve.set_id(id + 1000);
  {
    grpc::ClientContext context;
    grpc::Status s = alerts_->ResolveAlert(&context, resolve, &alert);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  }
  At(21, 40);  // opens a new one; resolve it by hand
  resolve.set_id(List(v1::ALERT_STATE_OPEN)[0].id());
  {
    grpc::ClientContext context;
    ASSERT_TRUE(alerts_->ResolveAlert(&context, resolve, &alert).ok());
  }
  EXPECT_EQ(alert.state(), v1::ALERT_STATE_RESOLVED);
  EXPECT_EQ(alert.resolved_by(), "dana");
  EXPECT_TRUE(List(v1::ALERT_STATE_OPEN).empty());
}

TEST_P(AlertsTest, AnAlertExplainsTheChangeThatRaisedIt) {
  Start(
      "  - {id: low, kind: score_below, enter: 50, exit: 55, say: Low}\n"
      "  - {id: drop, kind: drop, points: 30, within_days: 30, say: Drop}\n");
  At(0, 90);
  At(7, 80);  // the peak within 30 days of day 21 is day 0's 90
  At(14, 70);
  At(21, 40);  // opens both: below 50, and 50 below the peak
  v1::ListAlertsRequest request;
  request.set_explain(true);
  v1::ListAlertsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(alerts_->ListAlerts(&context, request, &response).ok());
  ASSERT_EQ(response.alerts_size(), 2);
  for (const v1::Alert& alert : response.alerts()) {
    const bool drop = alert.rule_id() == "drop";
    // score_below: from the point just before; drop: from the peak.
    EXPECT_EQ(alert.explained_from(), testing::Day(drop ? 0 : 14));
    EXPECT_DOUBLE_EQ(alert.explanation().delta(), drop ? -50 : -30);
    ASSERT_EQ(alert.explanation().signals_size(), 1);
    EXPECT_EQ(alert.explanation().signals(0).signal(), "x");
    EXPECT_NEAR(alert.explanation().signals(0).points(), drop ? -50 : -30,
                1e-9);
  }
  // Without explain, no explanation.
  request.set_explain(false);
  grpc::ClientContext plain;
  ASSERT_TRUE(alerts_->ListAlerts(&plain, request, &response).ok());
  EXPECT_FALSE(response.alerts(0).has_explanation());
}

INSTANTIATE_TEST_SUITE_P(Stores, AlertsTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

std::string RuleError(const std::string& alerts) {
  auto spec = ParseScorecard(Card(alerts), "card.yaml");
  EXPECT_FALSE(spec.ok());
  return spec.ok() ? "" : std::string(spec.status().message());
}

TEST(AlertRules, AreCheckedAtLoadWithTheirLineAndField) {
  EXPECT_EQ(RuleError("  - {id: a, kind: score_below, enter: 55, exit: 50, "
                      "say: x}\n"),
            "card.yaml:11: alerts[0].exit: 50 is not above enter (55): an "
            "alert that opens below enter closes at or above exit");
  EXPECT_EQ(RuleError("  - {id: a, kind: score_over, say: x}\n"),
            "card.yaml:11: alerts[0].kind: 'score_over' is not a kind of "
            "alert; expected score_below, band_change, drop, falling, "
            "dimension_below or coverage_below");
  EXPECT_EQ(RuleError("  - {id: a, kind: falling, declines: 3, enter: 4, "
                      "say: x}\n"),
            "card.yaml:11: alerts[0].enter: a falling alert takes no enter "
            "(it takes declines)");
  EXPECT_EQ(RuleError("  - {id: a, kind: dimension_below, dimension: echo_z, "
                      "enter: 4, exit: 5, say: x}\n"),
            "card.yaml:11: alerts[0].dimension: unknown dimension 'echo_z'; "
            "the dimensions are echo_x, echo_y");
  EXPECT_EQ(RuleError("  - {id: a, kind: falling, declines: 3, say: x}\n"
                      "  - {id: a, kind: falling, declines: 4, say: y}\n"),
            "card.yaml:12: alerts[1].id: 'a' is used twice");
  EXPECT_EQ(RuleError("  - {id: a, kind: coverage_below, enter: 50, exit: 60, "
                      "say: x}\n"),
            "card.yaml:11: alerts[0].enter: 50 is outside 0-1");
  EXPECT_EQ(RuleError("  - {id: a, kind: drop, points: 10, within_days: 30, "
                      "exit: 12, say: x}\n"),
            "card.yaml:11: alerts[0].exit: 12 is not below points (10): a "
            "drop alert closes when the drop is back under exit");
  EXPECT_EQ(RuleError("  - {id: a, kind: falling, declines: 3, severity: "
                      "urgent, say: x}\n"),
            "card.yaml:11: alerts[0].severity: 'urgent' is not low, medium, "
            "high or critical");
}

}  // namespace
}  // namespace healthscore
