// The checker's order of work: everything that can stop it from running (the
// cases file, the load, parameters the cases file gets wrong) is found before
// the first check line, then the checks run and print one line each.
#include "tools/plugin_check/checker.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

// Boost 1.74's library_info.hpp uses std::vector without including <vector>:
// it must come after it, in a block of its own so that sorting keeps it there.
#include <boost/dll/library_info.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "server/config/scorecard.h"
#include "server/engine/snapshot.h"
#include "server/plugin/plugin.h"
#include "server/registry/registry.h"
#include "tools/plugin_check/cases.h"
#include "tools/plugin_check/generic_checks.h"
#include "tools/plugin_check/golden.h"
#include "tools/plugin_check/host.h"

namespace healthscore::plugin_check {
namespace {

// Prints check lines as they come and counts them.
class Report {
 public:
  explicit Report(std::ostream& out) : out_(out) {}

  void Line(bool passed, absl::string_view check, absl::string_view detail) {
    ++(passed ? passed_ : failed_);
    // Flushed per line: if the plugin then crashes the process, what ran
    // before it is still on record.
    out_ << (passed ? "PASS " : "FAIL ") << check << ": " << detail
         << std::endl;
  }
  void Pass(absl::string_view check, absl::string_view detail) {
    Line(true, check, detail);
  }
  void Fail(absl::string_view check, absl::string_view detail) {
    Line(false, check, detail);
  }
  void Add(absl::string_view check, const CheckResult& result) {
    Line(result.passed, check, result.detail);
  }

  // The last line, alone.
  void Summary() {
    out_ << passed_ << " passed, " << failed_ << " failed" << std::endl;
  }
  int failed() const { return failed_; }

