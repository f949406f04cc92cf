// The scorecard model: segment variants, groups and their aggregators,
// critical gates, warnings and recommended actions, scored by the engine with
// the real test plugins. Values are worked out by hand in the comments.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/config/scorecard.h"
#include "server/engine/engine.h"
#include "server/engine/snapshot.h"
#include "server/registry/registry.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

// a scores x (weight 3), b scores y (weight 1), c scores z (weight 2).
constexpr char kCard[] = R"(scorecard: model
version: "1"
min_coverage: 0.8
max_data_age_days: 30
bands:
  - {name: green, grade: A, min: 70}
  - {name: yellow, grade: C, min: 40}
  - {name: red, grade: F, min: 0}
dimensions:
  a: {plugin: test_echo, weight: 3, warn_below: 50}
  b: {plugin: test_echo, weight: 1, params: {use_y: 1}}
  c: {plugin: test_named, weight: 2, params: {names: [z]}}
groups:
  product: {dimensions: [a, b], weight: 1}
  service: {dimensions: [c], weight: 1, aggregate: min}
gates:
  - {id: service_floor, group: service, below: 30, cap: 40,
     say: "Service below 30 caps the score at 40"}
actions:
  - {band: red, say: "Escalate to the account team"}
  - {dimension: a, below: 60, say: "Book an adoption workshop"}
segments:
  enterprise:
    weights: {b: 3}
    params: {a: {scale: 0.5}}
    bands: [{name: gold, grade: A+, min: 90}, {name: plain, grade: B, min: 0}]
)";

struct Row {
  double x, y, z;
  std::string segment;
  absl::Duration age = absl::ZeroDuration();
};

class ScorecardModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* p : {"test_echo", "test_named"}) {
      ASSERT_TRUE(registry_.LoadFile(testing::TestPlugin(p)).ok());
    }
  }

  void Load(const std::string& yaml = kCard) {
    auto spec = ParseScorecard(yaml, "model.yaml");
    ASSERT_TRUE(spec.ok()) << spec.status();
    auto snapshot = Snapshot::Build(*spec, registry_);
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    snapshot_ = *snapshot;
  }

  std::vector<absl::Status> Score(const std::vector<Row>& rows,
                                  v1::Explain explain = v1::EXPLAIN_FULL) {
    BatchColumns batch(snapshot_->signals().size(),
                       static_cast<uint32_t>(rows.size()));
    scores_.assign(rows.size(), v1::CustomerScore());
    std::vector<v1::CustomerScore*> out;
    for (size_t i = 0; i < rows.size(); ++i) {
      const uint32_t r = static_cast<uint32_t>(i);
      batch.at(snapshot_->FindSignal("x"), r) = rows[i].x;
      batch.at(snapshot_->FindSignal("y"), r) = rows[i].y;
      batch.at(snapshot_->FindSignal("z"), r) = rows[i].z;
      scores_[i].set_segment(rows[i].segment);
      if (rows[i].age > absl::ZeroDuration()) {
        scores_[i].mutable_as_of()->set_seconds(
            absl::ToUnixSeconds(now_ - rows[i].age));
      }
      out.push_back(&scores_[i]);
    }
    return ScoreColumns(*snapshot_, batch, explain, out, now_);
  }

  std::vector<std::string> WarningCodes(int row) const {
    std::vector<std::string> codes;
    for (const auto& w : scores_[row].warnings()) codes.push_back(w.code());
    return codes;
  }

  Registry registry_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::vector<v1::CustomerScore> scores_;
  const absl::Time now_ = absl::FromUnixSeconds(1795000000);
};

TEST_F(ScorecardModelTest, GroupsAggregateAndContributionsAddUp) {
  Load();
  auto statuses = Score({{80, 40, 60, ""}});
  ASSERT_TRUE(statuses[0].ok()) << statuses[0];
  const v1::CustomerScore& s = scores_[0];
  // product = (3*80 + 1*40) / 4 = 70; service = min(60) = 60;
  // total = (70 + 60) / 2 = 65.
  EXPECT_DOUBLE_EQ(s.score(), 65);
  EXPECT_EQ(s.band(), "yellow");
  EXPECT_EQ(s.variant(), "default");
  ASSERT_EQ(s.groups_size(), 2);
  EXPECT_EQ(s.groups(0).name(), "product");
  EXPECT_DOUBLE_EQ(s.groups(0).score(), 70);
  EXPECT_DOUBLE_EQ(s.groups(0).effective_weight(), 0.5);
  EXPECT_DOUBLE_EQ(s.groups(0).contribution(), 35);
  EXPECT_EQ(s.groups(1).aggregate(), "min");
  EXPECT_DOUBLE_EQ(s.groups(1).score(), 60);
  // a carries 0.5 * 0.75 of the total, b 0.5 * 0.25, c 0.5.
  EXPECT_DOUBLE_EQ(s.dimensions(0).effective_weight(), 0.375);
  EXPECT_DOUBLE_EQ(s.dimensions(0).contribution(), 30);
  EXPECT_EQ(s.dimensions(0).group(), "product");
  EXPECT_DOUBLE_EQ(s.dimensions(1).contribution(), 5);
  EXPECT_DOUBLE_EQ(s.dimensions(2).contribution(), 30);
  EXPECT_DOUBLE_EQ(s.dimensions(0).contribution() +
                       s.dimensions(1).contribution() +
                       s.dimensions(2).contribution(),
                   s.score());
  EXPECT_DOUBLE_EQ(s.coverage(), 1);
  EXPECT_TRUE(s.gates().empty());
  EXPECT_TRUE(s.warnings().empty());
}

