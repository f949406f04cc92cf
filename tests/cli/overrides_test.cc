// Tests of the CLI's override commands: the command line of override set,
// clear, list and audit, the exact output of each reply, how a score shows
// an override, and the commands against an in-process fake server.
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/dates.h"
#include "clients/cli/format.h"
#include "clients/cli/overrides_commands.h"
#include "clients/cli/overrides_format.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "healthscore/v1/overrides.grpc.pb.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss),
                         absl::UTCTimeZone());
}

v1::Override MakeOverride() {
  v1::Override o;
  o.set_customer_id("acme-001");
  o.set_score(80);
  o.set_reason("renewal signed, data lags");
  o.set_author("alice");
  *o.mutable_set_at() = ToTimestamp(Utc(2026, 12, 1, 9, 30));
  *o.mutable_expires_at() = ToTimestamp(Utc(2026, 12, 8, 9, 30));
  return o;
}

// ---------------------------------------------------------------------------
// The command line

absl::StatusOr<OverrideCommandOptions> Parse(
    const std::vector<std::string>& words, const OverrideFlags& flags) {
  return ParseOverrideCommand(words, flags, Utc(2026, 12, 1, 9, 30));
}

OverrideFlags SetFlags() {
  OverrideFlags flags;
  flags.score = 80;
  flags.reason = "renewal signed";
  flags.author = "alice";
  flags.given = {"score", "reason", "author"};
  return flags;
}

TEST(OverrideCommandLineTest, SetTakesScoreOrBandReasonAuthorAndAnExpiry) {
  absl::StatusOr<OverrideCommandOptions> set =
      Parse({"set", "acme"}, SetFlags());
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->command, OverrideCommand::kSet);
  EXPECT_EQ(set->customer_id, "acme");
  EXPECT_EQ(set->score, 80);
  EXPECT_EQ(set->band, "");
  EXPECT_FALSE(set->expires.has_value());  // until cleared

  OverrideFlags flags = SetFlags();
  flags.given.insert("for");
  flags.for_duration = "7d";
  set = Parse({"set", "acme"}, flags);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->expires, Utc(2026, 12, 8, 9, 30));

  flags = SetFlags();
  flags.given = {"band", "reason", "author", "expires"};
  flags.band = "red";
  flags.expires = "2026-12-24T18:00:00Z";
  set = Parse({"set", "acme"}, flags);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_FALSE(set->score.has_value());
  EXPECT_EQ(set->band, "red");
  EXPECT_EQ(set->expires, Utc(2026, 12, 24, 18));
}

TEST(OverrideCommandLineTest, ForTakesDaysHoursMinutes) {
  EXPECT_EQ(*ParseForDuration("7d"), absl::Hours(168));
  EXPECT_EQ(*ParseForDuration("36h"), absl::Hours(36));
  EXPECT_EQ(*ParseForDuration("1h30m"), absl::Minutes(90));
  for (const char* bad : {"", "7", "-1d", "0s", "soon", "7 days"}) {
    absl::StatusOr<absl::Duration> d = ParseForDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().message(),
              absl::StrCat("--for=", bad,
                           ": give a length of time from now, such as 7d, "
                           "36h or 90m"));
  }
}

std::string ParseError(const std::vector<std::string>& words,
                       const OverrideFlags& flags) {
  absl::StatusOr<OverrideCommandOptions> parsed = Parse(words, flags);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? "" : std::string(parsed.status().message());
}

