// Score history over real gRPC, against both real stores: an SQLite file in a
// temp dir and a PostgreSQL server started by the test setup
// (tests/store/postgres.sh, a ctest fixture). Recording, timelines, trends,
// the exact attribution of a change, movers, the portfolio, refusals, a
// store going down while serving, and a kill -9 in the middle of recording.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/history.grpc.pb.h"
#include "server/server.h"
#include "server/store/store.h"
#include "tests/history/history_fixture.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kNaN = NAN;
constexpr double kExact = 1e-9;
// Two test_echo dimensions: echo_x scores scale * x, echo_y scores y.
std::string EchoScorecard(const std::string& version, double wx, double wy) {
  return absl::StrCat("scorecard: echo\nversion: \"", version, R"("
bands:
  - {name: green,  grade: A, min: 70}
  - {name: yellow, grade: C, min: 40}
  - {name: red,    grade: F, min: 0}
trend: {windows_days: [7, 30]}
dimensions:
  echo_x: {plugin: test_echo, weight: )",
                      wx, R"(}
  echo_y: {plugin: test_echo, weight: )",
                      wy, R"(, params: {use_y: 1}}
)");
}

using testing::Day;
using testing::FreshPostgresDatabase;
using testing::NewStore;
using testing::PgExec;
using testing::PostgresAdminUri;
using History = testing::HistoryServer;

double Sum(const google::protobuf::RepeatedPtrField<v1::DimensionChange>& d) {
  double total = 0;
  for (const auto& c : d) total += c.change();
  return total;
}

double Sum(const google::protobuf::RepeatedPtrField<v1::SignalChange>& s) {
  double total = 0;
  for (const auto& c : s) total += c.points();
  return total;
}

// The part of `parts` whose `key` is `name` (a failure, and an empty part,
// when there is none).
template <typename Part, typename Key>
const Part& Find(const google::protobuf::RepeatedPtrField<Part>& parts, Key key,
                 const std::string& name) {
  for (const Part& p : parts) {
    if ((p.*key)() == name) return p;
  }
  ADD_FAILURE() << "no part named " << name;
  static const Part* const kNone = new Part;
  return *kNone;
}

const v1::DimensionChange& Dim(const v1::ExplainChangeResponse& r,
                               const std::string& name) {
  return Find(r.dimensions(), &v1::DimensionChange::dimension, name);
}

const v1::SignalChange& Sig(const v1::ExplainChangeResponse& r,
                            const std::string& name) {
  return Find(r.signals(), &v1::SignalChange::signal, name);
}

class HistoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<History> Start(const std::string& scorecard) {
    return History::Start(NewStore(GetParam()), scorecard);
  }
};

TEST_P(HistoryTest, RecordedScoresComeBackNewestFirstWithTheirTrend) {
  auto h = Start(EchoScorecard("1", 1, 1));
  ASSERT_NE(h, nullptr);
  v1::ScoreResponse r1, r2, r3;
  ASSERT_TRUE(h->Record("acme", 1, 80, 40, &r1).ok());   // 60
  ASSERT_TRUE(h->Record("acme", 8, 80, 80, &r2).ok());   // 80
  ASSERT_TRUE(h->Record("acme", 15, 70, 40, &r3).ok());  // 55
  // The response of a recorded score carries its trend.
  EXPECT_FALSE(r1.score().trend().has_previous());
  EXPECT_EQ(r1.score().trend().consecutive_declines(), 0);
  EXPECT_TRUE(r2.score().trend().has_previous());
  EXPECT_DOUBLE_EQ(r2.score().trend().change(), 20);
  // The 7-day window finds day 1 exactly; the 30-day one has nothing.
  ASSERT_EQ(r2.score().trend().windows_size(), 2);
  EXPECT_TRUE(r2.score().trend().windows(0).has_data());
  EXPECT_DOUBLE_EQ(r2.score().trend().windows(0).score_then(), 60);
  EXPECT_FALSE(r2.score().trend().windows(1).has_data());
  // Two points 7 days apart, 20 points up: 20/7 a day, 85.71 per 30 days.
  EXPECT_NEAR(r2.score().trend().slope_per_30d(), 20.0 / 7 * 30, kExact);
  EXPECT_DOUBLE_EQ(r3.score().trend().change(), -25);
  EXPECT_EQ(r3.score().trend().consecutive_declines(), 1);
  // Explain NONE was asked for: no reasons in the reply (GetHistory with
  // full derives the point's rules, below).
  EXPECT_EQ(r3.score().top_drivers_down_size(), 0);
  EXPECT_EQ(r3.score().dimensions(0).reasons_size(), 0);

  v1::GetHistoryRequest request;
  request.set_customer_id("acme");
  request.set_full(true);
  v1::GetHistoryResponse history;
  ASSERT_TRUE(h->GetHistory(request, &history).ok());
  ASSERT_EQ(history.points_size(), 3);
  EXPECT_DOUBLE_EQ(history.points(0).score(), 55);
  EXPECT_DOUBLE_EQ(history.points(1).score(), 80);
  EXPECT_DOUBLE_EQ(history.points(2).score(), 60);
  EXPECT_EQ(history.points(0).as_of(), Day(15));
  EXPECT_EQ(history.points(0).band(), "yellow");
  EXPECT_EQ(history.points(0).segment(), "smb");
  EXPECT_DOUBLE_EQ(history.points(0).trend().change(), -25);
  EXPECT_EQ(history.points(0).trend().consecutive_declines(), 1);
  EXPECT_FALSE(history.points(2).trend().has_previous());
  // The full point: inputs, dimensions with their fired rules, provenance.
  const v1::HistoryPoint& p = history.points(0);
  ASSERT_EQ(p.inputs_size(), 2);
  EXPECT_EQ(p.inputs(0).name(), "x");
  EXPECT_DOUBLE_EQ(p.inputs(0).value(), 70);
  ASSERT_EQ(p.dimensions_size(), 2);
  EXPECT_EQ(p.dimensions(0).name(), "echo_x");
  EXPECT_DOUBLE_EQ(p.dimensions(0).contribution(), 35);
  ASSERT_EQ(p.dimensions(0).rules_size(), 1);
  EXPECT_EQ(p.dimensions(0).rules(0).rule_id(), "echo");
  EXPECT_DOUBLE_EQ(p.dimensions(0).rules(0).impact(), 20);
  EXPECT_EQ(p.provenance().scorecard_version(), "1");
  EXPECT_EQ(p.provenance().scorecard_hash(),
            h->server().snapshot()->spec().hash);
  // Without `full`: no inputs, no rules.
  request.set_full(false);
  ASSERT_TRUE(h->GetHistory(request, &history).ok());
  EXPECT_EQ(history.points(0).inputs_size(), 0);
  EXPECT_EQ(history.points(0).dimensions(0).rules_size(), 0);
}