TEST_F(ScorecardModelTest, AMinimumAggregatorTakesTheLowest) {
  std::string card = kCard;
  card.replace(card.find("min_coverage"), 0, "aggregate: min\n");
  Load(card);
  Score({{80, 40, 60, ""}});
  EXPECT_DOUBLE_EQ(scores_[0].score(), 60);  // min(70, 60)
  EXPECT_DOUBLE_EQ(scores_[0].groups(1).effective_weight(), 1);
  EXPECT_DOUBLE_EQ(scores_[0].dimensions(0).effective_weight(), 0);
  EXPECT_DOUBLE_EQ(scores_[0].dimensions(2).contribution(), 60);
}

TEST_F(ScorecardModelTest, ACriticalGateCapsTheTotalAndSaysSo) {
  Load();
  Score({{80, 40, 20, ""}});
  const v1::CustomerScore& s = scores_[0];
  // Before the gate: (70 + 20) / 2 = 45; service 20 < 30 caps it at 40.
  EXPECT_DOUBLE_EQ(s.score(), 40);
  EXPECT_EQ(s.grade(), "C");
  ASSERT_EQ(s.gates_size(), 1);
  EXPECT_EQ(s.gates(0).id(), "service_floor");
  EXPECT_EQ(s.gates(0).dimension(), "service");
  EXPECT_DOUBLE_EQ(s.gates(0).observed(), 20);
  EXPECT_DOUBLE_EQ(s.gates(0).impact(), -5);
  EXPECT_EQ(s.gates(0).message(), "Service below 30 caps the score at 40");
  // The gate is a driver down of its own, between the dimensions' reasons:
  // c's mean of 20 is 0.5 * (20 - 50) = -15 of the total; b's echo of 40 is
  // 0.5 * 1/4 * (40 - 50) = -1.25.
  ASSERT_EQ(s.top_drivers_down_size(), 3);
  EXPECT_EQ(s.top_drivers_down(0).rule_id(), "mean");
  EXPECT_DOUBLE_EQ(s.top_drivers_down(0).impact(), -15);
  EXPECT_EQ(s.top_drivers_down(1).rule_id(), "gate:service_floor");
  EXPECT_DOUBLE_EQ(s.top_drivers_down(1).impact(), -5);
  EXPECT_EQ(s.top_drivers_down(1).message(),
            "Service below 30 caps the score at 40");
  EXPECT_EQ(s.top_drivers_down(2).rule_id(), "echo");
  EXPECT_DOUBLE_EQ(s.top_drivers_down(2).impact(), -1.25);
}

TEST_F(ScorecardModelTest, AGateThatDoesNotBindTakesNothing) {
  Load();
  Score({{10, 10, 25, ""}});
  // (10 + 25) / 2 = 17.5 is already below the cap of 40.
  EXPECT_DOUBLE_EQ(scores_[0].score(), 17.5);
  ASSERT_EQ(scores_[0].gates_size(), 1);
  EXPECT_DOUBLE_EQ(scores_[0].gates(0).impact(), 0);
}

