// Tests of the healthscore CLI library: CSV input, request building, the
// table / CSV / JSON output, and the score command against an in-process
// fake server (batching, per-row errors, exit codes).
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "clients/cli/commands.h"
#include "clients/cli/csv.h"
#include "clients/cli/format.h"
#include "clients/cli/requests.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// ---------------------------------------------------------------------------
// CSV records

TEST(CsvRecordsTest, QuotedFieldsKeepCommasQuotesAndLineBreaks) {
  auto records = ParseCsvRecords(
      "a,b,c\n"
      "\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
      "after,the,break\n",
      "q.csv");
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_THAT((*records)[1].fields,
              ElementsAre("x, y", "say \"hi\"", "two\nlines"));
  EXPECT_EQ((*records)[1].line, 2);
  // The line break inside the quotes counts, so errors point at the real line.
  EXPECT_EQ((*records)[2].line, 4);
}

TEST(CsvRecordsTest, CrLfBomBlankLinesAndMissingFinalNewline) {
  auto records = ParseCsvRecords(
      "\xEF\xBB\xBF"
      "a,b\r\n\r\n1,\r\n  \n2,3",
      "w.csv");
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_THAT((*records)[0].fields, ElementsAre("a", "b"));
  EXPECT_THAT((*records)[1].fields, ElementsAre("1", ""));
  EXPECT_EQ((*records)[1].line, 3);
  EXPECT_THAT((*records)[2].fields, ElementsAre("2", "3"));
  EXPECT_EQ((*records)[2].line, 5);
}

TEST(CsvRecordsTest, UnterminatedQuoteNamesTheLineItOpened) {
  auto records = ParseCsvRecords("a,b\n1,\"open\n2,3\n", "u.csv");
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().message(),
            "u.csv:2: a quoted field is never closed (missing '\"')");
}

TEST(CsvRecordsTest, TextAfterClosingQuoteIsAnError) {
  auto records = ParseCsvRecords("a,b\n\"x\"y,2\n", "t.csv");
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(std::string(records.status().message()),
            "t.csv:2: text after the closing quote of a field; a quoted field "
            "must end at a comma or the end of the line");
}

// ---------------------------------------------------------------------------
// Portfolio files

TEST(PortfolioTest, EmptyCellsAreNaNAndSegmentIsOptional) {
  auto portfolio = ParsePortfolioCsv(
      "customer_id,logins_30d,segment,revenue_growth_pct\n"
      "c1, 12 ,smb,-3.5\n"
      "c2,,,\n"
      "\"c,3\",7,enterprise,\"1e2\"\n",
      "p.csv");
  ASSERT_TRUE(portfolio.ok()) << portfolio.status();
  EXPECT_THAT(portfolio->signal_names,
              ElementsAre("logins_30d", "revenue_growth_pct"));
  ASSERT_EQ(portfolio->rows.size(), 3u);
  EXPECT_THAT(portfolio->row_lines, ElementsAre(2, 3, 4));

  const v1::Row& c1 = portfolio->rows[0];
  EXPECT_EQ(c1.customer_id(), "c1");
  EXPECT_EQ(c1.segment(), "smb");
  EXPECT_THAT(c1.values(), ElementsAre(12.0, -3.5));

  const v1::Row& c2 = portfolio->rows[1];
  EXPECT_EQ(c2.segment(), "");
  ASSERT_EQ(c2.values_size(), 2);
  EXPECT_TRUE(std::isnan(c2.values(0)));
  EXPECT_TRUE(std::isnan(c2.values(1)));

  EXPECT_EQ(portfolio->rows[2].customer_id(), "c,3");
  EXPECT_THAT(portfolio->rows[2].values(), ElementsAre(7.0, 100.0));
}