TEST(OverrideCommandLineTest, MistakesAreRefusedBeforeAnythingIsSent) {
  EXPECT_EQ(ParseError({}, {}),
            "override takes a subcommand: set, clear, list or audit");
  EXPECT_EQ(ParseError({"show"}, {}),
            "unknown override subcommand \"show\": override takes a "
            "subcommand: set, clear, list or audit");
  EXPECT_EQ(ParseError({"set"}, SetFlags()),
            "override set takes one argument: the customer id");
  EXPECT_EQ(ParseError({"list", "a", "b"}, {}),
            "override list takes at most one argument: a customer id");

  OverrideFlags flags = SetFlags();
  flags.given.erase("score");
  EXPECT_EQ(ParseError({"set", "acme"}, flags),
            "override set needs --score N (0-100) or --band NAME, or both");
  flags = SetFlags();
  flags.score = 101;
  EXPECT_EQ(ParseError({"set", "acme"}, flags), "--score=101 is outside 0-100");
  flags = SetFlags();
  flags.given.erase("reason");
  flags.reason = "";
  EXPECT_EQ(ParseError({"set", "acme"}, flags),
            "override set needs --reason TEXT: why the score is overridden "
            "(kept in the audit log)");
  flags = SetFlags();
  flags.author = "";
  EXPECT_EQ(ParseError({"set", "acme"}, flags),
            "override set needs --author NAME: who is overriding the score");
  flags = SetFlags();
  flags.given.insert("expires");
  flags.given.insert("for");
  EXPECT_EQ(ParseError({"set", "acme"}, flags),
            "give --expires TIME or --for DURATION, not both");
  flags = SetFlags();
  flags.given.insert("expires");
  flags.expires = "next week";
  EXPECT_THAT(ParseError({"set", "acme"}, flags),
              ::testing::StartsWith("--expires=next week: "));
  flags = SetFlags();
  flags.given.insert("who");
  EXPECT_EQ(ParseError({"set", "acme"}, flags),
            "--who does not apply to override set");

  EXPECT_EQ(ParseError({"clear", "acme"}, {}),
            "override clear needs --who NAME: who is clearing the override "
            "(kept in the audit log)");
  OverrideFlags limit;
  limit.given = {"limit"};
  limit.limit = 5000;
  EXPECT_EQ(ParseError({"audit"}, limit), "--limit=5000 is outside 1-1000");
  EXPECT_EQ(ParseError({"list"}, limit),
            "--limit does not apply to override list");
}

// ---------------------------------------------------------------------------
// Output

TEST(OverrideFormatTest, OneOverrideAsTableCsvAndJson) {
  std::ostringstream table;
  PrintOverride(MakeOverride(), "override set", OutputFormat::kTable, table);
  EXPECT_EQ(table.str(),
            "override set\n"
            "  customer  acme-001\n"
            "  score     80.0\n"
            "  band      -\n"
            "  reason    renewal signed, data lags\n"
            "  author    alice\n"
            "  set       2026-12-01 09:30:00\n"
            "  expires   2026-12-08 09:30:00\n");

  std::ostringstream csv;
  v1::Override band_only = MakeOverride();
  band_only.clear_score();
  band_only.set_band("red");
  band_only.clear_expires_at();
  PrintOverride(band_only, "override set", OutputFormat::kCsv, csv);
  EXPECT_EQ(csv.str(),
            "customer_id,score,band,reason,author,set_at,expires_at\n"
            "acme-001,,red,\"renewal signed, data lags\",alice,"
            "2026-12-01T09:30:00+00:00,\n");

  std::ostringstream json;
  PrintOverride(MakeOverride(), "override set", OutputFormat::kJson, json);
  EXPECT_THAT(json.str(), ::testing::HasSubstr("\"customer_id\":\"acme-001\""));
  EXPECT_THAT(json.str(), ::testing::HasSubstr("\"score\":80"));
}

TEST(OverrideFormatTest, ListIsOneLinePerCustomer) {
  v1::Override band_only = MakeOverride();
  band_only.set_customer_id("globex");
  band_only.clear_score();
  band_only.set_band("red");
  band_only.clear_expires_at();
  band_only.set_author("bob");
  band_only.set_reason("legal hold");
  std::ostringstream out;
  PrintOverrides({MakeOverride(), band_only}, OutputFormat::kTable, out);
  EXPECT_EQ(out.str(),
            "2 active overrides\n"
            "customer  score  band  author  set                  expires     "
            "         reason\n"
            "acme-001   80.0  -     alice   2026-12-01 09:30:00  2026-12-08 "
            "09:30:00  renewal signed, data lags\n"
            "globex        -  red   bob     2026-12-01 09:30:00  until "
            "cleared        legal hold\n");
  std::ostringstream none;
  PrintOverrides({}, OutputFormat::kTable, none);
  EXPECT_EQ(none.str(), "no active overrides\n");
}

