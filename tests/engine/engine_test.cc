// Engine arithmetic (weights, shared-out missing weight, coverage, bands,
// drivers) and containment (throwing, NaN, out-of-range and failing plugins),
// with the real test_echo plugin loaded from its .so.
#include "server/engine/engine.h"

#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/config/scorecard.h"
#include "server/engine/snapshot.h"
#include "server/registry/registry.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;

constexpr double kNaN = NAN;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_.LoadFile(testing::TestPlugin("test_echo")).ok());
  }

  // Dimension a scores x (weight 3), b scores y (weight 1), plus `extra`
  // params for a.
  void Load(const std::string& a_params = "{}") {
    const std::string yaml = R"(scorecard: test
version: "7"
bands:
  - {name: green, grade: A, min: 80}
  - {name: green, grade: B, min: 70}
  - {name: yellow, grade: C, min: 50}
  - {name: red, grade: F, min: 0}
dimensions:
  a: {plugin: test_echo, weight: 3, params: )" +
                             a_params + R"(}
  b: {plugin: test_echo, weight: 1, params: {use_y: 1}}
)";
    auto spec = ParseScorecard(yaml, "engine.yaml");
    ASSERT_TRUE(spec.ok()) << spec.status();
    auto snapshot = Snapshot::Build(*spec, registry_);
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    snapshot_ = *snapshot;
  }

  // Scores rows of (x, y).
  std::vector<absl::Status> Score(
      const std::vector<std::pair<double, double>>& rows,
      v1::Explain explain = v1::EXPLAIN_FULL, ScoreOptions options = {}) {
    BatchColumns batch(snapshot_->signals().size(),
                       static_cast<uint32_t>(rows.size()));
    for (uint32_t r = 0; r < rows.size(); ++r) {
      batch.at(snapshot_->FindSignal("x"), r) = rows[r].first;
      batch.at(snapshot_->FindSignal("y"), r) = rows[r].second;
    }
    scores_.assign(rows.size(), v1::CustomerScore());
    std::vector<v1::CustomerScore*> out;
    for (auto& s : scores_) out.push_back(&s);
    return ScoreColumns(*snapshot_, batch, explain, out, absl::Now(), options);
  }

  Registry registry_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::vector<v1::CustomerScore> scores_;
};