TEST_F(ScorecardModelTest, SegmentsGetTheirVariant) {
  Load();
  Score({{80, 40, 60, "enterprise"}, {80, 40, 60, "smb"}, {80, 40, 60, ""}});
  // enterprise: a = 0.5 * 80 = 40, b weighs 3: product = (3*40 + 3*40) / 6
  // = 40; total = (40 + 60) / 2 = 50 in the segment's own bands.
  EXPECT_EQ(scores_[0].variant(), "enterprise");
  EXPECT_DOUBLE_EQ(scores_[0].dimensions(0).score(), 40);
  EXPECT_DOUBLE_EQ(scores_[0].dimensions(1).weight(), 3);
  EXPECT_DOUBLE_EQ(scores_[0].score(), 50);
  EXPECT_EQ(scores_[0].band(), "plain");
  EXPECT_EQ(scores_[0].grade(), "B");
  // smb has no variant: the default, with a warning.
  EXPECT_EQ(scores_[1].variant(), "default");
  EXPECT_DOUBLE_EQ(scores_[1].score(), 65);
  EXPECT_THAT(WarningCodes(1), ElementsAre("segment_default"));
  EXPECT_EQ(scores_[1].warnings(0).message(),
            "segment 'smb' has no variant in scorecard model; "
            "scored with the default");
  // No segment: the default, no warning.
  EXPECT_DOUBLE_EQ(scores_[2].score(), 65);
  EXPECT_TRUE(scores_[2].warnings().empty());
}

TEST_F(ScorecardModelTest, WarnsOnALowDimensionLowCoverageAndStaleData) {
  Load();
  Score({{40, 40, 60, ""},
         {80, NAN, NAN, ""},
         {80, 40, 60, "", absl::Hours(24 * 45)}});
  EXPECT_THAT(WarningCodes(0), ElementsAre("dimension_below"));
  EXPECT_EQ(scores_[0].warnings(0).dimension(), "a");
  EXPECT_EQ(scores_[0].warnings(0).message(),
            "a scored 40.0, below its warning threshold 50");
  // Only a has data: coverage = 1/2 * 3/4 + 1/2 * 0 = 0.375.
  EXPECT_DOUBLE_EQ(scores_[1].coverage(), 0.375);
  EXPECT_DOUBLE_EQ(scores_[1].score(), 80);
  EXPECT_THAT(WarningCodes(1), ElementsAre("low_coverage"));
  EXPECT_EQ(scores_[1].warnings(0).message(),
            "coverage 38% is below the minimum 80%: the score rests on too "
            "little data");
  EXPECT_THAT(WarningCodes(2), ElementsAre("stale_data"));
  // as_of is 45 days before the fixed clock (2026-11-18).
  EXPECT_EQ(scores_[2].warnings(0).message(),
            "the data is 45 days old (as of 2026-10-04); the limit is 30 "
            "days");
}

TEST_F(ScorecardModelTest, ActionsAreDeduplicatedAndOrderedByPointsAtStake) {
  Load();
  Score({{10, 10, 35, ""}});
  const v1::CustomerScore& s = scores_[0];
  // product 10, service 35: total 22.5, red.
  EXPECT_DOUBLE_EQ(s.score(), 22.5);
  EXPECT_EQ(s.band(), "red");
  std::vector<std::string> texts;
  for (const auto& a : s.actions()) texts.push_back(a.text());
  // Escalate: 100 - 22.5 = 77.5 at stake. The workshop: a's points lost,
  // 0.375 * 90 = 33.75. test_echo offers "raise x" for a (33.75, the same
  // points: file order keeps the scorecard's first... both 33.75) and
  // "raise y" for b (0.125 * 90 = 11.25).
  ASSERT_EQ(texts.size(), 4u);
  EXPECT_EQ(texts[0], "Escalate to the account team");
  EXPECT_DOUBLE_EQ(s.actions(0).points_at_stake(), 77.5);
  EXPECT_EQ(s.actions(0).source(), "scorecard");
  EXPECT_DOUBLE_EQ(s.actions(1).points_at_stake(), 33.75);
  EXPECT_DOUBLE_EQ(s.actions(2).points_at_stake(), 33.75);
  EXPECT_EQ(texts[3], "raise y");
  EXPECT_DOUBLE_EQ(s.actions(3).points_at_stake(), 11.25);
  EXPECT_THAT(texts, ::testing::Contains("Book an adoption workshop"));
  EXPECT_THAT(texts, ::testing::Contains("raise x"));

  // The same action text from two places appears once.
  std::string card = kCard;
  card.replace(card.find("Book an adoption workshop"),
               std::string("Book an adoption workshop").size(), "raise x");
  Load(card);
  Score({{10, 10, 35, ""}});
  int raise_x = 0;
  for (const auto& a : scores_[0].actions()) raise_x += a.text() == "raise x";
  EXPECT_EQ(raise_x, 1);

  Score({{10, 10, 35, ""}}, v1::EXPLAIN_NONE);
  EXPECT_TRUE(scores_[0].actions().empty());
}

std::string ErrorOf(const std::string& yaml) {
  auto spec = ParseScorecard(yaml, "m.yaml");
  EXPECT_FALSE(spec.ok());
  return spec.ok() ? "" : std::string(spec.status().message());
}