 private:
  std::ostream& out_;
  int passed_ = 0;
  int failed_ = 0;
};

std::string Bounds(double min, double max) {
  return absl::StrCat(std::isnan(min) ? "(-inf" : "[" + Exact(min), ", ",
                      std::isnan(max) ? "inf)" : Exact(max) + "]");
}

std::string DescribeSignals(const std::vector<SignalInfo>& signals) {
  std::vector<std::string> parts;
  for (const SignalInfo& s : signals) {
    parts.push_back(absl::StrCat(
        s.name, " (", s.unit.empty() ? "no unit" : s.unit, ", ",
        s.higher_is_better ? "higher" : "lower", " is better, ",
        s.required ? "required" : "optional", ", ", Bounds(s.min, s.max), ")"));
  }
  return parts.empty() ? "none" : absl::StrJoin(parts, ", ");
}

std::string DescribeParams(const std::vector<ParamInfo>& params) {
  std::vector<std::string> parts;
  for (const ParamInfo& p : params) {
    parts.push_back(
        p.is_text
            ? absl::StrCat(p.name, " (text, default '", p.default_text, "')")
            : absl::StrCat(p.name, " (default ", Exact(p.default_value), ", ",
                           Bounds(p.min, p.max), ")"));
  }
  return parts.empty() ? "none" : absl::StrJoin(parts, ", ");
}

CheckResult CheckExports(const std::filesystem::path& path) {
  const std::set<std::string> expected = {HS_ENTRY_ABI_VERSION,
                                          HS_ENTRY_PLUGIN};
  std::set<std::string> exported;
  try {
    // library_info lists the symbols a library makes visible to others.
    boost::dll::library_info info(path);
    const std::vector<std::string> symbols = info.symbols();
    exported.insert(symbols.begin(), symbols.end());
  } catch (const std::exception& e) {
    return {false, absl::StrCat("cannot read its symbol table: ", e.what())};
  }
  if (exported.empty()) {
    // It loaded, so it does export the entry points: the table is gone.
    return {false,
            "no symbol table to read (a stripped library?), so what it "
            "exports cannot be checked; check an unstripped build"};
  }
  std::vector<std::string> extra;
  std::vector<std::string> missing;
  std::set_difference(exported.begin(), exported.end(), expected.begin(),
                      expected.end(), std::back_inserter(extra));
  std::set_difference(expected.begin(), expected.end(), exported.begin(),
                      exported.end(), std::back_inserter(missing));
  if (extra.empty() && missing.empty()) {
    return {true, "exactly hs_plugin_abi_version and hs_plugin_entry"};
  }
  // A C++ library built without hidden visibility exports hundreds of
  // symbols: the first few say enough.
  constexpr size_t kShown = 10;
  std::string detail;
  if (!extra.empty()) {
    if (extra.size() <= kShown) {
      absl::StrAppend(&detail, "also exports ", absl::StrJoin(extra, ", "));
    } else {
      absl::StrAppend(
          &detail, "also exports ", extra.size(), " other symbols: ",
          absl::StrJoin(extra.begin(), extra.begin() + kShown, ", "), " and ",
          extra.size() - kShown, " more");
    }
  }
  if (!missing.empty()) {
    absl::StrAppend(&detail, detail.empty() ? "" : "; ",
                    "does not list: ", absl::StrJoin(missing, ", "));
  }
  absl::StrAppend(&detail,
                  " (expected exactly hs_plugin_abi_version and "
                  "hs_plugin_entry: build with healthscore_add_dimension)");
  return {false, detail};
}

// The parameter errors that are the cases file's, not the plugin's: what the
// server refuses in a scorecard before create() runs.
absl::Status CheckCaseParams(const CasesFile& file, const Plugin& plugin) {
  for (const Case& c : file.cases) {
    for (const ParamSetting& setting : c.params) {
      const std::string where =
          absl::StrCat(file.source, ":", setting.line, ": case '", c.name,
                       "': parameter '", setting.name, "'");
      const auto info = std::find_if(
          plugin.params().begin(), plugin.params().end(),
          [&](const ParamInfo& p) { return p.name == setting.name; });
      if (info == plugin.params().end()) {
        std::vector<std::string> names;
        for (const ParamInfo& p : plugin.params()) names.push_back(p.name);
        return absl::InvalidArgumentError(absl::StrCat(
            where, " is not a parameter of ", plugin.id(),
            names.empty() ? "; it takes none"
                          : "; it takes: " + absl::StrJoin(names, ", ")));
      }
      if (info->is_text) continue;  // any scalar, list or mapping will do
      if (!setting.is_number) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": expected a number, got '", setting.text, "'"));
      }
      if (!std::isnan(info->min) && setting.value < info->min) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, " = ", Exact(setting.value),
                         " is below its minimum ", Exact(info->min)));
      }
      if (!std::isnan(info->max) && setting.value > info->max) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, " = ", Exact(setting.value),
                         " is above its maximum ", Exact(info->max)));
      }
    }
  }
  return absl::OkStatus();
}

// An instance made exactly as the server makes one: a one-dimension scorecard
// bound by Snapshot::Build (defaults filled in, declaration order, text
// parameters as text, instance_signals() or else the declared signals). The
// Snapshot owns the instance and destroys it.
absl::StatusOr<std::shared_ptr<const Snapshot>> Bind(
    const Registry& registry, const Plugin& plugin,
    std::vector<ParamSetting> params, const std::string& source, int line) {
  ScorecardSpec spec;
  spec.name = "healthscore-plugin-check";
  spec.version = "1";
  spec.source = source;
  DimensionSpec dimension;
  dimension.name = plugin.name();
  dimension.plugin_ref = plugin.id();
  dimension.weight = 1;
  dimension.params = std::move(params);
  dimension.line = line;
  spec.dimensions.push_back(std::move(dimension));
  spec.bands.push_back({"any", "-", 0});
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(std::move(spec), registry);
  if (!snapshot.ok()) {
    // Its errors read "<source>:<line>: dimensions.<name>: <problem>"
    // (scorecard.h); here only the problem means anything.
    absl::string_view problem = snapshot.status().message();
    absl::ConsumePrefix(
        &problem,
        absl::StrCat(source, ":", line, ": dimensions.", plugin.name(), ": "));
    return absl::Status(snapshot.status().code(), problem);
  }
  return snapshot;
}

const BoundDimension& Dimension(const Snapshot& snapshot) {
  return snapshot.dimensions().front();
}

