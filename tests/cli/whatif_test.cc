// Tests of the CLI's what-if commands: the command line of what-if and
// path-to-green, the exact output of each reply in every format, and the
// commands against an in-process fake Validation server.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "clients/cli/commands.h"
#include "clients/cli/whatif_commands.h"
#include "clients/cli/whatif_format.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "healthscore/v1/validation.grpc.pb.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// ---------------------------------------------------------------------------
// The command line

WhatIfFlags Flags(std::set<std::string> given = {}) {
  WhatIfFlags flags;
  flags.given = std::move(given);
  return flags;
}

TEST(WhatIfCommandLineTest, AnIdAndChangesAskForTheRecordedCustomer) {
  absl::StatusOr<WhatIfOptions> o = ParseWhatIfCommand(
      WhatIfCommand::kWhatIf,
      {"acme", "logins_30d=40", "referrals_12m=missing", "csat_90d_pct=NaN"},
      Flags());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->customer_id, "acme");
  EXPECT_TRUE(o->signals.empty());
  ASSERT_EQ(o->changes.size(), 3u);
  EXPECT_EQ(o->changes.at("logins_30d"), 40);
  EXPECT_TRUE(std::isnan(o->changes.at("referrals_12m")));
  EXPECT_TRUE(std::isnan(o->changes.at("csat_90d_pct")));
  EXPECT_EQ(o->explain, v1::EXPLAIN_UNSPECIFIED);
}

TEST(WhatIfCommandLineTest, ACustomerGivenWithItsSignalsTakesChangesAfter) {
  WhatIfFlags flags = Flags({"customer_id", "segment", "signal", "explain"});
  flags.customer_id = "acme";
  flags.segment = "smb";
  flags.signals = {"logins_30d=10,csat_90d_pct=40"};
  flags.explain = "none";
  absl::StatusOr<WhatIfOptions> o =
      ParseWhatIfCommand(WhatIfCommand::kWhatIf, {"logins_30d=40"}, flags);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->customer_id, "acme");
  EXPECT_EQ(o->segment, "smb");
  EXPECT_EQ(o->signals, flags.signals);
  EXPECT_EQ(o->changes.at("logins_30d"), 40);
  EXPECT_EQ(o->explain, v1::EXPLAIN_NONE);

  absl::StatusOr<WhatIfOptions> path =
      ParseWhatIfCommand(WhatIfCommand::kPathToGreen, {"acme"}, Flags());
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(path->customer_id, "acme");
  EXPECT_TRUE(path->changes.empty());
}

TEST(WhatIfCommandLineTest, MistakesAreRefusedSayingWhatToChange) {
  auto error = [](WhatIfCommand command, std::vector<std::string> words,
                  WhatIfFlags flags = Flags()) {
    absl::StatusOr<WhatIfOptions> o = ParseWhatIfCommand(command, words, flags);
    EXPECT_FALSE(o.ok());
    return std::string(o.status().message());
  };
  const auto kWhatIf = WhatIfCommand::kWhatIf;
  const auto kPath = WhatIfCommand::kPathToGreen;
  EXPECT_EQ(error(kWhatIf, {"logins_30d=1"}),
            "what-if needs a customer: its id (the server uses its newest "
            "recorded inputs), --customer-id ID with --signal NAME=VALUE..., "
            "or --json FILE");
  WhatIfFlags json = Flags({"json"});
  json.json_path = "c.json";
  EXPECT_THAT(error(kWhatIf, {"acme", "logins_30d=1"}, json),
              StartsWith("what-if takes one customer: "));
  EXPECT_EQ(error(kWhatIf, {"acme"}),
            "what-if needs at least one change NAME=VALUE (NAME=missing "
            "makes the signal missing)");
  EXPECT_EQ(error(kWhatIf, {"acme", "a=1", "a=2"}),
            "change a is given more than once");
  EXPECT_EQ(error(kWhatIf, {"acme", "a=lots"}),
            "change a: \"lots\" is not a finite number (or `missing` to make "
            "the signal missing)");
  EXPECT_EQ(error(kWhatIf, {"acme", "a=inf"}),
            "change a: \"inf\" is not a finite number (or `missing` to make "
            "the signal missing)");
  EXPECT_EQ(error(kWhatIf, {"acme", "=1"}),
            "change \"=1\" has no signal name before '='");
  EXPECT_EQ(error(kWhatIf, {"acme", "a=1", "beta"}),
            "unexpected argument \"beta\" after what-if: changes are "
            "NAME=VALUE");
  EXPECT_EQ(error(kPath, {"acme", "bob"}),
            "unexpected argument \"bob\" after path-to-green: it takes one "
            "customer id");
  EXPECT_EQ(error(kPath, {"acme", "a=1"}),
            "path-to-green takes no changes (\"a=1\"): give the customer's "
            "signals with --signal");
  WhatIfFlags segment = Flags({"segment"});
  segment.segment = "smb";
  EXPECT_EQ(error(kPath, {"acme"}, segment),
            "--segment goes with --customer-id");
  WhatIfFlags bad_signal = Flags({"customer_id", "signal"});
  bad_signal.customer_id = "acme";
  bad_signal.signals = {"a"};
  EXPECT_EQ(error(kPath, {}, bad_signal),
            "signal \"a\" is not of the form name=value");
  WhatIfFlags explain = Flags({"explain"});
  explain.explain = "full";
  EXPECT_EQ(error(kPath, {"acme"}, explain),
            "--explain does not apply to path-to-green");
}