TEST_P(HistoryTest, ARetriedPointReplacesTheFirstOneTheLastWriteWins) {
  auto h = Start(EchoScorecard("1", 1, 1));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Record("acme", 1, 80, 40).ok());
  ASSERT_TRUE(h->Record("acme", 1, 80, 40).ok());
  ASSERT_TRUE(h->Record("acme", 1, 20, 40).ok());
  v1::GetHistoryRequest request;
  request.set_customer_id("acme");
  v1::GetHistoryResponse history;
  ASSERT_TRUE(h->GetHistory(request, &history).ok());
  ASSERT_EQ(history.points_size(), 1);
  EXPECT_DOUBLE_EQ(history.points(0).score(), 30);
}

// Hand-worked: echo_x scores x, echo_y scores y, equal weights.
// Day 1: x=80, y=40: 60 (contributions 40 + 20).
// Day 8: x=80, y missing: echo_y has no data, so echo_x carries all the
// weight: 80. delta +20 = echo_x +40 (all of it weight share: 80 * (1 - .5))
// + echo_y -20 (score 40 -> 0 at mean weight .25: -10; weight .5 -> 0 at
// mean score 20: -10).
TEST_P(HistoryTest, ExplainChangeAttributesAWeightShareMovingExactly) {
  auto h = Start(EchoScorecard("1", 1, 1));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Record("acme", 1, 80, 40).ok());
  ASSERT_TRUE(h->Record("acme", 8, 80, kNaN).ok());
  v1::ExplainChangeResponse r;
  ASSERT_TRUE(h->Explain("acme", 1, 8, &r).ok());
  EXPECT_NEAR(r.delta(), 20, kExact);
  EXPECT_NEAR(r.scorecard_change(), 0, kExact);
  EXPECT_NEAR(r.data_change(), 20, kExact);
  const v1::DimensionChange& x = Dim(r, "echo_x");
  EXPECT_NEAR(x.change(), 40, kExact);
  EXPECT_NEAR(x.from_score(), 0, kExact);
  EXPECT_NEAR(x.from_weight(), 40, kExact);
  const v1::DimensionChange& y = Dim(r, "echo_y");
  EXPECT_NEAR(y.change(), -20, kExact);
  EXPECT_NEAR(y.from_score(), -10, kExact);
  EXPECT_NEAR(y.from_weight(), -10, kExact);
  EXPECT_EQ(y.status_after(), v1::DIMENSION_STATUS_INSUFFICIENT_DATA);
  EXPECT_NEAR(Sum(r.dimensions()) + r.gates_change(), r.delta(), kExact);
  // One input changed: y 40 -> missing carries the whole data change.
  ASSERT_EQ(r.signals_size(), 1);
  EXPECT_EQ(r.signals(0).signal(), "y");
  EXPECT_DOUBLE_EQ(r.signals(0).before(), 40);
  EXPECT_FALSE(r.signals(0).has_after());
  EXPECT_NEAR(r.signals(0).points(), 20, kExact);
  // The rule that read y cleared.
  ASSERT_EQ(r.rules_size(), 1);
  EXPECT_EQ(r.rules(0).dimension(), "echo_y");
  EXPECT_EQ(r.rules(0).kind(), v1::RuleChange::CLEARED);
  EXPECT_NEAR(r.rules(0).impact_before(), -10, kExact);
  // Sentences, biggest first.
  ASSERT_GE(r.summary_size(), 3);
  EXPECT_EQ(r.summary(0),
            "Score 60.0 (C) on 2026-01-02 -> 80.0 (A) on "
            "2026-01-09: +20.0.");
  EXPECT_THAT(r.summary(1), HasSubstr("+40.0: echo_x held from 80 to 80; its "
                                      "weight share went from 50% to 100%"));
  EXPECT_THAT(r.summary(2), HasSubstr("-20.0: echo_y lost its data"));
}

