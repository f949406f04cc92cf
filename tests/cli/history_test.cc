// Tests of the CLI's history and alert commands: dates, the timeline CSV, how
// an import is grouped and batched, the History and Alerts requests, the exact
// output of each reply, the watch's reconnecting, and the commands against
// in-process fake servers.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "clients/cli/alerts_commands.h"
#include "clients/cli/alerts_format.h"
#include "clients/cli/commands.h"
#include "clients/cli/csv.h"
#include "clients/cli/dates.h"
#include "clients/cli/format.h"
#include "clients/cli/history_commands.h"
#include "clients/cli/history_format.h"
#include "clients/cli/requests.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "healthscore/v1/alerts.grpc.pb.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/history.grpc.pb.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss),
                         absl::UTCTimeZone());
}

google::protobuf::Timestamp Ts(int y, int m, int d) {
  return ToTimestamp(Utc(y, m, d));
}

// ---------------------------------------------------------------------------
// Dates

TEST(DatesTest, DateIsMidnightUtcOrTheLastInstantOfTheDay) {
  EXPECT_EQ(*ParseTime("2025-12-07"), Utc(2025, 12, 7));
  EXPECT_EQ(*ParseTime(" 2025-12-07 "), Utc(2025, 12, 7));
  EXPECT_EQ(*ParseTime("2025-12-07", DateMeans::kEndOfDay),
            Utc(2025, 12, 8) - absl::Nanoseconds(1));
}

TEST(DatesTest, IsoTimesNeedAZone) {
  EXPECT_EQ(*ParseTime("2025-12-07T00:00:00Z"), Utc(2025, 12, 7));
  EXPECT_EQ(*ParseTime("2025-12-07T10:30:00.5Z"),
            Utc(2025, 12, 7, 10, 30) + absl::Milliseconds(500));
  EXPECT_EQ(*ParseTime("2025-12-07T11:30:00+01:00"), Utc(2025, 12, 7, 10, 30));
  // A time is what it says, whatever DateMeans.
  EXPECT_EQ(*ParseTime("2025-12-07T00:00:00Z", DateMeans::kEndOfDay),
            Utc(2025, 12, 7));

  EXPECT_EQ(ParseTime("2025-12-07T00:00:00").status().message(),
            "\"2025-12-07T00:00:00\" is not a date (YYYY-MM-DD) or an "
            "ISO-8601 time with a zone (2025-12-07T00:00:00Z)");
  EXPECT_FALSE(ParseTime("2025-13-01").ok());
  EXPECT_FALSE(ParseTime("2025-02-30").ok());
  EXPECT_FALSE(ParseTime("12/07/2025").ok());
  EXPECT_FALSE(ParseTime("20251207").ok());
  EXPECT_FALSE(ParseTime("").ok());
}

TEST(DatesTest, FlagErrorsNameTheFlag) {
  absl::StatusOr<absl::Time> time =
      ParseTimeFlag("from", "yesterday", DateMeans::kStartOfDay);
  ASSERT_FALSE(time.ok());
  EXPECT_EQ(time.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(time.status().message(),
            "--from=yesterday: \"yesterday\" is not a date (YYYY-MM-DD) or an "
            "ISO-8601 time with a zone (2025-12-07T00:00:00Z)");
}

TEST(DatesTest, FormatShowsADayAsADate) {
  EXPECT_EQ(DisplayTime(Utc(2025, 12, 7)), "2025-12-07");
  EXPECT_EQ(DisplayTime(Utc(2025, 12, 8) - absl::Nanoseconds(1)), "2025-12-07");
  EXPECT_EQ(DisplayTime(Utc(2025, 12, 7, 10, 30, 5)), "2025-12-07 10:30:05");
  EXPECT_EQ(DisplayTime(google::protobuf::Timestamp()), "-");
  const google::protobuf::Timestamp ts =
      ToTimestamp(Utc(2025, 12, 7) + absl::Nanoseconds(7));
  EXPECT_EQ(ts.seconds(), 1765065600);
  EXPECT_EQ(ts.nanos(), 7);
  EXPECT_EQ(FromTimestamp(ts), Utc(2025, 12, 7) + absl::Nanoseconds(7));
}

// ---------------------------------------------------------------------------
// Timeline files

constexpr absl::string_view kTimeline =
    "customer_id,segment,as_of,logins_30d,revenue_growth_pct\n"
    "c1,smb,2025-12-01,10,\n"
    "c2,smb,2025-11-01T00:00:00Z,20,2\n"
    "c1,smb,2025-11-01,11,1\n"
    "c3,ent,2025-12-01,30,3\n"
    "c4,ent,2025-12-01,40,4\n"
    "c5,ent,2025-11-01T00:00:00+00:00,50,5\n";

TEST(TimelineCsvTest, AsOfIsParsedPerRowAndIsNotASignal) {
  auto timeline =
      ParsePortfolioCsv(kTimeline, "t.csv", PortfolioKind::kTimeline);
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  EXPECT_THAT(timeline->signal_names,
              ElementsAre("logins_30d", "revenue_growth_pct"));
  ASSERT_EQ(timeline->rows.size(), 6u);
  EXPECT_THAT(timeline->as_of, ElementsAre(Utc(2025, 12, 1), Utc(2025, 11, 1),
                                           Utc(2025, 11, 1), Utc(2025, 12, 1),
                                           Utc(2025, 12, 1), Utc(2025, 11, 1)));
  EXPECT_THAT(timeline->row_lines, ElementsAre(2, 3, 4, 5, 6, 7));
  EXPECT_EQ(timeline->rows[0].segment(), "smb");
  EXPECT_EQ(timeline->rows[0].values(0), 10.0);
  EXPECT_TRUE(std::isnan(timeline->rows[0].values(1)));
}

TEST(TimelineCsvTest, AccountColumnsAreAttributesNotSignals) {
  auto timeline = ParsePortfolioCsv(
      "customer_id,segment,as_of,parent_id,contract_value,x\n"
      "c1,smb,2025-12-01,acct-1,12000,1\n"
      "c2,smb,2025-12-01,,,2\n",
      "t.csv", PortfolioKind::kTimeline);
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  EXPECT_THAT(timeline->signal_names, ElementsAre("x"));
  EXPECT_EQ(timeline->rows[0].attributes().at("parent_id"), "acct-1");
  EXPECT_EQ(timeline->rows[0].attributes().at("contract_value"), "12000");
  EXPECT_EQ(timeline->rows[0].values_size(), 1);
  // Empty cells send nothing: the stored values stay.
  EXPECT_TRUE(timeline->rows[1].attributes().empty());
}

TEST(TimelineCsvTest, ErrorsNameFileLineAndColumn) {
  auto no_as_of = ParsePortfolioCsv("customer_id,segment,x\nc1,smb,1\n",
                                    "t.csv", PortfolioKind::kTimeline);
  ASSERT_FALSE(no_as_of.ok());
  EXPECT_EQ(no_as_of.status().message(),
            "t.csv:1: the header has no as_of column (it has: customer_id, "
            "segment, x); a timeline has customer_id, segment, as_of, then "
            "the signals");

  auto bad_date = ParsePortfolioCsv(
      "customer_id,segment,as_of,x\nc1,smb,2025-12-01,1\n"
      "c2,smb,2025-12-32,2\n",
      "t.csv", PortfolioKind::kTimeline);
  ASSERT_FALSE(bad_date.ok());
  EXPECT_EQ(bad_date.status().message(),
            "t.csv:3: column 3 (as_of): \"2025-12-32\" is not a date "
            "(YYYY-MM-DD) or an ISO-8601 time with a zone "
            "(2025-12-07T00:00:00Z)");

  auto empty_date = ParsePortfolioCsv("customer_id,as_of,x\nc1, ,1\n", "t.csv",
                                      PortfolioKind::kTimeline);
  ASSERT_FALSE(empty_date.ok());
  EXPECT_EQ(empty_date.status().message(),
            "t.csv:2: column 2 (as_of): the cell is empty; every row needs "
            "one (2025-12-07 or 2025-12-07T00:00:00Z)");

  auto ragged = ParsePortfolioCsv("customer_id,as_of,x\nc1,2025-12-01\n",
                                  "t.csv", PortfolioKind::kTimeline);
  ASSERT_FALSE(ragged.ok());
  EXPECT_EQ(ragged.status().message(),
            "t.csv:2: the row has 2 cells; the header has 3");

  auto bad_signal = ParsePortfolioCsv("customer_id,as_of,x\nc1,2025-12-01,x1\n",
                                      "t.csv", PortfolioKind::kTimeline);
  ASSERT_FALSE(bad_signal.ok());
  EXPECT_EQ(bad_signal.status().message(),
            "t.csv:2: column 3 (x): \"x1\" is not a number");
}

TEST(TimelineCsvTest, OneCustomerAtOneTimeOnce) {
  auto twice = ParsePortfolioCsv(
      "customer_id,as_of,x\nc1,2025-12-01,1\nc2,2025-12-01,1\n"
      "c1,2025-12-01T00:00:00Z,2\n",
      "t.csv", PortfolioKind::kTimeline);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(),
            "t.csv:4: customer c1 at 2025-12-01 is already on line 2; a "
            "point is one customer at one time");
}

TEST(TimelineCsvTest, ScoreFilesStillReadAsOfAsASignal) {
  // Without kTimeline nothing changes for `score --csv`.
  auto customers = ParsePortfolioCsv("customer_id,as_of\nc1,3\n", "p.csv");
  ASSERT_TRUE(customers.ok()) << customers.status();
  EXPECT_THAT(customers->signal_names, ElementsAre("as_of"));
  EXPECT_TRUE(customers->as_of.empty());
}

// ---------------------------------------------------------------------------
// Import batches

TEST(ImportPlanTest, GroupsByAsOfOldestFirstThenSplitsInFileOrder) {
  auto timeline =
      ParsePortfolioCsv(kTimeline, "t.csv", PortfolioKind::kTimeline);
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  const std::vector<ImportBatch> batches = PlanImport(*timeline, 2);
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches[0].as_of, Utc(2025, 11, 1));
  EXPECT_THAT(batches[0].rows, ElementsAre(1, 2));  // c2, c1
  EXPECT_EQ(batches[1].as_of, Utc(2025, 11, 1));
  EXPECT_THAT(batches[1].rows, ElementsAre(5));  // c5
  EXPECT_EQ(batches[2].as_of, Utc(2025, 12, 1));
  EXPECT_THAT(batches[2].rows, ElementsAre(0, 3));  // c1, c3
  EXPECT_EQ(batches[3].as_of, Utc(2025, 12, 1));
  EXPECT_THAT(batches[3].rows, ElementsAre(4));  // c4

  const std::vector<ImportBatch> one = PlanImport(*timeline, 1000);
  ASSERT_EQ(one.size(), 2u);
  EXPECT_THAT(one[0].rows, ElementsAre(1, 2, 5));
  EXPECT_THAT(one[1].rows, ElementsAre(0, 3, 4));
}