TEST(PortfolioTest, BadNumberNamesFileLineColumnAndValue) {
  auto portfolio = ParsePortfolioCsv(
      "customer_id,segment,feature_adoption_pct,logins_30d\n"
      "c1,smb,50,3\n"
      "c2,smb,60,abc\n",
      "p.csv");
  ASSERT_FALSE(portfolio.ok());
  EXPECT_EQ(portfolio.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(portfolio.status().message(),
            "p.csv:3: column 4 (logins_30d): \"abc\" is not a number");
}

TEST(PortfolioTest, NonFiniteNumberIsRefused) {
  auto portfolio = ParsePortfolioCsv("customer_id,x\nc1,nan\n", "p.csv");
  ASSERT_FALSE(portfolio.ok());
  EXPECT_EQ(std::string(portfolio.status().message()),
            "p.csv:2: column 2 (x): \"nan\" is not a finite number; leave the "
            "cell empty when the value is missing");
}

TEST(PortfolioTest, RaggedRowIsAnError) {
  auto portfolio =
      ParsePortfolioCsv("customer_id,a,b,c\nc1,1,2,3\nc2,1,2\n", "r.csv");
  ASSERT_FALSE(portfolio.ok());
  EXPECT_EQ(portfolio.status().message(),
            "r.csv:3: the row has 3 cells; the header has 4");
}

TEST(PortfolioTest, MissingCustomerIdColumnIsAnError) {
  auto portfolio = ParsePortfolioCsv("id,a\nc1,1\n", "m.csv");
  ASSERT_FALSE(portfolio.ok());
  EXPECT_EQ(portfolio.status().message(),
            "m.csv:1: the header has no customer_id column (it has: id, a)");
}

TEST(PortfolioTest, DuplicateHeaderIsAnError) {
  auto portfolio = ParsePortfolioCsv("customer_id,a,b, a\nc1,1,2,3\n", "d.csv");
  ASSERT_FALSE(portfolio.ok());
  EXPECT_EQ(portfolio.status().message(),
            "d.csv:1: column 4 (a) repeats the name of column 2; every "
            "column name must be unique");
}

TEST(PortfolioTest, EmptyCustomerIdAndEmptyFileAreErrors) {
  auto empty_id = ParsePortfolioCsv("customer_id,a\n ,1\n", "e.csv");
  ASSERT_FALSE(empty_id.ok());
  EXPECT_EQ(empty_id.status().message(), "e.csv:2: customer_id is empty");

  auto empty_file = ParsePortfolioCsv("\n", "e.csv");
  ASSERT_FALSE(empty_file.ok());
  EXPECT_EQ(std::string(empty_file.status().message()),
            "e.csv: the file is empty; expected a header row naming "
            "customer_id, optionally segment, and one column per signal");
}

// ---------------------------------------------------------------------------
// Request building

TEST(RequestsTest, ExplainAndFormatNames) {
  EXPECT_EQ(*ParseExplain("none"), v1::EXPLAIN_NONE);
  EXPECT_EQ(*ParseExplain("summary"), v1::EXPLAIN_SUMMARY);
  EXPECT_EQ(*ParseExplain("full"), v1::EXPLAIN_FULL);
  EXPECT_EQ(ParseExplain("all").status().message(),
            "--explain=all is not one of none, summary, full");
  EXPECT_EQ(*ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_FALSE(ParseOutputFormat("yaml").ok());
}

TEST(RequestsTest, BuildCustomerTakesCommaListsAndSeparateItems) {
  auto customer =
      BuildCustomer("acme-001", "smb", {"a=1,b=-2.5", "c = 3", "d=4,"});
  ASSERT_TRUE(customer.ok()) << customer.status();
  EXPECT_EQ(customer->customer_id(), "acme-001");
  EXPECT_EQ(customer->segment(), "smb");
  ASSERT_EQ(customer->signals_size(), 4);
  EXPECT_EQ(customer->signals().at("b"), -2.5);
  EXPECT_EQ(customer->signals().at("c"), 3.0);
}

TEST(RequestsTest, BuildCustomerRejectsBadItems) {
  EXPECT_EQ(BuildCustomer("c", "", {"a=1", "a=2"}).status().message(),
            "signal a is given more than once");
  EXPECT_EQ(BuildCustomer("c", "", {"a"}).status().message(),
            "signal \"a\" is not of the form name=value");
  EXPECT_EQ(BuildCustomer("c", "", {"a=x"}).status().message(),
            "signal a: \"x\" is not a finite number");
  EXPECT_EQ(std::string(BuildCustomer("c", "", {"a="}).status().message()),
            "signal a has no value; leave a signal out when it is missing");
  EXPECT_FALSE(BuildCustomer("c", "", {"=1"}).ok());
  EXPECT_FALSE(BuildCustomer(" ", "", {}).ok());
}

TEST(RequestsTest, ParseCustomerJson) {
  auto customer = ParseCustomerJson(
      R"({"customer_id":"c1","segment":"smb","signals":{"x":1,"y":-2}})",
      "c.json");
  ASSERT_TRUE(customer.ok()) << customer.status();
  EXPECT_EQ(customer->customer_id(), "c1");
  EXPECT_EQ(customer->signals().at("y"), -2.0);

  auto misspelt =
      ParseCustomerJson(R"({"customer_id":"c1","signal":{}})", "c.json");
  ASSERT_FALSE(misspelt.ok());
  EXPECT_EQ(std::string(misspelt.status().message()),
            "c.json: not a healthscore.v1.Customer JSON object: signal: Cannot "
            "find field.");

  EXPECT_EQ(
      ParseCustomerJson(R"({"signals":{"x":1}})", "c.json").status().message(),
      "c.json: customer_id is missing or empty");
}

TEST(RequestsTest, BatchesSplitRowsInOrder) {
  auto portfolio = ParsePortfolioCsv(
      "customer_id,x\nc1,1\nc2,2\nc3,3\nc4,4\nc5,5\n", "b.csv");
  ASSERT_TRUE(portfolio.ok());
  ASSERT_EQ(NumBatches(5, 2), 3u);
  EXPECT_EQ(NumBatches(4, 2), 2u);
  EXPECT_EQ(NumBatches(1, 1000), 1u);

  const v1::ScoreBatchRequest last =
      BuildBatchRequest(*portfolio, 2, 2, v1::EXPLAIN_FULL);
  EXPECT_THAT(last.signal_names(), ElementsAre("x"));
  EXPECT_EQ(last.explain(), v1::EXPLAIN_FULL);
  ASSERT_EQ(last.rows_size(), 1);
  EXPECT_EQ(last.rows(0).customer_id(), "c5");

  const v1::ScoreBatchRequest second =
      BuildBatchRequest(*portfolio, 2, 1, v1::EXPLAIN_NONE);
  ASSERT_EQ(second.rows_size(), 2);
  EXPECT_EQ(second.rows(0).customer_id(), "c3");
  EXPECT_THAT(second.rows(1).values(), ElementsAre(4.0));
}

// ---------------------------------------------------------------------------
// Output

// A customer as the server would score it with EXPLAIN_FULL: two dimensions,
// reasons, actions and drivers.
v1::CustomerScore MakeScore() {
  v1::CustomerScore score;
  score.set_customer_id("acme-001");
  score.set_segment("enterprise");
  score.set_score(82.44);
  score.set_band("green");
  score.set_grade("A");
  score.set_coverage(1.0);

  v1::DimensionResult* adoption = score.add_dimensions();
  adoption->set_name("product_adoption");
  adoption->set_plugin("product_adoption@1.0.0");
  adoption->set_score(88.0);
  adoption->set_weight(0.5);
  adoption->set_effective_weight(0.5);
  adoption->set_contribution(44.0);
  adoption->set_points_lost(6.0);
  adoption->set_status(v1::DIMENSION_STATUS_OK);
  v1::Reason* high = adoption->add_reasons();
  high->set_rule_id("adoption_high");
  high->set_signal("feature_adoption_pct");
  high->set_impact(8.0);
  high->set_message("Feature adoption 88% is above the 60% target.");
  adoption->add_actions("Invite power users to the advanced-reporting beta.");

  v1::DimensionResult* financial = score.add_dimensions();
  financial->set_name("financial_health");
  financial->set_plugin("financial_health@1.0.0");
  financial->set_score(76.88);
  financial->set_weight(0.5);
  financial->set_effective_weight(0.5);
  financial->set_contribution(38.44);
  financial->set_points_lost(11.56);
  financial->set_status(v1::DIMENSION_STATUS_OK);
  v1::Reason* late = financial->add_reasons();
  late->set_rule_id("late_payments");
  late->set_signal("late_payments_12m");
  late->set_impact(-9.5);
  late->set_message("3 late payments in the last 12 months.");
  financial->add_actions("Offer automatic payment by card.");

  v1::Driver* down = score.add_top_drivers_down();
  down->set_dimension("financial_health");
  down->set_rule_id("late_payments");
  down->set_impact(-4.75);
  down->set_message("3 late payments in the last 12 months.");
  v1::Driver* up = score.add_top_drivers_up();
  up->set_dimension("product_adoption");
  up->set_rule_id("adoption_high");
  up->set_impact(4.0);
  up->set_message("Feature adoption 88% is above the 60% target.");

  v1::Provenance* provenance = score.mutable_provenance();
  provenance->set_scorecard_name("default");
  provenance->set_scorecard_version("2024.1");
  provenance->set_scorecard_hash(
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  return score;
}

// A customer whose financial data is missing: one dimension carries all.
v1::CustomerScore MakeSparseScore() {
  v1::CustomerScore score;
  score.set_customer_id("beta-002");
  score.set_score(31.0);
  score.set_band("red");
  score.set_grade("D");
  score.set_coverage(0.625);
  v1::DimensionResult* adoption = score.add_dimensions();
  adoption->set_name("product_adoption");
  adoption->set_score(31.0);
  adoption->set_weight(0.5);
  adoption->set_effective_weight(1.0);
  adoption->set_contribution(31.0);
  adoption->set_points_lost(69.0);
  adoption->set_status(v1::DIMENSION_STATUS_OK);
  v1::DimensionResult* financial = score.add_dimensions();
  financial->set_name("financial_health");
  financial->set_weight(0.5);
  financial->set_status(v1::DIMENSION_STATUS_INSUFFICIENT_DATA);
  financial->set_status_reason("required signal revenue_growth_pct is missing");
  return score;
}

v1::CustomerResult Scored(const v1::CustomerScore& score) {
  v1::CustomerResult result;
  result.set_customer_id(score.customer_id());
  *result.mutable_score() = score;
  return result;
}

v1::CustomerResult Failed(const std::string& customer_id,
                          const std::string& message) {
  v1::CustomerResult result;
  result.set_customer_id(customer_id);
  result.mutable_error()->set_code(3);
  result.mutable_error()->set_message(message);
  return result;
}

TEST(TableTest, SummaryShowsHeaderDimensionsAndDrivers) {
  std::ostringstream out;
  PrintScoreTable(MakeScore(), v1::EXPLAIN_SUMMARY, out);
  EXPECT_EQ(out.str(),
            "acme-001  score 82.4  grade A  band green  coverage 100%  "
            "segment enterprise\n"
            "  dimension         score  status             weight  share  "
            "contribution  points lost\n"
            "  product_adoption   88.0  OK                    0.5    50%  "
            "        44.0          6.0\n"
            "  financial_health   76.9  OK                    0.5    50%  "
            "        38.4         11.6\n"
            "  top drivers down (points on the total):\n"
            "      -4.8  financial_health  late_payments  3 late payments in "
            "the last 12 months.\n"
            "  top drivers up (points on the total):\n"
            "      +4.0  product_adoption  adoption_high  Feature adoption 88% "
            "is above the 60% target.\n");
}

TEST(TableTest, NoneOmitsDriversAndFullAddsReasonsAndActions) {
  std::ostringstream none;
  PrintScoreTable(MakeScore(), v1::EXPLAIN_NONE, none);
  EXPECT_THAT(none.str(), Not(HasSubstr("drivers")));
  EXPECT_THAT(none.str(), Not(HasSubstr("reasons")));

  std::ostringstream full;
  PrintScoreTable(MakeScore(), v1::EXPLAIN_FULL, full);
  EXPECT_THAT(full.str(), HasSubstr("top drivers down"));
  EXPECT_THAT(full.str(),
              HasSubstr("  product_adoption reasons (points on the "
                        "dimension):\n"
                        "      +8.0  adoption_high  Feature adoption 88% is "
                        "above the 60% target.\n"
                        "  product_adoption actions:\n"
                        "    - Invite power users to the advanced-reporting "
                        "beta.\n"));
  EXPECT_THAT(full.str(),
              HasSubstr("      -9.5  late_payments  3 late payments in the "
                        "last 12 months.\n"));
}

TEST(TableTest, DimensionWithoutDataShowsDashAndReason) {
  std::ostringstream out;
  PrintScoreTable(MakeSparseScore(), v1::EXPLAIN_SUMMARY, out);
  EXPECT_THAT(out.str(), HasSubstr("beta-002  score 31.0  grade D  band red  "
                                   "coverage 62.5%\n"));
  EXPECT_THAT(out.str(),
              HasSubstr("  financial_health      -  INSUFFICIENT_DATA     "
                        "0.5     0%           0.0          0.0  (required "
                        "signal revenue_growth_pct is missing)\n"));
  EXPECT_THAT(out.str(), HasSubstr("  top drivers down: none\n"));
}

TEST(TableTest, BatchPrintsErrorsInPlaceAndASummary) {
  std::ostringstream out;
  auto printer = MakeResultPrinter(OutputFormat::kTable, v1::EXPLAIN_NONE,
                                   /*summary=*/true, out);
  printer->Add(Scored(MakeSparseScore()));
  printer->Add(Failed("bad-003", "feature_adoption_pct=150 is above 100"));
  printer->Add(Scored(MakeScore()));
  printer->Finish();
  const std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("\nbad-003  ERROR INVALID_ARGUMENT: "
                              "feature_adoption_pct=150 is above 100\n\n"
                              "acme-001  score 82.4"));
  EXPECT_LT(text.find("beta-002"), text.find("bad-003"));
  EXPECT_THAT(text, HasSubstr("\n2 scored, 1 error; bands: green 1, red 1\n"
                              "scorecard default  version 2024.1  sha256 "
                              "9f86d081884c\n"));
}

TEST(CsvOutputTest, OneRowPerCustomerWithDimensionColumns) {
  std::ostringstream out;
  auto printer = MakeResultPrinter(OutputFormat::kCsv, v1::EXPLAIN_SUMMARY,
                                   /*summary=*/true, out);
  // An error before any score: held back until the header is known.
  printer->Add(Failed("bad-003", "bad value, really"));
  printer->Add(Scored(MakeScore()));
  printer->Add(Scored(MakeSparseScore()));
  printer->Finish();
  EXPECT_EQ(out.str(),
            "customer_id,segment,score,grade,band,coverage,product_adoption,"
            "financial_health,top_driver_down,error\n"
            "bad-003,,,,,,,,,\"INVALID_ARGUMENT: bad value, really\"\n"
            "acme-001,enterprise,82.4,A,green,1,88.0,76.9,"
            "financial_health: 3 late payments in the last 12 months. "
            "(-4.8),\n"
            "beta-002,,31.0,D,red,0.625,31.0,,,\n");
}

TEST(CsvOutputTest, FieldQuoting) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
}

TEST(JsonOutputTest, OneObjectPerLineWithProtoFieldNames) {
  std::ostringstream out;
  auto printer = MakeResultPrinter(OutputFormat::kJson, v1::EXPLAIN_SUMMARY,
                                   /*summary=*/true, out);
  printer->Add(Scored(MakeScore()));
  printer->Add(Failed("bad-003", "nope"));
  printer->Finish();
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("\"customer_id\":\"acme-001\""));
  EXPECT_THAT(lines[0], HasSubstr("\"top_drivers_down\":[{"));
  EXPECT_THAT(lines[0], HasSubstr("\"status\":\"DIMENSION_STATUS_OK\""));
  EXPECT_EQ(lines[1],
            "{\"customer_id\":\"bad-003\",\"error\":{\"code\":3,"
            "\"message\":\"nope\"}}");
}