// Hand-worked: day 1 under scorecard 1 (weights 1:1): x=80, y=40 -> 60.
// Scorecard 2 (weights 3:1) goes live. Day 15: x=60, y=40 -> 55.
// The day-1 inputs under scorecard 2: (3*80 + 40) / 4 = 70, so the
// scorecard moved the score +10 and the data -15 (x 80 -> 60 at weight .75).
TEST_P(HistoryTest, ExplainChangeSplitsTheScorecardFromTheData) {
  auto h = Start(EchoScorecard("1", 1, 1));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Record("acme", 1, 80, 40).ok());
  h->Reload(EchoScorecard("2", 3, 1));
  ASSERT_TRUE(h->Record("acme", 15, 60, 40).ok());
  v1::ExplainChangeResponse r;
  ASSERT_TRUE(h->Explain("acme", 1, 15, &r).ok());
  EXPECT_NEAR(r.delta(), -5, kExact);
  EXPECT_NEAR(r.scorecard_change(), 10, kExact);
  EXPECT_NEAR(r.data_change(), -15, kExact);
  ASSERT_EQ(r.signals_size(), 1);
  EXPECT_EQ(r.signals(0).signal(), "x");
  EXPECT_NEAR(r.signals(0).points(), -15, kExact);
  EXPECT_EQ(r.signals(0).dimension(), "echo_x");
  EXPECT_NEAR(Sum(r.signals()), r.data_change(), kExact);
  // echo_x: contribution 40 -> 45 = score -20 at mean weight .625 (-12.5) +
  // weight .5 -> .75 at mean score 70 (+17.5). echo_y: 20 -> 10, all weight.
  const v1::DimensionChange& x = Dim(r, "echo_x");
  EXPECT_NEAR(x.change(), 5, kExact);
  EXPECT_NEAR(x.from_score(), -12.5, kExact);
  EXPECT_NEAR(x.from_weight(), 17.5, kExact);
  const v1::DimensionChange& y = Dim(r, "echo_y");
  EXPECT_NEAR(y.change(), -10, kExact);
  EXPECT_NEAR(y.from_score(), 0, kExact);
  EXPECT_NEAR(y.from_weight(), -10, kExact);
  EXPECT_NEAR(Sum(r.dimensions()) + r.gates_change(), r.delta(), kExact);
  EXPECT_EQ(r.before().provenance().scorecard_version(), "1");
  EXPECT_EQ(r.after().provenance().scorecard_version(), "2");
  EXPECT_THAT(r.summary(1), HasSubstr("+10.0 from the scorecard (1 -> 2), "
                                      "-15.0 from the data"));
  // The fired rules of the day-1 point come from its own scorecard, read
  // back from the store by hash: echo_x 80 moved its dimension +30.
  v1::GetHistoryRequest request;
  request.set_customer_id("acme");
  request.set_full(true);
  v1::GetHistoryResponse history;
  ASSERT_TRUE(h->GetHistory(request, &history).ok());
  ASSERT_EQ(history.points_size(), 2);
  const v1::HistoryPoint& first = history.points(1);
  EXPECT_EQ(first.rules_error(), "");
  EXPECT_EQ(first.provenance().scorecard_version(), "1");
  ASSERT_EQ(first.dimensions(0).rules_size(), 1);
  EXPECT_DOUBLE_EQ(first.dimensions(0).rules(0).impact(), 30);
  EXPECT_DOUBLE_EQ(first.dimensions(0).rules(0).observed(), 80);
}

// Hand-worked, with an interaction: weights 3:1. Day 1: x=100, y=0 -> 75.
// Day 8: x missing, y=20 -> 20 (echo_y alone). Switching x first: x
// missing, y=0 -> 0 (-75), then y=20 -> 20 (+20). Switching y first:
// x=100, y=20 -> 80 (+5), then x missing -> 20 (-60). Each input's part is
// the mean of its two steps: x -67.5, y +12.5; they sum to -55.
TEST_P(HistoryTest, ExplainChangeSharesAnInteractionBetweenInputsEvenly) {
  auto h = Start(EchoScorecard("1", 3, 1));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Record("acme", 1, 100, 0).ok());
  ASSERT_TRUE(h->Record("acme", 8, kNaN, 20).ok());
  v1::ExplainChangeResponse r;
  ASSERT_TRUE(h->Explain("acme", 1, 8, &r).ok());
  EXPECT_NEAR(r.delta(), -55, kExact);
  EXPECT_NEAR(Sig(r, "x").points(), -67.5, kExact);
  EXPECT_NEAR(Sig(r, "y").points(), 12.5, kExact);
  EXPECT_NEAR(Sum(r.signals()), r.data_change(), kExact);
  EXPECT_NEAR(Sum(r.dimensions()) + r.gates_change(), r.delta(), kExact);
  // Biggest first.
  EXPECT_EQ(r.signals(0).signal(), "x");
}

