// Overrides over real gRPC on both real stores: an override shows in Score
// and ScoreBatch replies next to the computed score while the history keeps
// the computed one; it ends when cleared or by itself at its expiry (on
// every replica, with one "expired" audit entry); bad requests are refused
// naming the field, the value and the limit.
#include <grpcpp/grpcpp.h>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/history.grpc.pb.h"
#include "healthscore/v1/overrides.grpc.pb.h"
#include "server/server.h"
#include "tests/history/history_fixture.h"

namespace healthscore {
namespace {

using google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;

// echo_x scores x (y is never sent, so echo_x carries all the weight and
// the score is x).
constexpr char kCard[] = R"(scorecard: overrides
version: "1"
bands:
  - {name: green,  grade: A, min: 70}
  - {name: yellow, grade: C, min: 40}
  - {name: red,    grade: F, min: 0}
dimensions:
  echo_x: {plugin: test_echo, weight: 1}
  echo_y: {plugin: test_echo, weight: 1, params: {use_y: 1}}
)";

google::protobuf::Timestamp In(absl::Duration d) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now() + d));
}

// Polls `done` every 20 ms until it holds or `deadline` passes.
bool WaitFor(const std::function<bool()>& done,
             absl::Duration deadline = absl::Seconds(15)) {
  const absl::Time end = absl::Now() + deadline;
  while (!done()) {
    if (absl::Now() > end) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

// A client of one server: scoring and overrides.
class Client {
 public:
  explicit Client(testing::HistoryServer& h)
      : h_(h), overrides_(v1::Overrides::NewStub(h.channel())) {}

  // Scores `id` with x, without recording.
  v1::CustomerScore Score(const std::string& id, double x) {
    v1::ScoreRequest request;
    request.set_explain(v1::EXPLAIN_NONE);
    request.mutable_customer()->set_customer_id(id);
    (*request.mutable_customer()->mutable_signals())["x"] = x;
    v1::ScoreResponse response;
    grpc::ClientContext context;
    grpc::Status status = h_.scoring().Score(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.score();
  }

  grpc::Status Set(const v1::Override& o, v1::Override* out = nullptr) {
    v1::SetOverrideRequest request;
    *request.mutable_override() = o;
    v1::Override local;
    grpc::ClientContext context;
    return overrides_->SetOverride(&context, request, out ? out : &local);
  }

  grpc::Status Clear(const std::string& id, const std::string& who,
                     const std::string& note = "",
                     v1::Override* out = nullptr) {
    v1::ClearOverrideRequest request;
    request.set_customer_id(id);
    request.set_who(who);
    request.set_note(note);
    v1::Override local;
    grpc::ClientContext context;
    return overrides_->ClearOverride(&context, request, out ? out : &local);
  }

  std::vector<v1::Override> List(const std::string& id = "") {
    v1::ListOverridesRequest request;
    request.set_customer_id(id);
    v1::ListOverridesResponse response;
    grpc::ClientContext context;
    grpc::Status status =
        overrides_->ListOverrides(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.overrides().begin(), response.overrides().end()};
  }

  grpc::Status Audit(const std::string& id, int limit,
                     v1::GetOverrideAuditResponse* response) {
    v1::GetOverrideAuditRequest request;
    request.set_customer_id(id);
    request.set_limit(limit);
    grpc::ClientContext context;
    return overrides_->GetOverrideAudit(&context, request, response);
  }

  // The audit log of `id` as "ACTION who note", newest first.
  std::vector<std::string> Log(const std::string& id = "") {
    v1::GetOverrideAuditResponse response;
    grpc::Status status = Audit(id, 0, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> out;
    for (const v1::OverrideAuditEntry& e : response.entries()) {
      out.push_back(
          absl::StrCat(v1::OverrideAuditEntry::Action_Name(e.action()), " ",
                       e.who(), e.note().empty() ? "" : " ", e.note()));
    }
    return out;
  }

  v1::Overrides::Stub& stub() { return *overrides_; }

 private:
  testing::HistoryServer& h_;
  std::unique_ptr<v1::Overrides::Stub> overrides_;
};

v1::Override MakeOverride(const std::string& id, std::optional<double> score,
                          const std::string& band = "") {
  v1::Override o;
  o.set_customer_id(id);
  if (score.has_value()) o.set_score(*score);
  o.set_band(band);
  o.set_reason("renewal signed yesterday");
  o.set_author("alice");
  return o;
}

class OverridesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testing::NewStore(GetParam());
    h_ = testing::HistoryServer::Start(store_, kCard);
    ASSERT_NE(h_, nullptr);
    c_ = std::make_unique<Client>(*h_);
    // The customers have a recorded point (42.3: yellow, C).
    ASSERT_TRUE(h_->Record("acme", 0, 42.3, NAN).ok());
    ASSERT_TRUE(h_->Record("globex", 0, 90, NAN).ok());
  }

  std::string store_;
  std::unique_ptr<testing::HistoryServer> h_;
  std::unique_ptr<Client> c_;
};

TEST_P(OverridesTest, AScoreOverrideShowsWithTheComputedScoreReasonAuthor) {
  v1::Override o = MakeOverride("acme", 80);
  const google::protobuf::Timestamp expires = In(absl::Hours(24));
  *o.mutable_expires_at() = expires;
  v1::Override set;
  ASSERT_TRUE(c_->Set(o, &set).ok());
  EXPECT_EQ(set.customer_id(), "acme");
  EXPECT_DOUBLE_EQ(set.score(), 80);
  EXPECT_EQ(set.expires_at(), expires);
  EXPECT_GT(set.set_at().seconds(), 0);

  const v1::CustomerScore score = c_->Score("acme", 42.3);
  EXPECT_DOUBLE_EQ(score.score(), 80);
  // The band and grade 80 falls in.
  EXPECT_EQ(score.band(), "green");
  EXPECT_EQ(score.grade(), "A");
  ASSERT_TRUE(score.has_override());
  const v1::ScoreOverride& shown = score.override();
  EXPECT_DOUBLE_EQ(shown.computed_score(), 42.3);
  EXPECT_EQ(shown.computed_band(), "yellow");
  EXPECT_EQ(shown.computed_grade(), "C");
  EXPECT_TRUE(shown.score_overridden());
  EXPECT_FALSE(shown.band_overridden());
  EXPECT_EQ(shown.reason(), "renewal signed yesterday");
  EXPECT_EQ(shown.author(), "alice");
  EXPECT_EQ(shown.set_at(), set.set_at());
  EXPECT_EQ(shown.expires_at(), expires);

  // Another customer is as computed.
  const v1::CustomerScore other = c_->Score("globex", 90);
  EXPECT_DOUBLE_EQ(other.score(), 90);
  EXPECT_FALSE(other.has_override());

  EXPECT_THAT(c_->List(), ElementsAre(::testing::Property(
                              &v1::Override::customer_id, "acme")));
  EXPECT_THAT(c_->Log("acme"), ElementsAre("SET alice"));
}

TEST_P(OverridesTest, ScoreBatchRepliesShowTheOverrideToo) {
  ASSERT_TRUE(c_->Set(MakeOverride("acme", 15)).ok());
  v1::ScoreBatchRequest request;
  request.set_explain(v1::EXPLAIN_NONE);
  request.add_signal_names("x");
  for (const auto& [id, x] : {std::pair{"acme", 42.3}, {"globex", 90.0}}) {
    v1::Row* row = request.add_rows();
    row->set_customer_id(id);
    row->add_values(x);
  }
  v1::ScoreBatchResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(h_->scoring().ScoreBatch(&context, request, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  const v1::CustomerScore& acme = response.results(0).score();
  EXPECT_DOUBLE_EQ(acme.score(), 15);
  EXPECT_EQ(acme.band(), "red");
  EXPECT_EQ(acme.grade(), "F");
  EXPECT_DOUBLE_EQ(acme.override().computed_score(), 42.3);
  EXPECT_EQ(acme.override().computed_band(), "yellow");
  EXPECT_FALSE(acme.override().has_expires_at());  // until cleared
  const v1::CustomerScore& globex = response.results(1).score();
  EXPECT_DOUBLE_EQ(globex.score(), 90);
  EXPECT_FALSE(globex.has_override());
}

TEST_P(OverridesTest, TheHistoryKeepsTheComputedScore) {
  ASSERT_TRUE(c_->Set(MakeOverride("acme", 80)).ok());
  v1::ScoreResponse recorded;
  ASSERT_TRUE(h_->Record("acme", 7, 30, NAN, &recorded).ok());
  // The reply shows the override; its trend is the computed score's.
  EXPECT_DOUBLE_EQ(recorded.score().score(), 80);
  EXPECT_DOUBLE_EQ(recorded.score().override().computed_score(), 30);
  EXPECT_DOUBLE_EQ(recorded.score().trend().change(), 30 - 42.3);

  v1::GetHistoryRequest request;
  request.set_customer_id("acme");
  v1::GetHistoryResponse history;
  ASSERT_TRUE(h_->GetHistory(request, &history).ok());
  ASSERT_EQ(history.points_size(), 2);
  EXPECT_DOUBLE_EQ(history.points(0).score(), 30);
  EXPECT_EQ(history.points(0).band(), "red");
  EXPECT_DOUBLE_EQ(history.points(1).score(), 42.3);
}

TEST_P(OverridesTest, ABandOverrideKeepsTheScoreAndShowsTheBandsGrade) {
  ASSERT_TRUE(c_->Set(MakeOverride("acme", std::nullopt, "red")).ok());
  v1::CustomerScore score = c_->Score("acme", 42.3);
  EXPECT_DOUBLE_EQ(score.score(), 42.3);
  EXPECT_EQ(score.band(), "red");
  EXPECT_EQ(score.grade(), "F");
  EXPECT_FALSE(score.override().score_overridden());
  EXPECT_TRUE(score.override().band_overridden());
  EXPECT_EQ(score.override().computed_band(), "yellow");

  // Both: the band given wins over the one the score falls in. Setting
  // again replaces the override.
  ASSERT_TRUE(c_->Set(MakeOverride("acme", 95, "yellow")).ok());
  score = c_->Score("acme", 42.3);
  EXPECT_DOUBLE_EQ(score.score(), 95);
  EXPECT_EQ(score.band(), "yellow");
  EXPECT_EQ(score.grade(), "C");
  EXPECT_TRUE(score.override().score_overridden());
  EXPECT_TRUE(score.override().band_overridden());
  EXPECT_EQ(c_->List().size(), 1u);
  EXPECT_THAT(c_->Log("acme"), ElementsAre("SET alice", "SET alice"));
}

TEST_P(OverridesTest, ClearingEndsItAndTheAuditLogSaysSetThenCleared) {
  ASSERT_TRUE(c_->Set(MakeOverride("acme", 80)).ok());
  ASSERT_TRUE(c_->Set(MakeOverride("globex", 10)).ok());
  v1::Override ended;
  ASSERT_TRUE(c_->Clear("acme", "bob", "renewal fell through", &ended).ok());
  EXPECT_DOUBLE_EQ(ended.score(), 80);
  EXPECT_EQ(ended.author(), "alice");

  const v1::CustomerScore score = c_->Score("acme", 42.3);
  EXPECT_DOUBLE_EQ(score.score(), 42.3);
  EXPECT_EQ(score.band(), "yellow");
  EXPECT_FALSE(score.has_override());
  EXPECT_TRUE(c_->List("acme").empty());
  EXPECT_EQ(c_->List().size(), 1u);  // globex's
  EXPECT_THAT(c_->Log("acme"),
              ElementsAre("CLEARED bob renewal fell through", "SET alice"));
  EXPECT_THAT(c_->Log(), ElementsAre("CLEARED bob renewal fell through",
                                     "SET alice", "SET alice"));
  v1::GetOverrideAuditResponse audit;
  ASSERT_TRUE(c_->Audit("acme", 1, &audit).ok());
  ASSERT_EQ(audit.entries_size(), 1);
  EXPECT_EQ(audit.entries(0).override().reason(), "renewal signed yesterday");
  EXPECT_DOUBLE_EQ(audit.entries(0).override().score(), 80);

  // Nothing left to clear.
  grpc::Status again = c_->Clear("acme", "bob");
  EXPECT_EQ(again.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(again.error_message(), "customer 'acme' has no active override");
}

TEST_P(OverridesTest, AnOverrideExpiresByItselfOnEveryReplicaAndIsLoggedOnce) {
  // A second replica on the same store.
  auto other = testing::HistoryServer::Start(store_, kCard);
  ASSERT_NE(other, nullptr);
  Client c2(*other);

  v1::Override o = MakeOverride("acme", 80);
  *o.mutable_expires_at() = In(absl::Seconds(3));
  ASSERT_TRUE(c_->Set(o).ok());
  // This replica shows it at once; the other within its poll (1 s).
  EXPECT_TRUE(c_->Score("acme", 42.3).has_override());
  EXPECT_TRUE(WaitFor([&] { return c2.Score("acme", 42.3).has_override(); }));

  // Both stop showing it by themselves, and the store's sweep logs it.
  EXPECT_TRUE(WaitFor([&] {
    return !c_->Score("acme", 42.3).has_override() &&
           !c2.Score("acme", 42.3).has_override();
  }));
  EXPECT_DOUBLE_EQ(c_->Score("acme", 42.3).score(), 42.3);
  EXPECT_TRUE(c_->List().empty());
  EXPECT_TRUE(WaitFor([&] { return c_->Log("acme").size() == 2; }));
  EXPECT_THAT(c_->Log("acme"), ElementsAre("EXPIRED healthscore", "SET alice"));
  // A later sweep, from any replica, ends nothing more.
  absl::StatusOr<std::vector<store::OverrideRow>> swept =
      other->server().store()->ExpireOverrides(absl::ToUnixMicros(absl::Now()));
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_TRUE(swept->empty());
  EXPECT_THAT(c2.Log("acme"), ElementsAre("EXPIRED healthscore", "SET alice"));
  v1::GetOverrideAuditResponse audit;
  ASSERT_TRUE(c_->Audit("acme", 0, &audit).ok());
  ASSERT_EQ(audit.entries_size(), 2);
  // The expiry is logged at the moment it expired.
  EXPECT_EQ(audit.entries(0).at(), o.expires_at());
}

TEST_P(OverridesTest, ReplacingAnExpiredOverrideLogsItsExpiryFirst) {
  v1::Override o = MakeOverride("acme", 80);
  *o.mutable_expires_at() = In(absl::Milliseconds(300));
  ASSERT_TRUE(c_->Set(o).ok());
  // Expired (Apply checks the time), perhaps not swept yet: a new override
  // replaces it, and the log says it expired either way, once.
  ASSERT_TRUE(WaitFor([&] { return !c_->Score("acme", 42.3).has_override(); }));
  ASSERT_TRUE(c_->Set(MakeOverride("acme", 60)).ok());
  EXPECT_DOUBLE_EQ(c_->Score("acme", 42.3).score(), 60);
  EXPECT_THAT(c_->Log("acme"),
              ElementsAre("SET alice", "EXPIRED healthscore", "SET alice"));
}

TEST_P(OverridesTest, BadRequestsNameTheFieldTheValueAndTheLimit) {
  const auto set_error = [&](const v1::Override& o) {
    grpc::Status status = c_->Set(o);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << status.error_message();
    return status.error_message();
  };
  v1::Override o = MakeOverride("", 80);
  EXPECT_EQ(set_error(o), "customer_id is empty");
  o.set_customer_id(std::string(300, 'c'));
  EXPECT_EQ(set_error(o), "customer_id is 300 bytes; the limit is 256");

  o = MakeOverride("acme", 80);
  o.clear_reason();
  EXPECT_EQ(set_error(o), "reason is empty: say why the score is overridden");
  o.set_reason(std::string(1001, 'r'));
  EXPECT_EQ(set_error(o), "reason is 1001 bytes; the limit is 1000");

  o = MakeOverride("acme", 80);
  o.clear_author();
  EXPECT_EQ(set_error(o), "author is empty: say who is overriding the score");
  o.set_author(std::string(257, 'a'));
  EXPECT_EQ(set_error(o), "author is 257 bytes; the limit is 256");

  EXPECT_EQ(set_error(MakeOverride("acme", std::nullopt)),
            "neither score nor band is set: an override sets at least one of "
            "them");
  EXPECT_EQ(set_error(MakeOverride("acme", 120)), "score=120 is outside 0-100");
  EXPECT_EQ(set_error(MakeOverride("acme", -0.5)),
            "score=-0.5 is outside 0-100");
  EXPECT_EQ(set_error(MakeOverride("acme", NAN)),
            "score=nan is not a number between 0 and 100");
  EXPECT_EQ(
      set_error(MakeOverride("acme", std::numeric_limits<double>::infinity())),
      "score=inf is not a number between 0 and 100");
  EXPECT_EQ(set_error(MakeOverride("acme", std::nullopt, "purple")),
            "band 'purple' is not a band of the active scorecard (green, "
            "yellow, red)");

  o = MakeOverride("acme", 80);
  *o.mutable_expires_at() = TimeUtil::SecondsToTimestamp(1577836800);
  EXPECT_EQ(set_error(o),
            "expires_at 2020-01-01 is not in the future (leave it unset for an "
            "override that lasts until cleared)");
  o.mutable_expires_at()->set_seconds(-5);
  EXPECT_EQ(set_error(o),
            "expires_at (seconds=-5, nanos=0) is not a time between 1970 and "
            "9999");

  grpc::Status unknown = c_->Set(MakeOverride("nobody", 80));
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown.error_message(), "customer 'nobody' has no recorded score");

  grpc::Status no_who = c_->Clear("acme", "");
  EXPECT_EQ(no_who.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(no_who.error_message(),
            "who is empty: say who is clearing the override");
  grpc::Status long_note = c_->Clear("acme", "bob", std::string(1001, 'n'));
  EXPECT_EQ(long_note.error_message(), "note is 1001 bytes; the limit is 1000");
  grpc::Status no_override = c_->Clear("nobody", "bob");
  EXPECT_EQ(no_override.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(no_override.error_message(),
            "customer 'nobody' has no active override");

  v1::GetOverrideAuditResponse audit;
  grpc::Status limit = c_->Audit("", 5000, &audit);
  EXPECT_EQ(limit.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(limit.error_message(),
            "limit=5000 is outside 1-1000 (0: the default, 100)");

  // Nothing of it was written.
  EXPECT_TRUE(c_->List().empty());
  EXPECT_TRUE(c_->Log().empty());
  EXPECT_FALSE(c_->Score("acme", 42.3).has_override());
}

INSTANTIATE_TEST_SUITE_P(Stores, OverridesTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST(OverridesWithoutAStore, EveryCallNamesTheFlag) {
  auto h = testing::HistoryServer::Start("", kCard);
  ASSERT_NE(h, nullptr);
  Client c(*h);
  const std::string message =
      "this server keeps no overrides: start it with --store (sqlite:PATH or "
      "a postgresql:// URI)";
  std::vector<grpc::Status> statuses = {c.Set(MakeOverride("acme", 80)),
                                        c.Clear("acme", "bob")};
  v1::GetOverrideAuditResponse audit;
  statuses.push_back(c.Audit("", 0, &audit));
  v1::ListOverridesResponse list;
  grpc::ClientContext context;
  statuses.push_back(
      c.stub().ListOverrides(&context, v1::ListOverridesRequest(), &list));
  for (const grpc::Status& status : statuses) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(status.error_message(), message);
  }
  // Scores are as computed.
  EXPECT_FALSE(c.Score("acme", 42.3).has_override());
}

}  // namespace
}  // namespace healthscore
