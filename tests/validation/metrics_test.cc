// The backtest metrics (server/validation/metrics.h) on cases small enough to
// work out by hand; tests/validation/sklearn_check.py compares them with
// scikit-learn on large ones.
#include "server/validation/metrics.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace healthscore::validation {
namespace {

using ::testing::HasSubstr;

constexpr double kTolerance = 1e-12;

// Four points, two of them tied at 0.8 (one churned, one not):
//   risk  0.9 0.8 0.8 0.1
//   label   1   0   1   0
const std::vector<double> kRisk = {0.9, 0.8, 0.8, 0.1};
const std::vector<uint8_t> kLabel = {1, 0, 1, 0};

void ExpectError(const absl::Status& status, absl::StatusCode code,
                 const std::string& text) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_THAT(status.message(), HasSubstr(text));
}

// --- Auc ---

TEST(AucTest, CountsATieBetweenTheClassesAsOneHalf) {
  // Churned x retained pairs: 0.9>0.8, 0.9>0.1, 0.8=0.8 (1/2), 0.8>0.1:
  // (1 + 1 + 0.5 + 1) / 4 = 0.875.
  absl::StatusOr<double> auc = Auc(kRisk, kLabel);
  ASSERT_TRUE(auc.ok()) << auc.status();
  EXPECT_NEAR(*auc, 0.875, kTolerance);
}

TEST(AucTest, IsOneForAPerfectRankingAndZeroForAReversedOne) {
  const std::vector<double> risk = {0.9, 0.7, 0.3, 0.1};
  EXPECT_EQ(*Auc(risk, std::vector<uint8_t>{1, 1, 0, 0}), 1.0);
  EXPECT_EQ(*Auc(risk, std::vector<uint8_t>{0, 0, 1, 1}), 0.0);
}

TEST(AucTest, IsOneHalfWhenEveryRiskIsTied) {
  // One threshold: the curve is the diagonal.
  const std::vector<double> risk(7, 0.4);
  EXPECT_EQ(*Auc(risk, std::vector<uint8_t>{1, 0, 0, 1, 0, 0, 0}), 0.5);
}

TEST(AucTest, DoesNotDependOnTheOrderOfThePoints) {
  const std::vector<double> risk = {0.1, 0.8, 0.9, 0.8};
  const std::vector<uint8_t> label = {0, 1, 1, 0};
  EXPECT_NEAR(*Auc(risk, label), 0.875, kTolerance);
}

TEST(AucTest, RefusesOneClassSayingTheCounts) {
  const std::vector<double> risk = {0.9, 0.5, 0.2};
  ExpectError(Auc(risk, std::vector<uint8_t>{1, 1, 1}).status(),
              absl::StatusCode::kFailedPrecondition,
              "3 churned and 0 retained");
  ExpectError(Auc(risk, std::vector<uint8_t>{0, 0, 0}).status(),
              absl::StatusCode::kFailedPrecondition,
              "0 churned and 3 retained");
}

TEST(AucTest, RefusesMalformedInputNamingTheIndexAndValue) {
  ExpectError(Auc(kRisk, std::vector<uint8_t>{1, 0, 1}).status(),
              absl::StatusCode::kInvalidArgument,
              "risk has 4 points but label has 3");
  ExpectError(Auc(kRisk, std::vector<uint8_t>{1, 2, 1, 0}).status(),
              absl::StatusCode::kInvalidArgument, "label[1] is 2");
  const std::vector<double> nan_risk = {0.9, std::nan(""), 0.8, 0.1};
  ExpectError(Auc(nan_risk, kLabel).status(),
              absl::StatusCode::kInvalidArgument, "risk[1] is nan");
  const std::vector<double> inf_risk = {
      0.9, 0.8, std::numeric_limits<double>::infinity(), 0.1};
  ExpectError(Auc(inf_risk, kLabel).status(),
              absl::StatusCode::kInvalidArgument, "risk[2] is inf");
  ExpectError(Auc({}, {}).status(), absl::StatusCode::kFailedPrecondition,
              "no points");
}