TEST(ImportPlanTest, RequestRecordsAtTheBatchAsOfWithoutExplanations) {
  auto timeline =
      ParsePortfolioCsv(kTimeline, "t.csv", PortfolioKind::kTimeline);
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  const std::vector<ImportBatch> batches = PlanImport(*timeline, 2);
  const v1::ScoreBatchRequest request =
      BuildImportRequest(*timeline, batches[0]);
  EXPECT_TRUE(request.record());
  EXPECT_EQ(request.explain(), v1::EXPLAIN_NONE);
  EXPECT_EQ(request.as_of().seconds(), absl::ToUnixSeconds(Utc(2025, 11, 1)));
  EXPECT_EQ(request.as_of().nanos(), 0);
  EXPECT_THAT(request.signal_names(),
              ElementsAre("logins_30d", "revenue_growth_pct"));
  ASSERT_EQ(request.rows_size(), 2);
  EXPECT_EQ(request.rows(0).customer_id(), "c2");
  EXPECT_EQ(request.rows(0).segment(), "smb");
  EXPECT_THAT(request.rows(0).values(), ElementsAre(20.0, 2.0));
  EXPECT_EQ(request.rows(1).customer_id(), "c1");
  EXPECT_THAT(request.rows(1).values(), ElementsAre(11.0, 1.0));
}

// ---------------------------------------------------------------------------
// History requests

TEST(HistoryRequestsTest, WhyTakesFromOrDaysBeforeTo) {
  WhyOptions why;
  why.customer_id = "acme";
  why.from = Utc(2025, 11, 1);
  auto request = BuildWhyRequest(why, Utc(2026, 1, 1));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->customer_id(), "acme");
  EXPECT_EQ(FromTimestamp(request->from()), Utc(2025, 11, 1));
  EXPECT_FALSE(request->has_to());  // the newest point

  why.from.reset();
  why.days = 7;
  request = BuildWhyRequest(why, Utc(2026, 1, 1, 12));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(FromTimestamp(request->from()), Utc(2025, 12, 25, 12));
  EXPECT_FALSE(request->has_to());

  why.to = Utc(2025, 12, 8) - absl::Nanoseconds(1);
  request = BuildWhyRequest(why, Utc(2026, 1, 1));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(FromTimestamp(request->from()),
            Utc(2025, 12, 1) - absl::Nanoseconds(1));
  EXPECT_EQ(FromTimestamp(request->to()),
            Utc(2025, 12, 8) - absl::Nanoseconds(1));
}

TEST(HistoryRequestsTest, WhyRefusesBadRanges) {
  WhyOptions neither;
  neither.customer_id = "acme";
  EXPECT_EQ(BuildWhyRequest(neither, absl::Now()).status().message(),
            "give --from DATE or --days N (N days before --to, or before now)");
  WhyOptions both = neither;
  both.from = Utc(2025, 11, 1);
  both.days = 3;
  EXPECT_EQ(BuildWhyRequest(both, absl::Now()).status().message(),
            "--from and --days are alternatives; give one");
  WhyOptions backwards = neither;
  backwards.from = Utc(2025, 12, 1);
  backwards.to = Utc(2025, 11, 1);
  EXPECT_EQ(BuildWhyRequest(backwards, absl::Now()).status().message(),
            "--to 2025-11-01 is before --from 2025-12-01; the range must run "
            "forwards");
  WhyOptions zero_days = neither;
  zero_days.days = 0;
  EXPECT_EQ(BuildWhyRequest(zero_days, absl::Now()).status().message(),
            "--days=0 must be at least 1");
}

TEST(HistoryRequestsTest, MoversDefaultToThirtyDaysOfDrops) {
  MoversOptions movers;
  auto request = BuildMoversRequest(movers, Utc(2025, 12, 31));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(FromTimestamp(request->from()), Utc(2025, 12, 1));
  EXPECT_FALSE(request->has_to());
  EXPECT_EQ(request->direction(), v1::DROPS);
  EXPECT_EQ(request->limit(), 20);
  EXPECT_EQ(request->segment(), "");

  movers.rises = true;
  movers.segment = "smb";
  movers.limit = 5;
  movers.from = Utc(2025, 1, 1);
  movers.to = Utc(2025, 6, 1);
  request = BuildMoversRequest(movers, Utc(2025, 12, 31));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(FromTimestamp(request->from()), Utc(2025, 1, 1));
  EXPECT_EQ(FromTimestamp(request->to()), Utc(2025, 6, 1));
  EXPECT_EQ(request->direction(), v1::RISES);
  EXPECT_EQ(request->limit(), 5);
  EXPECT_EQ(request->segment(), "smb");

  movers.limit = 1001;
  EXPECT_EQ(BuildMoversRequest(movers, absl::Now()).status().message(),
            "--limit=1001 must be between 1 and 1000");
}

TEST(HistoryRequestsTest, HistoryAndPortfolio) {
  HistoryOptions history;
  history.customer_id = "acme";
  history.from = Utc(2025, 1, 1);
  history.full = true;
  auto request = BuildHistoryRequest(history);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->page_size(), 52);
  EXPECT_TRUE(request->full());
  EXPECT_EQ(FromTimestamp(request->from()), Utc(2025, 1, 1));
  EXPECT_FALSE(request->has_to());
  history.limit = 0;
  EXPECT_EQ(BuildHistoryRequest(history).status().message(),
            "--limit=0 must be at least 1");

  PortfolioOptions portfolio;
  auto now = BuildPortfolioRequest(portfolio);
  ASSERT_TRUE(now.ok());
  EXPECT_FALSE(now->has_as_of());
  EXPECT_EQ(now->window_days(), 30);
  portfolio.window_days = 0;
  EXPECT_EQ(BuildPortfolioRequest(portfolio).status().message(),
            "--window-days=0 must be at least 1");
}

// ---------------------------------------------------------------------------
// Output

v1::HistoryPoint MakePoint(const google::protobuf::Timestamp& as_of,
                           double score, const std::string& grade,
                           const std::string& band, double adoption,
                           bool financial_ok) {
  v1::HistoryPoint p;
  p.set_customer_id("acme");
  p.set_segment("smb");
  *p.mutable_as_of() = as_of;
  p.set_score(score);
  p.set_grade(grade);
  p.set_band(band);
  p.set_coverage(financial_ok ? 1.0 : 0.5);
  v1::DimensionPoint* a = p.add_dimensions();
  a->set_name("adoption");
  a->set_status(v1::DIMENSION_STATUS_OK);
  a->set_score(adoption);
  v1::DimensionPoint* f = p.add_dimensions();
  f->set_name("financial");
  f->set_status(financial_ok ? v1::DIMENSION_STATUS_OK
                             : v1::DIMENSION_STATUS_INSUFFICIENT_DATA);
  f->set_score(financial_ok ? 61.25 : 0);
  return p;
}

std::vector<v1::HistoryPoint> MakeHistory() {
  std::vector<v1::HistoryPoint> points = {
      MakePoint(Ts(2025, 12, 7), 61.24, "C", "yellow", 70.4, true),
      MakePoint(Ts(2025, 11, 30), 70.6, "B", "green", 80, true),
      MakePoint(Ts(2025, 11, 23), 68.6, "B", "green", 68.6, false)};
  points[0].mutable_trend()->set_has_previous(true);
  points[0].mutable_trend()->set_change(-9.36);
  // No trend on the second: the change comes from the next older point.
  points[2].mutable_trend()->set_has_previous(false);
  return points;
}

TEST(HistoryFormatTest, TableShowsOnePointPerLineNewestFirst) {
  std::ostringstream out;
  PrintHistory("acme", MakeHistory(), /*full=*/false, OutputFormat::kTable,
               out);
  EXPECT_EQ(out.str(),
            "acme  segment smb  3 points, newest first\n"
            "as_of       score  grade  band    change  coverage  dimensions\n"
            "2025-12-07   61.2  C      yellow    -9.4      100%  adoption 70, "
            "financial 61\n"
            "2025-11-30   70.6  B      green     +2.0      100%  adoption 80, "
            "financial 61\n"
            "2025-11-23   68.6  B      green        -       50%  adoption 69, "
            "financial -\n");
}

TEST(HistoryFormatTest, FullAddsScorecardInputsRulesAndGates) {
  std::vector<v1::HistoryPoint> points = {MakeHistory()[0]};
  v1::HistoryPoint& p = points[0];
  p.mutable_provenance()->set_scorecard_name("default");
  p.mutable_provenance()->set_scorecard_version("2025.12");
  p.set_variant("smb");
  v1::SignalValue* input = p.add_inputs();
  input->set_name("logins_30d");
  input->set_value(15);
  v1::FiredRule* rule = p.mutable_dimensions(0)->add_rules();
  rule->set_rule_id("adoption_low");
  rule->set_impact(-12.5);
  v1::GateResult* gate = p.add_gates();
  gate->set_id("financial_floor");
  gate->set_dimension("financial");
  gate->set_observed(20);
  gate->set_impact(-5);
  gate->set_message("financial health below 25 caps the score at 60");

  std::ostringstream out;
  PrintHistory("acme", points, /*full=*/true, OutputFormat::kTable, out);
  EXPECT_EQ(out.str(),
            "acme  segment smb  1 point, newest first\n"
            "as_of       score  grade  band    change  coverage  dimensions\n"
            "2025-12-07   61.2  C      yellow    -9.4      100%  adoption 70, "
            "financial 61\n"
            "    scorecard default  version 2025.12  variant smb\n"
            "    inputs: logins_30d=15\n"
            "    adoption: adoption_low -12.5\n"
            "    gate financial_floor (financial 20.0): -5.0 points; "
            "financial health below 25 caps the score at 60\n");
}

