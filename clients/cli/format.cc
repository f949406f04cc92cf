// Table, CSV and JSON renderings of healthscore.v1 responses for the CLI.
#include "clients/cli/format.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "clients/cli/dates.h"
#include "clients/cli/overrides_format.h"
#include "google/protobuf/util/json_util.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

std::string StatusName(v1::DimensionStatus status) {
  return std::string(
      absl::StripPrefix(v1::DimensionStatus_Name(status), "DIMENSION_STATUS_"));
}

std::string StateName(v1::PluginState state) {
  return std::string(
      absl::StripPrefix(v1::PluginState_Name(state), "PLUGIN_STATE_"));
}

std::string Range(bool has_min, double min, bool has_max, double max) {
  if (has_min && has_max) return absl::StrCat(Short(min), "..", Short(max));
  if (has_min) return absl::StrCat(">= ", Short(min));
  if (has_max) return absl::StrCat("<= ", Short(max));
  return "any";
}

std::string ErrorText(const v1::Error& error) {
  return absl::StrCat(StatusCodeName(error.code()), ": ", error.message());
}

// What a result that carries neither a score nor an error is shown as; the
// server should never send one, but the output must still account for the row.
v1::Error MissingResultError() {
  v1::Error error;
  error.set_code(static_cast<int>(absl::StatusCode::kUnknown));
  error.set_message("the server returned neither a score nor an error");
  return error;
}

template <typename Container, typename NameOf>
size_t MaxWidth(const Container& items, NameOf name_of, size_t at_least) {
  size_t width = at_least;
  for (const auto& item : items) width = std::max(width, name_of(item).size());
  return width;
}

// "trend: -9.4 since 2025-11-30 (was 70.6); 30d -12.0, 90d -; slope -4.1
// per 30 days; 3 declines in a row": the leading indicators of a recorded
// score, on one line.
void PrintTrend(const v1::Trend& trend, std::ostream& out) {
  if (!trend.has_previous()) {
    out << "  trend: first recorded point\n";
    return;
  }
  out << "  trend: " << Signed1(trend.change()) << " since "
      << DisplayTime(trend.previous_as_of()) << " (was "
      << Fixed1(trend.previous_score()) << ")";
  if (!trend.windows().empty()) {
    out << "; "
        << absl::StrJoin(trend.windows(), ", ",
                         [](std::string* s, const v1::TrendWindow& w) {
                           absl::StrAppend(
                               s, w.days(), "d ",
                               w.has_data() ? Signed1(w.change()) : "-");
                         });
  }
  out << "; slope " << Signed1(trend.slope_per_30d()) << " per 30 days";
  if (trend.consecutive_declines() > 1) {
    out << "; " << trend.consecutive_declines() << " declines in a row";
  }
  out << "\n";
}

void PrintDrivers(absl::string_view title,
                  const google::protobuf::RepeatedPtrField<v1::Driver>& drivers,
                  std::ostream& out) {
  if (drivers.empty()) {
    out << "  " << title << ": none\n";
    return;
  }
  out << "  " << title << " (points on the total):\n";
  const size_t dimension_width = MaxWidth(
      drivers, [](const v1::Driver& d) { return d.dimension(); }, 0);
  const size_t rule_width = MaxWidth(
      drivers, [](const v1::Driver& d) { return d.rule_id(); }, 0);
  for (const v1::Driver& driver : drivers) {
    out << absl::StrFormat(
        "    %6s  %-*s  %-*s  %s\n", Signed1(driver.impact()), dimension_width,
        driver.dimension(), rule_width, driver.rule_id(), driver.message());
  }
}

void PrintDimensionDetails(const v1::DimensionResult& dimension,
                           std::ostream& out) {
  if (!dimension.reasons().empty()) {
    out << "  " << dimension.name() << " reasons (points on the dimension):\n";
    const size_t rule_width = MaxWidth(
        dimension.reasons(), [](const v1::Reason& r) { return r.rule_id(); },
        0);
    for (const v1::Reason& reason : dimension.reasons()) {
      out << absl::StrFormat("    %6s  %-*s  %s\n", Signed1(reason.impact()),
                             rule_width, reason.rule_id(), reason.message());
    }
  }
  if (!dimension.actions().empty()) {
    out << "  " << dimension.name() << " actions:\n";
    for (const std::string& action : dimension.actions()) {
      out << "    - " << action << "\n";
    }
  }
}