TEST(DimensionsTest, TableListsSignalsAndParameters) {
  v1::ListDimensionsResponse response;
  v1::DimensionInfo* d = response.add_dimensions();
  d->set_name("financial_health");
  d->set_version("1.0.0");
  d->set_state(v1::PLUGIN_STATE_READY);
  d->set_abi_version("1.0");
  v1::SignalSpec* growth = d->add_signals();
  growth->set_name("revenue_growth_pct");
  growth->set_unit("percent");
  growth->set_higher_is_better(true);
  growth->set_required(true);
  growth->set_min(-100);
  v1::SignalSpec* late = d->add_signals();
  late->set_name("late_payments_12m");
  late->set_unit("count");
  late->set_min(0);
  v1::ParameterSpec* p = d->add_parameters();
  p->set_name("growth_target_pct");
  p->set_default_value(15);
  v1::DimensionInfo* broken = response.add_dimensions();
  broken->set_name("broken");
  broken->set_state(v1::PLUGIN_STATE_FAILED);
  broken->set_state_reason("undefined symbol: hs_dimension_v1");
  broken->set_path("/opt/plugins/broken/1.0.0/libbroken.so");

  std::ostringstream out;
  PrintDimensions(response, OutputFormat::kTable, out);
  EXPECT_THAT(out.str(),
              HasSubstr("financial_health  version 1.0.0  READY  abi 1.0\n"
                        "  signals:\n"
                        "    revenue_growth_pct  percent  higher is better  "
                        "required  >= -100\n"
                        "    late_payments_12m   count    lower is better   "
                        "optional  >= 0\n"
                        "  parameters:\n"
                        "    growth_target_pct=15\n"));
  EXPECT_THAT(out.str(),
              HasSubstr("broken  version -  FAILED\n"
                        "  reason: undefined symbol: hs_dimension_v1\n"
                        "  file: /opt/plugins/broken/1.0.0/libbroken.so\n"));

  std::ostringstream csv;
  PrintDimensions(response, OutputFormat::kCsv, csv);
  EXPECT_THAT(csv.str(),
              HasSubstr("financial_health,1.0.0,READY,,signal,"
                        "revenue_growth_pct,percent,true,true,-100,,,\n"));
  EXPECT_THAT(csv.str(), HasSubstr("financial_health,1.0.0,READY,,parameter,"
                                   "growth_target_pct,,,,,,15,\n"));
}

