// Table, CSV and JSON renderings of healthscore.v1.Registry replies.
#include "clients/cli/admin_format.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "clients/cli/format.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

// Times in UTC to the second: what an operator compares with server logs.
std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S",
                          absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

std::string Id(const v1::PluginInfo& p) {
  return p.version().empty() ? p.name()
                             : absl::StrCat(p.name(), "@", p.version());
}

void PrintPluginsTable(const v1::ListPluginsResponse& response,
                       std::ostream& out) {
  if (response.plugins().empty()) {
    out << "no plugins\n";
    return;
  }
  size_t id_width = absl::string_view("plugin").size();
  for (const v1::PluginInfo& p : response.plugins()) {
    id_width = std::max(id_width, Id(p).size());
  }
  out << absl::StrFormat("%-*s  %-8s  %-3s  %-19s  %s\n", id_width, "plugin",
                         "state", "abi", "loaded (UTC)", "used by");
  for (const v1::PluginInfo& p : response.plugins()) {
    const std::string line = absl::StrFormat(
        "%-*s  %-8s  %-3s  %-19s  %s", id_width, Id(p),
        PluginStateName(p.state()), OrDash(p.abi_version()),
        OrDash(Time(p.load_time())),
        p.used_by().empty() ? "-" : absl::StrJoin(p.used_by(), ", "));
    out << absl::StripTrailingAsciiWhitespace(line) << "\n";
    if (p.state() == v1::PluginInfo::STATE_READY) continue;
    if (p.state() == v1::PluginInfo::STATE_UNLOADED) {
      out << "  unloaded " << Time(p.unload_time()) << " UTC\n";
    }
    if (!p.state_reason().empty())
      out << "  reason: " << p.state_reason() << "\n";
    out << "  file: " << p.path() << "\n";
  }
}

void PrintPluginsCsv(const v1::ListPluginsResponse& response,
                     std::ostream& out) {
  out << "name,version,state,abi_version,load_time,unload_time,used_by,path,"
         "state_reason\n";
  for (const v1::PluginInfo& p : response.plugins()) {
    out << CsvField(p.name()) << "," << CsvField(p.version()) << ","
        << PluginStateName(p.state()) << "," << CsvField(p.abi_version()) << ","
        << Time(p.load_time()) << "," << Time(p.unload_time()) << ","
        << CsvField(absl::StrJoin(p.used_by(), ";")) << ","
        << CsvField(p.path()) << "," << CsvField(p.state_reason()) << "\n";
  }
}

void PrintReloadTable(const v1::ReloadResponse& r, std::ostream& out) {
  if (!r.ok()) {
    out << "refused: " << r.error() << "\n";
  } else {
    out << (r.changed() ? "reloaded: " : "unchanged: ") << r.message() << "\n";
  }
  for (const std::string& id : r.plugins_loaded()) {
    out << "plugin loaded: " << id << "\n";
  }
  for (const std::string& failure : r.plugins_failed()) {
    out << "plugin refused: " << failure << "\n";
  }
  out << "live: scorecard " << OrDash(r.scorecard_name()) << "  version "
      << OrDash(r.scorecard_version()) << "  sha256 "
      << OrDash(r.scorecard_hash().substr(0, 12)) << "\n";
  const v1::ReloadCounters& c = r.counters();
  out << "reloads: " << c.successes() << " succeeded (" << c.unchanged()
      << " unchanged), " << c.failures() << " failed";
  if (!c.last_error().empty()) {
    out << "; last failure (" << c.last_error_trigger() << ", "
        << Time(c.last_error_time()) << " UTC): " << c.last_error();
  }
  out << "\n";
}

std::string Describe(const v1::Provenance& p) {
  return absl::StrCat(OrDash(p.scorecard_name()), "  version ",
                      OrDash(p.scorecard_version()), "  sha256 ",
                      OrDash(p.scorecard_hash().substr(0, 12)));
}

std::string Counts(
    const google::protobuf::RepeatedPtrField<v1::BandCount>& bands) {
  if (bands.empty()) return "-";
  return absl::StrJoin(bands, ", ", [](std::string* s, const v1::BandCount& b) {
    absl::StrAppend(s, b.band(), " ", b.count());
  });
}

std::string Customers(int n) {
  return absl::StrCat(n, n == 1 ? " customer" : " customers");
}

void PrintDryRunTable(const v1::DryRunResponse& r, std::ostream& out) {
  out << "draft   " << Describe(r.draft()) << "\n";
  out << "active  " << Describe(r.active()) << "\n";
  if (r.sentences().empty()) {
    out << "no customer would change band\n";
  }
  for (const std::string& sentence : r.sentences()) out << sentence << "\n";
  if (r.no_longer_scored() > 0) {
    out << Customers(r.no_longer_scored())
        << " scored now could not be scored under the draft\n";
  }
  if (r.newly_scored() > 0) {
    out << Customers(r.newly_scored())
        << " not scored now would be scored under the draft\n";
  }
  const int moved = r.compared() - r.unchanged();
  out << r.compared() << " compared: " << r.unchanged() << " keep their band, "
      << moved << " move; mean score change "
      << (r.mean_score_change() > 0 ? "+" : "") << Fixed1(r.mean_score_change())
      << "\n";
  out << "bands now:   " << Counts(r.active_bands()) << "\n";
  out << "bands draft: " << Counts(r.draft_bands()) << "\n";
}

void PrintDryRunCsv(const v1::DryRunResponse& r, std::ostream& out) {
  out << "customer_id,active_score,active_band,draft_score,draft_band,moved\n";
  for (const v1::RowChange& c : r.changes()) {
    out << CsvField(c.customer_id()) << "," << Fixed1(c.active_score()) << ","
        << CsvField(c.active_band()) << "," << Fixed1(c.draft_score()) << ","
        << CsvField(c.draft_band()) << ","
        << (c.active_band() != c.draft_band() ? "true" : "false") << "\n";
  }
}

}  // namespace

std::string PluginStateName(v1::PluginInfo::State state) {
  return std::string(
      absl::StripPrefix(v1::PluginInfo::State_Name(state), "STATE_"));
}

void PrintPlugins(const v1::ListPluginsResponse& response, OutputFormat format,
                  std::ostream& out) {
  PrintMessage(
      format, response, out, [&] { PrintPluginsCsv(response, out); },
      [&] { PrintPluginsTable(response, out); });
}

void PrintReload(const v1::ReloadResponse& response, OutputFormat format,
                 std::ostream& out) {
  PrintMessage(
      format, response, out,
      [&] {
        out << "ok,changed,scorecard,version,hash,successes,unchanged,failures,"
               "error\n"
            << (response.ok() ? "true" : "false") << ","
            << (response.changed() ? "true" : "false") << ","
            << CsvField(response.scorecard_name()) << ","
            << CsvField(response.scorecard_version()) << ","
            << response.scorecard_hash() << ","
            << response.counters().successes() << ","
            << response.counters().unchanged() << ","
            << response.counters().failures() << ","
            << CsvField(response.error()) << "\n";
      },
      [&] { PrintReloadTable(response, out); });
}

void PrintDryRun(const v1::DryRunResponse& response, OutputFormat format,
                 std::ostream& out) {
  PrintMessage(
      format, response, out, [&] { PrintDryRunCsv(response, out); },
      [&] { PrintDryRunTable(response, out); });
}

}  // namespace healthscore::cli