TEST(HistoryFormatTest, CsvHasADimensionColumnEachAndJsonAPointALine) {
  std::ostringstream csv;
  PrintHistory("acme", MakeHistory(), false, OutputFormat::kCsv, csv);
  EXPECT_EQ(csv.str(),
            "customer_id,segment,as_of,score,grade,band,change,coverage,"
            "adoption,financial\n"
            "acme,smb,2025-12-07T00:00:00+00:00,61.24,C,yellow,-9.36,1,70.4,"
            "61.25\n"
            "acme,smb,2025-11-30T00:00:00+00:00,70.6,B,green,2,1,80,61.25\n"
            "acme,smb,2025-11-23T00:00:00+00:00,68.6,B,green,,0.5,68.6,\n");

  std::ostringstream json;
  PrintHistory("acme", MakeHistory(), false, OutputFormat::kJson, json);
  std::vector<std::string> lines;
  std::istringstream in(json.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], HasSubstr("\"customer_id\":\"acme\""));
  EXPECT_THAT(lines[0], HasSubstr("\"as_of\":\"2025-12-07T00:00:00Z\""));
  EXPECT_THAT(lines[0], HasSubstr("\"score\":61.24"));
  EXPECT_THAT(lines[2], HasSubstr("\"status\":\"DIMENSION_STATUS_"
                                  "INSUFFICIENT_DATA\""));
}

TEST(HistoryFormatTest, NoPoints) {
  std::ostringstream out;
  PrintHistory("acme", {}, false, OutputFormat::kTable, out);
  EXPECT_EQ(out.str(), "acme: no points in the range asked for\n");
}

v1::ExplainChangeResponse MakeExplainChange() {
  v1::ExplainChangeResponse r;
  *r.mutable_before() =
      MakePoint(Ts(2025, 11, 30), 70.6, "B", "green", 80, true);
  *r.mutable_after() =
      MakePoint(Ts(2025, 12, 7), 61.2, "C", "yellow", 70.4, false);
  r.set_delta(-9.4);
  r.set_scorecard_change(0);
  r.set_data_change(-9.4);
  r.set_gates_change(-1.0);
  v1::DimensionChange* a = r.add_dimensions();
  a->set_dimension("adoption");
  a->set_status_before(v1::DIMENSION_STATUS_OK);
  a->set_status_after(v1::DIMENSION_STATUS_OK);
  a->set_score_before(80);
  a->set_score_after(70.4);
  a->set_effective_weight_before(0.5);
  a->set_effective_weight_after(1.0);
  a->set_change(30.4);
  a->set_from_score(-7.2);
  a->set_from_weight(37.6);
  a->set_message("+30.4: adoption carries all the weight now");
  v1::DimensionChange* f = r.add_dimensions();
  f->set_dimension("financial");
  f->set_status_before(v1::DIMENSION_STATUS_OK);
  f->set_status_after(v1::DIMENSION_STATUS_INSUFFICIENT_DATA);
  f->set_score_before(61.25);
  f->set_effective_weight_before(0.5);
  f->set_change(-38.8);
  f->set_from_score(0);
  f->set_from_weight(-38.8);
  f->set_message("-38.8: financial has no data");
  v1::SignalChange* s = r.add_signals();
  s->set_signal("revenue_growth_pct");
  s->set_before(4.5);
  s->set_points(-8.1);
  s->set_dimension("financial");
  v1::SignalChange* l = r.add_signals();
  l->set_signal("logins_30d");
  l->set_before(20);
  l->set_after(15);
  l->set_points(-1.3);
  l->set_dimension("adoption");
  v1::RuleChange* rule = r.add_rules();
  rule->set_dimension("adoption");
  rule->set_rule_id("logins_falling");
  rule->set_kind(v1::RuleChange::FIRED);
  rule->set_impact_after(-6);
  rule->set_message("Logins fell 25% in 30 days.");
  r.add_summary("The score fell 9.4 points, from 70.6 (B) to 61.2 (C).");
  r.add_summary("financial has no data now (revenue_growth_pct is missing).");
  return r;
}

TEST(WhyFormatTest, TableLeadsWithTheSummaryThenTheParts) {
  std::ostringstream out;
  PrintExplainChange(MakeExplainChange(), OutputFormat::kTable, out);
  EXPECT_EQ(
      out.str(),
      "acme: 70.6 (B, green) on 2025-11-30 -> 61.2 (C, yellow) on 2025-12-07\n"
      "  The score fell 9.4 points, from 70.6 (B) to 61.2 (C).\n"
      "  financial has no data now (revenue_growth_pct is missing).\n"
      "change -9.4 = scorecard +0.0 + data -9.4\n"
      "dimensions (points on the total):\n"
      "  dimension         change  from score  from weight  "
      "score before -> after      share before -> after\n"
      "  adoption           +30.4        -7.2        +37.6  "
      "80.0 -> 70.4               50% -> 100%\n"
      "  financial          -38.8        +0.0        -38.8  "
      "61.2 -> INSUFFICIENT_DATA  50% -> 0%\n"
      "  (critical gates)    -1.0\n"
      "signals (points on the total):\n"
      "  signal              before -> after  points  dimension\n"
      "  revenue_growth_pct  4.5 -> -           -8.1  financial\n"
      "  logins_30d          20 -> 15           -1.3  adoption\n"
      "rules (points on the dimension):\n"
      "  rule            dimension  kind   before -> after  message\n"
      "  logins_falling  adoption   fired  +0.0 -> -6.0     "
      "Logins fell 25% in 30 days.\n");
}

TEST(WhyFormatTest, CsvHasOneRowPerPart) {
  std::ostringstream out;
  PrintExplainChange(MakeExplainChange(), OutputFormat::kCsv, out);
  EXPECT_EQ(out.str(),
            "kind,name,dimension,state,before,after,change,from_score,"
            "from_weight,message\n"
            "total,,,,70.6,61.2,-9.4,,,\n"
            "scorecard,,,,,,0,,,\n"
            "data,,,,,,-9.4,,,\n"
            "gates,,,,,,-1,,,\n"
            "dimension,adoption,adoption,OK->OK,80,70.4,30.4,-7.2,37.6,+30.4: "
            "adoption carries all the weight now\n"
            "dimension,financial,financial,OK->INSUFFICIENT_DATA,61.25,,-38.8,"
            "0,-38.8,-38.8: financial has no data\n"
            "signal,revenue_growth_pct,financial,,4.5,,-8.1,,,\n"
            "signal,logins_30d,adoption,,20,15,-1.3,,,\n"
            "rule,logins_falling,adoption,fired,0,-6,-6,,,Logins fell 25% in "
            "30 days.\n");
}

v1::ListMoversResponse MakeMovers() {
  v1::ListMoversResponse r;
  v1::Mover* m = r.add_movers();
  m->set_customer_id("acme");
  m->set_segment("smb");
  m->set_score_before(70.6);
  m->set_score_after(61.2);
  m->set_change(-9.4);
  m->set_band_before("green");
  m->set_band_after("yellow");
  m->set_top_dimension("support");
  m->set_top_dimension_change(-9.4);
  m->set_top_cause("-9.4: support fell from 71 to 38");
  v1::Mover* b = r.add_movers();
  b->set_customer_id("beta-corp");
  b->set_score_before(50);
  b->set_score_after(48);
  b->set_change(-2);
  b->set_band_before("yellow");
  b->set_band_after("yellow");
  b->set_top_dimension("adoption");
  b->set_top_dimension_change(-2);
  r.set_compared(998);
  return r;
}

TEST(MoversFormatTest, TableAndCsv) {
  v1::ListMoversRequest request;
  *request.mutable_from() = Ts(2025, 11, 7);
  *request.mutable_to() = Ts(2025, 12, 7);
  request.set_segment("smb");
  std::ostringstream table;
  PrintMovers(request, MakeMovers(), OutputFormat::kTable, table);
  EXPECT_EQ(table.str(),
            "biggest drops from 2025-11-07 to 2025-12-07, segment smb\n"
            "customer   segment  before -> after  change  "
            "band before -> after  top cause\n"
            "acme       smb         70.6 -> 61.2    -9.4  "
            "green -> yellow       -9.4: support fell from 71 to 38\n"
            "beta-corp  -           50.0 -> 48.0    -2.0  "
            "yellow -> yellow      adoption -2.0\n"
            "998 customers with a point at both dates\n");

  request.clear_to();
  request.clear_segment();
  request.set_direction(v1::RISES);
  std::ostringstream none;
  PrintMovers(request, v1::ListMoversResponse(), OutputFormat::kTable, none);
  EXPECT_EQ(none.str(),
            "biggest rises from 2025-11-07 to now\n"
            "no customer moved that way\n"
            "0 customers with a point at both dates\n");

  std::ostringstream csv;
  PrintMovers(request, MakeMovers(), OutputFormat::kCsv, csv);
  EXPECT_EQ(csv.str(),
            "customer_id,segment,score_before,score_after,change,band_before,"
            "band_after,top_dimension,top_dimension_change,top_cause\n"
            "acme,smb,70.6,61.2,-9.4,green,yellow,support,-9.4,-9.4: support "
            "fell from 71 to 38\n"
            "beta-corp,,50,48,-2,yellow,yellow,adoption,-2,\n");
}

void AddBucket(google::protobuf::RepeatedPtrField<v1::BucketCount>* buckets,
               const std::string& name, int64_t count, double share) {
  v1::BucketCount* b = buckets->Add();
  b->set_name(name);
  b->set_count(count);
  b->set_share(share);
}

v1::GetPortfolioResponse MakePortfolio() {
  v1::GetPortfolioResponse r;
  *r.mutable_current()->mutable_as_of() = Ts(2025, 12, 7);
  *r.mutable_previous()->mutable_as_of() = Ts(2025, 11, 7);
  v1::PortfolioFigures* now = r.mutable_current()->add_figures();
  now->set_customers(10);
  now->set_mean_score(63.14);
  AddBucket(now->mutable_bands(), "green", 4, 0.4);
  AddBucket(now->mutable_bands(), "red", 6, 0.6);
  AddBucket(now->mutable_grades(), "A", 4, 0.4);
  AddBucket(now->mutable_grades(), "F", 6, 0.6);
  v1::PortfolioFigures* smb = r.mutable_current()->add_figures();
  smb->set_segment("smb");
  smb->set_customers(1);
  smb->set_mean_score(20);
  AddBucket(smb->mutable_bands(), "red", 1, 1.0);
  v1::PortfolioFigures* before = r.mutable_previous()->add_figures();
  before->set_customers(8);
  before->set_mean_score(64);
  AddBucket(before->mutable_bands(), "green", 4, 0.5);
  AddBucket(before->mutable_bands(), "yellow", 2, 0.25);
  AddBucket(before->mutable_bands(), "red", 2, 0.25);
  AddBucket(before->mutable_grades(), "A", 8, 1.0);
  return r;
}

