// Loading plugins the real way: real .so files through Boost.DLL.
#include <cmath>
#include <set>
#include <string>
#include <vector>

// Boost 1.74's library_info.hpp uses std::vector without including <vector>:
// it must come after it, in a block of its own so that sorting keeps it there.
#include <boost/dll/library_info.hpp>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/plugin/instance.h"
#include "server/plugin/plugin.h"
#include "server/registry/registry.h"
#include "tests/test_util.h"

namespace healthscore {
namespace {

using ::healthscore::testing::MakeTempDir;
using ::healthscore::testing::TestPlugin;
using ::healthscore::testing::WriteFile;
using ::testing::HasSubstr;

TEST(PluginLoader, LoadsAGoodPluginAndReadsItsDeclaration) {
  auto plugin = Plugin::Load(TestPlugin("test_echo"));
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  const Plugin& p = **plugin;
  EXPECT_EQ(p.name(), "test_echo");
  EXPECT_EQ(p.version(), "1.0.0");
  EXPECT_EQ(p.id(), "test_echo@1.0.0");
  EXPECT_EQ(AbiVersionString(p.abi_version()), "2.0");
  ASSERT_EQ(p.signals().size(), 2u);
  EXPECT_EQ(p.signals()[0].name, "x");
  EXPECT_EQ(p.signals()[0].max, 100);
  EXPECT_FALSE(p.signals()[0].required);
  ASSERT_EQ(p.params().size(), 6u);
  EXPECT_EQ(p.params()[1].name, "scale");
  EXPECT_EQ(p.params()[1].default_value, 1);
  ASSERT_EQ(p.rules().size(), 1u);
  EXPECT_EQ(p.rules()[0].id, "echo");
  EXPECT_EQ(p.rules()[0].raises.source(),
            "the echoed value {observed} is above 50");
  ASSERT_EQ(p.actions().size(), 2u);
  EXPECT_EQ(p.actions()[1].id, "raise_y");
}

TEST(PluginLoader, RefusesAnAbi1PluginSayingHowToRebuild) {
  auto plugin = Plugin::Load(TestPlugin("test_abi_v1"));
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      plugin.status().message(),
      HasSubstr("libtest_abi_v1.so: built for plugin ABI 1.0 (SDK 1.x); this "
                "server loads ABI 2.x plugins only. Rebuild it against SDK "
                "2.0: docs/plugin-sdk.md, \"From 1.x to 2.0\", says what "
                "changes"));
}

// A rule declaration as a plugin would give it, for ReadRules.
hs_rule_decl Rule(const char* id, const char* signal, const char* raises,
                  const char* lowers, const char* text,
                  const char* arg = nullptr) {
  return {id, signal, nullptr, raises, lowers, text, {arg, nullptr, nullptr,
                                                       nullptr}};
}

TEST(PluginLoader, ChecksRuleDeclarationsAndTheirTemplates) {
  const std::vector<SignalInfo> signals = {
      {.name = "csat", .unit = "percent"}};
  auto read = [&](std::vector<hs_rule_decl> rules) {
    return ReadRules(rules.data(), static_cast<uint32_t>(rules.size()),
                     signals, "lib.so");
  };
  auto ok = read({Rule("csat", "csat", "CSAT {observed}", nullptr, nullptr),
                  Rule("fall", nullptr, nullptr, "fell {by}", nullptr, "by")});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)[0].unit, "percent");  // the signal's
  EXPECT_EQ((*ok)[1].args, std::vector<std::string>{"by"});

  EXPECT_EQ(read({Rule("Bad", nullptr, nullptr, nullptr, "x")}).status().message(),
            "lib.so: rules[0] id 'Bad' is not an identifier ([a-z][a-z0-9_]*)");
  EXPECT_EQ(read({Rule("a", nullptr, nullptr, nullptr, "x"),
                  Rule("a", nullptr, nullptr, nullptr, "y")})
                .status()
                .message(),
            "lib.so: rule 'a' is declared twice");
  EXPECT_EQ(read({Rule("a", "nps", nullptr, nullptr, "x")}).status().message(),
            "lib.so: rule 'a' names signal 'nps', which is not declared");
  EXPECT_EQ(read({Rule("a", nullptr, nullptr, nullptr, nullptr)})
                .status()
                .message(),
            "lib.so: rule 'a' has no wording: it needs a neutral text, or "
            "raises and/or lowers");
  EXPECT_EQ(read({Rule("a", nullptr, "up {obsrved}", nullptr, nullptr)})
                .status()
                .message(),
            "lib.so: rule 'a' raises 'up {obsrved}': unknown placeholder "
            "{obsrved} (known: observed, threshold)");
  EXPECT_EQ(read({Rule("a", nullptr, nullptr, nullptr, "x", "observed")})
                .status()
                .message(),
            "lib.so: rule 'a': args[0] 'observed' is not an identifier "
            "([a-z][a-z0-9_]*) other than observed and threshold");
}

