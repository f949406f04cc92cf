// The rules plugin (plugins/rules), loaded from its .so and bound by a real
// snapshot: arithmetic, clamping, reasons (50 + impacts == score, sentences
// from the scorecard's templates), and every load-time error.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/config/scorecard.h"
#include "server/engine/engine.h"
#include "server/engine/snapshot.h"
#include "server/registry/registry.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::testing::HasSubstr;

constexpr char kRules[] = R"yaml(
      - {id: frequent_visits, when: "site_visits_7d >= 5", points: 10,
         say: "Visited 5 or more times in the last 7 days"}
      - {id: negative_feedback, when: "negative_feedback_30d > 0",
         points: "-5 * min(negative_feedback_30d, 3)",
         say: "Negative feedback in the last 30 days",
         action: "Call the customer about the feedback"}
)yaml";

class RulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        registry_
            .LoadFile(testing::BuiltinPluginDir() / "rules/2.0.0/librules.so")
            .ok());
  }

  absl::StatusOr<std::shared_ptr<const Snapshot>> Build(
      const std::string& params) {
    const std::string yaml = R"(scorecard: t
version: "1"
bands: [{name: green, grade: A, min: 70}, {name: red, grade: F, min: 0}]
dimensions:
  web:
    plugin: rules
    weight: 1
    params:
)" + params;
    auto spec = ParseScorecard(yaml, "rules.yaml");
    if (!spec.ok()) return spec.status();
    return Snapshot::Build(*spec, registry_);
  }

  std::string Error(const std::string& params) {
    auto snapshot = Build(params);
    EXPECT_FALSE(snapshot.ok());
    return snapshot.ok() ? "" : std::string(snapshot.status().message());
  }

  // Scores rows of (site_visits_7d, negative_feedback_30d).
  std::vector<absl::Status> Score(
      const Snapshot& snapshot,
      const std::vector<std::pair<double, double>>& rows) {
    BatchColumns batch(snapshot.signals().size(),
                       static_cast<uint32_t>(rows.size()));
    for (uint32_t r = 0; r < rows.size(); ++r) {
      batch.at(snapshot.FindSignal("site_visits_7d"), r) = rows[r].first;
      batch.at(snapshot.FindSignal("negative_feedback_30d"), r) =
          rows[r].second;
    }
    scores_.assign(rows.size(), v1::CustomerScore());
    std::vector<v1::CustomerScore*> out;
    for (auto& s : scores_) out.push_back(&s);
    return ScoreColumns(snapshot, batch, v1::EXPLAIN_FULL, out);
  }

  const v1::DimensionResult& Web(int row) const {
    return scores_[row].dimensions(0);
  }

  Registry registry_;
  std::vector<v1::CustomerScore> scores_;
};

TEST_F(RulesTest, AddsPointsToTheBaseAndExplainsEachRule) {
  auto snapshot = Build(R"(      base: 50
      signals: {site_visits_7d: {unit: count, min: 0},
                negative_feedback_30d: {unit: count, min: 0,
                                        higher_is_better: false}}
      rules:)" + std::string(kRules));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const Snapshot& s = **snapshot;
  EXPECT_EQ(s.signals()[s.FindSignal("site_visits_7d")].min, 0);
  EXPECT_EQ(s.signals()[s.FindSignal("site_visits_7d")].unit, "count");

  auto statuses = Score(s, {{7, 0}, {7, 2}, {1, 5}, {2, NAN}});
  for (const auto& st : statuses) ASSERT_TRUE(st.ok()) << st;
  EXPECT_DOUBLE_EQ(Web(0).score(), 60);  // 50 + 10
  EXPECT_DOUBLE_EQ(Web(1).score(), 50);  // 50 + 10 - 10
  EXPECT_DOUBLE_EQ(Web(2).score(), 35);  // 50 - 15 (capped at 3 pieces)
  EXPECT_DOUBLE_EQ(Web(3).score(), 50);  // no rule fires; feedback missing

  // Base 50: the rules' reasons are the whole explanation.
  ASSERT_EQ(Web(1).reasons_size(), 2);
  EXPECT_EQ(Web(1).reasons(0).rule_id(), "frequent_visits");
  EXPECT_EQ(Web(1).reasons(0).signal(), "site_visits_7d");
  EXPECT_DOUBLE_EQ(Web(1).reasons(0).observed(), 7);
  EXPECT_DOUBLE_EQ(Web(1).reasons(0).impact(), 10);
  EXPECT_EQ(Web(1).reasons(0).message(),
            "Visited 5 or more times in the last 7 days");
  EXPECT_DOUBLE_EQ(Web(1).reasons(1).impact(), -10);
  ASSERT_EQ(Web(1).actions_size(), 1);
  EXPECT_EQ(Web(1).actions(0), "Call the customer about the feedback");
  EXPECT_EQ(Web(3).reasons_size(), 0);
}