class TablePrinter : public ResultPrinter {
 public:
  TablePrinter(v1::Explain explain, bool summary, std::ostream& out)
      : explain_(explain), summary_(summary), out_(out) {}

  void Add(const v1::CustomerResult& result) override {
    if (printed_ > 0) out_ << "\n";
    ++printed_;
    if (result.has_score()) {
      const v1::CustomerScore& score = result.score();
      PrintScoreTable(score, explain_, out_);
      ++scored_;
      auto [it, inserted] = bands_.try_emplace(score.band(), 0, score.score());
      ++it->second.first;
      it->second.second = std::max(it->second.second, score.score());
      if (!provenance_.has_value() && score.has_provenance()) {
        provenance_ = score.provenance();
      }
    } else {
      PrintErrorTable(
          result.customer_id(),
          result.has_error() ? result.error() : MissingResultError(), out_);
      ++errors_;
    }
  }

  void Flush() override { out_.flush(); }

  void Finish() override {
    if (printed_ > 0 && (summary_ || provenance_.has_value())) out_ << "\n";
    if (summary_) {
      out_ << scored_ << " scored, " << errors_
           << (errors_ == 1 ? " error" : " errors");
      if (!bands_.empty()) {
        // Bands are score ranges, so ordering them by the best score seen in
        // each lists them best first, as the scorecard does.
        std::vector<std::pair<std::string, std::pair<int, double>>> bands(
            bands_.begin(), bands_.end());
        std::sort(bands.begin(), bands.end(), [](const auto& a, const auto& b) {
          return a.second.second > b.second.second;
        });
        out_ << "; bands: "
             << absl::StrJoin(bands, ", ", [](std::string* s, const auto& b) {
                  absl::StrAppend(s, OrDash(b.first), " ", b.second.first);
                });
      }
      out_ << "\n";
    }
    if (provenance_.has_value()) {
      out_ << "scorecard " << OrDash(provenance_->scorecard_name())
           << "  version " << OrDash(provenance_->scorecard_version())
           << "  sha256 " << OrDash(provenance_->scorecard_hash().substr(0, 12))
           << "\n";
    }
    out_.flush();
  }

 private:
  const v1::Explain explain_;
  const bool summary_;
  std::ostream& out_;
  int printed_ = 0;
  int scored_ = 0;
  int errors_ = 0;
  // band -> (customers, best score seen)
  std::map<std::string, std::pair<int, double>> bands_;
  std::optional<v1::Provenance> provenance_;
};

class JsonPrinter : public ResultPrinter {
 public:
  explicit JsonPrinter(std::ostream& out) : out_(out) {}
  void Add(const v1::CustomerResult& result) override {
    out_ << ToJsonLine(result) << "\n";
  }
  void Flush() override { out_.flush(); }
  void Finish() override { Flush(); }

 private:
  std::ostream& out_;
};

class CsvPrinter : public ResultPrinter {
 public:
  explicit CsvPrinter(std::ostream& out) : out_(out) {}

  void Add(const v1::CustomerResult& result) override {
    if (!header_written_ && result.has_score()) {
      for (const v1::DimensionResult& d : result.score().dimensions()) {
        dimensions_.push_back(d.name());
      }
      WriteHeader();
    }
    if (header_written_) {
      WriteRow(result);
    } else {
      pending_.push_back(result);
    }
  }

  void Flush() override {
    if (!header_written_ && !pending_.empty()) WriteHeader();
    out_.flush();
  }
  void Finish() override {
    if (!header_written_) WriteHeader();
    out_.flush();
  }

 private:
  void WriteHeader() {
    std::vector<std::string> columns = {"customer_id", "segment", "score",
                                        "grade",       "band",    "coverage"};
    for (const std::string& d : dimensions_) columns.push_back(CsvField(d));
    columns.push_back("top_driver_down");
    columns.push_back("error");
    out_ << absl::StrJoin(columns, ",") << "\n";
    header_written_ = true;
    for (const v1::CustomerResult& result : pending_) WriteRow(result);
    pending_.clear();
  }

