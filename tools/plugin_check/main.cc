// healthscore-plugin-check <lib.so> [cases.yaml]: checks a dimension plugin
// before production does (docs/plugin-check.md). Arguments in, exit code out;
// the checks are in checker.cc.
#include <iostream>
#include <string_view>

#include "spdlog/spdlog.h"
#include "tools/plugin_check/checker.h"

namespace {

constexpr char kUsage[] =
    "usage: healthscore-plugin-check <lib.so> [cases.yaml]\n"
    "Loads a dimension plugin the way the server does and checks it: one\n"
    "PASS/FAIL line per check, then 'N passed, M failed'. Exit 0 when all\n"
    "passed, 1 when a check failed, 2 when it cannot run.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string_view(argv[1]) == "--help" ||
                    std::string_view(argv[1]) == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (argc < 2 || argc > 3) {
    std::cerr << kUsage;
    return healthscore::plugin_check::kExitCannotRun;
  }
  // The registry logs every load through spdlog's default logger, on stdout;
  // here stdout is the report, and the load check says the same thing.
  spdlog::set_level(spdlog::level::off);

  healthscore::plugin_check::Options options;
  options.plugin = argv[1];
  if (argc == 3) options.cases = argv[2];
  return healthscore::plugin_check::RunChecks(options, std::cout, std::cerr);
}
