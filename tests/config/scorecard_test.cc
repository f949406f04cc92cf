// Scorecard parsing and validation: each error case with its message.
#include "server/config/scorecard.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/engine/snapshot.h"
#include "server/registry/registry.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

constexpr char kBands[] = R"(
bands:
  - {name: green, grade: A, min: 80}
  - {name: yellow, grade: C, min: 50}
  - {name: red, grade: F, min: 0}
)";

std::string Card(const std::string& dimensions,
                 const std::string& bands = kBands) {
  return "scorecard: test\nversion: \"1\"\n" + bands + "dimensions:\n" +
         dimensions;
}

std::string ErrorOf(const std::string& yaml) {
  auto spec = ParseScorecard(yaml, "card.yaml");
  EXPECT_FALSE(spec.ok());
  return spec.ok() ? "" : std::string(spec.status().message());
}

TEST(Scorecard, ParsesAValidScorecard) {
  auto spec = ParseScorecard(Card(R"(
  a: {plugin: test_echo, weight: 3, params: {scale: 2}}
  b: {plugin: test_echo@1.0.0, weight: 1}
)"),
                             "card.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->name, "test");
  EXPECT_EQ(spec->version, "1");
  EXPECT_EQ(spec->missing_data, "renormalize");
  ASSERT_EQ(spec->dimensions.size(), 2u);
  EXPECT_EQ(spec->dimensions[0].name, "a");
  EXPECT_EQ(spec->dimensions[0].weight, 3);
  ASSERT_EQ(spec->dimensions[0].params.size(), 1u);
  EXPECT_EQ(spec->dimensions[0].params[0].value, 2);
  EXPECT_EQ(spec->dimensions[1].plugin_ref, "test_echo@1.0.0");
  ASSERT_EQ(spec->bands.size(), 3u);
  EXPECT_EQ(spec->bands[0].name, "green");
  EXPECT_EQ(spec->bands[2].min, 0);
  EXPECT_EQ(spec->hash.size(), 64u);
}

TEST(Scorecard, SortsBandsHighestFirst) {
  auto spec = ParseScorecard(Card("  a: {plugin: p, weight: 1}\n", R"(
bands:
  - {name: red, grade: F, min: 0}
  - {name: green, grade: A, min: 80}
)"),
                             "card.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->bands[0].grade, "A");
  EXPECT_EQ(spec->bands[1].grade, "F");
}

TEST(Scorecard, HashIsTheSha256OfTheBytes) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string text = Card("  a: {plugin: p, weight: 1}\n");
  EXPECT_EQ(ParseScorecard(text, "x")->hash, Sha256Hex(text));
}

// Each message is pinned whole, file:line included (docs/scorecards.md). The
// line is where the offending value starts: Card() puts `bands:` on line 4,
// the bands on 5-7, `dimensions:` on 8 and the first dimension on 9.
TEST(Scorecard, RefusesMalformedYamlWithItsPosition) {
  EXPECT_EQ(ErrorOf("scorecard: [unclosed\n"),
            "card.yaml:2:1: invalid YAML: end of sequence flow not found");
}

TEST(Scorecard, RefusesANonMapping) {
  EXPECT_EQ(ErrorOf("- just\n- a list\n"),
            "card.yaml:1: (top level): expected a mapping with scorecard, "
            "version, bands and dimensions");
}

TEST(Scorecard, RefusesMissingRequiredFields) {
  EXPECT_EQ(ErrorOf("version: 1\n"), "card.yaml:1: scorecard: is required");
  EXPECT_EQ(ErrorOf(Card("  a: {weight: 1}\n")),
            "card.yaml:9: dimensions.a.plugin: is required");
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p}\n")),
            "card.yaml:9: dimensions.a.weight: is required");
  EXPECT_EQ(ErrorOf("scorecard: t\nversion: 1\ndimensions: {a: {plugin: p, "
                    "weight: 1}}\n"),
            "card.yaml:1: bands: is required");
}

TEST(Scorecard, RefusesUnknownFieldsRatherThanIgnoringThem) {
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p, wieght: 1}\n")),
            "card.yaml:9: dimensions.a.wieght: unknown field; expected one of "
            "plugin, weight, params, warn_below, isolation, time_budget_ms");
}