TEST(PortfolioFormatTest, TableComparesNowWithOneWindowEarlier) {
  std::ostringstream out;
  PrintPortfolio(MakePortfolio(), OutputFormat::kTable, out);
  EXPECT_EQ(out.str(),
            "portfolio at 2025-12-07, against 2025-11-07\n"
            "all segments: 10 customers (was 8), mean score 63.1 (was 64.0, "
            "-0.9)\n"
            "  band    now  share  before  share  change\n"
            "  green     4    40%       4    50%      +0  (-10.0 pts)\n"
            "  red       6    60%       2    25%      +4  (+35.0 pts)\n"
            "  yellow    0     0%       2    25%      -2  (-25.0 pts)\n"
            "  grade  now  share  before  share  change\n"
            "  A        4    40%       8   100%      -4  (-60.0 pts)\n"
            "  F        6    60%       0     0%      +6  (+60.0 pts)\n"
            "\n"
            "segment smb: 1 customer, mean score 20.0\n"
            "  band  now  share  before  share  change\n"
            "  red     1   100%       -      -       -\n");
}

TEST(PortfolioFormatTest, CsvHasCountsAndSharesNowAndBefore) {
  std::ostringstream out;
  PrintPortfolio(MakePortfolio(), OutputFormat::kCsv, out);
  const std::string at = "2025-12-07T00:00:00+00:00,2025-11-07T00:00:00+00:00";
  EXPECT_EQ(
      out.str(),
      "as_of,previous_as_of,segment,kind,name,now,now_share,previous,"
      "previous_share\n" +
          at + ",,customers,,10,,8,\n" + at + ",,mean_score,,63.14,,64,\n" +
          at + ",,band,green,4,0.4,4,0.5\n" + at + ",,band,red,6,0.6,2,0.25\n" +
          at + ",,band,yellow,0,0,2,0.25\n" + at + ",,grade,A,4,0.4,8,1\n" +
          at + ",,grade,F,6,0.6,0,0\n" + at + ",smb,customers,,1,,,\n" + at +
          ",smb,mean_score,,20,,,\n" + at + ",smb,band,red,1,1,,\n");
}

ImportSummary MakeImportSummary(size_t errors) {
  ImportSummary s;
  s.path = "t.csv";
  s.rows_read = 1000;
  s.dates = 2;
  s.first_as_of = Utc(2025, 11, 1);
  s.last_as_of = Utc(2025, 12, 1);
  s.recorded = 1000 - errors;
  s.batches = 4;
  s.elapsed = absl::Milliseconds(2500);
  for (size_t i = 0; i < errors; ++i) {
    s.errors.push_back(ImportRowError{
        .line = static_cast<int>(i + 2),
        .customer_id = absl::StrCat("c", i),
        .as_of = Utc(2025, 11, 1),
        .code = 3,
        .message = "value out of range",
    });
  }
  return s;
}

TEST(ImportFormatTest, TableSummaryListsTheFirstErrors) {
  std::ostringstream out;
  PrintImportSummary(MakeImportSummary(1), OutputFormat::kTable, out);
  EXPECT_EQ(out.str(),
            "rows read     1000 (2 as_of dates, 2025-11-01 to 2025-12-01)\n"
            "recorded      999\n"
            "errors        1\n"
            "batches       4\n"
            "elapsed       2.5 s (400 rows/s)\n"
            "errors:\n"
            "  t.csv:2  c0  2025-11-01  INVALID_ARGUMENT: value out of "
            "range\n");

  std::ostringstream many;
  PrintImportSummary(MakeImportSummary(12), OutputFormat::kTable, many);
  EXPECT_THAT(many.str(), HasSubstr("errors        12\n"));
  EXPECT_THAT(many.str(), HasSubstr("first errors:\n  t.csv:2   c0 "));
  EXPECT_THAT(many.str(), HasSubstr("  t.csv:11  c9 "));
  EXPECT_THAT(many.str(), Not(HasSubstr("c10")));
  EXPECT_THAT(many.str(), HasSubstr("  (2 more; --format csv lists them "
                                    "all)\n"));
}

TEST(ImportFormatTest, CsvListsEveryErrorAndJsonIsOneObject) {
  std::ostringstream csv;
  PrintImportSummary(MakeImportSummary(2), OutputFormat::kCsv, csv);
  EXPECT_EQ(csv.str(),
            "line,customer_id,as_of,code,message\n"
            "2,c0,2025-11-01T00:00:00+00:00,INVALID_ARGUMENT,value out of "
            "range\n"
            "3,c1,2025-11-01T00:00:00+00:00,INVALID_ARGUMENT,value out of "
            "range\n");

  std::ostringstream json;
  PrintImportSummary(MakeImportSummary(1), OutputFormat::kJson, json);
  const std::string line = json.str();
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  EXPECT_THAT(json.str(), HasSubstr("\"rows_read\":1000"));
  EXPECT_THAT(json.str(), HasSubstr("\"recorded\":999"));
  EXPECT_THAT(json.str(), HasSubstr("\"rows_per_second\":400"));
  EXPECT_THAT(json.str(), HasSubstr("\"customer_id\":\"c0\""));
}

TEST(ImportFormatTest, ProgressLinesEachTenthOrABar) {
  std::ostringstream lines;
  ImportProgress progress(100, /*bar=*/false, lines);
  progress.Update(5, absl::Seconds(1));
  progress.Update(25, absl::Seconds(2));
  progress.Update(29, absl::Seconds(3));
  progress.Update(100, absl::Seconds(4));
  progress.Finish();
  EXPECT_EQ(lines.str(),
            "import: 25% (25 of 100 rows, 2.0 s)\n"
            "import: 100% (100 of 100 rows, 4.0 s)\n");

  std::ostringstream bar;
  ImportProgress drawn(100, /*bar=*/true, bar);
  drawn.Update(40, absl::Seconds(1));
  drawn.Finish();
  EXPECT_EQ(bar.str(),
            "\rimport [########------------]  40%  40/100 rows  1.0 s\n");
}

TEST(ScoreFormatTest, RecordedScoreShowsItsTrend) {
  v1::CustomerScore score;
  score.set_customer_id("acme");
  score.set_score(61.2);
  score.set_grade("C");
  score.set_band("yellow");
  score.set_coverage(1);
  v1::Trend* trend = score.mutable_trend();
  trend->set_has_previous(true);
  *trend->mutable_previous_as_of() = Ts(2025, 11, 30);
  trend->set_previous_score(70.6);
  trend->set_change(-9.4);
  v1::TrendWindow* month = trend->add_windows();
  month->set_days(30);
  month->set_has_data(true);
  month->set_change(-12);
  trend->add_windows()->set_days(90);
  trend->set_slope_per_30d(-4.14);
  trend->set_consecutive_declines(3);
  std::ostringstream out;
  PrintScoreTable(score, v1::EXPLAIN_NONE, out);
  EXPECT_EQ(out.str(),
            "acme  score 61.2  grade C  band yellow  coverage 100%\n"
            "  trend: -9.4 since 2025-11-30 (was 70.6); 30d -12.0, 90d -; "
            "slope -4.1 per 30 days; 3 declines in a row\n");

  score.mutable_trend()->Clear();
  std::ostringstream first;
  PrintScoreTable(score, v1::EXPLAIN_NONE, first);
  EXPECT_THAT(first.str(), HasSubstr("\n  trend: first recorded point\n"));
}

// ---------------------------------------------------------------------------
// Commands against in-process servers

// Records every ScoreBatch / Score request; scores rows 50 with a trend
// unless the id starts with "bad" (a row error) or "norec" (scored, not
// recorded). `fail_from_call` makes that call (1-based) and later ones fail.
class RecordingScoring final : public v1::HealthScoring::Service {
 public:
  grpc::Status ScoreBatch(grpc::ServerContext*,
                          const v1::ScoreBatchRequest* request,
                          v1::ScoreBatchResponse* response) override {
    batches.push_back(*request);
    if (fail_from_call > 0 &&
        static_cast<int>(batches.size()) >= fail_from_call) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "this server records no history (--record=never)");
    }
    for (const v1::Row& row : request->rows()) {
      v1::CustomerResult* result = response->add_results();
      result->set_customer_id(row.customer_id());
      if (row.customer_id().rfind("bad", 0) == 0) {
        result->mutable_error()->set_code(3);
        result->mutable_error()->set_message("value out of range");
        continue;
      }
      result->mutable_score()->set_customer_id(row.customer_id());
      result->mutable_score()->set_score(50);
      if (row.customer_id().rfind("norec", 0) != 0) {
        result->mutable_score()->mutable_trend()->set_has_previous(false);
      }
    }
    return grpc::Status::OK;
  }
  grpc::Status Score(grpc::ServerContext*, const v1::ScoreRequest* request,
                     v1::ScoreResponse* response) override {
    single.push_back(*request);
    response->mutable_score()->set_customer_id(
        request->customer().customer_id());
    response->mutable_score()->set_score(50);
    response->mutable_score()->mutable_trend()->set_has_previous(false);
    return grpc::Status::OK;
  }

  int fail_from_call = 0;
  std::vector<v1::ScoreBatchRequest> batches;
  std::vector<v1::ScoreRequest> single;
};