// A case's instance (null when create refused its parameters) and its row.
struct CaseInstance {
  std::shared_ptr<const Snapshot> snapshot;
  Columns row;
};

// Also collects the ids of the rules that fired in any case into `fired`,
// and fails a case whose reasons do not add up to its score.
CheckResult CheckGoldenCases(const CasesFile& file,
                             const std::vector<CaseInstance>& instances,
                             std::set<std::string>& fired) {
  std::vector<std::string> failures;
  for (size_t i = 0; i < file.cases.size(); ++i) {
    const Case& c = file.cases[i];
    const std::string label =
        absl::StrCat("case '", c.name, "' (", file.source, ":", c.line, "): ");
    if (instances[i].snapshot == nullptr) {
      failures.push_back(label + "not scored: its parameters were refused");
      continue;
    }
    const BoundDimension& dim = Dimension(*instances[i].snapshot);
    const BatchOutput output = ScoreAndRecord(*dim.instance, instances[i].row);
    std::vector<std::string> mismatches =
        CaseMismatches(c, output, file.bands);
    if (output.result == HS_OK && !output.rows.empty() &&
        output.rows[0].status == HS_STATUS_OK) {
      double sum = HS_NEUTRAL_SCORE;
      for (const RecordedReason& r : output.rows[0].reasons) {
        sum += r.impact;
        fired.insert(r.rule_id.value_or(""));
      }
      if (!(std::fabs(sum - output.rows[0].score) <= 1e-6)) {
        mismatches.push_back(absl::StrCat(
            "its reasons add up to ", Exact(sum), " (50 + the impacts), not ",
            "its score ", Exact(output.rows[0].score)));
      }
    }
    if (!mismatches.empty()) {
      failures.push_back(label + absl::StrJoin(mismatches, "; "));
    }
  }
  if (failures.empty()) {
    return {true, absl::StrCat(file.cases.size(), " cases as expected")};
  }
  // Every failing case, so one run shows all that needs fixing.
  return {false,
          absl::StrCat(failures.size(), " of ", file.cases.size(),
                       " cases differ: ", absl::StrJoin(failures, " | "))};
}

}  // namespace