// Records what an instance reports, as the engine's sink does.
struct StatusSink {
  std::vector<std::string> statuses;
  std::string error;
  void Status(uint32_t row, hs_status status, const char* message) {
    statuses.push_back(absl::StrCat(row, ":", status, ":", message));
  }
  void Error(const char* message) { error = message; }
};

TEST(PluginInstance, ARowMissingARequiredSignalNeverReachesThePlugin) {
  // The test plugins' signals are all optional; the built-in satisfaction
  // plugin's CSAT is required.
  auto sat = Plugin::Load(testing::BuiltinPluginDir() /
                          "satisfaction/2.0.0/libsatisfaction.so");
  ASSERT_TRUE(sat.ok()) << sat.status();
  std::vector<ParamValue> params;
  for (const ParamInfo& p : (*sat)->params()) {
    params.push_back({p.name, p.default_value, std::nullopt});
  }
  auto instance = PluginInstance::Create(*sat, params, "satisfaction");
  ASSERT_TRUE(instance.ok()) << instance.status();
  const double csat[] = {90, NAN, 40};
  const double prev[] = {NAN, 80, NAN};
  const double sentiment[] = {NAN, NAN, NAN};
  const double* columns[] = {csat, prev, sentiment};
  std::vector<double> scores(3, NAN);
  Records records;
  StatusSink sink;
  ASSERT_EQ((*instance)->Score(columns, scores, true, records, sink), HS_OK)
      << sink.error;
  EXPECT_EQ(scores[0], 90);
  EXPECT_TRUE(std::isnan(scores[1]));
  EXPECT_EQ(scores[2], 40);
  EXPECT_THAT(sink.statuses,
              ::testing::ElementsAre(
                  "1:1:missing required signal csat_90d_pct"));
  // Records come back in the batch's rows, not the plugin's compacted ones.
  std::set<uint32_t> rows;
  for (const hs_reason_record& r : records.reasons) rows.insert(r.row);
  EXPECT_EQ(rows, (std::set<uint32_t>{0, 2}));
  // The same Records again, for a batch with nobody to score: it holds this
  // batch's records (none), not the last one's.
  const double none[] = {NAN, NAN, NAN};
  const double* empty_columns[] = {none, prev, sentiment};
  Records reused = records;
  ASSERT_EQ((*instance)->Score(empty_columns, scores, true, reused, sink),
            HS_OK);
  EXPECT_TRUE(reused.reasons.empty());
  EXPECT_TRUE(reused.actions.empty());
  for (const hs_reason_record& r : records.reasons) {
    if (r.row == 2 && (*instance)->rules()[r.rule].id == "csat") {
      EXPECT_EQ((*instance)->ReasonText(r),
                "CSAT is only 40% over the last 90 days: most survey "
                "responses are not satisfied");
    }
  }
}

TEST(PluginLoader, ReadsTextParameters) {
  auto plugin = Plugin::Load(TestPlugin("test_named"));
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  ASSERT_EQ((*plugin)->params().size(), 1u);
  EXPECT_TRUE((*plugin)->params()[0].is_text);
  EXPECT_EQ((*plugin)->params()[0].default_text, "alpha");
  EXPECT_TRUE((*plugin)->signals().empty());
  // Its instance lists the signals its parameter names.
  auto instance = PluginInstance::Create(*plugin, {{"names", 0, "alpha"}}, "d");
  ASSERT_TRUE(instance.ok()) << instance.status();
  ASSERT_EQ((*instance)->signals().size(), 1u);
  EXPECT_EQ((*instance)->signals()[0].name, "alpha");
}

TEST(PluginLoader, LoadsAPluginWrittenInPlainC) {
  auto plugin = Plugin::Load(TestPlugin("test_c_plugin"));
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ((*plugin)->id(), "test_c_plugin@1.0.0");
}

TEST(PluginLoader, RefusesAnotherAbiMajorNamingBothVersions) {
  auto plugin = Plugin::Load(TestPlugin("test_abi_major"));
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(plugin.status().message(), HasSubstr("libtest_abi_major.so"));
  EXPECT_THAT(
      plugin.status().message(),
      HasSubstr("built for plugin ABI 3.0; this server speaks ABI 2.0"));
}

TEST(PluginLoader, RefusesANewerAbiMinor) {
  auto plugin = Plugin::Load(TestPlugin("test_abi_newer_minor"));
  ASSERT_FALSE(plugin.ok());
  EXPECT_THAT(plugin.status().message(),
              HasSubstr("built for plugin ABI 2.99, newer than this server's "
                        "ABI 2.0"));
}