TEST(ScorecardTest, TableShowsWeightsParamsAndBands) {
  v1::GetScorecardResponse response;
  v1::Scorecard* card = response.mutable_scorecard();
  card->set_name("default");
  card->set_version("2024.1");
  card->set_hash("9f86d081");
  card->set_missing_data("renormalize");
  v1::ScorecardDimension* d = card->add_dimensions();
  d->set_name("product_adoption");
  d->set_plugin("product_adoption");
  d->set_plugin_version("1.0.0");
  d->set_weight(0.6);
  (*d->mutable_params())["target_pct"] = 60;
  (*d->mutable_params())["logins_weight"] = 0.25;
  for (const auto& [name, grade, min] :
       std::vector<std::tuple<std::string, std::string, double>>{
           {"green", "A", 75}, {"yellow", "C", 50}, {"red", "F", 0}}) {
    v1::Band* band = card->add_bands();
    band->set_name(name);
    band->set_grade(grade);
    band->set_min(min);
  }
  std::ostringstream out;
  PrintScorecard(response, OutputFormat::kTable, out);
  EXPECT_EQ(out.str(),
            "scorecard default  version 2024.1\n"
            "  hash          9f86d081\n"
            "  missing data  renormalize\n"
            "  dimensions:\n"
            "    product_adoption  product_adoption@1.0.0  weight 0.6  "
            "logins_weight=0.25, target_pct=60\n"
            "  bands (lowest score in each):\n"
            "    green   grade A   from 75\n"
            "    yellow  grade C   from 50\n"
            "    red     grade F   from 0\n");
}