int RunChecks(const Options& options, std::ostream& out, std::ostream& err) {
  const std::string path = options.plugin.string();
  std::optional<CasesFile> cases;
  if (options.cases) {
    absl::StatusOr<CasesFile> parsed = LoadCasesFile(*options.cases);
    if (!parsed.ok()) {
      err << "healthscore-plugin-check: " << parsed.status().message() << "\n";
      return kExitCannotRun;
    }
    cases = *std::move(parsed);
  }

  Report report(out);
  // Through the registry, as the server loads every plugin: Plugin::Load's
  // checks, and a registry Snapshot::Build can bind against.
  Registry registry;
  absl::StatusOr<std::shared_ptr<const Plugin>> loaded =
      registry.LoadFile(options.plugin);
  if (!loaded.ok()) {
    report.Fail("load", loaded.status().message());
    report.Summary();
    return kExitCannotRun;
  }
  const Plugin& plugin = **loaded;
  if (cases) {
    if (absl::Status status = CheckCaseParams(*cases, plugin); !status.ok()) {
      err << "healthscore-plugin-check: " << status.message() << "\n";
      return kExitCannotRun;
    }
  }

  // Every instance first: a case naming a signal its instance does not read
  // is the cases file's error, found before any check line.
  //
  // The base instance, which the generic checks use, has the cases file's
  // own params (the configuration the plugin is checked in), else the
  // defaults. A plugin whose inputs come from the scorecard (rules written
  // there) rightly refuses the bare defaults; it is checked in the
  // configuration its cases file gives.
  const bool file_params = cases && !cases->params.empty();
  const std::string base_name =
      file_params ? absl::StrCat("the params of ", cases->source)
                  : "the default parameters";
  std::vector<std::string> create_failures;
  absl::StatusOr<std::shared_ptr<const Snapshot>> base =
      file_params ? Bind(registry, plugin, cases->params, cases->source,
                         cases->params_line)
                  : Bind(registry, plugin, {}, "default parameters", 0);
  if (!base.ok()) {
    create_failures.push_back(
        absl::StrCat("with ", base_name, ": ", base.status().message()));
  }
  // Said, not failed: the file's params are what the plugin is checked in.
  std::string defaults_refused;
  if (file_params) {
    absl::StatusOr<std::shared_ptr<const Snapshot>> defaults =
        Bind(registry, plugin, {}, "default parameters", 0);
    if (!defaults.ok()) {
      defaults_refused =
          absl::StrCat(" (the default parameters alone are refused: ",
                       defaults.status().message(), ")");
    }
  }
  std::vector<CaseInstance> case_instances;
  if (cases) {
    for (const Case& c : cases->cases) {
      absl::StatusOr<std::shared_ptr<const Snapshot>> bound =
          Bind(registry, plugin, c.params, cases->source, c.line);
      if (!bound.ok()) {
        create_failures.push_back(
            absl::StrCat("case '", c.name, "' (", cases->source, ":", c.line,
                         "): ", bound.status().message()));
        case_instances.emplace_back();
        continue;
      }
      absl::StatusOr<Columns> row =
          CaseRow(c, Dimension(**bound).signals, cases->source, plugin.id());
      if (!row.ok()) {
        err << "healthscore-plugin-check: " << row.status().message() << "\n";
        return kExitCannotRun;
      }
      case_instances.push_back({*std::move(bound), *std::move(row)});
    }
  }

  report.Pass("load", absl::StrCat(path, ": ", plugin.id(), ", ABI ",
                                   AbiVersionString(plugin.abi_version()),
                                   " (this host speaks ",
                                   AbiVersionString(HS_ABI_VERSION), ")"));
  report.Add("exports", CheckExports(options.plugin));

  std::string declaration =
      absl::StrCat(plugin.id(), " '", plugin.description(),
                   "'; signals: ", DescribeSignals(plugin.signals()),
                   "; params: ", DescribeParams(plugin.params()));
  if (base.ok()) {
    // A plugin whose inputs depend on its parameters (instance_signals) may
    // read other signals than it declares: say which.
    const std::string declared = DescribeSignals(plugin.signals());
    const std::string read = DescribeSignals(Dimension(**base).signals);
    if (read != declared) {
      absl::StrAppend(&declaration, "; with ", base_name,
                      " the instance reads: ", read);
    }
  }
  report.Pass("declaration", declaration);

  if (create_failures.empty()) {
    std::string and_cases;
    if (cases) {
      const size_t n = cases->cases.size();
      and_cases = absl::StrCat(
          " and with the parameters of ",
          n == 1 ? "its one case" : absl::StrCat("each of ", n, " cases"));
    }
    report.Pass("create",
                absl::StrCat("with ", base_name, and_cases, defaults_refused));
  } else {
    report.Fail(
        "create",
        absl::StrCat(absl::StrJoin(create_failures, "; "),
                     base.ok() ? ""
                               : absl::StrCat("; the generic checks "
                                              "need an instance with ",
                                              base_name, " and were not run")));
  }

  std::set<std::string> fired_in_cases;
  if (cases) {
    report.Add("golden cases",
               CheckGoldenCases(*cases, case_instances, fired_in_cases));
  }

  if (base.ok()) {
    const BoundDimension& dim = Dimension(**base);
    const Target target{dim.instance.get(), &dim.signals};
    report.Add("range", CheckRange(target));
    report.Add("missing", CheckMissing(target));
    report.Add("infinite", CheckInfinite(target));
    report.Add("monotonic", CheckMonotonic(target));
    report.Add("deterministic", CheckDeterministic(target));
    report.Add("concurrent", CheckConcurrent(target));
    const Sweep sweep = RunSweep(target);
    report.Add("explained", CheckExplained(target, sweep));
    report.Add("wording", CheckWording(target, sweep));
    report.Add("rules fire", CheckRulesFire(target, sweep, fired_in_cases));
  }
  report.Summary();
  return report.failed() > 0 ? kExitFailed : kExitPassed;
}

}  // namespace healthscore::plugin_check