// Hand-worked, with a critical gate (echo_y below 30 caps the total at 40).
// Day 1: x=80, y=80 -> 80. Day 8: x=80, y=20 -> mean 50, capped at 40.
// delta -40 = echo_y -30 (40 -> 10) + the gate -10; echo_x did not move.
TEST_P(HistoryTest, ExplainChangeCountsWhatACriticalGateTookOff) {
  auto h = Start(EchoScorecard("1", 1, 1) +
                 "gates:\n  - {id: y_floor, dimension: echo_y, below: 30, "
                 "cap: 40, say: \"y below 30 caps the score at 40\"}\n");
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Record("acme", 1, 80, 80).ok());
  ASSERT_TRUE(h->Record("acme", 8, 80, 20).ok());
  v1::ExplainChangeResponse r;
  ASSERT_TRUE(h->Explain("acme", 1, 8, &r).ok());
  EXPECT_NEAR(r.delta(), -40, kExact);
  EXPECT_NEAR(r.gates_change(), -10, kExact);
  EXPECT_NEAR(Dim(r, "echo_y").change(), -30, kExact);
  EXPECT_NEAR(Dim(r, "echo_x").change(), 0, kExact);
  EXPECT_NEAR(Sum(r.dimensions()) + r.gates_change(), r.delta(), kExact);
  EXPECT_NEAR(Sum(r.signals()), r.data_change(), kExact);
  EXPECT_THAT(
      r.summary(),
      ::testing::Contains("-10.0: critical gate y_floor capped the score at 40 "
                          "(echo_y 20 < 30)"));
}

TEST_P(HistoryTest, ExplainChangeRefusesWhatItCannotAnswer) {
  auto h = Start(EchoScorecard("1", 1, 1));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Record("acme", 10, 80, 40).ok());
  v1::ExplainChangeResponse r;
  grpc::Status s = h->Explain("acme", 12, 11, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "from (2026-01-13) is after to (2026-01-12)");
  s = h->Explain("nobody", 1, 20, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "customer 'nobody' has no recorded points");
  s = h->Explain("acme", 1, 20, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(),
            "customer 'acme' has no point at or before 2026-01-02; its first "
            "point is at 2026-01-11");
}