TEST(OverrideFormatTest, AuditIsNewestFirstWithWhoAndNote) {
  v1::OverrideAuditEntry cleared;
  cleared.set_seq(2);
  cleared.set_action(v1::OverrideAuditEntry::CLEARED);
  *cleared.mutable_at() = ToTimestamp(Utc(2026, 12, 2, 8));
  cleared.set_who("bob");
  cleared.set_note("data caught up");
  *cleared.mutable_override() = MakeOverride();
  v1::OverrideAuditEntry set = cleared;
  set.set_seq(1);
  set.set_action(v1::OverrideAuditEntry::SET);
  *set.mutable_at() = ToTimestamp(Utc(2026, 12, 1, 9, 30));
  set.set_who("alice");
  set.clear_note();

  std::ostringstream table;
  PrintOverrideAudit({cleared, set}, OutputFormat::kTable, table);
  EXPECT_EQ(table.str(),
            "2 audit entries, newest first\n"
            "seq  at                   action   customer  who    score  band  "
            "expires              reason                     note\n"
            "  2  2026-12-02 08:00:00  cleared  acme-001  bob     80.0  -     "
            "2026-12-08 09:30:00  renewal signed, data lags  data caught up\n"
            "  1  2026-12-01 09:30:00  set      acme-001  alice   80.0  -     "
            "2026-12-08 09:30:00  renewal signed, data lags  -\n");

  std::ostringstream csv;
  PrintOverrideAudit({cleared}, OutputFormat::kCsv, csv);
  EXPECT_EQ(csv.str(),
            "seq,at,action,who,note,customer_id,score,band,reason,author,"
            "set_at,expires_at\n"
            "2,2026-12-02T08:00:00+00:00,cleared,bob,data caught up,acme-001,"
            "80,,\"renewal signed, data lags\",alice,2026-12-01T09:30:00+00:00,"
            "2026-12-08T09:30:00+00:00\n");
  std::ostringstream none;
  PrintOverrideAudit({}, OutputFormat::kTable, none);
  EXPECT_EQ(none.str(), "no audit entries\n");
}

TEST(OverrideFormatTest, AnOverriddenScoreSaysSoWithTheComputedOne) {
  v1::CustomerScore score;
  score.set_customer_id("acme-001");
  score.set_score(80);
  score.set_grade("A");
  score.set_band("green");
  score.set_coverage(1);
  v1::ScoreOverride* o = score.mutable_override();
  o->set_computed_score(42.34);
  o->set_computed_band("yellow");
  o->set_computed_grade("C");
  o->set_score_overridden(true);
  o->set_reason("renewal signed");
  o->set_author("alice");
  *o->mutable_expires_at() = ToTimestamp(Utc(2026, 12, 8, 9, 30));
  std::ostringstream out;
  PrintScoreTable(score, v1::EXPLAIN_NONE, out);
  EXPECT_EQ(out.str(),
            "acme-001  score 80.0 (override; computed 42.3)  grade A  band "
            "green  coverage 100%\n"
            "  override by alice: renewal signed, until 2026-12-08 09:30:00; "
            "computed 42.3, band yellow, grade C\n");

  // A band override alone; no expiry.
  score.set_score(42.34);
  score.set_band("red");
  score.set_grade("F");
  o->set_score_overridden(false);
  o->set_band_overridden(true);
  o->clear_expires_at();
  std::ostringstream band;
  PrintScoreTable(score, v1::EXPLAIN_NONE, band);
  EXPECT_EQ(band.str(),
            "acme-001  score 42.3 (band override; computed band yellow)  grade "
            "F  band red  coverage 100%\n"
            "  override by alice: renewal signed, until cleared; computed "
            "42.3, band yellow, grade C\n");
}

// ---------------------------------------------------------------------------
// The commands against a fake server