std::string With(const std::string& extra) {
  return R"(scorecard: m
version: "1"
bands: [{name: green, grade: A, min: 50}, {name: red, grade: F, min: 0}]
dimensions:
  a: {plugin: p, weight: 1}
  b: {plugin: p, weight: 1}
)" + extra;
}

// With() puts the dimensions on lines 5-6; what `extra` adds starts on line
// 7, so a group, gate, action or segment entry under its key is on line 8.
TEST(ScorecardModelParse, RefusesBadGroups) {
  EXPECT_EQ(ErrorOf(With("groups:\n  g: {dimensions: [a, z]}\n")),
            "m.yaml:8: groups.g.dimensions: unknown dimension 'z'; the "
            "dimensions are a, b");
  EXPECT_EQ(ErrorOf(With("groups:\n  g: {dimensions: [a, b]}\n  h: "
                         "{dimensions: [a]}\n")),
            "m.yaml:9: groups.h.dimensions: dimension 'a' is already in group "
            "'g'; a dimension belongs to one group");
  EXPECT_EQ(ErrorOf(With("groups:\n  g: {dimensions: [a]}\n")),
            "m.yaml:8: groups: dimension 'b' is in no group; with groups, "
            "every dimension belongs to one");
  EXPECT_EQ(ErrorOf(With("groups:\n  g: {dimensions: [a, b], aggregate: "
                         "median}\n")),
            "m.yaml:8: groups.g.aggregate: 'median' is not an aggregator; "
            "expected weighted_mean or min");
}

TEST(ScorecardModelParse, RefusesBadGatesAndActions) {
  EXPECT_EQ(ErrorOf(With("gates:\n  - {id: g, dimension: z, below: 30, "
                         "cap: 40}\n")),
            "m.yaml:8: gates[0].dimension: unknown dimension 'z'; the "
            "dimensions are a, b");
  EXPECT_EQ(ErrorOf(With("gates:\n  - {id: g, below: 30, cap: 40}\n")),
            "m.yaml:8: gates[0]: needs exactly one of dimension or group");
  EXPECT_EQ(ErrorOf(With("gates:\n  - {id: g, dimension: a, below: 30, "
                         "cap: 140}\n")),
            "m.yaml:8: gates[0].cap: 140 is outside 0-100");
  EXPECT_EQ(ErrorOf(With("actions:\n  - {band: purple, say: x}\n")),
            "m.yaml:8: actions[0].band: unknown band 'purple'");
  EXPECT_EQ(ErrorOf(With("actions:\n  - {dimension: a, say: x}\n")),
            "m.yaml:8: actions[0].below: is required");
}

TEST(ScorecardModelParse, RefusesBadSegmentsAndLimits) {
  EXPECT_EQ(ErrorOf(With("segments:\n  ent: {weights: {z: 1}}\n")),
            "m.yaml:8: segments.ent.weights.z: unknown dimension; the "
            "dimensions are a, b");
  EXPECT_EQ(ErrorOf(With("segments:\n  ent: {weights: {a: 0, b: 0}}\n")),
            "m.yaml:8: segments.ent.weights: the segment's weights add up to "
            "0; the total weight must be above 0");
  EXPECT_EQ(ErrorOf(With("segments:\n  default: {weights: {a: 2}}\n")),
            "m.yaml:8: segments.default: 'default' is the scorecard itself; "
            "name the segment otherwise");
  EXPECT_EQ(ErrorOf(With("segments:\n  ent: {wieghts: {a: 2}}\n")),
            "m.yaml:8: segments.ent.wieghts: unknown field; expected one of "
            "weights, params, group_weights, bands");
  EXPECT_EQ(ErrorOf(With("min_coverage: 60\n")),
            "m.yaml:7: min_coverage: 60 is outside 0-1 (a share of the "
            "weight, e.g. 0.6)");
  EXPECT_EQ(ErrorOf(With("max_data_age_days: 0\n")),
            "m.yaml:7: max_data_age_days: 0 must be above 0");
}

TEST_F(ScorecardModelTest, ASegmentParameterThePluginRefusesNamesTheSegment) {
  std::string card = kCard;
  card.replace(card.find("{scale: 0.5}"), std::string("{scale: 0.5}").size(),
               "{scale: 50}");
  auto spec = ParseScorecard(card, "model.yaml");
  ASSERT_TRUE(spec.ok());
  auto snapshot = Snapshot::Build(*spec, registry_);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(std::string(snapshot.status().message()),
            "model.yaml:25: segments.enterprise.params.a.scale: 50 is above "
            "the maximum 10");
}

}  // namespace
}  // namespace healthscore