  void WriteRow(const v1::CustomerResult& result) {
    std::vector<std::string> cells;
    cells.push_back(CsvField(result.customer_id()));
    if (result.has_score()) {
      const v1::CustomerScore& score = result.score();
      cells.push_back(CsvField(score.segment()));
      cells.push_back(Fixed1(score.score()));
      cells.push_back(CsvField(score.grade()));
      cells.push_back(CsvField(score.band()));
      cells.push_back(Trimmed(score.coverage(), 3));
      absl::flat_hash_map<absl::string_view, const v1::DimensionResult*>
          by_name;
      for (const v1::DimensionResult& d : score.dimensions()) {
        by_name[d.name()] = &d;
      }
      for (const std::string& name : dimensions_) {
        auto it = by_name.find(name);
        const bool ok = it != by_name.end() &&
                        it->second->status() == v1::DIMENSION_STATUS_OK;
        cells.push_back(ok ? Fixed1(it->second->score()) : "");
      }
      if (score.top_drivers_down().empty()) {
        cells.push_back("");
      } else {
        const v1::Driver& driver = score.top_drivers_down(0);
        cells.push_back(
            CsvField(absl::StrCat(driver.dimension(), ": ", driver.message(),
                                  " (", Signed1(driver.impact()), ")")));
      }
      cells.push_back("");
    } else {
      cells.resize(6 + dimensions_.size() + 1);
      cells.push_back(CsvField(ErrorText(
          result.has_error() ? result.error() : MissingResultError())));
    }
    out_ << absl::StrJoin(cells, ",") << "\n";
  }

  std::ostream& out_;
  bool header_written_ = false;
  std::vector<std::string> dimensions_;
  std::vector<v1::CustomerResult> pending_;
};

void PrintDimensionsTable(const v1::ListDimensionsResponse& response,
                          std::ostream& out) {
  if (response.dimensions().empty()) {
    out << "no dimensions loaded\n";
    return;
  }
  bool first = true;
  for (const v1::DimensionInfo& d : response.dimensions()) {
    if (!first) out << "\n";
    first = false;
    out << d.name() << "  version " << OrDash(d.version()) << "  "
        << StateName(d.state());
    if (!d.abi_version().empty()) out << "  abi " << d.abi_version();
    out << "\n";
    if (!d.state_reason().empty())
      out << "  reason: " << d.state_reason() << "\n";
    if (d.state() != v1::PLUGIN_STATE_READY && !d.path().empty()) {
      out << "  file: " << d.path() << "\n";
    }
    if (!d.description().empty()) out << "  " << d.description() << "\n";
    if (!d.signals().empty()) {
      out << "  signals:\n";
      const size_t name_width = MaxWidth(
          d.signals(), [](const v1::SignalSpec& s) { return s.name(); }, 0);
      const size_t unit_width = MaxWidth(
          d.signals(), [](const v1::SignalSpec& s) { return s.unit(); }, 1);
      for (const v1::SignalSpec& s : d.signals()) {
        const std::string line = absl::StrFormat(
            "    %-*s  %-*s  %-16s  %-8s  %-10s  %s", name_width, s.name(),
            unit_width, OrDash(s.unit()),
            s.higher_is_better() ? "higher is better" : "lower is better",
            s.required() ? "required" : "optional",
            Range(s.has_min(), s.min(), s.has_max(), s.max()), s.description());
        out << absl::StripTrailingAsciiWhitespace(line) << "\n";
      }
    }
    if (!d.parameters().empty()) {
      out << "  parameters:\n";
      std::vector<std::string> assignments;
      for (const v1::ParameterSpec& p : d.parameters()) {
        assignments.push_back(
            p.text() ? absl::StrCat(p.name(), "=\"", p.default_text(), "\"")
                     : absl::StrCat(p.name(), "=", Short(p.default_value())));
      }
      const size_t width = MaxWidth(
          assignments,
          [](const std::string& s) -> const std::string& { return s; }, 0);
      for (int i = 0; i < d.parameters_size(); ++i) {
        const v1::ParameterSpec& p = d.parameters(i);
        std::string line = absl::StrFormat("    %-*s", width, assignments[i]);
        if (p.has_min() || p.has_max()) {
          absl::StrAppend(&line, "  range ",
                          Range(p.has_min(), p.min(), p.has_max(), p.max()));
        }
        if (!p.description().empty()) {
          absl::StrAppend(&line, "  ", p.description());
        }
        out << absl::StripTrailingAsciiWhitespace(line) << "\n";
      }
    }
  }
}