// ---------------------------------------------------------------------------
// Commands against an in-process server

// Scores every row 50 unless its id starts with "bad"; records batch sizes.
class FakeHealthScoring final : public v1::HealthScoring::Service {
 public:
  grpc::Status ScoreBatch(grpc::ServerContext*,
                          const v1::ScoreBatchRequest* request,
                          v1::ScoreBatchResponse* response) override {
    batch_sizes.push_back(request->rows_size());
    for (const v1::Row& row : request->rows()) {
      v1::CustomerResult* result = response->add_results();
      result->set_customer_id(row.customer_id());
      if (row.customer_id().rfind("bad", 0) == 0) {
        result->mutable_error()->set_code(3);
        result->mutable_error()->set_message("value out of range");
      } else {
        result->mutable_score()->set_customer_id(row.customer_id());
        result->mutable_score()->set_score(50);
        result->mutable_score()->set_band("yellow");
      }
    }
    response->add_unused_signals("typo_pct");
    return grpc::Status::OK;
  }
  grpc::Status Score(grpc::ServerContext*, const v1::ScoreRequest*,
                     v1::ScoreResponse*) override {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "feature_adoption_pct=150 is above 100");
  }
  grpc::Status ListDimensions(grpc::ServerContext*,
                              const v1::ListDimensionsRequest*,
                              v1::ListDimensionsResponse*) override {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "draining");
  }

  std::vector<int> batch_sizes;
};

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::HealthScoring::NewStub(
        server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  std::string WriteTemp(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  FakeHealthScoring service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::HealthScoring::Stub> stub_;
};

TEST_F(CommandsTest, CsvIsScoredInBatchesInOrderAndRowErrorsGiveExitOne) {
  const std::string path =
      WriteTemp("cli_batches.csv",
                "customer_id,typo_pct\nc1,1\nbad2,2\nc3,\nc4,4\nc5,5\n");
  CommonOptions options;
  options.format = OutputFormat::kCsv;
  ScoreOptions score_options;
  score_options.csv_path = path;
  score_options.batch_size = 2;
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunScore(*stub_, options, score_options, out, err), kExitNotScored);
  EXPECT_THAT(service_.batch_sizes, ElementsAre(2, 2, 1));
  EXPECT_EQ(out.str(),
            "customer_id,segment,score,grade,band,coverage,top_driver_down,"
            "error\n"
            "c1,,50.0,,yellow,0,,\n"
            "bad2,,,,,,,INVALID_ARGUMENT: value out of range\n"
            "c3,,50.0,,yellow,0,,\n"
            "c4,,50.0,,yellow,0,,\n"
            "c5,,50.0,,yellow,0,,\n");
  EXPECT_EQ(err.str(),
            "note: no dimension of the active scorecard reads these signals: "
            "typo_pct\n");
}