// ---------------------------------------------------------------------------
// Output

v1::DimensionResult* AddDimension(v1::CustomerScore& s, const std::string& name,
                                  double score, double contribution,
                                  bool ok = true) {
  v1::DimensionResult* d = s.add_dimensions();
  d->set_name(name);
  d->set_score(ok ? score : 0);
  d->set_contribution(ok ? contribution : 0);
  d->set_status(ok ? v1::DIMENSION_STATUS_OK
                   : v1::DIMENSION_STATUS_INSUFFICIENT_DATA);
  return d;
}

v1::CustomerScore Scored(double score, const std::string& band,
                         const std::string& grade) {
  v1::CustomerScore s;
  s.set_customer_id("acme");
  s.set_score(score);
  s.set_band(band);
  s.set_grade(grade);
  return s;
}

v1::SimulateRequest MakeSimulateRequest() {
  v1::SimulateRequest request;
  request.mutable_customer()->set_customer_id("acme");
  (*request.mutable_changes())["referrals_12m"] = std::nan("");
  (*request.mutable_changes())["avg_resolution_hours"] = 24;
  return request;
}

// Support health up (and the gate lifted), satisfaction scoring once a signal
// is filled; advocacy and tenure as they were.
v1::SimulateResponse MakeSimulation() {
  v1::SimulateResponse r;
  v1::CustomerScore& before = *r.mutable_before();
  before = Scored(27.44, "red", "F");
  AddDimension(before, "support_health", 26.6, 2.4);
  AddDimension(before, "satisfaction", 0, 0, /*ok=*/false);
  AddDimension(before, "advocacy", 63.7, 3.82);
  AddDimension(before, "tenure", 100, 3);
  v1::GateResult* gate = before.add_gates();
  gate->set_id("support_floor");
  gate->set_impact(-17.6);
  v1::CustomerScore& after = *r.mutable_after();
  after = Scored(35.2, "red", "D");
  AddDimension(after, "support_health", 60.1, 5.41);
  AddDimension(after, "satisfaction", 50, 4);
  AddDimension(after, "advocacy", 63.7, 3.82);
  AddDimension(after, "tenure", 100, 3);
  return r;
}

TEST(WhatIfFormatTest, SimulationTableShowsWhatMovedAndTheGates) {
  std::ostringstream out;
  PrintSimulation(MakeSimulateRequest(), MakeSimulation(), OutputFormat::kTable,
                  out);
  EXPECT_EQ(out.str(),
            "acme  score 27.4 -> 35.2 (+7.8)  band red F -> red D\n"
            "changes: avg_resolution_hours=24, referrals_12m=missing\n"
            "  dimension       before  after  change  points\n"
            "  support_health    26.6   60.1   +33.5    +3.0\n"
            "  satisfaction         -   50.0       -    +4.0\n"
            "  (2 other dimensions unchanged)\n"
            "gate support_floor: -17.6 before, none after\n");
}