TEST(Scorecard, RefusesANegativeWeight) {
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p, weight: -5}\n")),
            "card.yaml:9: dimensions.a.weight: -5 is negative; weights must "
            "be >= 0");
}

TEST(Scorecard, RefusesAZeroTotalWeight) {
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p, weight: 0}\n  b: {plugin: p, "
                         "weight: 0}\n")),
            "card.yaml:9: dimensions: the weights add up to 0; the total "
            "weight must be above 0");
}

TEST(Scorecard, RefusesAWeightThatIsNotANumber) {
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p, weight: heavy}\n")),
            "card.yaml:9: dimensions.a.weight: expected a number, got 'heavy'");
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p, weight: .nan}\n")),
            "card.yaml:9: dimensions.a.weight: .nan is not a finite number");
}

TEST(Scorecard, RefusesADimensionDefinedTwice) {
  // The second definition, on line 10.
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p, weight: 1}\n  a: {plugin: p, "
                         "weight: 2}\n")),
            "card.yaml:10: dimensions.a: is defined twice");
}

TEST(Scorecard, RefusesOverlappingBands) {
  // The band that repeats a min, lime on line 6.
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p, weight: 1}\n", R"(
bands:
  - {name: green, grade: A, min: 80}
  - {name: lime, grade: B, min: 80}
  - {name: red, grade: F, min: 0}
)")),
            "card.yaml:6: bands: bands green/A and lime/B overlap: both start "
            "at min 80");
}

TEST(Scorecard, RefusesBandsThatLeaveScoresWithoutABand) {
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p, weight: 1}\n", R"(
bands:
  - {name: green, grade: A, min: 80}
  - {name: yellow, grade: C, min: 40}
)")),
            "card.yaml:5: bands: scores from 0 up to 40 have no band; the "
            "lowest band must have min: 0");
  // `bands: []` is on line 3 here (no blank line before it).
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p, weight: 1}\n", "bands: []\n")),
            "card.yaml:3: bands: expected a list of {name, grade, min}, with "
            "at least one band");
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p, weight: 1}\n", R"(
bands:
  - {name: green, grade: A, min: 120}
  - {name: red, grade: F, min: 0}
)")),
            "card.yaml:5: bands[0].min: 120 is outside 0-100");
}

TEST(Scorecard, RefusesAnUnsupportedMissingDataPolicy) {
  EXPECT_EQ(
      ErrorOf("missing_data: guess\n" + Card("  a: {plugin: p, weight: 1}\n")),
      "card.yaml:1: missing_data: 'guess' is not supported; expected "
      "renormalize");
}

// docs/scorecards.md documents these two; each message pinned whole.
TEST(Scorecard, RefusesAnIsolationItDoesNotKnow) {
  EXPECT_EQ(ErrorOf(Card("  a: {plugin: p, weight: 1, isolation: sideways}\n")),
            "card.yaml:9: dimensions.a.isolation: 'sideways' is not an "
            "isolation; expected in_process or process");
}

TEST(Scorecard, RefusesANotActionableSignalListedTwice) {
  EXPECT_EQ(ErrorOf("not_actionable: [x, y,\n  x]\n" +
                    Card("  a: {plugin: p, weight: 1}\n")),
            "card.yaml:2: not_actionable[2]: 'x' is listed twice (also as "
            "not_actionable[0])");
}