// --- AveragePrecision ---

TEST(AveragePrecisionTest, SumsPrecisionTimesRecallStepOverThresholds) {
  // P = 2. At 0.9: tp 1, fp 0, recall +1/2, precision 1/1.
  //        At 0.8: tp 2, fp 1, recall +1/2, precision 2/3.
  //        At 0.1: no recall step.
  // 1/2 * 1 + 1/2 * 2/3 = 5/6.
  EXPECT_NEAR(*AveragePrecision(kRisk, kLabel), 5.0 / 6.0, kTolerance);
}

TEST(AveragePrecisionTest, IsTheBaseRateWhenEveryRiskIsTied) {
  // One threshold: recall 0 -> 1 at precision 2/7.
  const std::vector<double> risk(7, 0.4);
  EXPECT_NEAR(
      *AveragePrecision(risk, std::vector<uint8_t>{1, 0, 0, 1, 0, 0, 0}),
      2.0 / 7.0, kTolerance);
}

TEST(AveragePrecisionTest, IsOneWithoutRetainedPointsAndRefusesNoChurned) {
  const std::vector<double> risk = {0.9, 0.5};
  EXPECT_EQ(*AveragePrecision(risk, std::vector<uint8_t>{1, 1}), 1.0);
  ExpectError(AveragePrecision(risk, std::vector<uint8_t>{0, 0}).status(),
              absl::StatusCode::kFailedPrecondition,
              "0 churned and 2 retained");
}

// --- Brier ---

TEST(BrierTest, IsTheMeanSquaredErrorOfTheRisk) {
  // (1-0.9)^2 + (0-0.8)^2 + (1-0.8)^2 + (0-0.1)^2 = 0.01 + 0.64 + 0.04 + 0.01
  // = 0.70, over 4 points = 0.175.
  EXPECT_NEAR(*Brier(kRisk, kLabel), 0.175, kTolerance);
}

TEST(BrierTest, AcceptsOneClassAndRefusesARiskOutsideZeroToOne) {
  EXPECT_NEAR(*Brier(std::vector<double>{0.5, 1.0}, std::vector<uint8_t>{1, 1}),
              0.125, kTolerance);
  ExpectError(
      Brier(std::vector<double>{0.5, 1.5}, std::vector<uint8_t>{1, 0}).status(),
      absl::StatusCode::kInvalidArgument, "risk[1] is 1.5");
  ExpectError(
      Brier(std::vector<double>{-0.25}, std::vector<uint8_t>{1}).status(),
      absl::StatusCode::kInvalidArgument, "within [0, 1]");
}

// --- TopDecileLift ---

TEST(TopDecileLiftTest, IsTheTopTenPercentChurnRateOverTheBaseRate) {
  // 20 points: the top ceil(2) = 2 both churned (rate 1); 4 of 20 churned
  // overall (rate 0.2): lift 5.
  std::vector<double> risk;
  std::vector<uint8_t> label;
  for (int i = 0; i < 20; ++i) {
    risk.push_back(1.0 - i / 20.0);
    label.push_back(i < 2 || i == 10 || i == 15 ? 1 : 0);
  }
  EXPECT_NEAR(*TopDecileLift(risk, label), 5.0, kTolerance);
}