void PrintDimensionsCsv(const v1::ListDimensionsResponse& response,
                        std::ostream& out) {
  out << "dimension,version,state,state_reason,kind,name,unit,"
         "higher_is_better,required,min,max,default,description\n";
  auto bound = [](bool has, double value) {
    return has ? Short(value) : std::string();
  };
  for (const v1::DimensionInfo& d : response.dimensions()) {
    const std::string prefix =
        absl::StrCat(CsvField(d.name()), ",", CsvField(d.version()), ",",
                     StateName(d.state()), ",", CsvField(d.state_reason()));
    if (d.signals().empty() && d.parameters().empty()) {
      out << prefix << ",,,,,,,,,\n";
    }
    for (const v1::SignalSpec& s : d.signals()) {
      out << prefix << ",signal," << CsvField(s.name()) << ","
          << CsvField(s.unit()) << ","
          << (s.higher_is_better() ? "true" : "false") << ","
          << (s.required() ? "true" : "false") << ","
          << bound(s.has_min(), s.min()) << "," << bound(s.has_max(), s.max())
          << ",," << CsvField(s.description()) << "\n";
    }
    for (const v1::ParameterSpec& p : d.parameters()) {
      out << prefix << ",parameter," << CsvField(p.name()) << ",,,,"
          << bound(p.has_min(), p.min()) << "," << bound(p.has_max(), p.max())
          << ","
          << CsvField(p.text() ? p.default_text() : Short(p.default_value()))
          << "," << CsvField(p.description()) << "\n";
    }
  }
}

// Parameters sorted by name: a proto map has no order, and a stable listing
// lets two scorecards be compared by eye or by diff.
std::vector<std::pair<std::string, double>> SortedParams(
    const v1::ScorecardDimension& d) {
  std::vector<std::pair<std::string, double>> params(d.params().begin(),
                                                     d.params().end());
  std::sort(params.begin(), params.end());
  return params;
}

void PrintScorecardTable(const v1::Scorecard& card, std::ostream& out) {
  out << "scorecard " << OrDash(card.name()) << "  version "
      << OrDash(card.version()) << "\n";
  out << "  hash          " << OrDash(card.hash()) << "\n";
  if (!card.source().empty())
    out << "  source        " << card.source() << "\n";
  if (!card.missing_data().empty()) {
    out << "  missing data  " << card.missing_data() << "\n";
  }
  out << "  dimensions:\n";
  const size_t name_width = MaxWidth(
      card.dimensions(),
      [](const v1::ScorecardDimension& d) { return d.name(); }, 0);
  std::vector<std::string> plugins;
  for (const v1::ScorecardDimension& d : card.dimensions()) {
    plugins.push_back(d.plugin_version().empty()
                          ? d.plugin()
                          : absl::StrCat(d.plugin(), "@", d.plugin_version()));
  }
  const size_t plugin_width = MaxWidth(
      plugins, [](const std::string& s) -> const std::string& { return s; }, 0);
  for (int i = 0; i < card.dimensions_size(); ++i) {
    const v1::ScorecardDimension& d = card.dimensions(i);
    std::string line =
        absl::StrFormat("    %-*s  %-*s  weight %s", name_width, d.name(),
                        plugin_width, plugins[i], Short(d.weight()));
    const auto params = SortedParams(d);
    if (!params.empty()) {
      absl::StrAppend(
          &line, "  ",
          absl::StrJoin(params, ", ", [](std::string* s, const auto& p) {
            absl::StrAppend(s, p.first, "=", Short(p.second));
          }));
    }
    out << line << "\n";
    // Text parameters (rules, named features) can be long: one line each.
    std::vector<std::pair<std::string, std::string>> texts(
        d.text_params().begin(), d.text_params().end());
    std::sort(texts.begin(), texts.end());
    for (const auto& [name, text] : texts) {
      out << "      " << name << ": " << text << "\n";
    }
  }
  out << "  bands (lowest score in each):\n";
  const size_t band_width = MaxWidth(
      card.bands(), [](const v1::Band& b) { return b.name(); }, 0);
  for (const v1::Band& band : card.bands()) {
    out << absl::StrFormat("    %-*s  grade %-2s  from %s\n", band_width,
                           band.name(), OrDash(band.grade()),
                           Short(band.min()));
  }
}