// Pages through three points two at a time; "ghost" has none.
class FakeHistory final : public v1::History::Service {
 public:
  grpc::Status GetHistory(grpc::ServerContext*,
                          const v1::GetHistoryRequest* request,
                          v1::GetHistoryResponse* response) override {
    history_requests.push_back(*request);
    if (request->customer_id() == "ghost") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "customer ghost has no recorded points");
    }
    const std::vector<v1::HistoryPoint> all = MakeHistory();
    const size_t begin =
        request->page_token().empty() ? 0 : std::stoul(request->page_token());
    const size_t end =
        std::min(all.size(), begin + std::min<size_t>(2, request->page_size()));
    for (size_t i = begin; i < end; ++i) *response->add_points() = all[i];
    if (end < all.size()) response->set_next_page_token(std::to_string(end));
    return grpc::Status::OK;
  }
  grpc::Status ExplainChange(grpc::ServerContext*,
                             const v1::ExplainChangeRequest* request,
                             v1::ExplainChangeResponse* response) override {
    why_requests.push_back(*request);
    *response = MakeExplainChange();
    return grpc::Status::OK;
  }
  grpc::Status ListMovers(grpc::ServerContext*,
                          const v1::ListMoversRequest* request,
                          v1::ListMoversResponse* response) override {
    movers_requests.push_back(*request);
    *response = MakeMovers();
    return grpc::Status::OK;
  }
  grpc::Status GetPortfolio(grpc::ServerContext*,
                            const v1::GetPortfolioRequest*,
                            v1::GetPortfolioResponse*) override {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "this server keeps no history");
  }

  std::vector<v1::GetHistoryRequest> history_requests;
  std::vector<v1::ExplainChangeRequest> why_requests;
  std::vector<v1::ListMoversRequest> movers_requests;
};

class HistoryCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&scoring_);
    builder.RegisterService(&history_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    auto channel = server_->InProcessChannel(grpc::ChannelArguments());
    scoring_stub_ = v1::HealthScoring::NewStub(channel);
    history_stub_ = v1::History::NewStub(channel);
  }
  void TearDown() override { server_->Shutdown(); }

  std::string WriteTemp(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // A clock that advances one second each time it is read.
  ImportOptions Import(const std::string& path, size_t batch_size) {
    ImportOptions import;
    import.csv_path = path;
    import.batch_size = batch_size;
    import.now = [t = std::make_shared<absl::Time>(Utc(2026, 1, 1))] {
      *t += absl::Seconds(1);
    return *t;
  };
  return import;
}

RecordingScoring scoring_;
FakeHistory history_;
std::unique_ptr<grpc::Server> server_;
std::unique_ptr<v1::HealthScoring::Stub> scoring_stub_;
std::unique_ptr<v1::History::Stub> history_stub_;
};  // namespace

TEST_F(HistoryCommandsTest, ImportRecordsEachDateOldestFirstInBatches) {
  const std::string path = WriteTemp("import_ok.csv",
                                     "customer_id,segment,as_of,x\n"
                                     "c1,smb,2025-12-01,1\n"
                                     "c2,smb,2025-11-01,2\n"
                                     "c3,smb,2025-12-01,3\n"
                                     "c4,smb,2025-12-01,4\n"
                                     "c1,smb,2025-11-01,5\n");
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(
      RunImport(*scoring_stub_, CommonOptions(), Import(path, 2), out, err),
      kExitOk);
  ASSERT_EQ(scoring_.batches.size(), 3u);
  std::vector<std::vector<std::string>> ids;
  for (const v1::ScoreBatchRequest& request : scoring_.batches) {
    EXPECT_TRUE(request.record());
    EXPECT_EQ(request.explain(), v1::EXPLAIN_NONE);
    EXPECT_THAT(request.signal_names(), ElementsAre("x"));
    std::vector<std::string> batch;
    for (const v1::Row& row : request.rows())
      batch.push_back(row.customer_id());
    ids.push_back(batch);
  }
  EXPECT_THAT(ids, ElementsAre(ElementsAre("c2", "c1"), ElementsAre("c1", "c3"),
                               ElementsAre("c4")));
  EXPECT_EQ(FromTimestamp(scoring_.batches[0].as_of()), Utc(2025, 11, 1));
  EXPECT_EQ(FromTimestamp(scoring_.batches[1].as_of()), Utc(2025, 12, 1));
  EXPECT_EQ(FromTimestamp(scoring_.batches[2].as_of()), Utc(2025, 12, 1));
  EXPECT_THAT(scoring_.batches[0].rows(1).values(), ElementsAre(5.0));

  // The clock is read at the start, after each batch, and at the end.
  EXPECT_EQ(out.str(),
            "rows read     5 (2 as_of dates, 2025-11-01 to 2025-12-01)\n"
            "recorded      5\n"
            "errors        0\n"
            "batches       3\n"
            "elapsed       4.0 s (1 rows/s)\n");
  EXPECT_EQ(err.str(),
            "import: 40% (2 of 5 rows, 1.0 s)\n"
            "import: 80% (4 of 5 rows, 2.0 s)\n"
            "import: 100% (5 of 5 rows, 3.0 s)\n");
}

TEST_F(HistoryCommandsTest, RowErrorsAndUnrecordedRowsGiveExitOne) {
  const std::string path = WriteTemp("import_rows.csv",
                                     "customer_id,as_of,x\n"
                                     "c1,2025-12-01,1\n"
                                     "bad2,2025-11-01T12:00:00Z,2\n"
                                     "norec3,2025-12-01,3\n");
  CommonOptions options;
  options.format = OutputFormat::kCsv;
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunImport(*scoring_stub_, options, Import(path, 10), out, err),
            kExitNotScored);
  EXPECT_EQ(out.str(),
            "line,customer_id,as_of,code,message\n"
            "3,bad2,2025-11-01T12:00:00+00:00,INVALID_ARGUMENT,value out of "
            "range\n");
  EXPECT_THAT(err.str(), HasSubstr("3 rows read, 1 recorded, 1 error, 2 "
                                   "batches\n"));
  EXPECT_THAT(err.str(),
              HasSubstr("warning: 1 rows were scored but not recorded"));
}

TEST_F(HistoryCommandsTest, AFailedCallStopsTheImportWithExitThree) {
  scoring_.fail_from_call = 2;
  const std::string path = WriteTemp("import_fail.csv",
                                     "customer_id,as_of,x\n"
                                     "c1,2025-11-01,1\n"
                                     "c2,2025-12-01,2\n"
                                     "c3,2025-12-15,3\n");
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(
      RunImport(*scoring_stub_, CommonOptions(), Import(path, 10), out, err),
      kExitRpcFailed);
  EXPECT_EQ(scoring_.batches.size(), 2u);
  EXPECT_EQ(out.str(), "");
  EXPECT_THAT(err.str(),
              HasSubstr("error: FAILED_PRECONDITION: this server records no "
                        "history (--record=never) (batch 2 of 3: 1 rows at "
                        "2025-12-01, line 3 of " +
                        path +
                        "); 1 rows were recorded before it, this batch and 1 "
                        "later ones were not; importing the file again is "
                        "safe"));
}

TEST_F(HistoryCommandsTest, BadTimelineGivesExitTwoAndSendsNothing) {
  const std::string path = WriteTemp(
      "import_bad.csv", "customer_id,as_of,x\nc1,2025-12-01,1\nc2,dec 1,2\n");
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(
      RunImport(*scoring_stub_, CommonOptions(), Import(path, 10), out, err),
      kExitUsage);
  EXPECT_EQ(err.str(), "error: " + path +
                           ":3: column 2 (as_of): \"dec 1\" is not a date "
                           "(YYYY-MM-DD) or an ISO-8601 time with a zone "
                           "(2025-12-07T00:00:00Z)\n");
  EXPECT_TRUE(scoring_.batches.empty());
}

TEST_F(HistoryCommandsTest, ScoreRecordSetsRecordOnScoreAndScoreBatch) {
  ScoreOptions one;
  one.customer_id = "acme";
  one.signals = {"x=1"};
  one.record = true;
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunScore(*scoring_stub_, CommonOptions(), one, out, err), kExitOk);
  ASSERT_EQ(scoring_.single.size(), 1u);
  EXPECT_TRUE(scoring_.single[0].record());
  EXPECT_THAT(out.str(), HasSubstr("\n  trend: first recorded point\n"));

  ScoreOptions csv;
  csv.csv_path = WriteTemp("score_record.csv", "customer_id,x\nc1,1\n");
  csv.record = true;
  EXPECT_EQ(RunScore(*scoring_stub_, CommonOptions(), csv, out, err), kExitOk);
  ASSERT_EQ(scoring_.batches.size(), 1u);
  EXPECT_TRUE(scoring_.batches[0].record());

  csv.record = false;
  EXPECT_EQ(RunScore(*scoring_stub_, CommonOptions(), csv, out, err), kExitOk);
  EXPECT_FALSE(scoring_.batches[1].record());
}

TEST_F(HistoryCommandsTest, HistoryPagesUntilTheLimit) {
  HistoryOptions history;
  history.customer_id = "acme";
  history.limit = 3;
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunHistory(*history_stub_, CommonOptions(), history, out, err),
            kExitOk);
  ASSERT_EQ(history_.history_requests.size(), 2u);
  EXPECT_EQ(history_.history_requests[0].page_size(), 3);
  EXPECT_EQ(history_.history_requests[0].page_token(), "");
  EXPECT_EQ(history_.history_requests[1].page_size(), 1);
  EXPECT_EQ(history_.history_requests[1].page_token(), "2");
  EXPECT_THAT(out.str(), HasSubstr("acme  segment smb  3 points"));

  // A limit below what the server has stops after the first page.
  history.limit = 2;
  std::ostringstream two;
  EXPECT_EQ(RunHistory(*history_stub_, CommonOptions(), history, two, err),
            kExitOk);
  EXPECT_EQ(history_.history_requests.size(), 3u);
  EXPECT_THAT(two.str(), HasSubstr("2 points"));
}

TEST_F(HistoryCommandsTest, UnknownCustomerGivesExitOne) {
  HistoryOptions history;
  history.customer_id = "ghost";
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunHistory(*history_stub_, CommonOptions(), history, out, err),
            kExitNotFound);
  EXPECT_EQ(err.str(),
            "error: NOT_FOUND: customer ghost has no recorded "
            "points\n");
  EXPECT_EQ(out.str(), "");
}

