// Shared helpers for the tests.
#include "tests/test_util.h"

#include <stdlib.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace healthscore::testing {
namespace {

// Removes every temp dir at exit, so that test runs leave nothing behind.
struct TempDirs {
  std::mutex mu;
  std::vector<std::filesystem::path> dirs;
  ~TempDirs() {
    std::error_code ec;
    for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
  }
};
TempDirs& Dirs() {
  static TempDirs dirs;
  return dirs;
}

}  // namespace

std::filesystem::path MakeTempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string pattern =
      (std::filesystem::path(base != nullptr ? base : "/tmp") /
       "hs-test-XXXXXX")
          .string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed for " + pattern);
  }
  std::lock_guard<std::mutex> lock(Dirs().mu);
  Dirs().dirs.push_back(pattern);
  return pattern;
}

std::filesystem::path WriteFile(const std::filesystem::path& dir,
                                const std::string& name,
                                const std::string& content) {
  const std::filesystem::path path = dir / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::filesystem::path TestPlugin(const std::string& name) {
  return std::filesystem::path(HS_TEST_PLUGIN_DIR) / name / "1.0.0" /
         ("lib" + name + ".so");
}

std::filesystem::path BuiltinPluginDir() { return HS_BUILTIN_PLUGIN_DIR; }
std::filesystem::path SourceDir() { return HS_SOURCE_DIR; }
std::filesystem::path BinDir() { return HS_BIN_DIR; }

bool WaitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace healthscore::testing