void PrintScorecardCsv(const v1::Scorecard& card, std::ostream& out) {
  out << "scorecard,version,dimension,plugin,plugin_version,weight,params\n";
  for (const v1::ScorecardDimension& d : card.dimensions()) {
    std::string params =
        absl::StrJoin(SortedParams(d), ";", [](std::string* s, const auto& p) {
          absl::StrAppend(s, p.first, "=", Short(p.second));
        });
    std::vector<std::pair<std::string, std::string>> texts(
        d.text_params().begin(), d.text_params().end());
    std::sort(texts.begin(), texts.end());
    for (const auto& [name, text] : texts) {
      absl::StrAppend(&params, params.empty() ? "" : ";", name, "=", text);
    }
    out << CsvField(card.name()) << "," << CsvField(card.version()) << ","
        << CsvField(d.name()) << "," << CsvField(d.plugin()) << ","
        << CsvField(d.plugin_version()) << "," << Short(d.weight()) << ","
        << CsvField(params) << "\n";
  }
}

}  // namespace

// Scores, points and impacts are shown to one decimal: the scale is 0-100 and
// a tenth of a point is below what any decision depends on.
std::string Fixed3(double value) { return absl::StrFormat("%.3f", value); }

std::string Fixed1(double value) {
  std::string text = absl::StrFormat("%.1f", value);
  return text == "-0.0" ? "0.0" : text;
}

// Signed points keep their sign even when they round to zero, so a driver
// that lowered the score never reads as raising it.
std::string Signed1(double value) { return absl::StrFormat("%+.1f", value); }

// A 0-1 share as a percentage: "100%", "62.5%".
std::string Percent(double share) {
  std::string text = Fixed1(share * 100);
  if (absl::EndsWith(text, ".0")) text.resize(text.size() - 2);
  return text + "%";
}

// Configured numbers (weights, parameters, bounds) as the author wrote them:
// rounding a weight of 0.25 to one decimal would misstate the scorecard.
std::string Short(double value) { return absl::StrFormat("%g", value); }

// `value` with at most `decimals` decimals and no trailing zeros.
std::string Trimmed(double value, int decimals) {
  std::string text = absl::StrFormat("%.*f", decimals, value);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text == "-0" ? "0" : text;
}

absl::string_view OrDash(absl::string_view text) {
  return text.empty() ? absl::string_view("-") : text;
}

std::string StatusCodeName(int code) {
  std::string name =
      absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? absl::StrCat("code ", code) : name;
}

std::string CsvField(absl::string_view text) {
  if (text.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(text);
  }
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string ToJsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    // Cannot happen for healthscore.v1 messages (no Any fields); still keep
    // the one-object-per-line contract so a reader of the stream survives.
    return absl::StrCat("{\"error\":\"cannot print ",
                        message.GetDescriptor()->full_name(), " as JSON\"}");
  }
  return json;
}