TEST_F(HistoryCommandsTest, WhyAndMoversSendTheirDates) {
  WhyOptions why;
  why.customer_id = "acme";
  why.from = Utc(2025, 11, 30);
  why.to = Utc(2025, 12, 8) - absl::Nanoseconds(1);
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunWhy(*history_stub_, CommonOptions(), why, out, err), kExitOk);
  ASSERT_EQ(history_.why_requests.size(), 1u);
  EXPECT_EQ(FromTimestamp(history_.why_requests[0].from()), Utc(2025, 11, 30));
  EXPECT_EQ(FromTimestamp(history_.why_requests[0].to()),
            Utc(2025, 12, 8) - absl::Nanoseconds(1));
  EXPECT_THAT(out.str(), HasSubstr("change -9.4 = scorecard +0.0 + data -9.4"));

  MoversOptions movers;
  movers.from = Utc(2025, 11, 1);
  movers.rises = true;
  movers.limit = 2;
  CommonOptions json;
  json.format = OutputFormat::kJson;
  std::ostringstream movers_out;
  EXPECT_EQ(RunMovers(*history_stub_, json, movers, movers_out, err), kExitOk);
  ASSERT_EQ(history_.movers_requests.size(), 1u);
  EXPECT_EQ(history_.movers_requests[0].direction(), v1::RISES);
  EXPECT_EQ(history_.movers_requests[0].limit(), 2);
  EXPECT_THAT(movers_out.str(), HasSubstr("\"compared\":\"998\""));

  WhyOptions bad;
  bad.customer_id = "acme";
  std::ostringstream bad_err;
  EXPECT_EQ(RunWhy(*history_stub_, CommonOptions(), bad, out, bad_err),
            kExitUsage);
  EXPECT_EQ(bad_err.str(),
            "error: give --from DATE or --days N (N days "
            "before --to, or before now)\n");
  EXPECT_EQ(history_.why_requests.size(), 1u);
}

TEST_F(HistoryCommandsTest, ServerWithoutHistoryGivesExitThree) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunPortfolio(*history_stub_, CommonOptions(), PortfolioOptions(),
                         out, err),
            kExitRpcFailed);
  EXPECT_EQ(err.str(),
            "error: FAILED_PRECONDITION: this server keeps no history\n");
}

// ---------------------------------------------------------------------------
// Alerts

v1::Alert MakeAlert(int64_t id, const std::string& customer,
                    v1::AlertState state) {
  v1::Alert alert;
  alert.set_id(id);
  alert.set_customer_id(customer);
  alert.set_segment("smb");
  alert.set_rule_id("red_score");
  alert.set_kind("score_below");
  alert.set_severity("high");
  alert.set_state(state);
  alert.set_message("Score 42.0 fell below 50");
  alert.set_action("Call the customer");
  *alert.mutable_opened_at() = Ts(2025, 12, 7);
  alert.set_score_at_open(42.04);
  alert.set_observed(42.04);
  return alert;
}

std::vector<v1::Alert> MakeAlerts() {
  std::vector<v1::Alert> alerts = {
      MakeAlert(12, "acme-001", v1::ALERT_STATE_ACKNOWLEDGED),
      MakeAlert(3, "beta", v1::ALERT_STATE_RESOLVED)};
  alerts[0].set_acknowledged_by("ann");
  alerts[0].set_note("calling, tomorrow");
  alerts[1].set_segment("");
  alerts[1].set_rule_id("thin_data");
  alerts[1].set_severity("low");
  alerts[1].set_message("Coverage 55% fell below 60%");
  alerts[1].set_action("Check the \"feeds\"");
  *alerts[1].mutable_opened_at() = ToTimestamp(Utc(2025, 11, 30, 9, 30));
  *alerts[1].mutable_closed_at() = Ts(2025, 12, 1);
  alerts[1].set_score_at_open(70);
  alerts[1].set_observed(0.55);
  alerts[1].set_resolved_by("healthscore");
  return alerts;
}

TEST(AlertsFormatTest, TableListsOneAlignedLinePerAlert) {
  std::ostringstream out;
  PrintAlerts(MakeAlerts(), /*more=*/false, OutputFormat::kTable, out);
  EXPECT_EQ(
      out.str(),
      "2 alerts, newest first\n"
      "id  opened               customer  segment  rule       severity  state "
      "        score  acked by  resolved by  message                      "
      "action\n"
      "12  2025-12-07           acme-001  smb      red_score  high      "
      "acknowledged   42.0  ann       -            Score 42.0 fell below 50    "
      " "
      "Call the customer\n"
      " 3  2025-11-30 09:30:00  beta      -        thin_data  low       "
      "resolved       70.0  -         healthscore  Coverage 55% fell below 60% "
      " "
      "Check the \"feeds\"\n");

  std::ostringstream more;
  PrintAlerts({MakeAlerts()[0]}, /*more=*/true, OutputFormat::kTable, more);
  EXPECT_THAT(more.str(),
              ::testing::StartsWith(
                  "1 alert, newest first; more match, raise --limit\n"));
  std::ostringstream none;
  PrintAlerts({}, false, OutputFormat::kTable, none);
  EXPECT_EQ(none.str(), "no alerts\n");
}

TEST(AlertsFormatTest, CsvHasEveryFieldAndJsonAnAlertALine) {
  std::ostringstream csv;
  PrintAlerts(MakeAlerts(), false, OutputFormat::kCsv, csv);
  EXPECT_EQ(csv.str(),
            "id,opened_at,closed_at,customer_id,segment,rule_id,kind,severity,"
            "state,score_at_open,observed,message,action,acknowledged_by,"
            "resolved_by,note\n"
            "12,2025-12-07T00:00:00+00:00,,acme-001,smb,red_score,score_below,"
            "high,acknowledged,42.04,42.04,Score 42.0 fell below 50,Call the "
            "customer,ann,,\"calling, tomorrow\"\n"
            "3,2025-11-30T09:30:00+00:00,2025-12-01T00:00:00+00:00,beta,,"
            "thin_data,score_below,low,resolved,70,0.55,Coverage 55% fell "
            "below 60%,\"Check the \"\"feeds\"\"\",,healthscore,\n");

  std::ostringstream json;
  PrintAlerts(MakeAlerts(), false, OutputFormat::kJson, json);
  const std::string text = json.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_THAT(text, HasSubstr("{\"id\":\"12\",\"customer_id\":\"acme-001\""));
  EXPECT_THAT(text, HasSubstr("\"state\":\"ALERT_STATE_ACKNOWLEDGED\""));
}

TEST(AlertsFormatTest, OneAlertIsAFieldALine) {
  std::ostringstream out;
  PrintAlert(MakeAlerts()[0], OutputFormat::kTable, out);
  EXPECT_EQ(out.str(),
            "alert            12\n"
            "state            acknowledged\n"
            "customer         acme-001\n"
            "segment          smb\n"
            "rule             red_score (score_below)\n"
            "severity         high\n"
            "opened           2025-12-07\n"
            "score at open    42.0\n"
            "observed         42\n"
            "closed           -\n"
            "message          Score 42.0 fell below 50\n"
            "action           Call the customer\n"
            "acknowledged by  ann\n"
            "resolved by      -\n"
            "note             calling, tomorrow\n");
  std::ostringstream csv;
  PrintAlert(MakeAlerts()[1], OutputFormat::kCsv, csv);
  EXPECT_THAT(csv.str(), ::testing::StartsWith("id,opened_at,"));
  EXPECT_THAT(csv.str(), HasSubstr("\n3,2025-11-30T09:30:00+00:00,"));
}

v1::AlertEvent MakeEvent(int64_t cursor, v1::AlertEvent::Kind kind,
                         v1::Alert alert) {
  v1::AlertEvent event;
  event.set_cursor(cursor);
  event.set_kind(kind);
  *event.mutable_alert() = std::move(alert);
  *event.mutable_at() = ToTimestamp(Utc(2026, 1, 2, 3, 4, 5));
  return event;
}

TEST(AlertsFormatTest, EventsPrintOneLineEachWithAHeaderFirst) {
  const std::vector<v1::Alert> alerts = MakeAlerts();
  std::ostringstream table;
  AlertEventPrinter printer(OutputFormat::kTable, table);
  printer.Print(MakeEvent(7, v1::AlertEvent::OPENED,
                          MakeAlert(12, "acme-001", v1::ALERT_STATE_OPEN)));
  printer.Print(MakeEvent(1234, v1::AlertEvent::ACKNOWLEDGED, alerts[0]));
  v1::Alert long_customer = alerts[1];
  long_customer.set_customer_id("a-very-long-customer-id");
  printer.Print(MakeEvent(1235, v1::AlertEvent::RESOLVED, long_customer));
  EXPECT_EQ(table.str(),
            "cursor  kind          alert  customer      rule          severity "
            " state         message\n"
            "     7  opened           12  acme-001      red_score     high     "
            " open          Score 42.0 fell below 50\n"
            "  1234  acknowledged     12  acme-001      red_score     high     "
            " acknowledged  Score 42.0 fell below 50\n"
            "  1235  resolved          3  a-very-long-customer-id  thin_data   "
            "  low       resolved      Coverage 55% fell below 60%\n");

  std::ostringstream csv;
  AlertEventPrinter csv_printer(OutputFormat::kCsv, csv);
  csv_printer.Print(MakeEvent(1234, v1::AlertEvent::ACKNOWLEDGED, alerts[0]));
  csv_printer.Print(MakeEvent(1235, v1::AlertEvent::RESOLVED, alerts[1]));
  EXPECT_EQ(csv.str(),
            "cursor,at,kind,alert_id,customer_id,segment,rule_id,severity,"
            "state,score_at_open,message,action,acknowledged_by,resolved_by,"
            "note\n"
            "1234,2026-01-02T03:04:05+00:00,acknowledged,12,acme-001,smb,"
            "red_score,high,acknowledged,42.04,Score 42.0 fell below 50,Call "
            "the customer,ann,,\"calling, tomorrow\"\n"
            "1235,2026-01-02T03:04:05+00:00,resolved,3,beta,,thin_data,low,"
            "resolved,70,Coverage 55% fell below 60%,\"Check the "
            "\"\"feeds\"\"\",,healthscore,\n");

  std::ostringstream json;
  AlertEventPrinter json_printer(OutputFormat::kJson, json);
  json_printer.Print(MakeEvent(1234, v1::AlertEvent::ACKNOWLEDGED, alerts[0]));
  EXPECT_THAT(
      json.str(),
      ::testing::StartsWith(
          "{\"cursor\":\"1234\",\"kind\":\"ACKNOWLEDGED\",\"alert\":{"));
  EXPECT_THAT(json.str(), ::testing::EndsWith("}\n"));
}