TEST(TopDecileLiftTest, KeepsEveryPointTiedWithTheCutoffWhateverTheOrder) {
  // 10 points: the top ceil(1) = 1 has risk 0.9, tied with two more, so the
  // group is those 3 with 1 churned (1/3); base 2/10: lift (1/3)/(1/5) = 5/3.
  const std::vector<uint8_t> label = {1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  const std::vector<double> risk = {0.9, 0.9, 0.9, 0.1, 0.1,
                                    0.1, 0.1, 0.1, 0.1, 0.1};
  EXPECT_NEAR(*TopDecileLift(risk, label), 5.0 / 3.0, kTolerance);
  const std::vector<uint8_t> reordered_label = {0, 0, 0, 0, 0, 1, 0, 0, 0, 1};
  const std::vector<double> reordered_risk = {0.1, 0.9, 0.1, 0.1, 0.9,
                                              0.1, 0.1, 0.1, 0.1, 0.9};
  EXPECT_NEAR(*TopDecileLift(reordered_risk, reordered_label), 5.0 / 3.0,
              kTolerance);
}

TEST(TopDecileLiftTest, IsOneWhenEveryRiskIsTiedAndRefusesNoChurned) {
  const std::vector<double> risk(5, 0.3);
  EXPECT_EQ(*TopDecileLift(risk, std::vector<uint8_t>{0, 1, 0, 0, 1}), 1.0);
  ExpectError(TopDecileLift(risk, std::vector<uint8_t>(5, 0)).status(),
              absl::StatusCode::kFailedPrecondition, "0 churned");
}

// --- Wilson ---

TEST(WilsonTest, MatchesTheScoreIntervalWorkedByHand) {
  // 5 of 10 at z = 1.959964 (z^2 = 3.841459): centre 0.5, half-width
  // z * sqrt(0.25/10 + z^2/400) / (1 + z^2/10)
  //   = 1.959964 * sqrt(0.0346036) / 1.3841459 = 0.3645934 / 1.3841459
  //   = 0.2634069.
  const Interval half = Wilson(5, 10);
  EXPECT_NEAR(half.low, 0.5 - 0.2634069, 1e-6);
  EXPECT_NEAR(half.high, 0.5 + 0.2634069, 1e-6);
  // 0 of 10: [0, z^2 / (10 + z^2)] = [0, 3.841459 / 13.841459] =
  // [0, 0.2775328].
  const Interval none = Wilson(0, 10);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 0.2775328, 1e-6);
  const Interval all = Wilson(10, 10);
  EXPECT_NEAR(all.low, 1 - 0.2775328, 1e-6);
  EXPECT_EQ(all.high, 1.0);
}

TEST(WilsonTest, IsZeroToOneWithoutTrialsAndNarrowsWithMore) {
  const Interval empty = Wilson(0, 0);
  EXPECT_EQ(empty.low, 0.0);
  EXPECT_EQ(empty.high, 1.0);
  const Interval few = Wilson(20, 100);
  const Interval many = Wilson(2000, 10000);
  EXPECT_LT(many.high - many.low, few.high - few.low);
  EXPECT_LT(many.low, 0.2);
  EXPECT_GT(many.high, 0.2);
  // A wider z widens the interval.
  EXPECT_LT(Wilson(20, 100, 2.576).low, few.low);
}

// --- RocCurve ---

TEST(RocCurveTest, HasOnePointPerThresholdFromOriginToOne) {
  // (0,0); 0.9: tp 1 fp 0; 0.8: tp 2 fp 1; 0.1: tp 2 fp 2. P = N = 2.
  const std::vector<RocPoint> curve = *RocCurve(kRisk, kLabel);
  ASSERT_EQ(curve.size(), 4u);
  const double want[4][2] = {{0, 0}, {0, 0.5}, {0.5, 1}, {1, 1}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(curve[i].fpr, want[i][0]) << i;
    EXPECT_EQ(curve[i].tpr, want[i][1]) << i;
  }
}

TEST(RocCurveTest, DropsPointsOnAStraightLine) {
  // Counts (fp, tp): (0,0) (0,1) (0,2) (1,2) (2,2): the middle of each run
  // of collinear points goes, leaving the corners (0,0) (0,1) (1,1).
  const std::vector<RocPoint> curve =
      *RocCurve(std::vector<double>{0.9, 0.8, 0.7, 0.6},
                std::vector<uint8_t>{1, 1, 0, 0});
  ASSERT_EQ(curve.size(), 3u);
  EXPECT_EQ(curve[1].fpr, 0.0);
  EXPECT_EQ(curve[1].tpr, 1.0);
  EXPECT_EQ(curve[2].fpr, 1.0);
}