void PrintScoreTable(const v1::CustomerScore& score, v1::Explain explain,
                     std::ostream& out) {
  out << score.customer_id() << "  score " << Fixed1(score.score())
      << ScoreOverrideMark(score) << "  grade " << OrDash(score.grade())
      << "  band " << OrDash(score.band()) << "  coverage "
      << Percent(score.coverage());
  if (!score.segment().empty()) out << "  segment " << score.segment();
  if (!score.variant().empty() && score.variant() != "default") {
    out << "  variant " << score.variant();
  }
  out << "\n";
  PrintScoreOverride(score, out);
  if (score.has_trend()) PrintTrend(score.trend(), out);
  for (const v1::Warning& w : score.warnings()) {
    out << "  warning: " << w.message() << "\n";
  }
  if (!score.groups().empty()) {
    out << "  groups:";
    for (const v1::GroupResult& g : score.groups()) {
      out << "  " << g.name() << " "
          << (g.has_data() ? Fixed1(g.score()) : std::string("-"));
    }
    out << "\n";
  }
  for (const v1::GateResult& g : score.gates()) {
    out << "  gate " << g.id() << ": " << g.message() << " (" << g.dimension()
        << " " << Fixed1(g.observed());
    if (g.impact() < 0) out << "; " << Fixed1(g.impact()) << " points";
    out << ")\n";
  }

  if (!score.dimensions().empty()) {
    const size_t width = MaxWidth(
        score.dimensions(),
        [](const v1::DimensionResult& d) { return d.name(); },
        absl::string_view("dimension").size());
    out << absl::StrFormat("  %-*s  %5s  %-17s  %6s  %5s  %12s  %11s\n", width,
                           "dimension", "score", "status", "weight", "share",
                           "contribution", "points lost");
    for (const v1::DimensionResult& d : score.dimensions()) {
      const bool ok = d.status() == v1::DIMENSION_STATUS_OK;
      std::string line = absl::StrFormat(
          "  %-*s  %5s  %-17s  %6s  %5s  %12s  %11s", width, d.name(),
          ok ? Fixed1(d.score()) : "-", StatusName(d.status()),
          Short(d.weight()), Percent(d.effective_weight()),
          Fixed1(d.contribution()), Fixed1(d.points_lost()));
      if (!d.status_reason().empty()) {
        absl::StrAppend(&line, "  (", d.status_reason(), ")");
      }
      out << line << "\n";
    }
  }

  // EXPLAIN_UNSPECIFIED is served as SUMMARY, so it prints as SUMMARY too.
  if (explain != v1::EXPLAIN_NONE) {
    PrintDrivers("top drivers down", score.top_drivers_down(), out);
    PrintDrivers("top drivers up", score.top_drivers_up(), out);
  }
  if (!score.actions().empty()) {
    // The most points at stake first; a person acts on the first few.
    constexpr int kShownActions = 5;
    out << "  recommended actions (points at stake):\n";
    for (int i = 0; i < score.actions_size() && i < kShownActions; ++i) {
      const v1::RecommendedAction& a = score.actions(i);
      out << absl::StrFormat("    %5s  %s\n", Fixed1(a.points_at_stake()),
                             a.text());
    }
    if (score.actions_size() > kShownActions) {
      out << "    (" << score.actions_size() - kShownActions
          << " more; --format=json lists them all)\n";
    }
  }
  if (explain == v1::EXPLAIN_FULL) {
    for (const v1::DimensionResult& d : score.dimensions()) {
      PrintDimensionDetails(d, out);
    }
  }
}

void PrintErrorTable(absl::string_view customer_id, const v1::Error& error,
                     std::ostream& out) {
  out << OrDash(customer_id) << "  ERROR " << ErrorText(error) << "\n";
}

std::unique_ptr<ResultPrinter> MakeResultPrinter(OutputFormat format,
                                                 v1::Explain explain,
                                                 bool summary,
                                                 std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
      return std::make_unique<JsonPrinter>(out);
    case OutputFormat::kCsv:
      return std::make_unique<CsvPrinter>(out);
    case OutputFormat::kTable:
      break;
  }
  return std::make_unique<TablePrinter>(explain, summary, out);
}

void PrintDimensions(const v1::ListDimensionsResponse& response,
                     OutputFormat format, std::ostream& out) {
  PrintMessage(
      format, response, out, [&] { PrintDimensionsCsv(response, out); },
      [&] { PrintDimensionsTable(response, out); });
}

void PrintScorecard(const v1::GetScorecardResponse& response,
                    OutputFormat format, std::ostream& out) {
  PrintMessage(
      format, response, out,
      [&] { PrintScorecardCsv(response.scorecard(), out); },
      [&] { PrintScorecardTable(response.scorecard(), out); });
}

// Rows of cells as aligned columns, each as wide as its widest cell, the
// first row being the header. Columns whose index is in `right` are
// right-aligned (numbers). Trailing spaces are dropped.
void PrintColumns(const std::vector<Cells>& rows,
                  const absl::flat_hash_set<size_t>& right,
                  absl::string_view indent, std::ostream& out) {
  std::vector<size_t> widths;
  for (const Cells& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const Cells& row : rows) {
    std::string line(indent);
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += "  ";
      const size_t pad = widths[i] - row[i].size();
      if (right.contains(i)) line.append(pad, ' ');
      line += row[i];
      if (!right.contains(i)) line.append(pad, ' ');
    }
    out << absl::StripTrailingAsciiWhitespace(line) << "\n";
  }
}

std::string Num(double value) { return Trimmed(value, 3); }

}  // namespace healthscore::cli