TEST(WhatIfFormatTest, SimulationCsvHasTheTotalThenEveryDimension) {
  std::ostringstream out;
  PrintSimulation(MakeSimulateRequest(), MakeSimulation(), OutputFormat::kCsv,
                  out);
  EXPECT_EQ(out.str(),
            "customer_id,kind,name,before,after,change\n"
            "acme,score,total,27.44,35.2,7.76\n"
            "acme,dimension,support_health,26.6,60.1,33.5\n"
            "acme,dimension,satisfaction,,50,\n"
            "acme,dimension,advocacy,63.7,63.7,0\n"
            "acme,dimension,tenure,100,100,0\n");
}

TEST(WhatIfFormatTest, SimulationJsonIsTheReplyOnOneLine) {
  std::ostringstream out;
  PrintSimulation(MakeSimulateRequest(), MakeSimulation(), OutputFormat::kJson,
                  out);
  const std::string text = out.str();
  EXPECT_THAT(text, StartsWith("{\"before\":{\"customer_id\":\"acme\","));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
}

v1::PathToGreenResponse MakePath() {
  v1::PathToGreenResponse r;
  *r.mutable_current() = Scored(44.1, "red", "D");
  r.set_target_band("yellow");
  r.set_target_min(50);
  v1::SignalMove* m = r.add_moves();
  m->set_signal("support_escalations_90d");
  m->set_unit("count");
  m->set_from(5);
  m->set_to(0);
  m->set_points(4.25);
  m = r.add_moves();
  m->set_signal("csat_90d_pct");
  m->set_unit("percent");
  m->set_was_missing(true);
  m->set_to(62.5);
  m->set_points(1.8);
  *r.mutable_after() = Scored(50.15, "yellow", "C");
  return r;
}

TEST(WhatIfFormatTest, PathTableListsTheMovesAndTheVerifiedScore) {
  std::ostringstream out;
  PrintPathToGreen(MakePath(), OutputFormat::kTable, out);
  EXPECT_EQ(out.str(),
            "acme  score 44.1 red D -> 50.1 yellow C with 2 changes (yellow "
            "needs 50)\n"
            "  signal                   unit        from    to  points\n"
            "  support_escalations_90d  count          5     0    +4.2\n"
            "  csat_90d_pct             percent  missing  62.5    +1.8\n"
            "verified: the 2 changes together score 50.1, band yellow "
            "(grade C)\n");
}

TEST(WhatIfFormatTest, PathTableSaysAlreadyBestOrWhyThereIsNoPath) {
  v1::PathToGreenResponse best;
  *best.mutable_current() = Scored(82.4, "green", "A");
  best.set_already_best(true);
  std::ostringstream out;
  PrintPathToGreen(best, OutputFormat::kTable, out);
  EXPECT_EQ(out.str(),
            "acme  score 82.4 green A: already in the best band (green); "
            "nothing to change\n");

  v1::PathToGreenResponse none;
  *none.mutable_current() = Scored(61.2, "yellow", "C");
  none.set_target_band("green");
  none.set_target_min(70);
  none.set_note("the best reachable score is 61.2, green needs 70.0");
  out.str("");
  PrintPathToGreen(none, OutputFormat::kTable, out);
  EXPECT_EQ(out.str(),
            "acme  score 61.2 yellow C: no path to green (70) found\n"
            "note: the best reachable score is 61.2, green needs 70.0\n");

  out.str("");
  PrintPathToGreen(none, OutputFormat::kCsv, out);
  EXPECT_EQ(out.str(),
            "customer_id,current_score,current_band,target_band,signal,unit,"
            "from,to,points,after_score,after_band,note\n"
            "acme,61.2,yellow,green,,,,,,,,\"the best reachable score is "
            "61.2, green needs 70.0\"\n");
}

TEST(WhatIfFormatTest, PathCsvHasARowPerMove) {
  std::ostringstream out;
  PrintPathToGreen(MakePath(), OutputFormat::kCsv, out);
  EXPECT_EQ(out.str(),
            "customer_id,current_score,current_band,target_band,signal,unit,"
            "from,to,points,after_score,after_band,note\n"
            "acme,44.1,red,yellow,support_escalations_90d,count,5,0,4.25,"
            "50.15,yellow,\n"
            "acme,44.1,red,yellow,csat_90d_pct,percent,,62.5,1.8,50.15,"
            "yellow,\n");
}