TEST(Scorecard, ReadsTrendWindowsAndDefaultsThem) {
  const std::string dims = "  a: {plugin: p, weight: 1}\n";
  auto spec = ParseScorecard(Card(dims), "card.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->trend_windows_days, (std::vector<int>{7, 30, 90}));
  // The file's bytes are kept, to be stored beside recorded scores.
  EXPECT_EQ(spec->text, Card(dims));
  spec = ParseScorecard("trend: {windows_days: [14, 28]}\n" + Card(dims),
                        "card.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->trend_windows_days, (std::vector<int>{14, 28}));
}

TEST(Scorecard, RefusesBadTrendWindows) {
  const std::string dims = "  a: {plugin: p, weight: 1}\n";
  EXPECT_EQ(ErrorOf("trend: {windows_days: [30, 7]}\n" + Card(dims)),
            "card.yaml:1: trend.windows_days[1]: 7 is not above the window "
            "before it (30); list windows shortest first, once each");
  EXPECT_EQ(ErrorOf("trend: {windows_days: [7.5]}\n" + Card(dims)),
            "card.yaml:1: trend.windows_days[0]: 7.5 is not a whole number of "
            "days from 1 to 3660");
  EXPECT_EQ(ErrorOf("trend: {windows_days: []}\n" + Card(dims)),
            "card.yaml:1: trend.windows_days: expected a list of 1 to 8 day "
            "counts, got a list");
  EXPECT_EQ(
      ErrorOf("trend: {windows_days: [1,2,3,4,5,6,7,8,9]}\n" + Card(dims)),
      "card.yaml:1: trend.windows_days: 9 windows; the limit is 8");
  EXPECT_EQ(ErrorOf("trend: {window_days: [7]}\n" + Card(dims)),
            "card.yaml:1: trend.window_days: unknown field; expected one of "
            "windows_days");
  EXPECT_EQ(ErrorOf("trend: 7\n" + Card(dims)),
            "card.yaml:1: trend: expected a mapping like "
            "{windows_days: [7, 30, 90]}, got '7'");
}

TEST(Scorecard, ReadsFilesAndNamesTheMissingOne) {
  auto missing = LoadScorecardFile("/nonexistent/card.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "cannot read scorecard /nonexistent/card.yaml");
}

// Checks that need the plugins: done when the snapshot binds them.
class SnapshotBinding : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_.LoadFile(testing::TestPlugin("test_echo")).ok());
    ASSERT_TRUE(registry_.LoadFile(testing::TestPlugin("test_named")).ok());
  }
  std::shared_ptr<const Snapshot> Build(const std::string& dims) {
    auto spec = ParseScorecard(Card(dims), "card.yaml");
    EXPECT_TRUE(spec.ok()) << spec.status();
    if (!spec.ok()) return nullptr;
    auto snapshot = Snapshot::Build(*spec, registry_);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    return snapshot.ok() ? *snapshot : nullptr;
  }
  std::string BuildError(const std::string& dims) {
    auto spec = ParseScorecard(Card(dims), "card.yaml");
    EXPECT_TRUE(spec.ok()) << spec.status();
    if (!spec.ok()) return "";
    auto snapshot = Snapshot::Build(*spec, registry_);
    EXPECT_FALSE(snapshot.ok());
    return snapshot.ok() ? "" : std::string(snapshot.status().message());
  }
  Registry registry_;
};

TEST_F(SnapshotBinding, RefusesAnUnknownPlugin) {
  EXPECT_EQ(BuildError("  a: {plugin: nope, weight: 1}\n"),
            "card.yaml:9: dimensions.a.plugin: unknown plugin "
            "'nope'; the registry has test_echo@1.0.0, "
            "test_named@1.0.0");
}

TEST_F(SnapshotBinding, RefusesTextWhereTheParameterIsANumber) {
  EXPECT_EQ(
      BuildError("  a: {plugin: test_echo, weight: 1, params: {scale: big}}\n"),
      "card.yaml:9: dimensions.a.params.scale: expected a number, "
      "got 'big'");
  EXPECT_EQ(
      BuildError("  a: {plugin: test_echo, weight: 1, params: {scale: [1]}}\n"),
      "card.yaml:9: dimensions.a.params.scale: expected a number, got "
      "'[1]'");
}

TEST_F(SnapshotBinding, BindsTheSignalsAnInstanceAsksFor) {
  // A text parameter as a string, and as a YAML list (passed as YAML text).
  auto snapshot = Build(
      "  a: {plugin: test_named, weight: 1, params: {names: 'alpha, beta'}}\n"
      "  b: {plugin: test_named, weight: 1, params: {names: [beta, gamma]}}\n"
      "  c: {plugin: test_named, weight: 1}\n");
  ASSERT_NE(snapshot, nullptr);
  const Snapshot& s = *snapshot;
  ASSERT_EQ(s.signals().size(), 3u);
  EXPECT_EQ(s.signals()[0].name, "alpha");
  EXPECT_EQ(s.signals()[1].name, "beta");
  EXPECT_EQ(s.signals()[2].name, "gamma");
  EXPECT_EQ(s.dimensions()[0].signal_columns, (std::vector<int>{0, 1}));
  EXPECT_EQ(s.dimensions()[1].signal_columns, (std::vector<int>{1, 2}));
  EXPECT_EQ(s.dimensions()[2].signal_columns, (std::vector<int>{0}));
  const auto& dims = s.scorecard_proto().dimensions();
  EXPECT_EQ(dims[0].text_params().at("names"), "alpha, beta");
  EXPECT_EQ(dims[1].text_params().at("names"), "[beta, gamma]");
  EXPECT_EQ(dims[2].text_params().at("names"), "alpha");  // the default
  EXPECT_EQ(dims[1].signals(1), "gamma");
}

