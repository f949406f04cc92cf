// Loading plugins the real way: real .so files through Boost.DLL.
#include <set>
#include <string>
#include <vector>

// Boost 1.74's library_info.hpp uses std::vector without including <vector>:
// it must come after it, in a block of its own so that sorting keeps it there.
#include <boost/dll/library_info.hpp>

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
  EXPECT_EQ(AbiVersionString(p.abi_version()), "1.0");
  ASSERT_EQ(p.signals().size(), 2u);
  EXPECT_EQ(p.signals()[0].name, "x");
  EXPECT_EQ(p.signals()[0].max, 100);
  EXPECT_FALSE(p.signals()[0].required);
  ASSERT_EQ(p.params().size(), 6u);
  EXPECT_EQ(p.params()[1].name, "scale");
  EXPECT_EQ(p.params()[1].default_value, 1);
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
      HasSubstr("built for plugin ABI 2.0; this server speaks ABI 1.0"));
}

TEST(PluginLoader, RefusesANewerAbiMinor) {
  auto plugin = Plugin::Load(TestPlugin("test_abi_newer_minor"));
  ASSERT_FALSE(plugin.ok());
  EXPECT_THAT(plugin.status().message(),
              HasSubstr("built for plugin ABI 1.99, newer than this server's "
                        "ABI 1.0"));
}

TEST(PluginLoader, RefusesAMissingEntryPoint) {
  auto plugin = Plugin::Load(TestPlugin("test_abi_missing_entry"));
  ASSERT_FALSE(plugin.ok());
  EXPECT_THAT(plugin.status().message(),
              HasSubstr("missing entry point hs_plugin_entry"));
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
            "product_adoption/1.0.0/libproduct_adoption.so",
        testing::BuiltinPluginDir() /
            "financial_health/1.0.0/libfinancial_health.so"}) {
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
  EXPECT_THAT(records[3].reason, HasSubstr("built for plugin ABI 2.0"));

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