TEST_P(HistoryTest, GetHistoryPagesAndRefusesBadRequests) {
  auto h = Start(EchoScorecard("1", 1, 1));
  ASSERT_NE(h, nullptr);
  for (int day = 1; day <= 5; ++day) {
    ASSERT_TRUE(h->Record("acme", day * 7, 10 * day, 50).ok());
  }
  v1::GetHistoryRequest request;
  request.set_customer_id("acme");
  request.set_page_size(2);
  std::vector<double> scores;
  int pages = 0;
  do {
    v1::GetHistoryResponse page;
    ASSERT_TRUE(h->GetHistory(request, &page).ok());
    for (const auto& p : page.points()) scores.push_back(p.score());
    // The second point of every page still has its trend from the next
    // page's point.
    if (page.points_size() == 2) {
      EXPECT_TRUE(page.points(1).trend().has_previous() ||
                  page.next_page_token().empty());
    }
    request.set_page_token(page.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(scores, ElementsAre(50, 45, 40, 35, 30));

  request.set_page_token("");
  request.set_page_size(1001);
  v1::GetHistoryResponse response;
  grpc::Status s = h->GetHistory(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "page_size=1001 is outside 1-1000 (0: the default, 100)");
  request.set_page_size(0);
  request.set_page_token("x1");
  s = h->GetHistory(request, &response);
  EXPECT_EQ(s.error_message(),
            "page_token 'x1' is not one this server returned");
  request.set_page_token("");
  request.set_customer_id("nobody");
  s = h->GetHistory(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  request.set_customer_id("acme");
  *request.mutable_from() = Day(9);
  *request.mutable_to() = Day(8);
  s = h->GetHistory(request, &response);
  EXPECT_EQ(s.error_message(), "from (2026-01-10) is after to (2026-01-09)");
}

TEST_P(HistoryTest, ABatchIsRecordedWholeAndItsBadRowsAreNot) {
  auto h = Start(EchoScorecard("1", 1, 1));
  ASSERT_NE(h, nullptr);
  v1::ScoreBatchRequest batch;
  batch.set_record(true);
  batch.add_signal_names("x");
  batch.add_signal_names("y");
  *batch.mutable_as_of() = Day(3);
  auto add = [&](const std::string& id, double x, double y) {
    v1::Row* row = batch.add_rows();
    row->set_customer_id(id);
    row->set_segment("smb");
    row->add_values(x);
    row->add_values(y);
  };
  add("a", 10, 20);
  add("b", -5, 20);      // x below test_echo's min of 0: this row's error
  add("c", kNaN, kNaN);  // nothing to score: this row's error
  add("d", 90, 70);
  v1::ScoreBatchResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(h->scoring().ScoreBatch(&context, batch, &response).ok());
  ASSERT_EQ(response.results_size(), 4);
  EXPECT_TRUE(response.results(0).has_score());
  EXPECT_TRUE(response.results(1).has_error());
  EXPECT_TRUE(response.results(2).has_error());
  EXPECT_FALSE(response.results(3).score().trend().has_previous());
  EXPECT_EQ(response.results(3).score().as_of(), Day(3));
  for (const std::string id : {"a", "d"}) {
    v1::GetHistoryRequest request;
    request.set_customer_id(id);
    v1::GetHistoryResponse history;
    ASSERT_TRUE(h->GetHistory(request, &history).ok()) << id;
    EXPECT_EQ(history.points_size(), 1) << id;
  }
  for (const std::string id : {"b", "c"}) {
    v1::GetHistoryRequest request;
    request.set_customer_id(id);
    v1::GetHistoryResponse history;
    EXPECT_EQ(h->GetHistory(request, &history).error_code(),
              grpc::StatusCode::NOT_FOUND)
        << id;
  }
}

TEST_P(HistoryTest, AnAsOfPastTheClockSkewLimitIsRefused) {
  auto h = Start(EchoScorecard("1", 1, 1));
  ASSERT_NE(h, nullptr);
  v1::ScoreRequest request;
  request.set_record(true);
  request.mutable_customer()->set_customer_id("acme");
  (*request.mutable_customer()->mutable_signals())["x"] = 50;
  request.mutable_customer()->mutable_as_of()->set_seconds(time(nullptr) +
                                                           86400);
  v1::ScoreResponse response;
  grpc::ClientContext context;
  grpc::Status s = h->scoring().Score(&context, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("ahead of the server's clock; the limit is 5m"));
  EXPECT_THAT(s.error_message(), HasSubstr("customer.as_of="));
  // Without as_of, now.
  request.mutable_customer()->clear_as_of();
  grpc::ClientContext again;
  ASSERT_TRUE(h->scoring().Score(&again, request, &response).ok());
  EXPECT_NEAR(TimeUtil::TimestampToSeconds(response.score().as_of()),
              time(nullptr), 60);
}

// Movers and the portfolio, hand-counted. Day 1 and day 31:
//   a: 90 -> 30 (green -> red, -60)   b: 50 -> 45 (-5)
//   c: 40 -> 80 (+40)                 d: day 31 only (70, green)
TEST_P(HistoryTest, MoversAndThePortfolioCountWhatWasRecorded) {
  auto h = Start(EchoScorecard("1", 1, 1));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Record("a", 1, 90, 90).ok());
  ASSERT_TRUE(h->Record("b", 1, 50, 50).ok());
  ASSERT_TRUE(h->Record("c", 1, 40, 40, nullptr, "enterprise").ok());
  ASSERT_TRUE(h->Record("a", 31, 30, 30).ok());
  ASSERT_TRUE(h->Record("b", 31, 45, 45).ok());
  ASSERT_TRUE(h->Record("c", 31, 80, 80, nullptr, "enterprise").ok());
  ASSERT_TRUE(h->Record("d", 31, 70, 70).ok());

  v1::ListMoversRequest request;
  *request.mutable_from() = Day(1);
  *request.mutable_to() = Day(31);
  v1::ListMoversResponse movers;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(h->history().ListMovers(&context, request, &movers).ok());
  }
  EXPECT_EQ(movers.compared(), 3);
  ASSERT_EQ(movers.movers_size(), 2);
  EXPECT_EQ(movers.movers(0).customer_id(), "a");
  EXPECT_DOUBLE_EQ(movers.movers(0).change(), -60);
  EXPECT_EQ(movers.movers(0).band_before(), "green");
  EXPECT_EQ(movers.movers(0).band_after(), "red");
  EXPECT_EQ(movers.movers(0).top_dimension(), "echo_x");
  EXPECT_DOUBLE_EQ(movers.movers(0).top_dimension_change(), -30);
  EXPECT_EQ(movers.movers(0).top_cause(),
            "echo_x fell from 90 to 30 (-30.0 points)");
  EXPECT_EQ(movers.movers(1).customer_id(), "b");
  request.set_direction(v1::RISES);
  {
    grpc::ClientContext context;
    ASSERT_TRUE(h->history().ListMovers(&context, request, &movers).ok());
  }
  ASSERT_EQ(movers.movers_size(), 1);
  EXPECT_EQ(movers.movers(0).customer_id(), "c");

  v1::GetPortfolioRequest portfolio;
  *portfolio.mutable_as_of() = Day(31);
  v1::GetPortfolioResponse p;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(h->history().GetPortfolio(&context, portfolio, &p).ok());
  }
  // Now: a 30 red, b 45 yellow, c 80 green, d 70 green; mean 56.25.
  ASSERT_EQ(p.current().figures_size(), 3);  // all, enterprise, smb
  const v1::PortfolioFigures& all = p.current().figures(0);
  EXPECT_EQ(all.segment(), "");
  EXPECT_EQ(all.customers(), 4);
  EXPECT_DOUBLE_EQ(all.mean_score(), 56.25);
  ASSERT_EQ(all.bands_size(), 3);
  EXPECT_EQ(all.bands(0).name(), "green");
  EXPECT_EQ(all.bands(0).count(), 2);
  EXPECT_DOUBLE_EQ(all.bands(0).share(), 0.5);
  EXPECT_EQ(all.bands(1).count(), 1);
  EXPECT_EQ(all.bands(2).count(), 1);
  EXPECT_EQ(p.current().figures(1).segment(), "enterprise");
  EXPECT_EQ(p.current().figures(1).customers(), 1);
  // 30 days earlier (day 1): a 90, b 50, c 40; mean 60.
  const v1::PortfolioFigures& before = p.previous().figures(0);
  EXPECT_EQ(before.customers(), 3);
  EXPECT_DOUBLE_EQ(before.mean_score(), 60);
  EXPECT_EQ(p.previous().as_of(), Day(1));
  // One segment.
  portfolio.set_segment("smb");
  {
    grpc::ClientContext context;
    ASSERT_TRUE(h->history().GetPortfolio(&context, portfolio, &p).ok());
  }
  EXPECT_EQ(p.current().figures(0).customers(), 3);

  // The at-risk list: the lowest band (red) at day 31, lowest score first.
  // e (day 31 only): x 10, y 20 -> 15; each dimension has half the weight,
  // so echo_x loses 0.5 x 100 - 0.5 x 10 = 45 points, echo_y 40.
  // a: 30 (was 90 on day 1: -60); echo_x and echo_y each lose 35; the tie
  // goes to the first.
  ASSERT_TRUE(h->Record("e", 31, 10, 20).ok());
  portfolio.clear_segment();
  portfolio.set_at_risk_limit(10);
  {
    grpc::ClientContext context;
    ASSERT_TRUE(h->history().GetPortfolio(&context, portfolio, &p).ok());
  }
  EXPECT_EQ(p.at_risk_total(), 2);
  ASSERT_EQ(p.at_risk_size(), 2);
  const v1::AtRiskCustomer& e = p.at_risk(0);
  EXPECT_EQ(e.customer_id(), "e");
  EXPECT_DOUBLE_EQ(e.score(), 15);
  EXPECT_EQ(e.band(), "red");
  EXPECT_EQ(e.as_of(), Day(31));
  EXPECT_FALSE(e.has_previous());
  EXPECT_EQ(e.change(), 0);
  EXPECT_EQ(e.top_dimension(), "echo_x");
  EXPECT_DOUBLE_EQ(e.top_points_lost(), 45);
  EXPECT_EQ(e.top_reason(), "echo_x scores 10 and costs 45.0 points");
  const v1::AtRiskCustomer& a = p.at_risk(1);
  EXPECT_EQ(a.customer_id(), "a");
  EXPECT_DOUBLE_EQ(a.score(), 30);
  EXPECT_TRUE(a.has_previous());
  EXPECT_DOUBLE_EQ(a.previous_score(), 90);
  EXPECT_DOUBLE_EQ(a.change(), -60);
  EXPECT_EQ(a.top_reason(), "echo_x scores 30 and costs 35.0 points");
  // The limit cuts the list, not the total; the segment filters both.
  portfolio.set_at_risk_limit(1);
  portfolio.set_segment("enterprise");
  {
    grpc::ClientContext context;
    ASSERT_TRUE(h->history().GetPortfolio(&context, portfolio, &p).ok());
  }
  EXPECT_EQ(p.at_risk_total(), 0);
  EXPECT_EQ(p.at_risk_size(), 0);
  portfolio.clear_segment();
  {
    grpc::ClientContext context;
    ASSERT_TRUE(h->history().GetPortfolio(&context, portfolio, &p).ok());
  }
  EXPECT_EQ(p.at_risk_total(), 2);
  ASSERT_EQ(p.at_risk_size(), 1);
  EXPECT_EQ(p.at_risk(0).customer_id(), "e");
  portfolio.set_at_risk_limit(1001);
  {
    grpc::ClientContext context;
    const grpc::Status s = h->history().GetPortfolio(&context, portfolio, &p);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(s.error_message(),
              "at_risk_limit = 1001 is out of range: 0 (none) to 1000");
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, HistoryTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST(HistoryStoresTest, TheSameCallsGiveTheSameHistoryOnBothStores) {
  std::map<std::string, std::string> histories;
  for (const std::string backend : {"sqlite", "postgres"}) {
    auto h = History::Start(NewStore(backend), EchoScorecard("1", 2, 1));
    ASSERT_NE(h, nullptr);
    for (int week = 0; week < 8; ++week) {
      ASSERT_TRUE(h->Record("acme", week * 7, 90 - week * 7.3,
                            week % 3 == 0 ? kNaN : 40 + week)
                      .ok());
    }
    ASSERT_TRUE(h->Record("acme", 14, 12.5, 99).ok());  // a correction
    v1::GetHistoryRequest request;
    request.set_customer_id("acme");
    request.set_full(true);
    v1::GetHistoryResponse response;
    ASSERT_TRUE(h->GetHistory(request, &response).ok());
    ASSERT_EQ(response.points_size(), 8);
    for (v1::HistoryPoint& p : *response.mutable_points())
      p.clear_recorded_at();
    histories[backend] = response.SerializeAsString();
  }
  EXPECT_EQ(histories["sqlite"], histories["postgres"]);
}

TEST(HistoryStoresTest, RecordingIsRefusedWhenTheServerRecordsNothing) {
  auto h = History::Start(NewStore("sqlite"), EchoScorecard("1", 1, 1),
                          history::RecordMode::kNever);
  ASSERT_NE(h, nullptr);
  grpc::Status s = h->Record("acme", 1, 50, 50);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(),
            "record: this server records nothing (--record=never)");
  auto none = History::Start("", EchoScorecard("1", 1, 1));
  ASSERT_NE(none, nullptr);
  s = none->Record("acme", 1, 50, 50);
  EXPECT_EQ(s.error_message(),
            "record: this server keeps no history (started with --store=none)");
  v1::GetHistoryRequest request;
  request.set_customer_id("acme");
  v1::GetHistoryResponse response;
  EXPECT_EQ(none->GetHistory(request, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST(HistoryStoresTest, AlwaysRecordsEveryScore) {
  auto h = History::Start(NewStore("sqlite"), EchoScorecard("1", 1, 1),
                          history::RecordMode::kAlways);
  ASSERT_NE(h, nullptr);
  v1::ScoreRequest request;  // record unset
  request.mutable_customer()->set_customer_id("acme");
  (*request.mutable_customer()->mutable_signals())["x"] = 50;
  v1::ScoreResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(h->scoring().Score(&context, request, &response).ok());
  v1::GetHistoryRequest history;
  history.set_customer_id("acme");
  v1::GetHistoryResponse points;
  ASSERT_TRUE(h->GetHistory(history, &points).ok());
  EXPECT_EQ(points.points_size(), 1);
}

TEST(HistoryStoresTest, RetentionDeletesPointsOlderThanItsDays) {
  const std::string store = NewStore("sqlite");
  const int64_t now = time(nullptr);
  {
    auto h = History::Start(store, EchoScorecard("1", 1, 1));
    ASSERT_NE(h, nullptr);
    for (int days_ago : {400, 40, 20, 1}) {
      v1::ScoreRequest request;
      request.set_record(true);
      request.mutable_customer()->set_customer_id("acme");
      (*request.mutable_customer()->mutable_signals())["x"] = days_ago / 10.0;
      request.mutable_customer()->mutable_as_of()->set_seconds(
          now - int64_t{days_ago} * 86400);
      v1::ScoreResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(h->scoring().Score(&context, request, &response).ok());
    }
  }
  // Started again with 30 days of retention: the two older points go before
  // it serves.
  Server::Options options;
  options.listen = "127.0.0.1:0";
  options.config_path = testing::WriteFile(testing::MakeTempDir(), "s.yaml",
                                           EchoScorecard("1", 1, 1))
                            .string();
  options.plugin_dir = testing::TestPlugin("test_echo").parent_path().string();
  options.store = store;
  options.retention_days = 30;
  auto server = Server::BuildAndStart(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto points = (*server)->store()->Timeline("acme", 0, (now + 86400) * 1000000,
                                             10, store::Detail::kNone);
  ASSERT_TRUE(points.ok()) << points.status();
  ASSERT_EQ(points->size(), 2u);
  EXPECT_DOUBLE_EQ((*points)[0].score, 0.1);  // 1 day ago
  EXPECT_DOUBLE_EQ((*points)[1].score, 2);    // 20 days ago
  options.retention_days = -1;
  auto refused = Server::BuildAndStart(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "--retention-days=-1 is negative; 0 keeps points for ever");
}

TEST(HistoryStoresTest, ASchemaNewerThanTheBinaryIsRefused) {
  for (const std::string backend : {"sqlite", "postgres"}) {
    const std::string spec = NewStore(backend);
    {
      auto store = store::OpenStore(spec);
      ASSERT_TRUE(store.ok()) << store.status();
    }
    // A newer binary migrated it.
    const std::string bump =
        "INSERT INTO healthscore_schema (version) VALUES (99)";
    if (backend == "postgres") {
      ASSERT_EQ(PgExec(spec, bump), "");
    } else {
      const std::string path = spec.substr(7);
      ASSERT_EQ(
          std::system(("/usr/bin/python3 -c \"import sqlite3; c = "
                       "sqlite3.connect('" +
                       path + "'); c.execute('" + bump + "'); c.commit()\"")
                          .c_str()),
          0);
    }
    auto store = store::OpenStore(spec);
    ASSERT_FALSE(store.ok()) << backend;
    EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(
        store.status().message(),
        HasSubstr(absl::StrCat("the database's schema is version 99; this "
                               "healthscore-server knows versions up to ",
                               store::kSchemaVersion)));
  }
}

TEST(HistoryStoresTest, AStoreThatCannotBeReachedStopsTheStart) {
  Server::Options options;
  options.listen = "127.0.0.1:0";
  options.config_path = testing::WriteFile(testing::MakeTempDir(), "s.yaml",
                                           EchoScorecard("1", 1, 1))
                            .string();
  options.plugin_dir = testing::TestPlugin("test_echo").parent_path().string();
  // Port 1 on loopback: nothing listens there.
  options.store = "postgresql://postgres:secret@127.0.0.1:1/healthscore";
  auto server = Server::BuildAndStart(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(server.status().message(),
              HasSubstr("--store: postgresql://postgres:***@127.0.0.1:1/"
                        "healthscore: cannot connect"));
  EXPECT_THAT(server.status().message(), ::testing::Not(HasSubstr("secret")));
  options.store = "mysql://x";
  server = Server::BuildAndStart(options);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
}

// PostgreSQL goes away under a running server: recording gets UNAVAILABLE
// with the reason and writes nothing; scoring without record goes on; when
// the database is back, recording works again.
TEST(HistoryStoresTest, TheStoreGoingDownFailsOnlyRecording) {
  const std::string spec = FreshPostgresDatabase();
  auto h = History::Start(spec, EchoScorecard("1", 1, 1));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Record("acme", 1, 50, 50).ok());
  const std::string db = spec.substr(spec.rfind('/') + 1);
  const std::string admin = PostgresAdminUri();
  ASSERT_EQ(PgExec(admin, "ALTER DATABASE " + db + " ALLOW_CONNECTIONS false"),
            "");
  ASSERT_EQ(PgExec(admin,
                   "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE datname = '" +
                       db + "'"),
            "");
  grpc::Status s = h->Record("acme", 2, 60, 60);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("record: nothing was recorded: "));
  v1::ScoreRequest plain;
  plain.mutable_customer()->set_customer_id("acme");
  (*plain.mutable_customer()->mutable_signals())["x"] = 50;
  v1::ScoreResponse response;
  grpc::ClientContext context;
  EXPECT_TRUE(h->scoring().Score(&context, plain, &response).ok());
  ASSERT_EQ(PgExec(admin, "ALTER DATABASE " + db + " ALLOW_CONNECTIONS true"),
            "");
  ASSERT_TRUE(h->Record("acme", 3, 70, 70).ok());
  v1::GetHistoryRequest request;
  request.set_customer_id("acme");
  v1::GetHistoryResponse history;
  ASSERT_TRUE(h->GetHistory(request, &history).ok());
  ASSERT_EQ(history.points_size(), 2);
  EXPECT_EQ(history.points(0).as_of(), Day(3));
  EXPECT_EQ(history.points(1).as_of(), Day(1));
}

// The real server binary, recording batches from a client thread, killed
// with SIGKILL mid-stream; then started again on the same store. Every batch
// the server acknowledged is there whole; no other batch is there in part.
class CrashTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Starts build/bin/healthscore-server; returns its pid and sets address_.
  pid_t Spawn(const std::string& store) {
    const std::filesystem::path log = dir_ / "server.log";
    std::filesystem::remove(log);
    const std::string bin = (testing::BinDir() / "healthscore-server").string();
    std::vector<std::string> args = {
        bin,
        "--listen=127.0.0.1:0",
        "--admin-listen=",
        "--watch-config=false",
        "--store=" + store,
        "--config=" + (dir_ / "scorecard.yaml").string(),
        "--plugin-dir=" + (dir_ / "plugins").string()};
    const pid_t pid = fork();
    if (pid == 0) {
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    // The server logs "ready on 127.0.0.1:PORT" once it serves.
    const std::regex ready(R"(ready on (127\.0\.0\.1:[0-9]+))");
    for (int i = 0; i < 600; ++i) {
      std::smatch m;
      const std::string text = testing::ReadFile(log);
      if (std::regex_search(text, m, ready)) {
        address_ = m[1];
        return pid;
      }
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        ADD_FAILURE() << "the server exited: " << text;
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "the server did not get ready in 30 s";
    return pid;
  }

  std::filesystem::path dir_;
  std::string address_;
};

TEST_P(CrashTest, AcknowledgedBatchesSurviveKill9AndNoOtherBatchIsHalfThere) {
  constexpr int kRows = 200;
  dir_ = testing::MakeTempDir();
  std::filesystem::create_directories(dir_ / "plugins/test_echo/1.0.0");
  std::filesystem::copy_file(testing::TestPlugin("test_echo"),
                             dir_ / "plugins/test_echo/1.0.0/libtest_echo.so");
  testing::WriteFile(dir_, "scorecard.yaml", EchoScorecard("1", 1, 1));
  const std::string store = NewStore(GetParam());
  const pid_t pid = Spawn(store);
  ASSERT_GT(pid, 0);

  // Batch k records customers c0..c199 at day k.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> acked;
  int sent = 0;
  std::thread client([&] {
    auto stub = v1::HealthScoring::NewStub(
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
    for (int k = 0; k < 100000; ++k) {
      v1::ScoreBatchRequest batch;
      batch.set_record(true);
      batch.set_explain(v1::EXPLAIN_NONE);
      batch.add_signal_names("x");
      *batch.mutable_as_of() = Day(k);
      for (int i = 0; i < kRows; ++i) {
        v1::Row* row = batch.add_rows();
        row->set_customer_id(absl::StrCat("c", i));
        row->add_values((i * 7 + k) % 101);
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        sent = k + 1;
      }
      v1::ScoreBatchResponse response;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(10));
      if (!stub->ScoreBatch(&context, batch, &response).ok()) return;
      std::lock_guard<std::mutex> lock(mu);
      acked.push_back(k);
      cv.notify_all();
    }
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60),
                            [&] { return acked.size() >= 8; }));
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  client.join();

  // Started again on the same store, it serves, and the store holds every
  // acknowledged batch whole and no batch in part.
  const pid_t again = Spawn(store);
  ASSERT_GT(again, 0);
  auto opened = store::OpenStore(store);
  ASSERT_TRUE(opened.ok()) << opened.status();
  int whole = 0;
  for (int k = 0; k < sent; ++k) {
    const int64_t at = TimeUtil::TimestampToMicroseconds(Day(k));
    auto points = (*opened)->Latest(at, 0, "");
    ASSERT_TRUE(points.ok()) << points.status();
    const bool was_acked =
        std::find(acked.begin(), acked.end(), k) != acked.end();
    if (was_acked) {
      EXPECT_EQ(points->size(), size_t{kRows}) << "acknowledged batch " << k;
    } else {
      EXPECT_TRUE(points->empty() || points->size() == size_t{kRows})
          << "batch " << k << " is there in part: " << points->size();
    }
    if (points->size() == size_t{kRows}) ++whole;
  }
  EXPECT_GE(whole, static_cast<int>(acked.size()));
  std::cout << GetParam() << ": " << sent << " batches of " << kRows
            << " sent, " << acked.size() << " acknowledged before SIGKILL, "
            << whole << " whole in the store after restart\n";
  kill(again, SIGTERM);
  waitpid(again, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

INSTANTIATE_TEST_SUITE_P(Stores, CrashTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace healthscore