TEST_F(SnapshotBinding, ReportsAnInstanceWhoseSignalsAreInvalid) {
  EXPECT_EQ(
      BuildError("  a: {plugin: test_named, weight: 1, params: {names: 'x, "
                 "Bad-Name'}}\n"),
      "card.yaml:9: dimensions.a: test_named@1.0.0 instance for a: "
      "signals[1] name 'Bad-Name' is not an identifier ([a-z][a-z0-9_]*)");
}

TEST_F(SnapshotBinding, RefusesAnUnknownParameter) {
  EXPECT_EQ(
      BuildError("  a: {plugin: test_echo, weight: 1, params: {scael: 2}}\n"),
      "card.yaml:9: dimensions.a.params.scael: unknown parameter "
      "for plugin test_echo@1.0.0; it takes: use_y, scale, "
      "throw_on, nan_on, fail_on, refuse");
}

TEST_F(SnapshotBinding, RefusesAParameterOutsideItsBounds) {
  EXPECT_EQ(
      BuildError("  a: {plugin: test_echo, weight: 1, params: {scale: 11}}\n"),
      "card.yaml:9: dimensions.a.params.scale: 11 is above the maximum 10");
  EXPECT_EQ(
      BuildError("  a: {plugin: test_echo, weight: 1, params: {scale: -1}}\n"),
      "card.yaml:9: dimensions.a.params.scale: -1 is below the minimum 0");
}

TEST_F(SnapshotBinding, ReportsAPluginThatRefusesItsParameters) {
  EXPECT_EQ(
      BuildError("  a: {plugin: test_echo, weight: 1, params: {refuse: 1}}\n"),
      "card.yaml:9: dimensions.a: plugin test_echo@1.0.0 refused "
      "its parameters: refuse is 1, so the parameters are refused");
}

TEST_F(SnapshotBinding, RefusesANotActionableSignalNoDimensionReads) {
  auto spec = ParseScorecard("not_actionable: [x,\n  layoffs_pct]\n" +
                                 Card("  a: {plugin: test_echo, weight: 1}\n"),
                             "card.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto snapshot = Snapshot::Build(*spec, registry_);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().message(),
            "card.yaml:2: not_actionable[1]: 'layoffs_pct' is read by no "
            "dimension");
}

TEST_F(SnapshotBinding, BindsParametersWithDefaultsAndSignalBounds) {
  auto spec = ParseScorecard(
      Card("  a: {plugin: test_echo, weight: 3, params: {scale: 2}}\n"),
      "card.yaml");
  ASSERT_TRUE(spec.ok());
  auto snapshot = Snapshot::Build(*spec, registry_);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const Snapshot& s = **snapshot;
  ASSERT_EQ(s.dimensions().size(), 1u);
  const std::vector<ParamValue>& params = s.dimensions()[0].instance->params();
  ASSERT_EQ(params.size(), 6u);
  EXPECT_EQ(params[0].value, 0);  // use_y default
  EXPECT_EQ(params[1].value, 2);  // scale as set
  ASSERT_EQ(s.signals().size(), 2u);
  EXPECT_EQ(s.signals()[s.FindSignal("x")].max, 100);
  EXPECT_EQ(s.FindSignal("nope"), -1);
  EXPECT_EQ(s.BandFor(80).grade, "A");
  EXPECT_EQ(s.BandFor(79.99).grade, "C");
  EXPECT_EQ(s.BandFor(0).grade, "F");
  EXPECT_EQ(s.provenance().plugins(0), "test_echo@1.0.0");
  EXPECT_EQ(s.scorecard_proto().dimensions(0).params().at("scale"), 2);
}

}  // namespace
}  // namespace healthscore