// The trapezoid area under a curve.
double Area(const std::vector<RocPoint>& curve) {
  double area = 0;
  for (size_t i = 1; i < curve.size(); ++i) {
    area += (curve[i].fpr - curve[i - 1].fpr) *
            (curve[i].tpr + curve[i - 1].tpr) / 2;
  }
  return area;
}

TEST(RocCurveTest, ThinsEvenlyKeepingBothEndsAndUnthinnedHasTheAuc) {
  // 1000 distinct risks with labels in a pattern that makes every threshold
  // a corner.
  std::vector<double> risk;
  std::vector<uint8_t> label;
  for (int i = 0; i < 1000; ++i) {
    risk.push_back(1.0 - i / 1000.0);
    label.push_back(i % 3 == 0 || i % 7 == 0 ? 1 : 0);
  }
  const std::vector<RocPoint> full = *RocCurve(risk, label, 100000);
  EXPECT_GT(full.size(), 101u);
  EXPECT_NEAR(Area(full), *Auc(risk, label), 1e-12);

  const std::vector<RocPoint> thin = *RocCurve(risk, label, 11);
  ASSERT_EQ(thin.size(), 11u);
  EXPECT_EQ(thin.front().fpr, 0.0);
  EXPECT_EQ(thin.front().tpr, 0.0);
  EXPECT_EQ(thin.back().fpr, 1.0);
  EXPECT_EQ(thin.back().tpr, 1.0);
  for (size_t i = 1; i < thin.size(); ++i) {
    EXPECT_GE(thin[i].fpr, thin[i - 1].fpr);
    EXPECT_GE(thin[i].tpr, thin[i - 1].tpr);
  }
  // Evenly by index: thin[j] is full[round(j * (m - 1) / 10)], so thin[5]
  // is the middle corner of the full curve (rounding half up).
  const size_t middle = (5 * (full.size() - 1) + 5) / 10;
  EXPECT_EQ(thin[5].fpr, full[middle].fpr);
  EXPECT_EQ(thin[5].tpr, full[middle].tpr);
}

TEST(RocCurveTest, RefusesFewerThanTwoPointsOrOneClass) {
  ExpectError(RocCurve(kRisk, kLabel, 1).status(),
              absl::StatusCode::kInvalidArgument, "max_points is 1");
  ExpectError(RocCurve(kRisk, std::vector<uint8_t>(4, 1)).status(),
              absl::StatusCode::kFailedPrecondition,
              "4 churned and 0 retained");
}

// --- Calibration ---