TEST(PluginLoader, RefusesAMissingEntryPoint) {
  auto plugin = Plugin::Load(TestPlugin("test_abi_missing_entry"));
  ASSERT_FALSE(plugin.ok());
  EXPECT_THAT(plugin.status().message(),
              HasSubstr("missing entry point hs_plugin_entry; a plugin exports "
                        "it with HEALTHSCORE_DIMENSION(YourClass)"));
}

TEST(PluginLoader, RefusesAFileThatIsNotASharedLibrary) {
  // Longer than an ELF header, so that the loader reads it and says why.
  const auto path = WriteFile(MakeTempDir(), "libjunk.so",
                              std::string(200, '#') + " not an ELF file\n");
  auto plugin = Plugin::Load(path);
  ASSERT_FALSE(plugin.ok());
  EXPECT_THAT(plugin.status().message(),
              HasSubstr("libjunk.so: cannot be loaded as a shared library"));
  EXPECT_THAT(plugin.status().message(), HasSubstr("invalid ELF header"));
}

TEST(PluginLoader, RefusesAMissingFile) {
  auto plugin = Plugin::Load("/nonexistent/libnothing.so");
  ASSERT_FALSE(plugin.ok());
  EXPECT_THAT(plugin.status().message(),
              HasSubstr("/nonexistent/libnothing.so: not a regular file"));
}

TEST(PluginLoader, PluginsExportOnlyTheSdkEntryPoints) {
  for (const auto& path :
       {TestPlugin("test_echo"), TestPlugin("test_c_plugin"),
        testing::BuiltinPluginDir() /
            "product_adoption/2.0.0/libproduct_adoption.so",
        testing::BuiltinPluginDir() /
            "financial_health/2.0.0/libfinancial_health.so"}) {
    // library_info lists the symbols a library makes visible to others:
    // the version script must leave exactly the two entry points.
    boost::dll::library_info info(path);
    const std::vector<std::string> symbols = info.symbols();
    const std::set<std::string> exported(symbols.begin(), symbols.end());
    EXPECT_EQ(exported, (std::set<std::string>{"hs_plugin_abi_version",
                                               "hs_plugin_entry"}))
        << path;
  }
}

TEST(Registry, LoadsADirectoryAndRecordsEachFailureWithItsReason) {
  const auto dir = MakeTempDir();
  for (const char* name : {"test_echo", "test_abi_major", "test_c_plugin"}) {
    std::filesystem::create_directories(dir / name);
    std::filesystem::copy_file(
        TestPlugin(name), dir / name / ("lib" + std::string(name) + ".so"));
  }
  WriteFile(dir, "broken/libbroken.so", "garbage");
  WriteFile(dir, "README.md", "not a plugin, not named *.so: skipped");

  Registry registry;
  auto ready = registry.LoadDirectory(dir);
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(*ready, 2);
  const auto records = registry.List();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].plugin->id(), "test_c_plugin@1.0.0");
  EXPECT_EQ(records[1].plugin->id(), "test_echo@1.0.0");
  EXPECT_EQ(records[2].state, PluginRecord::State::kFailed);
  EXPECT_THAT(records[2].reason, HasSubstr("broken/libbroken.so"));
  EXPECT_THAT(records[3].reason, HasSubstr("built for plugin ABI 3.0"));

  EXPECT_TRUE(registry.Find("test_echo").ok());
  EXPECT_TRUE(registry.Find("test_echo@1.0.0").ok());
  auto missing = registry.Find("test_echo@9.9.9");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(),
              HasSubstr("unknown plugin 'test_echo@9.9.9'; the registry has "
                        "test_c_plugin@1.0.0, test_echo@1.0.0; refused at "
                        "load: "));
}

TEST(Registry, RefusesTheSamePluginVersionTwice) {
  Registry registry;
  ASSERT_TRUE(registry.LoadFile(TestPlugin("test_echo")).ok());
  const auto dir = MakeTempDir();
  std::filesystem::copy_file(TestPlugin("test_echo"), dir / "libcopy.so");
  auto again = registry.LoadFile(dir / "libcopy.so");
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.status().message(),
              HasSubstr("plugin test_echo@1.0.0 is already loaded from"));
}

TEST(Registry, RefusesAPluginDirThatDoesNotExist) {
  Registry registry;
  auto ready = registry.LoadDirectory("/nonexistent/plugins");
  ASSERT_FALSE(ready.ok());
  EXPECT_THAT(
      ready.status().message(),
      HasSubstr("--plugin-dir /nonexistent/plugins is not a directory"));
}

TEST(Registry, ComparesVersionsNumerically) {
  EXPECT_GT(CompareVersions("1.10.0", "1.9.2"), 0);
  EXPECT_LT(CompareVersions("1.0", "1.0.1"), 0);
  EXPECT_EQ(CompareVersions("2.0", "2.0.0"), 0);
}

}  // namespace
}  // namespace healthscore