TEST_F(RulesTest, ClampsTo0To100AndScalesTheImpactsToMatch) {
  auto snapshot = Build(R"(      base: 95
      signals: [site_visits_7d, negative_feedback_30d]
      rules:)" + std::string(kRules));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  Score(**snapshot, {{9, 0}});
  EXPECT_DOUBLE_EQ(Web(0).score(), 100);
  // 50 + 45 (the base) + 5 (the rule, scaled from 10) == 100.
  ASSERT_EQ(Web(0).reasons_size(), 2);
  EXPECT_EQ(Web(0).reasons(0).rule_id(), "base");
  EXPECT_DOUBLE_EQ(Web(0).reasons(0).impact(), 45);
  EXPECT_EQ(Web(0).reasons(1).rule_id(), "frequent_visits");
  EXPECT_DOUBLE_EQ(Web(0).reasons(1).impact(), 5);
}

TEST_F(RulesTest, ABaseOtherThan50IsAReasonReadForItsSign) {
  for (const auto& [base, words] :
       std::vector<std::pair<std::string, std::string>>{
           {"70", "base score to 70, above the neutral 50"},
           {"20", "base score to 20, below the neutral 50"}}) {
    auto snapshot = Build("      base: " + base + R"(
      signals: [site_visits_7d, negative_feedback_30d]
      rules:)" + std::string(kRules));
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    auto statuses = Score(**snapshot, {{0, 0}, {7, 1}});
    for (const auto& st : statuses) ASSERT_TRUE(st.ok()) << st;
    // No rule fired: the base alone explains the score.
    EXPECT_DOUBLE_EQ(Web(0).score(), std::stod(base));
    ASSERT_EQ(Web(0).reasons_size(), 1);
    EXPECT_EQ(Web(0).reasons(0).rule_id(), "base");
    EXPECT_DOUBLE_EQ(Web(0).reasons(0).impact(), std::stod(base) - 50);
    EXPECT_THAT(Web(0).reasons(0).message(), HasSubstr(words));
    // The rules' impacts stay their points.
    EXPECT_DOUBLE_EQ(Web(1).score(), std::stod(base) + 10 - 5);
    ASSERT_EQ(Web(1).reasons_size(), 3);
    EXPECT_DOUBLE_EQ(Web(1).reasons(1).impact(), 10);
    EXPECT_DOUBLE_EQ(Web(1).reasons(2).impact(), -5);
  }
}

TEST_F(RulesTest, SentencesAreTemplatesReadForTheSign) {
  auto snapshot =
      Build(R"(      signals: [site_visits_7d, negative_feedback_30d]
      rules:
        - {id: visits, when: "site_visits_7d >= 0", points: "site_visits_7d - 5",
           raises: "{observed:plural:visit}, {{more} than 5",
           lowers: "Only {observed:plural:visit}",
           say: "Exactly {site_visits_7d} visits"}
        - {id: both, when: "negative_feedback_30d > 0 && site_visits_7d > 0",
           points: "-negative_feedback_30d",
           say: "{negative_feedback_30d} complaints and {site_visits_7d} visits",
           action: "Ask about the {negative_feedback_30d:plural:complaint}"}
)");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  auto statuses = Score(**snapshot, {{8, 0}, {1, 2}, {5, NAN}});
  for (const auto& st : statuses) ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(Web(0).reasons(0).message(), "8 visits, {more} than 5");
  EXPECT_EQ(Web(1).reasons(0).message(), "Only 1 visit");
  EXPECT_EQ(Web(1).reasons(1).message(), "2 complaints and 1 visits");
  EXPECT_EQ(Web(1).reasons(1).signal(), "");  // it reads two
  ASSERT_EQ(Web(1).actions_size(), 1);
  EXPECT_EQ(Web(1).actions(0), "Ask about the 2 complaints");
  ASSERT_EQ(Web(2).reasons_size(), 1);  // 0 points: the neutral `say`
  EXPECT_EQ(Web(2).reasons(0).message(), "Exactly 5 visits");
}

