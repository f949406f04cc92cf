// The YAML depth check that runs before yaml-cpp: real scorecards pass, every
// way of nesting deeply is refused with the line, and what is not nesting
// (quoted text, comments, block scalars) is not counted.
#include "server/config/yaml_depth.h"

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/config/scorecard.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

std::string Repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

TEST(YamlDepth, EveryScorecardInTheTreePasses) {
  int checked = 0;
  for (const char* dir : {"scorecards", "tests/data"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(testing::SourceDir() / dir)) {
      if (entry.path().extension() != ".yaml") continue;
      EXPECT_TRUE(
          CheckYamlDepth(testing::ReadFile(entry.path()), entry.path().string())
              .ok())
          << entry.path();
      ++checked;
    }
  }
  EXPECT_GE(checked, 2);
}

TEST(YamlDepth, RefusesTenThousandNestedListsWithTheLine) {
  const std::string text =
      "scorecard: deep\nversion: \"1\"\nparams: " + Repeat("[", 10000) +
      Repeat("]", 10000) + "\n";
  const absl::Status status = CheckYamlDepth(text, "deep.yaml");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "deep.yaml:3: nesting: more than 64 levels deep; the limit is 64 "
            "(a scorecard needs fewer than 10), so the text is refused before "
            "it is parsed");
}

TEST(YamlDepth, RefusesEveryFormOfDeepNesting) {
  std::string indented;  // a: / ␣a: / ␣␣a: ...
  for (int i = 0; i < 2000; ++i) {
    indented += std::string(i, ' ') + "a:\n";
  }
  // Each is refused at the line where it passes 64 levels: line 1 or 2 for
  // the one-line forms, line 65 for a level per line.
  struct Case {
    std::string name;
    std::string text;
    int line;
  };
  const Case cases[] = {
      {"flow mappings",
       "a: " + Repeat("{a: ", 10000) + "1" + Repeat("}", 10000) + "\n", 1},
      {"dash chain", "a:\n  " + Repeat("- ", 10000) + "x\n", 2},
      {"indented mappings", indented, 65},
      {"lists over lines", "a:\n" + Repeat("[\n", 10000), 65},
      {"anchored lists", "a: &x " + Repeat("[", 100) + "\n", 1},
  };
  for (const Case& c : cases) {
    const absl::Status status = CheckYamlDepth(c.text, "deep.yaml");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(std::string(status.message()),
              absl::StrCat("deep.yaml:", c.line,
                           ": nesting: more than 64 levels deep; the limit is "
                           "64 (a scorecard needs fewer than 10), so the text "
                           "is refused before it is parsed"))
        << c.name;
  }
}

TEST(YamlDepth, CountsToTheLimitExactly) {
  // The top-level mapping is one level; 63 lists inside it make 64.
  EXPECT_TRUE(
      CheckYamlDepth("a: " + Repeat("[", 63) + Repeat("]", 63), "ok").ok());
  EXPECT_FALSE(
      CheckYamlDepth("a: " + Repeat("[", 64) + Repeat("]", 64), "deep").ok());
  EXPECT_TRUE(CheckYamlDepth("a: " + Repeat("[", 9) + Repeat("]", 9), "ok",
                             /*max_depth=*/10)
                  .ok());
}

TEST(YamlDepth, DoesNotCountTextThatOnlyLooksNested) {
  const std::string brackets = Repeat("[", 100);
  const std::string text = "say: '" + brackets + "'\n" +  //
                           "said: \"" + brackets + "\\\"" +
                           "\"\n" +                  // escaped quote inside
                           "# " + brackets + "\n" +  // a comment
                           "plain: visits " + brackets +
                           " per week\n"   // inside a plain scalar
                           "rules: |\n" +  // a block scalar
                           "  " +
                           brackets + "\n" +                     //
                           "  - - - - - - - -\n" +               //
                           "folded: >-\n  " + brackets + "\n" +  //
                           "after: 1\n";
  EXPECT_TRUE(CheckYamlDepth(text, "flat.yaml").ok())
      << CheckYamlDepth(text, "flat.yaml");
}

TEST(YamlDepth, ParseScorecardRefusesDeepNestingBeforeYamlCppRecurses) {
  // Without the check yaml-cpp would say only "bad file", after ~200 KB of
  // stack; every path that parses a scorecard goes through ParseScorecard.
  const std::string text = "a: " + Repeat("[", 10000) + Repeat("]", 10000);
  auto parsed = ParseScorecard(text, "deep.yaml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "deep.yaml:1: nesting: more than 64 levels deep; the limit is 64 "
            "(a scorecard needs fewer than 10), so the text is refused before "
            "it is parsed");
}

}  // namespace
}  // namespace healthscore