TEST(AlertsRequestsTest, FlagsAreChecked) {
  EXPECT_EQ(*ParseAlertState("open"), v1::ALERT_STATE_OPEN);
  EXPECT_EQ(*ParseAlertState("Resolved"), v1::ALERT_STATE_RESOLVED);
  EXPECT_EQ(ParseAlertState("closed").status().message(),
            "--state=closed: the states are open, acknowledged and resolved");
  EXPECT_EQ(ParseAlertId("42").value(), 42);
  EXPECT_EQ(ParseAlertId("0").status().message(),
            "\"0\" is not an alert id (a whole number from 1; `healthscore "
            "alerts` lists them)");
  EXPECT_FALSE(ParseAlertId("12a").ok());

  AlertsOptions list;
  list.state = v1::ALERT_STATE_OPEN;
  list.segment = "smb";
  list.severity = "critical";
  list.customer_id = "acme";
  list.limit = 2500;
  absl::StatusOr<v1::ListAlertsRequest> request = BuildListAlertsRequest(list);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->state(), v1::ALERT_STATE_OPEN);
  EXPECT_EQ(request->segment(), "smb");
  EXPECT_EQ(request->severity(), "critical");
  EXPECT_EQ(request->customer_id(), "acme");
  EXPECT_EQ(request->page_size(), 1000);
  list.severity = "urgent";
  EXPECT_EQ(BuildListAlertsRequest(list).status().message(),
            "--severity=urgent: the severities are low, medium, high and "
            "critical");
  list.severity = "";
  list.limit = 0;
  EXPECT_EQ(BuildListAlertsRequest(list).status().message(),
            "--limit=0 must be at least 1");

  WatchOptions watch;
  watch.after_cursor = -1;
  EXPECT_EQ(BuildWatchAlertsRequest(watch).status().message(),
            "--after-cursor=-1 must be 0 (every event) or a cursor a watch "
            "printed");
  watch.after_cursor = 9;
  watch.severity = "high";
  EXPECT_EQ(BuildWatchAlertsRequest(watch)->after_cursor(), 9);

  AlertActionOptions action;
  action.id = 3;
  EXPECT_EQ(CheckAlertAction(action).message(),
            "--who NAME is required: say who is acting on the alert");
  action.who = "ann";
  EXPECT_TRUE(CheckAlertAction(action).ok());
}

// A scripted WatchAlerts stream: its events, then its status. `on_read`
// runs before each Read (to interrupt the watch in the middle).
class ScriptedStream final : public AlertEventStream {
 public:
  ScriptedStream(std::vector<v1::AlertEvent> events, grpc::Status status,
                 std::function<void(size_t)> on_read)
      : events_(std::move(events)),
        status_(std::move(status)),
        on_read_(std::move(on_read)) {}
  bool Read(v1::AlertEvent* event) override {
    if (on_read_) on_read_(next_);
    if (cancelled_ || next_ >= events_.size()) return false;
    *event = events_[next_++];
    return true;
  }
  grpc::Status Finish() override {
    return cancelled_ ? grpc::Status(grpc::StatusCode::CANCELLED, "Cancelled")
                      : status_;
  }
  void Cancel() override { cancelled_ = true; }

 private:
  std::vector<v1::AlertEvent> events_;
  grpc::Status status_;
  std::function<void(size_t)> on_read_;
  size_t next_ = 0;
  bool cancelled_ = false;
};

// Opens the scripted streams in turn and records the cursor each asked for;
// a fake clock that the fake sleep advances.
class WatchLoopTest : public ::testing::Test {
 protected:
  struct Script {
    std::vector<v1::AlertEvent> events;
    grpc::Status status;
    std::function<void(size_t)> on_read;
  };

  AlertStreamOpener Opener() {
    return [this](const v1::WatchAlertsRequest& request)
               -> std::unique_ptr<AlertEventStream> {
      requests.push_back(request);
      Script script;
      if (opened < scripts.size()) {
        script = scripts[opened];
      } else {
        script.status =
            grpc::Status(grpc::StatusCode::UNAVAILABLE, "Connection refused");
      }
      ++opened;
      return std::make_unique<ScriptedStream>(script.events, script.status,
                                              script.on_read);
    };
  }

  WatchOptions Watch() {
    WatchOptions watch;
    watch.now = [this] { return now; };
    watch.sleep = [this](absl::Duration d) {
      sleeps.push_back(d);
      now += d;
      return true;
    };
    return watch;
  }

  v1::AlertEvent Event(int64_t cursor) {
    return MakeEvent(cursor, v1::AlertEvent::OPENED,
                     MakeAlert(cursor * 10, "c" + std::to_string(cursor),
                               v1::ALERT_STATE_OPEN));
  }

  std::vector<int64_t> Cursors() const {
    std::vector<int64_t> cursors;
    for (const v1::WatchAlertsRequest& r : requests) {
      cursors.push_back(r.after_cursor());
    }
    return cursors;
  }

  std::vector<Script> scripts;
  size_t opened = 0;
  std::vector<v1::WatchAlertsRequest> requests;
  std::vector<absl::Duration> sleeps;
  absl::Time now = Utc(2026, 1, 1);
  WatchInterrupt interrupt;
  std::ostringstream out;
  std::ostringstream err;
};

TEST_F(WatchLoopTest, ReopensAfterTheLastCursorAndNeverPrintsTwice) {
  const grpc::Status unavailable(grpc::StatusCode::UNAVAILABLE,
                                 "Socket closed");
  scripts = {
      {{Event(5), Event(6)}, unavailable, nullptr},
      // A server replaying from before 6: 5 and 6 are not printed again.
      {{Event(5), Event(6), Event(8)}, unavailable, nullptr},
      // Fails at once, twice: the backoff doubles.
      {{}, unavailable, nullptr},
      {{}, unavailable, nullptr},
      // Then Ctrl-C while waiting for the next event.
      {{Event(9)},
       grpc::Status::OK,
       [this](size_t next) {
         if (next == 1) interrupt.Interrupt();
       }},
  };
  CommonOptions options;
  options.format = OutputFormat::kCsv;
  WatchOptions watch = Watch();
  watch.after_cursor = 4;
  watch.segment = "smb";
  EXPECT_EQ(RunWatchAlerts(Opener(), options, watch, interrupt, out, err),
            kExitOk);
  EXPECT_THAT(Cursors(), ElementsAre(4, 6, 8, 8, 8));
  for (const v1::WatchAlertsRequest& r : requests) {
    EXPECT_EQ(r.segment(), "smb");
  }
  std::vector<std::string> printed;
  for (absl::string_view line : absl::StrSplit(out.str(), '\n')) {
    printed.emplace_back(line.substr(0, line.find(',')));
  }
  EXPECT_THAT(printed, ElementsAre("cursor", "5", "6", "8", "9", ""));
  EXPECT_THAT(sleeps,
              ElementsAre(absl::Milliseconds(500), absl::Milliseconds(500),
                          absl::Seconds(1), absl::Seconds(2)));
  EXPECT_EQ(err.str(),
            "note: the stream dropped (UNAVAILABLE: Socket closed); "
            "reconnecting after cursor 6 in 0.5 s\n"
            "note: the stream dropped (UNAVAILABLE: Socket closed); "
            "reconnecting after cursor 8 in 0.5 s\n"
            "note: the stream dropped (UNAVAILABLE: Socket closed); "
            "reconnecting after cursor 8 in 1 s\n"
            "note: the stream dropped (UNAVAILABLE: Socket closed); "
            "reconnecting after cursor 8 in 2 s\n"
            "last cursor 9; resume with --after-cursor=9\n");
}

TEST_F(WatchLoopTest, GivesUpAfterThirtySecondsOfFailures) {
  scripts = {{{Event(3)},
              grpc::Status(grpc::StatusCode::UNAVAILABLE, "Socket closed"),
              nullptr}};
  EXPECT_EQ(
      RunWatchAlerts(Opener(), CommonOptions(), Watch(), interrupt, out, err),
      kExitRpcFailed);
  // Failures at 0, 0.5, 1.5, 3.5, then every 4 s up to 27.5 s; at 31.5 s it
  // gives up.
  EXPECT_EQ(sleeps.size(), 10u);
  const std::vector<int64_t> cursors = Cursors();
  ASSERT_EQ(cursors.size(), 11u);
  EXPECT_EQ(cursors.front(), 0);
  EXPECT_THAT(std::vector<int64_t>(cursors.begin() + 1, cursors.end()),
              ::testing::Each(3));
  EXPECT_THAT(err.str(),
              ::testing::EndsWith(
                  "error: UNAVAILABLE: Connection refused; is the server "
                  "running at 127.0.0.1:50051?; reconnecting failed for 31.5 "
                  "s, giving up; last cursor 3; resume with "
                  "--after-cursor=3\n"));
}

TEST_F(WatchLoopTest, NoServerAtTheStartFailsAtOnce) {
  EXPECT_EQ(
      RunWatchAlerts(Opener(), CommonOptions(), Watch(), interrupt, out, err),
      kExitRpcFailed);
  EXPECT_EQ(opened, 1u);
  EXPECT_TRUE(sleeps.empty());
  EXPECT_EQ(err.str(),
            "error: UNAVAILABLE: Connection refused; is the server running at "
            "127.0.0.1:50051?\n");
  EXPECT_EQ(out.str(), "");
}

TEST_F(WatchLoopTest, AnIdleFirstStreamThatDropsIsReopened) {
  // Open for 2 s with nothing new to send, then the server restarts.
  scripts = {
      {{},
       grpc::Status(grpc::StatusCode::UNAVAILABLE, "Cancelling all calls"),
       [this](size_t) { now += absl::Seconds(2); }},
      {{Event(8)}, grpc::Status::OK, [this](size_t next) {
         if (next == 1) interrupt.Interrupt();
       }}};
  WatchOptions watch = Watch();
  watch.after_cursor = 7;
  EXPECT_EQ(
      RunWatchAlerts(Opener(), CommonOptions(), watch, interrupt, out, err),
      kExitOk);
  EXPECT_THAT(Cursors(), ElementsAre(7, 7));
  EXPECT_EQ(err.str(),
            "note: the stream dropped (UNAVAILABLE: Cancelling all calls); "
            "reconnecting after cursor 7 in 0.5 s\n"
            "last cursor 8; resume with --after-cursor=8\n");
}