TEST(CalibrationTest, CutsEqualCountBinsKeepingTiesTogether) {
  // Scores sorted: 10 20 20 20 | 30 40 | 50 60 | 70 80 with bins = 5, so
  // nominal cuts after 2, 4, 6, 8, 10 points. The cut after 2 falls inside
  // the run of 20s and moves to its end (4 points); the cut after 4 is then
  // already passed, so that bin is empty and left out: 4 bins.
  // Labels by sorted score: 10:1 20:1 20:0 20:1 | 30:0 40:0 | 50:1 60:0 |
  // 70:0 80:0. Given shuffled, as a store would return them.
  const std::vector<double> scores = {50, 20, 80, 10, 20, 40, 60, 20, 30, 70};
  const std::vector<uint8_t> label = {1, 1, 0, 1, 0, 0, 0, 1, 0, 0};
  const std::vector<CalibrationBin> table = *Calibration(scores, label, 5);
  ASSERT_EQ(table.size(), 4u);

  EXPECT_EQ(table[0].min_score, 10);
  EXPECT_EQ(table[0].max_score, 20);
  EXPECT_EQ(table[0].points, 4);
  EXPECT_EQ(table[0].churned, 3);
  EXPECT_NEAR(table[0].churn_rate, 0.75, kTolerance);
  // Risks 0.9 0.8 0.8 0.8: mean 0.825.
  EXPECT_NEAR(table[0].mean_risk, 0.825, kTolerance);

  EXPECT_EQ(table[1].min_score, 30);
  EXPECT_EQ(table[1].max_score, 40);
  EXPECT_EQ(table[1].points, 2);
  EXPECT_EQ(table[1].churned, 0);
  EXPECT_NEAR(table[1].mean_risk, 0.65, kTolerance);

  EXPECT_EQ(table[2].points, 2);
  EXPECT_NEAR(table[2].churn_rate, 0.5, kTolerance);
  EXPECT_NEAR(table[2].mean_risk, 0.45, kTolerance);

  EXPECT_EQ(table[3].min_score, 70);
  EXPECT_EQ(table[3].max_score, 80);
  EXPECT_NEAR(table[3].mean_risk, 0.25, kTolerance);
}

TEST(CalibrationTest, GivesDecilesOfEqualCountWithoutTies) {
  // Scores 0, 5, ..., 95: ten bins of two.
  std::vector<double> scores;
  std::vector<uint8_t> label;
  for (int i = 0; i < 20; ++i) {
    scores.push_back(5.0 * i);
    label.push_back(i < 4 ? 1 : 0);
  }
  const std::vector<CalibrationBin> table = *Calibration(scores, label);
  ASSERT_EQ(table.size(), 10u);
  int64_t total = 0;
  for (size_t b = 0; b < table.size(); ++b) {
    EXPECT_EQ(table[b].points, 2) << b;
    EXPECT_EQ(table[b].min_score, 10.0 * b) << b;
    EXPECT_EQ(table[b].max_score, 10.0 * b + 5) << b;
    total += table[b].points;
  }
  EXPECT_EQ(total, 20);
  EXPECT_EQ(table[0].churn_rate, 1.0);
  EXPECT_EQ(table[9].churn_rate, 0.0);
}

TEST(CalibrationTest, PutsEqualScoresInOneBin) {
  const std::vector<CalibrationBin> table = *Calibration(
      std::vector<double>(6, 42), std::vector<uint8_t>{1, 0, 0, 0, 0, 0});
  ASSERT_EQ(table.size(), 1u);
  EXPECT_EQ(table[0].points, 6);
  EXPECT_NEAR(table[0].mean_risk, 0.58, kTolerance);
}

TEST(CalibrationTest, RefusesAScoreOutsideZeroToHundredOrNoBins) {
  ExpectError(
      Calibration(std::vector<double>{50, 101}, std::vector<uint8_t>{1, 0})
          .status(),
      absl::StatusCode::kInvalidArgument, "score[1] is 101");
  ExpectError(
      Calibration(std::vector<double>{50}, std::vector<uint8_t>{1}, 0).status(),
      absl::StatusCode::kInvalidArgument, "bins is 0");
}

// --- Median ---

TEST(MedianTest, IsTheMiddleValueOrTheMeanOfTheTwoMiddleOnes) {
  EXPECT_EQ(*Median({3, 1, 2}), 2.0);
  EXPECT_EQ(*Median({40, 10, 30, 20}), 25.0);
  EXPECT_EQ(*Median({7}), 7.0);
  EXPECT_EQ(*Median({5, 5, 1, 9, 5, 5}), 5.0);
}

TEST(MedianTest, RefusesNoValuesOrANaN) {
  ExpectError(Median({}).status(), absl::StatusCode::kFailedPrecondition,
              "no values");
  ExpectError(Median({1, std::nan("")}).status(),
              absl::StatusCode::kInvalidArgument, "value[1] is NaN");
}

}  // namespace
}  // namespace healthscore::validation