TEST_F(RulesTest, NoSignalAtAllIsInsufficientData) {
  auto snapshot =
      Build(R"(      signals: [site_visits_7d, negative_feedback_30d]
      rules:)" +
            std::string(kRules));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  auto statuses = Score(**snapshot, {{NAN, NAN}});
  EXPECT_EQ(statuses[0].code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(statuses[0].message(),
              HasSubstr("none of the signals the rules read is present: "
                        "site_visits_7d, negative_feedback_30d"));
}

TEST_F(RulesTest, RefusesASyntaxErrorWithTheRuleAndPosition) {
  EXPECT_THAT(Error(R"(      signals: [site_visits_7d]
      rules:
        - {id: broken, when: "site_visits_7d >= (5", points: 1, say: x}
)"),
              HasSubstr("rules.yaml:5: dimensions.web: plugin rules@2.0.0 "
                        "refused its parameters: rules[0] (broken).when: "
                        "syntax error at position"));
}

TEST_F(RulesTest, RefusesAnUnknownSignalWithItsPosition) {
  EXPECT_THAT(Error(R"(      signals: [site_visits_7d]
      rules:
        - {id: ok, when: "site_visits_7d > 1", points: 1, say: x}
        - {id: typo, when: "site_visits_7d > 1 && site_vists_7d < 9",
           points: 1, say: x}
)"),
              HasSubstr("rules[1] (typo).when: unknown signal 'site_vists_7d' "
                        "at position 22; the signals are: site_visits_7d"));
}

TEST_F(RulesTest, RefusesMoreRulesThanTheLimit) {
  EXPECT_THAT(Error(R"(      max_rules: 1
      signals: [site_visits_7d, negative_feedback_30d]
      rules:)" + std::string(kRules)),
              HasSubstr("rules has 2 rules; the limit is 1 (max_rules)"));
}

TEST_F(RulesTest, RefusesAssignmentDuplicateIdsAndMissingFields) {
  EXPECT_THAT(Error(R"(      signals: [site_visits_7d]
      rules:
        - {id: assign, when: "site_visits_7d = 5", points: 1, say: x}
)"),
              HasSubstr("rules[0] (assign).when: '=' at position 15 assigns; "
                        "compare with == instead"));
  EXPECT_THAT(Error(R"(      signals: [site_visits_7d]
      rules:
        - {id: a, when: "1", points: 1, say: x}
        - {id: a, when: "1", points: 1, say: x}
)"),
              HasSubstr("rules[1] (a).id repeats an earlier rule's id"));
  EXPECT_THAT(Error(R"(      signals: [site_visits_7d]
      rules:
        - {id: a, when: "1", say: x}
)"),
              HasSubstr("rules[0] (a).points is required"));
  EXPECT_THAT(Error(R"(      signals: [site_visits_7d]
      rules:
        - {id: a, when: "1", points: 1, say: x, wen: "2"}
)"),
              HasSubstr("rules[0] (a).wen is unknown"));
  EXPECT_THAT(Error(R"(      rules:
        - {id: a, when: "1", points: 1, say: x}
)"),
              HasSubstr("signals is empty"));
  EXPECT_THAT(Error(R"(      signals: [site_visits_7d]
      rules:
        - {id: base, when: "1", points: 1, say: x}
)"),
              HasSubstr("rules[0] (base).id 'base' is reserved"));
  EXPECT_THAT(Error(R"(      signals: [site_visits_7d]
      rules:
        - {id: a, when: "1", points: 1, raises: x}
)"),
              HasSubstr("rules[0] (a).say is required unless both raises and "
                        "lowers are given"));
}

TEST_F(RulesTest, RefusesABraceThatIsNoPlaceholder) {
  EXPECT_THAT(Error(R"(      signals: [site_visits_7d]
      rules:
        - {id: a, when: "site_visits_7d > 1", points: 1, say: "Score {beta}"}
)"),
              HasSubstr("rules[0] (a).say: unknown placeholder {beta} at "
                        "position 6; the placeholders are: observed, "
                        "site_visits_7d (write {{ for a literal brace)"));
  EXPECT_THAT(Error(R"(      signals: [site_visits_7d]
      rules:
        - {id: a, when: "1", points: 1, say: x, action: "Call {x"}
)"),
              HasSubstr("rules[0] (a).action: '{' at position 5 is not "
                        "closed; write {{ for a literal brace"));
  EXPECT_THAT(Error(R"(      signals: [site_visits_7d, negative_feedback_30d]
      rules:
        - {id: a, when: "site_visits_7d > negative_feedback_30d", points: 1,
           say: "{observed}"}
)"),
              HasSubstr("{observed} is the value of the one signal a rule "
                        "reads, and this one reads 2"));
}

}  // namespace
}  // namespace healthscore