// A call whose deadline has passed, or a server that is stopping, stops the
// work between dimensions: every row gets the reason, and no dimension after
// the check runs (here: none at all, so no dimension result is filled in).
TEST_F(EngineTest, APassedDeadlineOrAStoppingServerStopsTheWork) {
  Load();
  std::vector<std::pair<double, double>> rows(600, {50, 50});  // 2+ shares
  ScoreOptions late;
  late.stop.deadline = absl::Now() - absl::Seconds(1);
  std::vector<absl::Status> statuses = Score(rows, v1::EXPLAIN_FULL, late);
  ASSERT_EQ(statuses.size(), rows.size());
  for (size_t i = 0; i < statuses.size(); ++i) {
    EXPECT_EQ(statuses[i].code(), absl::StatusCode::kDeadlineExceeded) << i;
    EXPECT_EQ(scores_[i].dimensions(0).score(), 0) << i;  // never ran
  }
  EXPECT_THAT(statuses[0].message(), HasSubstr("deadline passed"));

  std::atomic<bool> stopping{true};
  ScoreOptions stopped;
  stopped.stop.server_stopping = &stopping;
  statuses = Score(rows, v1::EXPLAIN_NONE, stopped);
  EXPECT_EQ(statuses[0].code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(statuses[0].message(), HasSubstr("shutting down; retry"));

  // Neither: scored as usual.
  stopping = false;
  ScoreOptions fine;
  fine.stop.server_stopping = &stopping;
  fine.stop.deadline = absl::Now() + absl::Hours(1);
  statuses = Score(rows, v1::EXPLAIN_NONE, fine);
  EXPECT_TRUE(statuses[0].ok()) << statuses[0];
  EXPECT_DOUBLE_EQ(scores_[0].score(), 50);
}

TEST_F(EngineTest, WeighsDimensionsAndExplainsContributions) {
  Load();
  auto statuses = Score({{80, 40}});
  ASSERT_TRUE(statuses[0].ok()) << statuses[0];
  const v1::CustomerScore& s = scores_[0];
  // (3 * 80 + 1 * 40) / 4
  EXPECT_DOUBLE_EQ(s.score(), 70);
  EXPECT_EQ(s.band(), "green");
  EXPECT_EQ(s.grade(), "B");
  EXPECT_DOUBLE_EQ(s.coverage(), 1);
  ASSERT_EQ(s.dimensions_size(), 2);
  const v1::DimensionResult& a = s.dimensions(0);
  EXPECT_EQ(a.name(), "a");
  EXPECT_EQ(a.plugin(), "test_echo@1.0.0");
  EXPECT_EQ(a.status(), v1::DIMENSION_STATUS_OK);
  EXPECT_DOUBLE_EQ(a.score(), 80);
  EXPECT_DOUBLE_EQ(a.weight(), 3);
  EXPECT_DOUBLE_EQ(a.effective_weight(), 0.75);
  EXPECT_DOUBLE_EQ(a.contribution(), 60);
  EXPECT_DOUBLE_EQ(a.points_lost(), 15);
  const v1::DimensionResult& b = s.dimensions(1);
  EXPECT_DOUBLE_EQ(b.contribution(), 10);
  EXPECT_DOUBLE_EQ(b.points_lost(), 15);
  // Contributions add up to the score, and points lost to what is missing.
  EXPECT_DOUBLE_EQ(a.contribution() + b.contribution(), s.score());
  EXPECT_DOUBLE_EQ(a.points_lost() + b.points_lost(), 100 - s.score());

  ASSERT_EQ(a.reasons_size(), 1);
  EXPECT_EQ(a.reasons(0).rule_id(), "echo");
  EXPECT_EQ(a.reasons(0).signal(), "");  // x or y: the rule names neither
  EXPECT_EQ(a.reasons(0).message(), "the echoed value 80 is above 50");
  EXPECT_DOUBLE_EQ(a.reasons(0).observed(), 80);
  EXPECT_DOUBLE_EQ(a.reasons(0).impact(), 30);
  EXPECT_EQ(b.actions_size(), 1);
  EXPECT_EQ(b.actions(0), "raise y");
  // Drivers are reasons weighed by their dimension's share of the total.
  ASSERT_EQ(s.top_drivers_up_size(), 1);
  EXPECT_EQ(s.top_drivers_up(0).dimension(), "a");
  EXPECT_DOUBLE_EQ(s.top_drivers_up(0).impact(), 22.5);
  ASSERT_EQ(s.top_drivers_down_size(), 1);
  EXPECT_EQ(s.top_drivers_down(0).dimension(), "b");
  EXPECT_DOUBLE_EQ(s.top_drivers_down(0).impact(), -2.5);
  EXPECT_EQ(s.provenance().scorecard_version(), "7");
  EXPECT_EQ(s.provenance().scorecard_hash().size(), 64u);
}

TEST_F(EngineTest, SharesOutTheWeightOfADimensionWithoutData) {
  Load();
  auto statuses = Score({{60, kNaN}});
  ASSERT_TRUE(statuses[0].ok());
  const v1::CustomerScore& s = scores_[0];
  EXPECT_DOUBLE_EQ(s.score(), 60);
  EXPECT_DOUBLE_EQ(s.coverage(), 0.75);
  EXPECT_DOUBLE_EQ(s.dimensions(0).effective_weight(), 1);
  const v1::DimensionResult& b = s.dimensions(1);
  EXPECT_EQ(b.status(), v1::DIMENSION_STATUS_INSUFFICIENT_DATA);
  EXPECT_EQ(b.status_reason(), "missing signal y");
  EXPECT_DOUBLE_EQ(b.effective_weight(), 0);
  EXPECT_DOUBLE_EQ(b.contribution(), 0);
  EXPECT_EQ(b.reasons_size(), 0);
}

TEST_F(EngineTest, ACustomerWithNoDataIsAnErrorSayingWhy) {
  Load();
  auto statuses = Score({{kNaN, kNaN}});
  EXPECT_EQ(statuses[0].code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(statuses[0].message(),
              HasSubstr("no dimension with weight could score this customer "
                        "(a: missing signal x; b: missing signal y)"));
}

TEST_F(EngineTest, MapsScoresToBandsAtTheBoundaries) {
  Load();
  // With y == x both dimensions score x, so the total is x.
  const std::vector<std::pair<double, std::string>> cases = {
      {100, "A"},   {80, "A"}, {79.99, "B"}, {70, "B"},
      {69.99, "C"}, {50, "C"}, {49.99, "F"}, {0, "F"}};
  for (const auto& [x, grade] : cases) {
    auto statuses = Score({{x, x}});
    ASSERT_TRUE(statuses[0].ok());
    EXPECT_THAT(scores_[0].score(), DoubleNear(x, 1e-9));
    EXPECT_EQ(scores_[0].grade(), grade) << "score " << x;
  }
}

TEST_F(EngineTest, ALargeBatchSplitAcrossCoresScoresEachRowAsAlone) {
  // 1,500 rows: enough for the engine to split the batch across threads.
  Load("{nan_on: 7, fail_on: 9}");
  std::vector<std::pair<double, double>> rows;
  for (int i = 0; i < 1500; ++i) {
    rows.push_back({static_cast<double>(i % 101),
                    i % 13 == 0 ? NAN : static_cast<double>((i * 7) % 100)});
  }
  for (v1::Explain explain : {v1::EXPLAIN_SUMMARY, v1::EXPLAIN_FULL}) {
    auto together = Score(rows, explain);
    const std::vector<v1::CustomerScore> batch = scores_;
    for (size_t i = 0; i < rows.size(); ++i) {
      auto alone = Score({rows[i]}, explain);
      ASSERT_EQ(together[i].code(), alone[0].code()) << "row " << i;
      ASSERT_EQ(batch[i].SerializeAsString(), scores_[0].SerializeAsString())
          << "row " << i;
    }
  }
}

TEST_F(EngineTest, ExplainLevelsControlWhatIsReturned) {
  Load();
  Score({{80, 40}}, v1::EXPLAIN_NONE);
  EXPECT_EQ(scores_[0].top_drivers_up_size(), 0);
  EXPECT_EQ(scores_[0].dimensions(0).reasons_size(), 0);
  EXPECT_DOUBLE_EQ(scores_[0].score(), 70);

  Score({{80, 40}}, v1::EXPLAIN_SUMMARY);
  EXPECT_EQ(scores_[0].top_drivers_up_size(), 1);
  EXPECT_EQ(scores_[0].top_drivers_down_size(), 1);
  EXPECT_EQ(scores_[0].dimensions(0).reasons_size(), 0);
  EXPECT_EQ(scores_[0].dimensions(1).actions_size(), 0);

  // SUMMARY keeps reasons out of the response but must pick the very same
  // drivers as FULL.
  const std::string summary_drivers =
      scores_[0].top_drivers_up(0).SerializeAsString() +
      scores_[0].top_drivers_down(0).SerializeAsString();
  Score({{80, 40}}, v1::EXPLAIN_FULL);
  EXPECT_EQ(scores_[0].top_drivers_up(0).SerializeAsString() +
                scores_[0].top_drivers_down(0).SerializeAsString(),
            summary_drivers);
  EXPECT_EQ(scores_[0].top_drivers_up(0).message(),
            "the echoed value 80 is above 50");

  Score({{80, 40}}, v1::EXPLAIN_UNSPECIFIED);  // means SUMMARY
  EXPECT_EQ(scores_[0].top_drivers_up_size(), 1);
  EXPECT_EQ(scores_[0].dimensions(0).reasons_size(), 0);
}

TEST_F(EngineTest, AThrowingPluginFailsItsDimensionNotTheScore) {
  Load("{throw_on: 13}");
  auto statuses = Score({{13, 40}, {50, 60}});
  for (int row : {0, 1}) {
    ASSERT_TRUE(statuses[row].ok());
    const v1::DimensionResult& a = scores_[row].dimensions(0);
    EXPECT_EQ(a.status(), v1::DIMENSION_STATUS_FAILED);
    EXPECT_EQ(a.status_reason(), "test_echo@1.0.0 failed the batch: boom on x");
    EXPECT_EQ(a.reasons_size(), 0);
    // b carries the whole score.
    EXPECT_DOUBLE_EQ(scores_[row].dimensions(1).effective_weight(), 1);
    EXPECT_DOUBLE_EQ(scores_[row].coverage(), 0.25);
  }
  EXPECT_DOUBLE_EQ(scores_[0].score(), 40);
  EXPECT_DOUBLE_EQ(scores_[1].score(), 60);
}

TEST_F(EngineTest, ANaNScoreFailsOnlyTheCustomerConcerned) {
  Load("{nan_on: 7}");
  auto statuses = Score({{7, 40}, {90, 30}});
  ASSERT_TRUE(statuses[0].ok());
  EXPECT_EQ(scores_[0].dimensions(0).status(), v1::DIMENSION_STATUS_FAILED);
  EXPECT_EQ(scores_[0].dimensions(0).status_reason(),
            "test_echo@1.0.0 returned NaN");
  EXPECT_DOUBLE_EQ(scores_[0].score(), 40);
  EXPECT_EQ(scores_[1].dimensions(0).status(), v1::DIMENSION_STATUS_OK);
  EXPECT_DOUBLE_EQ(scores_[1].score(), (3 * 90 + 30) / 4.0);
}

TEST_F(EngineTest, AScoreOutside0To100FailsTheDimension) {
  Load("{scale: 2}");
  auto statuses = Score({{60, 40}, {30, 40}});
  EXPECT_EQ(scores_[0].dimensions(0).status(), v1::DIMENSION_STATUS_FAILED);
  EXPECT_EQ(scores_[0].dimensions(0).status_reason(),
            "test_echo@1.0.0 returned 120, outside 0-100");
  EXPECT_DOUBLE_EQ(scores_[0].score(), 40);
  EXPECT_DOUBLE_EQ(scores_[1].dimensions(0).score(), 60);
}

TEST_F(EngineTest, APluginCanFailOneRowWithItsOwnReason) {
  Load("{fail_on: 5}");
  auto statuses = Score({{5, 40}});
  EXPECT_EQ(scores_[0].dimensions(0).status(), v1::DIMENSION_STATUS_FAILED);
  EXPECT_THAT(scores_[0].dimensions(0).status_reason(),
              HasSubstr("cannot score x = 5"));
}

TEST_F(EngineTest, EveryDimensionFailingIsAnErrorNotAScore) {
  Load("{throw_on: 13}");
  auto statuses = Score({{13, kNaN}});
  EXPECT_EQ(statuses[0].code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(statuses[0].message(), HasSubstr("a: test_echo@1.0.0 failed"));
}

TEST(EngineNamedSignals, ScoresTheColumnsAnInstanceAskedFor) {
  Registry registry;
  ASSERT_TRUE(registry.LoadFile(testing::TestPlugin("test_named")).ok());
  auto spec = ParseScorecard(R"(scorecard: t
version: "1"
bands: [{name: red, grade: F, min: 0}]
dimensions:
  a: {plugin: test_named, weight: 1, params: {names: [beta, alpha]}}
)",
                             "named.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto snapshot = Snapshot::Build(*spec, registry);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  BatchColumns batch(2, 2);
  batch.at((*snapshot)->FindSignal("alpha"), 0) = 10;
  batch.at((*snapshot)->FindSignal("beta"), 0) = 30;
  std::vector<v1::CustomerScore> scores(2);
  std::vector<v1::CustomerScore*> out = {&scores[0], &scores[1]};
  auto statuses = ScoreColumns(**snapshot, batch, v1::EXPLAIN_NONE, out);
  ASSERT_TRUE(statuses[0].ok());
  EXPECT_DOUBLE_EQ(scores[0].score(), 20);
  EXPECT_EQ(statuses[1].code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(statuses[1].message(), HasSubstr("none of the named signals"));
}

}  // namespace
}  // namespace healthscore