class FakeOverrides final : public v1::Overrides::Service {
 public:
  grpc::Status SetOverride(grpc::ServerContext*,
                           const v1::SetOverrideRequest* request,
                           v1::Override* response) override {
    set_requests.push_back(*request);
    if (request->override().customer_id() == "nobody") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "customer 'nobody' has no recorded score");
    }
    *response = request->override();
    *response->mutable_set_at() = ToTimestamp(Utc(2026, 12, 1, 9, 30));
    return grpc::Status::OK;
  }
  grpc::Status ClearOverride(grpc::ServerContext*,
                             const v1::ClearOverrideRequest*,
                             v1::Override*) override {
    return grpc::Status(grpc::StatusCode::INTERNAL, "disk on fire");
  }
  grpc::Status ListOverrides(grpc::ServerContext*,
                             const v1::ListOverridesRequest* request,
                             v1::ListOverridesResponse* response) override {
    list_requests.push_back(*request);
    *response->add_overrides() = MakeOverride();
    return grpc::Status::OK;
  }
  grpc::Status GetOverrideAudit(grpc::ServerContext*,
                                const v1::GetOverrideAuditRequest* request,
                                v1::GetOverrideAuditResponse*) override {
    audit_requests.push_back(*request);
    return grpc::Status::OK;
  }

  std::vector<v1::SetOverrideRequest> set_requests;
  std::vector<v1::ListOverridesRequest> list_requests;
  std::vector<v1::GetOverrideAuditRequest> audit_requests;
};

class OverrideCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::Overrides::NewStub(
        server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  FakeOverrides service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Overrides::Stub> stub_;
  std::ostringstream out;
  std::ostringstream err;
};

TEST_F(OverrideCommandsTest, SetSendsTheOverrideAndPrintsWhatWasSet) {
  OverrideCommandOptions set;
  set.command = OverrideCommand::kSet;
  set.customer_id = "acme-001";
  set.band = "red";
  set.reason = "legal hold";
  set.author = "bob";
  set.expires = Utc(2026, 12, 24);
  EXPECT_EQ(RunOverride(*stub_, CommonOptions(), set, out, err), kExitOk);
  ASSERT_EQ(service_.set_requests.size(), 1u);
  const v1::Override& sent = service_.set_requests[0].override();
  EXPECT_FALSE(sent.has_score());
  EXPECT_EQ(sent.band(), "red");
  EXPECT_EQ(sent.reason(), "legal hold");
  EXPECT_EQ(sent.author(), "bob");
  EXPECT_EQ(FromTimestamp(sent.expires_at()), Utc(2026, 12, 24));
  EXPECT_THAT(out.str(), ::testing::StartsWith("override set\n"
                                               "  customer  acme-001\n"));
  EXPECT_EQ(err.str(), "");

  set.customer_id = "nobody";
  std::ostringstream refused;
  EXPECT_EQ(RunOverride(*stub_, CommonOptions(), set, out, refused),
            kExitRefused);
  EXPECT_EQ(refused.str(),
            "error: NOT_FOUND: customer 'nobody' has no recorded score\n");
}

TEST_F(OverrideCommandsTest, ListAuditAndAFailedClear) {
  OverrideCommandOptions list;
  list.command = OverrideCommand::kList;
  list.customer_id = "acme-001";
  EXPECT_EQ(RunOverride(*stub_, CommonOptions(), list, out, err), kExitOk);
  ASSERT_EQ(service_.list_requests.size(), 1u);
  EXPECT_EQ(service_.list_requests[0].customer_id(), "acme-001");
  EXPECT_THAT(out.str(), ::testing::StartsWith("1 active override\n"));

  OverrideCommandOptions audit;
  audit.command = OverrideCommand::kAudit;
  audit.limit = 7;
  std::ostringstream audit_out;
  EXPECT_EQ(RunOverride(*stub_, CommonOptions(), audit, audit_out, err),
            kExitOk);
  ASSERT_EQ(service_.audit_requests.size(), 1u);
  EXPECT_EQ(service_.audit_requests[0].limit(), 7);
  EXPECT_EQ(audit_out.str(), "no audit entries\n");

  OverrideCommandOptions clear;
  clear.command = OverrideCommand::kClear;
  clear.customer_id = "acme-001";
  clear.who = "bob";
  std::ostringstream failed;
  EXPECT_EQ(RunOverride(*stub_, CommonOptions(), clear, out, failed),
            kExitRpcFailed);
  EXPECT_EQ(failed.str(), "error: INTERNAL: disk on fire\n");
}

}  // namespace
}  // namespace healthscore::cli