TEST_F(WatchLoopTest, ErrorsEndTheWatch) {
  scripts = {{{},
              grpc::Status(grpc::StatusCode::OUT_OF_RANGE,
                           "after_cursor=99 is not a cursor this history has "
                           "given: the newest event's is 12"),
              nullptr}};
  WatchOptions watch = Watch();
  watch.after_cursor = 99;
  EXPECT_EQ(
      RunWatchAlerts(Opener(), CommonOptions(), watch, interrupt, out, err),
      kExitNotFound);
  EXPECT_EQ(err.str(),
            "error: OUT_OF_RANGE: after_cursor=99 is not a cursor this history "
            "has given: the newest event's is 12\n");

  scripts = {{{Event(1)},
              grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                           "this server keeps no history"),
              nullptr}};
  opened = 0;
  std::ostringstream failed;
  EXPECT_EQ(RunWatchAlerts(Opener(), CommonOptions(), Watch(), interrupt, out,
                           failed),
            kExitRpcFailed);
  EXPECT_EQ(failed.str(),
            "error: FAILED_PRECONDITION: this server keeps no history; last "
            "cursor 1; resume with --after-cursor=1\n");

  WatchOptions bad = Watch();
  bad.severity = "urgent";
  std::ostringstream usage;
  opened = 0;
  EXPECT_EQ(
      RunWatchAlerts(Opener(), CommonOptions(), bad, interrupt, out, usage),
      kExitUsage);
  EXPECT_EQ(opened, 0u);
}

TEST_F(WatchLoopTest, InterruptedBeforeAnythingSaysTheStartingCursor) {
  interrupt.Interrupt();
  WatchOptions watch = Watch();
  watch.after_cursor = 17;
  EXPECT_EQ(
      RunWatchAlerts(Opener(), CommonOptions(), watch, interrupt, out, err),
      kExitOk);
  EXPECT_EQ(opened, 0u);
  EXPECT_EQ(err.str(), "last cursor 17; resume with --after-cursor=17\n");
  EXPECT_FALSE(interrupt.Sleep(absl::Seconds(10)));
}

// Lists `alerts` two at a time; watches send cursors 1..3 then drop the
// first stream (UNAVAILABLE), and the second one after one more event.
class FakeAlerts final : public v1::Alerts::Service {
 public:
  grpc::Status ListAlerts(grpc::ServerContext*,
                          const v1::ListAlertsRequest* request,
                          v1::ListAlertsResponse* response) override {
    list_requests.push_back(*request);
    const size_t begin =
        request->page_token().empty() ? 0 : std::stoul(request->page_token());
    const size_t end = std::min(
        alerts.size(),
        begin + std::min<size_t>(2, static_cast<size_t>(request->page_size())));
    for (size_t i = begin; i < end; ++i) *response->add_alerts() = alerts[i];
    if (end < alerts.size()) response->set_next_page_token(std::to_string(end));
    return grpc::Status::OK;
  }
  grpc::Status WatchAlerts(
      grpc::ServerContext*, const v1::WatchAlertsRequest* request,
      grpc::ServerWriter<v1::AlertEvent>* writer) override {
    watch_requests.push_back(*request);
    const int64_t last = watch_requests.size() == 1 ? 3 : 4;
    for (int64_t c = request->after_cursor() + 1; c <= last; ++c) {
      v1::AlertEvent event;
      event.set_cursor(c);
      event.set_kind(v1::AlertEvent::OPENED);
      event.mutable_alert()->set_id(c);
      writer->Write(event);
    }
    return watch_requests.size() == 1
               ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "going away")
               : grpc::Status(grpc::StatusCode::INTERNAL, "disk on fire");
  }
  grpc::Status AcknowledgeAlert(grpc::ServerContext*,
                                const v1::AcknowledgeAlertRequest* request,
                                v1::Alert* response) override {
    ack_requests.push_back(*request);
    if (request->id() == 404) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no alert 404");
    }
    *response =
        MakeAlert(request->id(), "acme-001", v1::ALERT_STATE_ACKNOWLEDGED);
    response->set_acknowledged_by(request->who());
    response->set_note(request->note());
    return grpc::Status::OK;
  }
  grpc::Status ResolveAlert(grpc::ServerContext*,
                            const v1::ResolveAlertRequest*,
                            v1::Alert*) override {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "alert 12 is already resolved");
  }

  std::vector<v1::Alert> alerts;
  std::vector<v1::ListAlertsRequest> list_requests;
  std::vector<v1::WatchAlertsRequest> watch_requests;
  std::vector<v1::AcknowledgeAlertRequest> ack_requests;
};

class AlertCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 5; i >= 1; --i) {
      service_.alerts.push_back(
          MakeAlert(i, "c" + std::to_string(i), v1::ALERT_STATE_OPEN));
    }
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::Alerts::NewStub(
        server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  FakeAlerts service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Alerts::Stub> stub_;
  std::ostringstream out;
  std::ostringstream err;
};

TEST_F(AlertCommandsTest, AlertsPagesUntilTheLimit) {
  AlertsOptions list;
  list.limit = 3;
  list.severity = "high";
  EXPECT_EQ(RunAlerts(*stub_, CommonOptions(), list, out, err), kExitOk);
  ASSERT_EQ(service_.list_requests.size(), 2u);
  EXPECT_EQ(service_.list_requests[0].page_size(), 3);
  EXPECT_EQ(service_.list_requests[0].severity(), "high");
  EXPECT_EQ(service_.list_requests[1].page_size(), 1);
  EXPECT_EQ(service_.list_requests[1].page_token(), "2");
  EXPECT_THAT(out.str(),
              ::testing::StartsWith("3 alerts, newest first; more match, raise "
                                    "--limit\n"));

  list.limit = 50;
  std::ostringstream all;
  EXPECT_EQ(RunAlerts(*stub_, CommonOptions(), list, all, err), kExitOk);
  EXPECT_THAT(all.str(), ::testing::StartsWith("5 alerts, newest first\n"));
  EXPECT_EQ(err.str(), "");
}

TEST_F(AlertCommandsTest, AckPrintsTheAlertAndErrorsExitOne) {
  AlertActionOptions ack;
  ack.id = 12;
  ack.who = "ann";
  ack.note = "on it";
  CommonOptions json;
  json.format = OutputFormat::kJson;
  EXPECT_EQ(
      RunAlertAction(*stub_, json, AlertAction::kAcknowledge, ack, out, err),
      kExitOk);
  ASSERT_EQ(service_.ack_requests.size(), 1u);
  EXPECT_EQ(service_.ack_requests[0].who(), "ann");
  EXPECT_EQ(service_.ack_requests[0].note(), "on it");
  EXPECT_THAT(out.str(), HasSubstr("\"acknowledged_by\":\"ann\""));

  ack.id = 404;
  std::ostringstream not_found;
  EXPECT_EQ(RunAlertAction(*stub_, CommonOptions(), AlertAction::kAcknowledge,
                           ack, out, not_found),
            kExitRefused);
  EXPECT_EQ(not_found.str(), "error: NOT_FOUND: no alert 404\n");

  std::ostringstream resolved;
  EXPECT_EQ(RunAlertAction(*stub_, CommonOptions(), AlertAction::kResolve, ack,
                           out, resolved),
            kExitRefused);
  EXPECT_EQ(resolved.str(),
            "error: FAILED_PRECONDITION: alert 12 is already resolved\n");

  ack.who = "";
  std::ostringstream usage;
  EXPECT_EQ(RunAlertAction(*stub_, CommonOptions(), AlertAction::kAcknowledge,
                           ack, out, usage),
            kExitUsage);
  EXPECT_EQ(usage.str(),
            "error: --who NAME is required: say who is acting on the alert\n");
  EXPECT_EQ(service_.ack_requests.size(), 2u);
}

TEST_F(AlertCommandsTest, WatchOverGrpcResumesAfterUnavailable) {
  WatchOptions watch;
  watch.sleep = [](absl::Duration) { return true; };
  WatchInterrupt interrupt;
  EXPECT_EQ(RunWatchAlerts(GrpcAlertStreamOpener(*stub_), CommonOptions(),
                           watch, interrupt, out, err),
            kExitRpcFailed);
  ASSERT_EQ(service_.watch_requests.size(), 2u);
  EXPECT_EQ(service_.watch_requests[0].after_cursor(), 0);
  EXPECT_EQ(service_.watch_requests[1].after_cursor(), 3);
  EXPECT_EQ(out.str(),
            "cursor  kind          alert  customer      rule          severity "
            " state         message\n"
            "     1  opened            1  -             -             -        "
            " -             -\n"
            "     2  opened            2  -             -             -        "
            " -             -\n"
            "     3  opened            3  -             -             -        "
            " -             -\n"
            "     4  opened            4  -             -             -        "
            " -             -\n");
  EXPECT_EQ(err.str(),
            "note: the stream dropped (UNAVAILABLE: going away); "
            "reconnecting after cursor 3 in 0.5 s\n"
            "error: INTERNAL: disk on fire; last cursor 4; resume with "
            "--after-cursor=4\n");
}

TEST_F(AlertCommandsTest, InterruptCancelsAnOpenGrpcStream) {
  // The second stream stays open: interrupt it from another thread.
  class Blocking final : public v1::Alerts::Service {
   public:
    grpc::Status WatchAlerts(
        grpc::ServerContext* context, const v1::WatchAlertsRequest*,
        grpc::ServerWriter<v1::AlertEvent>* writer) override {
      v1::AlertEvent event;
      event.set_cursor(41);
      writer->Write(event);
      while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(5));
      return grpc::Status::OK;
    }
  } blocking;
  grpc::ServerBuilder builder;
  builder.RegisterService(&blocking);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  std::unique_ptr<v1::Alerts::Stub> stub =
      v1::Alerts::NewStub(server->InProcessChannel(grpc::ChannelArguments()));
  WatchInterrupt interrupt;
  std::thread stopper([&interrupt] {
    absl::SleepFor(absl::Milliseconds(200));
    interrupt.Interrupt();
  });
  CommonOptions json;
  json.format = OutputFormat::kJson;
  EXPECT_EQ(RunWatchAlerts(GrpcAlertStreamOpener(*stub), json, WatchOptions(),
                           interrupt, out, err),
            kExitOk);
  stopper.join();
  server->Shutdown();
  EXPECT_THAT(out.str(), ::testing::StartsWith("{\"cursor\":\"41\""));
  EXPECT_EQ(err.str(), "last cursor 41; resume with --after-cursor=41\n");
}

}  // namespace healthscore::cli
}  // namespace healthscore::cli