TEST_F(CommandsTest, AllRowsScoredGivesExitZero) {
  const std::string path =
      WriteTemp("cli_ok.csv", "customer_id,segment\nc1,smb\nc2,smb\n");
  ScoreOptions score_options;
  score_options.csv_path = path;
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunScore(*stub_, CommonOptions(), score_options, out, err),
            kExitOk);
  EXPECT_THAT(service_.batch_sizes, ElementsAre(2));
  EXPECT_THAT(out.str(), HasSubstr("\n2 scored, 0 errors; bands: yellow 2\n"));
}

TEST_F(CommandsTest, BadCsvGivesExitTwoAndSendsNothing) {
  const std::string path =
      WriteTemp("cli_bad.csv", "customer_id,x\nc1,1\nc2,one\n");
  ScoreOptions score_options;
  score_options.csv_path = path;
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunScore(*stub_, CommonOptions(), score_options, out, err),
            kExitUsage);
  EXPECT_EQ(err.str(),
            "error: " + path + ":3: column 2 (x): \"one\" is not a number\n");
  EXPECT_EQ(out.str(), "");
  EXPECT_TRUE(service_.batch_sizes.empty());
}

TEST_F(CommandsTest, RefusedSingleCustomerGivesExitOne) {
  ScoreOptions score_options;
  score_options.customer_id = "c1";
  score_options.signals = {"feature_adoption_pct=150"};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunScore(*stub_, CommonOptions(), score_options, out, err),
            kExitNotScored);
  EXPECT_EQ(err.str(),
            "error: INVALID_ARGUMENT: feature_adoption_pct=150 is above 100\n");
}

TEST_F(CommandsTest, RpcFailureGivesExitThreeWithCodeName) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunDimensions(*stub_, CommonOptions(), out, err), kExitRpcFailed);
  EXPECT_EQ(err.str(),
            "error: UNAVAILABLE: draining; is the server running at "
            "127.0.0.1:50051?\n");
}

TEST(ValidateScoreOptionsTest, ExactlyOneInput) {
  ScoreOptions none;
  EXPECT_FALSE(ValidateScoreOptions(none).ok());
  ScoreOptions two;
  two.customer_id = "c1";
  two.csv_path = "p.csv";
  EXPECT_FALSE(ValidateScoreOptions(two).ok());
  ScoreOptions stray_signal;
  stray_signal.csv_path = "p.csv";
  stray_signal.signals = {"a=1"};
  EXPECT_FALSE(ValidateScoreOptions(stray_signal).ok());
  ScoreOptions good;
  good.json_path = "c.json";
  EXPECT_TRUE(ValidateScoreOptions(good).ok());
}

}  // namespace
}  // namespace healthscore::cli