// ---------------------------------------------------------------------------
// The commands against a fake server

// Answers any customer but "ghost", which has no recorded point.
class FakeValidation final : public v1::Validation::Service {
 public:
  grpc::Status Simulate(grpc::ServerContext*,
                        const v1::SimulateRequest* request,
                        v1::SimulateResponse* response) override {
    simulate_requests.push_back(*request);
    if (request->customer().customer_id() == "ghost") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "customer 'ghost' has no recorded point to start "
                          "from; give its signals");
    }
    *response = MakeSimulation();
    return grpc::Status::OK;
  }
  grpc::Status PathToGreen(grpc::ServerContext*,
                           const v1::PathToGreenRequest* request,
                           v1::PathToGreenResponse* response) override {
    path_requests.push_back(*request);
    *response = MakePath();
    return grpc::Status::OK;
  }

  std::vector<v1::SimulateRequest> simulate_requests;
  std::vector<v1::PathToGreenRequest> path_requests;
};

class WhatIfCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&validation_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::Validation::NewStub(
        server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  FakeValidation validation_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Validation::Stub> stub_;
  CommonOptions options_;
  std::ostringstream out_, err_;
};

TEST_F(WhatIfCommandsTest, WhatIfSendsTheIdAloneAndTheChanges) {
  absl::StatusOr<WhatIfOptions> command = ParseWhatIfCommand(
      WhatIfCommand::kWhatIf, {"acme", "avg_resolution_hours=24"}, Flags());
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(RunWhatIf(*stub_, options_, *command, out_, err_), kExitOk)
      << err_.str();
  ASSERT_EQ(validation_.simulate_requests.size(), 1u);
  const v1::SimulateRequest& sent = validation_.simulate_requests[0];
  EXPECT_EQ(sent.customer().customer_id(), "acme");
  EXPECT_TRUE(sent.customer().signals().empty());
  EXPECT_EQ(sent.changes().at("avg_resolution_hours"), 24);
  EXPECT_EQ(sent.explain(), v1::EXPLAIN_UNSPECIFIED);
  EXPECT_THAT(out_.str(), StartsWith("acme  score 27.4 -> 35.2 (+7.8)"));
}

TEST_F(WhatIfCommandsTest, PathToGreenSendsTheCustomerFromJson) {
  const std::string path = ::testing::TempDir() + "/whatif_customer.json";
  std::ofstream(path)
      << R"({"customer_id":"acme","segment":"smb","signals":{"x":1}})";
  WhatIfFlags flags = Flags({"json"});
  flags.json_path = path;
  absl::StatusOr<WhatIfOptions> command =
      ParseWhatIfCommand(WhatIfCommand::kPathToGreen, {}, flags);
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(RunWhatIf(*stub_, options_, *command, out_, err_), kExitOk);
  ASSERT_EQ(validation_.path_requests.size(), 1u);
  EXPECT_EQ(validation_.path_requests[0].customer().segment(), "smb");
  EXPECT_EQ(validation_.path_requests[0].customer().signals().at("x"), 1);
  EXPECT_THAT(out_.str(), HasSubstr("verified: the 2 changes together"));

  flags.json_path = ::testing::TempDir() + "/no_such_customer.json";
  command = ParseWhatIfCommand(WhatIfCommand::kPathToGreen, {}, flags);
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(RunWhatIf(*stub_, options_, *command, out_, err_), kExitUsage);
}

TEST_F(WhatIfCommandsTest, ARefusalExitsOneWithTheServersMessage) {
  absl::StatusOr<WhatIfOptions> command = ParseWhatIfCommand(
      WhatIfCommand::kWhatIf, {"ghost", "logins_30d=1"}, Flags());
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(RunWhatIf(*stub_, options_, *command, out_, err_), kExitNotFound);
  EXPECT_THAT(err_.str(), HasSubstr("customer 'ghost' has no recorded point"));
  EXPECT_EQ(out_.str(), "");
}

}  // namespace
}  // namespace healthscore::cli
