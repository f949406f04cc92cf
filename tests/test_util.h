// Shared helpers for the tests: temp dirs, files, and where the built plugins
// are.
#ifndef HEALTHSCORE_TESTS_TEST_UTIL_H_
#define HEALTHSCORE_TESTS_TEST_UTIL_H_

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace healthscore::testing {

// A new empty directory under $TEST_TMPDIR or /tmp, removed at exit.
std::filesystem::path MakeTempDir();

// Writes `content` to dir/name and returns the path.
std::filesystem::path WriteFile(const std::filesystem::path& dir,
                                const std::string& name,
                                const std::string& content);

std::string ReadFile(const std::filesystem::path& path);

// build/test_plugins/<name>/1.0.0/lib<name>.so
std::filesystem::path TestPlugin(const std::string& name);
// build/plugins (the built-in plugins)
std::filesystem::path BuiltinPluginDir();
// The source tree's root.
std::filesystem::path SourceDir();
// build/bin
std::filesystem::path BinDir();

// Polls `done` until it returns true, pausing a millisecond between calls
// (a poll interval, not a guess at how long something takes). Returns false
// if `done` is still false after `limit`: that bound only ends a hung test
// (callers fail on false); it is not a time the code under test must meet.
bool WaitFor(const std::function<bool()>& done,
             std::chrono::seconds limit = std::chrono::seconds(60));

}  // namespace healthscore::testing

#endif  // HEALTHSCORE_TESTS_TEST_UTIL_H_
