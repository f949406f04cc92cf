// Table, CSV and JSON renderings of the history commands' replies.
#include "clients/cli/history_format.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/cli/dates.h"
#include "clients/cli/format.h"
#include "google/protobuf/struct.pb.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

std::string StatusName(v1::DimensionStatus status) {
  return std::string(
      absl::StripPrefix(v1::DimensionStatus_Name(status), "DIMENSION_STATUS_"));
}

std::string RuleKindName(v1::RuleChange::Kind kind) {
  switch (kind) {
    case v1::RuleChange::FIRED:
      return "fired";
    case v1::RuleChange::CLEARED:
      return "cleared";
    case v1::RuleChange::CHANGED:
      return "changed";
    default:
      return "-";
  }
}

// ---------------------------------------------------------------------------
// import

google::protobuf::Value NumberValue(double number) {
  google::protobuf::Value value;
  value.set_number_value(number);
  return value;
}

google::protobuf::Value StringValue(std::string text) {
  google::protobuf::Value value;
  value.set_string_value(std::move(text));
  return value;
}

double RowsPerSecond(const ImportSummary& summary) {
  const double seconds = absl::ToDoubleSeconds(summary.elapsed);
  return seconds > 0 ? static_cast<double>(summary.rows_read) / seconds : 0;
}

void PrintImportTable(const ImportSummary& s, std::ostream& out) {
  out << "rows read     " << s.rows_read;
  if (s.dates > 0) {
    out << " (" << s.dates << (s.dates == 1 ? " as_of date" : " as_of dates");
    if (s.dates == 1) {
      out << ", " << DisplayTime(s.first_as_of) << ")";
    } else {
      out << ", " << DisplayTime(s.first_as_of) << " to "
          << DisplayTime(s.last_as_of) << ")";
    }
  }
  out << "\n";
  out << "recorded      " << s.recorded << "\n";
  if (s.not_recorded > 0) {
    out << "not recorded  " << s.not_recorded
        << " (scored, but the server sent no trend back: it did not record "
           "them)\n";
  }
  out << "errors        " << s.errors.size() << "\n";
  out << "batches       " << s.batches << "\n";
  out << "elapsed       "
      << absl::StrFormat("%.1f s", absl::ToDoubleSeconds(s.elapsed));
  if (s.elapsed > absl::ZeroDuration()) {
    out << absl::StrFormat(" (%.0f rows/s)", RowsPerSecond(s));
  }
  out << "\n";
  if (s.errors.empty()) return;
  out << (s.errors.size() > kShownImportErrors ? "first errors:\n"
                                               : "errors:\n");
  std::vector<Cells> rows;
  for (size_t i = 0; i < s.errors.size() && i < kShownImportErrors; ++i) {
    const ImportRowError& e = s.errors[i];
    rows.push_back({absl::StrCat(s.path, ":", e.line), e.customer_id,
                    DisplayTime(e.as_of),
                    absl::StrCat(StatusCodeName(e.code), ": ", e.message)});
  }
  PrintColumns(rows, {}, "  ", out);
  if (s.errors.size() > kShownImportErrors) {
    out << "  (" << s.errors.size() - kShownImportErrors
        << " more; --format csv lists them all)\n";
  }
}

void PrintImportJson(const ImportSummary& s, std::ostream& out) {
  google::protobuf::Struct summary;
  auto& fields = *summary.mutable_fields();
  fields["file"] = StringValue(s.path);
  fields["rows_read"] = NumberValue(static_cast<double>(s.rows_read));
  fields["dates"] = NumberValue(static_cast<double>(s.dates));
  fields["first_as_of"] = StringValue(Rfc3339(s.first_as_of));
  fields["last_as_of"] = StringValue(Rfc3339(s.last_as_of));
  fields["recorded"] = NumberValue(static_cast<double>(s.recorded));
  fields["not_recorded"] = NumberValue(static_cast<double>(s.not_recorded));
  google::protobuf::ListValue* errors = fields["errors"].mutable_list_value();
  for (const ImportRowError& e : s.errors) {
    google::protobuf::Struct* error =
        errors->add_values()->mutable_struct_value();
    auto& f = *error->mutable_fields();
    f["line"] = NumberValue(e.line);
    f["customer_id"] = StringValue(e.customer_id);
    f["as_of"] = StringValue(Rfc3339(e.as_of));
    f["code"] = NumberValue(e.code);
    f["message"] = StringValue(e.message);
  }
  fields["batches"] = NumberValue(static_cast<double>(s.batches));
  fields["elapsed_seconds"] = NumberValue(absl::ToDoubleSeconds(s.elapsed));
  fields["rows_per_second"] = NumberValue(RowsPerSecond(s));
  out << ToJsonLine(summary) << "\n";
}

// ---------------------------------------------------------------------------
// history

// A dimension's score as a whole number: the history table shows thirteen of
// them on a line, and a tenth of a point there is noise.
std::string DimensionCell(const v1::DimensionPoint& d) {
  if (d.status() != v1::DIMENSION_STATUS_OK) return "-";
  return absl::StrFormat("%.0f", d.score());
}

// The change against the previous point: the server's trend when the point
// has one (it knows points outside the listed range), else the next older
// point listed.
std::optional<double> ChangeOf(const std::vector<v1::HistoryPoint>& points,
                               size_t i) {
  const v1::HistoryPoint& p = points[i];
  if (p.has_trend()) {
    if (p.trend().has_previous()) return p.trend().change();
    return std::nullopt;
  }
  if (i + 1 < points.size()) return p.score() - points[i + 1].score();
  return std::nullopt;
}

void PrintPointDetails(const v1::HistoryPoint& p, std::ostream& out) {
  if (p.has_provenance()) {
    out << "    scorecard " << OrDash(p.provenance().scorecard_name())
        << "  version " << OrDash(p.provenance().scorecard_version());
    if (!p.variant().empty()) out << "  variant " << p.variant();
    if (p.has_recorded_at()) {
      out << "  recorded " << DisplayTime(p.recorded_at());
    }
    out << "\n";
  }
  if (!p.inputs().empty()) {
    out << "    inputs: "
        << absl::StrJoin(p.inputs(), " ",
                         [](std::string* s, const v1::SignalValue& v) {
                           absl::StrAppend(s, v.name(), "=", Short(v.value()));
                         })
        << "\n";
  }
  for (const v1::DimensionPoint& d : p.dimensions()) {
    if (d.rules().empty()) continue;
    out << "    " << d.name() << ": "
        << absl::StrJoin(d.rules(), ", ",
                         [](std::string* s, const v1::FiredRule& r) {
                           absl::StrAppend(s, r.rule_id(), " ",
                                           Signed1(r.impact()));
                         })
        << "\n";
  }
  for (const v1::GateResult& g : p.gates()) {
    out << "    gate " << g.id() << " (" << g.dimension() << " "
        << Fixed1(g.observed()) << "): " << Signed1(g.impact()) << " points";
    if (!g.message().empty()) out << "; " << g.message();
    out << "\n";
  }
}

void PrintHistoryTable(absl::string_view customer_id,
                       const std::vector<v1::HistoryPoint>& points, bool full,
                       std::ostream& out) {
  if (points.empty()) {
    out << customer_id << ": no points in the range asked for\n";
    return;
  }
  out << customer_id;
  if (!points.front().segment().empty()) {
    out << "  segment " << points.front().segment();
  }
  out << "  " << points.size() << (points.size() == 1 ? " point" : " points")
      << ", newest first\n";
  std::vector<Cells> rows = {
      {"as_of", "score", "grade", "band", "change", "coverage", "dimensions"}};
  for (size_t i = 0; i < points.size(); ++i) {
    const v1::HistoryPoint& p = points[i];
    const std::optional<double> change = ChangeOf(points, i);
    rows.push_back(
        {DisplayTime(p.as_of()), Fixed1(p.score()),
         std::string(OrDash(p.grade())), std::string(OrDash(p.band())),
         change.has_value() ? Signed1(*change) : "-", Percent(p.coverage()),
         absl::StrJoin(p.dimensions(), ", ",
                       [](std::string* s, const v1::DimensionPoint& d) {
                         absl::StrAppend(s, d.name(), " ", DimensionCell(d));
                       })});
  }
  if (!full) {
    PrintColumns(rows, {1, 4, 5}, "", out);
    return;
  }
  // With the details under each point, print the point lines one by one but
  // still aligned as one table.
  std::ostringstream table;
  PrintColumns(rows, {1, 4, 5}, "", table);
  std::vector<std::string> lines = absl::StrSplit(table.str(), '\n');
  out << lines[0] << "\n";
  for (size_t i = 0; i < points.size(); ++i) {
    out << lines[i + 1] << "\n";
    PrintPointDetails(points[i], out);
  }
}

void PrintHistoryCsv(const std::vector<v1::HistoryPoint>& points,
                     std::ostream& out) {
  std::vector<std::string> dimensions;
  absl::flat_hash_set<std::string> seen;
  for (const v1::HistoryPoint& p : points) {
    for (const v1::DimensionPoint& d : p.dimensions()) {
      if (seen.insert(d.name()).second) dimensions.push_back(d.name());
    }
  }
  Cells header = {"customer_id", "segment", "as_of",  "score",
                  "grade",       "band",    "change", "coverage"};
  for (const std::string& d : dimensions) header.push_back(CsvField(d));
  out << absl::StrJoin(header, ",") << "\n";
  for (size_t i = 0; i < points.size(); ++i) {
    const v1::HistoryPoint& p = points[i];
    const std::optional<double> change = ChangeOf(points, i);
    Cells cells = {CsvField(p.customer_id()),
                   CsvField(p.segment()),
                   Rfc3339(p.as_of()),
                   Num(p.score()),
                   CsvField(p.grade()),
                   CsvField(p.band()),
                   change.has_value() ? Num(*change) : "",
                   Num(p.coverage())};
    absl::flat_hash_map<std::string, const v1::DimensionPoint*> by_name;
    for (const v1::DimensionPoint& d : p.dimensions()) by_name[d.name()] = &d;
    for (const std::string& name : dimensions) {
      auto it = by_name.find(name);
      const bool ok = it != by_name.end() &&
                      it->second->status() == v1::DIMENSION_STATUS_OK;
      cells.push_back(ok ? Num(it->second->score()) : "");
    }
    out << absl::StrJoin(cells, ",") << "\n";
  }
}

// ---------------------------------------------------------------------------
// why

std::string PointText(const v1::HistoryPoint& p) {
  return absl::StrCat(Fixed1(p.score()), " (", OrDash(p.grade()), ", ",
                      OrDash(p.band()), ") on ", DisplayTime(p.as_of()));
}

std::string ScoreOrStatus(v1::DimensionStatus status, double score) {
  return status == v1::DIMENSION_STATUS_OK ? Fixed1(score) : StatusName(status);
}

std::string SignalValueText(bool has, double value) {
  return has ? Short(value) : "-";
}

void PrintExplainChangeTable(const v1::ExplainChangeResponse& r,
                             std::ostream& out) {
  out << OrDash(r.after().customer_id().empty() ? r.before().customer_id()
                                                : r.after().customer_id())
      << ": " << PointText(r.before()) << " -> " << PointText(r.after())
      << "\n";
  for (const std::string& sentence : r.summary()) {
    out << "  " << sentence << "\n";
  }
  out << "change " << Signed1(r.delta()) << " = scorecard "
      << Signed1(r.scorecard_change()) << " + data " << Signed1(r.data_change())
      << "\n";

  if (!r.dimensions().empty() || r.gates_change() != 0) {
    out << "dimensions (points on the total):\n";
    std::vector<Cells> rows = {{"dimension", "change", "from score",
                                "from weight", "score before -> after",
                                "share before -> after"}};
    for (const v1::DimensionChange& d : r.dimensions()) {
      rows.push_back(
          {d.dimension(), Signed1(d.change()), Signed1(d.from_score()),
           Signed1(d.from_weight()),
           absl::StrCat(ScoreOrStatus(d.status_before(), d.score_before()),
                        " -> ",
                        ScoreOrStatus(d.status_after(), d.score_after())),
           absl::StrCat(Percent(d.effective_weight_before()), " -> ",
                        Percent(d.effective_weight_after()))});
    }
    if (r.gates_change() != 0) {
      rows.push_back({"(critical gates)", Signed1(r.gates_change())});
    }
    PrintColumns(rows, {1, 2, 3}, "  ", out);
  }

  if (!r.signals().empty()) {
    out << "signals (points on the total):\n";
    std::vector<Cells> rows = {
        {"signal", "before -> after", "points", "dimension"}};
    for (const v1::SignalChange& s : r.signals()) {
      rows.push_back(
          {s.signal(),
           absl::StrCat(SignalValueText(s.has_before(), s.before()), " -> ",
                        SignalValueText(s.has_after(), s.after())),
           Signed1(s.points()), std::string(OrDash(s.dimension()))});
    }
    PrintColumns(rows, {2}, "  ", out);
  }

  if (!r.rules().empty()) {
    out << "rules (points on the dimension):\n";
    std::vector<Cells> rows = {
        {"rule", "dimension", "kind", "before -> after", "message"}};
    for (const v1::RuleChange& rule : r.rules()) {
      rows.push_back({rule.rule_id(), rule.dimension(),
                      RuleKindName(rule.kind()),
                      absl::StrCat(Signed1(rule.impact_before()), " -> ",
                                   Signed1(rule.impact_after())),
                      rule.message()});
    }
    PrintColumns(rows, {}, "  ", out);
  }
}

void PrintExplainChangeCsv(const v1::ExplainChangeResponse& r,
                           std::ostream& out) {
  out << "kind,name,dimension,state,before,after,change,from_score,"
         "from_weight,message\n";
  auto row = [&out](const Cells& cells) {
    out << absl::StrJoin(cells, ",") << "\n";
  };
  row({"total", "", "", "", Num(r.before().score()), Num(r.after().score()),
       Num(r.delta()), "", "", ""});
  row({"scorecard", "", "", "", "", "", Num(r.scorecard_change()), "", "", ""});
  row({"data", "", "", "", "", "", Num(r.data_change()), "", "", ""});
  row({"gates", "", "", "", "", "", Num(r.gates_change()), "", "", ""});
  for (const v1::DimensionChange& d : r.dimensions()) {
    row({"dimension", CsvField(d.dimension()), CsvField(d.dimension()),
         absl::StrCat(StatusName(d.status_before()), "->",
                      StatusName(d.status_after())),
         d.status_before() == v1::DIMENSION_STATUS_OK ? Num(d.score_before())
                                                      : "",
         d.status_after() == v1::DIMENSION_STATUS_OK ? Num(d.score_after())
                                                     : "",
         Num(d.change()), Num(d.from_score()), Num(d.from_weight()),
         CsvField(d.message())});
  }
  for (const v1::SignalChange& s : r.signals()) {
    row({"signal", CsvField(s.signal()), CsvField(s.dimension()), "",
         s.has_before() ? Num(s.before()) : "",
         s.has_after() ? Num(s.after()) : "", Num(s.points()), "", "",
         CsvField(s.message())});
  }
  for (const v1::RuleChange& rule : r.rules()) {
    row({"rule", CsvField(rule.rule_id()), CsvField(rule.dimension()),
         RuleKindName(rule.kind()), Num(rule.impact_before()),
         Num(rule.impact_after()),
         Num(rule.impact_after() - rule.impact_before()), "", "",
         CsvField(rule.message())});
  }
}

// ---------------------------------------------------------------------------
// movers

std::string TopCause(const v1::Mover& m) {
  if (!m.top_cause().empty()) return m.top_cause();
  if (!m.top_dimension().empty()) {
    return absl::StrCat(m.top_dimension(), " ",
                        Signed1(m.top_dimension_change()));
  }
  return "-";
}

void PrintMoversTable(const v1::ListMoversRequest& request,
                      const v1::ListMoversResponse& response,
                      std::ostream& out) {
  out << (request.direction() == v1::RISES ? "biggest rises" : "biggest drops")
      << " from " << DisplayTime(request.from()) << " to "
      << (request.has_to() ? DisplayTime(request.to()) : std::string("now"));
  if (!request.segment().empty()) out << ", segment " << request.segment();
  out << "\n";
  if (response.movers().empty()) {
    out << "no customer moved that way\n";
  } else {
    std::vector<Cells> rows = {{"customer", "segment", "before -> after",
                                "change", "band before -> after", "top cause"}};
    for (const v1::Mover& m : response.movers()) {
      rows.push_back({m.customer_id(), std::string(OrDash(m.segment())),
                      absl::StrCat(Fixed1(m.score_before()), " -> ",
                                   Fixed1(m.score_after())),
                      Signed1(m.change()),
                      absl::StrCat(OrDash(m.band_before()), " -> ",
                                   OrDash(m.band_after())),
                      TopCause(m)});
    }
    PrintColumns(rows, {2, 3}, "", out);
  }
  out << response.compared()
      << (response.compared() == 1 ? " customer" : " customers")
      << " with a point at both dates\n";
}

void PrintMoversCsv(const v1::ListMoversResponse& response, std::ostream& out) {
  out << "customer_id,segment,score_before,score_after,change,band_before,"
         "band_after,top_dimension,top_dimension_change,top_cause\n";
  for (const v1::Mover& m : response.movers()) {
    out << absl::StrJoin(
               Cells{CsvField(m.customer_id()), CsvField(m.segment()),
                     Num(m.score_before()), Num(m.score_after()),
                     Num(m.change()), CsvField(m.band_before()),
                     CsvField(m.band_after()), CsvField(m.top_dimension()),
                     Num(m.top_dimension_change()), CsvField(m.top_cause())},
               ",")
        << "\n";
  }
}

// ---------------------------------------------------------------------------
// portfolio

const v1::PortfolioFigures* FindFigures(const v1::PortfolioAt& at,
                                        absl::string_view segment) {
  for (const v1::PortfolioFigures& f : at.figures()) {
    if (f.segment() == segment) return &f;
  }
  return nullptr;
}

const v1::BucketCount* FindBucket(
    const google::protobuf::RepeatedPtrField<v1::BucketCount>& buckets,
    absl::string_view name) {
  for (const v1::BucketCount& b : buckets) {
    if (b.name() == name) return &b;
  }
  return nullptr;
}

// The bucket names of now, then those only the earlier figures have.
std::vector<std::string> BucketNames(
    const google::protobuf::RepeatedPtrField<v1::BucketCount>& now,
    const google::protobuf::RepeatedPtrField<v1::BucketCount>* before) {
  std::vector<std::string> names;
  for (const v1::BucketCount& b : now) names.push_back(b.name());
  if (before != nullptr) {
    for (const v1::BucketCount& b : *before) {
      if (FindBucket(now, b.name()) == nullptr) names.push_back(b.name());
    }
  }
  return names;
}

std::string SegmentName(absl::string_view segment) {
  return segment.empty() ? "all segments" : absl::StrCat("segment ", segment);
}

void PrintBuckets(
    absl::string_view title,
    const google::protobuf::RepeatedPtrField<v1::BucketCount>& now,
    const google::protobuf::RepeatedPtrField<v1::BucketCount>* before,
    std::ostream& out) {
  const std::vector<std::string> names = BucketNames(now, before);
  if (names.empty()) return;
  std::vector<Cells> rows = {
      {std::string(title), "now", "share", "before", "share", "change", ""}};
  for (const std::string& name : names) {
    const v1::BucketCount* n = FindBucket(now, name);
    const v1::BucketCount* b =
        before == nullptr ? nullptr : FindBucket(*before, name);
    const int64_t n_count = n == nullptr ? 0 : n->count();
    const double n_share = n == nullptr ? 0 : n->share();
    Cells row = {std::string(OrDash(name)), absl::StrCat(n_count),
                 Percent(n_share)};
    if (before == nullptr) {
      row.insert(row.end(), {"-", "-", "-", ""});
    } else {
      const int64_t b_count = b == nullptr ? 0 : b->count();
      const double b_share = b == nullptr ? 0 : b->share();
      row.insert(
          row.end(),
          {absl::StrCat(b_count), Percent(b_share),
           absl::StrFormat("%+d", n_count - b_count),
           absl::StrCat("(", Signed1((n_share - b_share) * 100), " pts)")});
    }
    rows.push_back(std::move(row));
  }
  PrintColumns(rows, {1, 2, 3, 4, 5}, "  ", out);
}

void PrintPortfolioTable(const v1::GetPortfolioResponse& r, std::ostream& out) {
  out << "portfolio at " << DisplayTime(r.current().as_of());
  if (r.has_previous()) {
    out << ", against " << DisplayTime(r.previous().as_of());
  }
  out << "\n";
  if (r.current().figures().empty()) {
    out << "no customer has a recorded point at that date\n";
    return;
  }
  bool first = true;
  for (const v1::PortfolioFigures& now : r.current().figures()) {
    if (!first) out << "\n";
    first = false;
    const v1::PortfolioFigures* before =
        r.has_previous() ? FindFigures(r.previous(), now.segment()) : nullptr;
    out << SegmentName(now.segment()) << ": " << now.customers()
        << (now.customers() == 1 ? " customer" : " customers");
    if (before != nullptr) {
      out << " (was " << before->customers() << ")";
    }
    out << ", mean score " << Fixed1(now.mean_score());
    if (before != nullptr && before->customers() > 0) {
      out << " (was " << Fixed1(before->mean_score()) << ", "
          << Signed1(now.mean_score() - before->mean_score()) << ")";
    }
    out << "\n";
    PrintBuckets("band", now.bands(),
                 before == nullptr ? nullptr : &before->bands(), out);
    PrintBuckets("grade", now.grades(),
                 before == nullptr ? nullptr : &before->grades(), out);
  }
}

void PrintPortfolioCsv(const v1::GetPortfolioResponse& r, std::ostream& out) {
  out << "as_of,previous_as_of,segment,kind,name,now,now_share,previous,"
         "previous_share\n";
  const std::string as_of = Rfc3339(r.current().as_of());
  const std::string previous_as_of =
      r.has_previous() ? Rfc3339(r.previous().as_of()) : "";
  for (const v1::PortfolioFigures& now : r.current().figures()) {
    const v1::PortfolioFigures* before =
        r.has_previous() ? FindFigures(r.previous(), now.segment()) : nullptr;
    auto row = [&](absl::string_view kind, absl::string_view name,
                   const std::string& value, const std::string& share,
                   const std::string& previous,
                   const std::string& previous_share) {
      out << absl::StrJoin(Cells{as_of, previous_as_of, CsvField(now.segment()),
                                 std::string(kind), CsvField(name), value,
                                 share, previous, previous_share},
                           ",")
          << "\n";
    };
    row("customers", "", absl::StrCat(now.customers()), "",
        before == nullptr ? "" : absl::StrCat(before->customers()), "");
    row("mean_score", "", Num(now.mean_score()), "",
        before == nullptr ? "" : Num(before->mean_score()), "");
    auto buckets =
        [&](absl::string_view kind,
            const google::protobuf::RepeatedPtrField<v1::BucketCount>& n,
            const google::protobuf::RepeatedPtrField<v1::BucketCount>* b) {
          for (const std::string& name : BucketNames(n, b)) {
            const v1::BucketCount* nb = FindBucket(n, name);
            const v1::BucketCount* bb =
                b == nullptr ? nullptr : FindBucket(*b, name);
            row(kind, name, absl::StrCat(nb == nullptr ? 0 : nb->count()),
                Num(nb == nullptr ? 0 : nb->share()),
                b == nullptr ? ""
                             : absl::StrCat(bb == nullptr ? 0 : bb->count()),
                b == nullptr ? "" : Num(bb == nullptr ? 0 : bb->share()));
          }
        };
    buckets("band", now.bands(),
            before == nullptr ? nullptr : &before->bands());
    buckets("grade", now.grades(),
            before == nullptr ? nullptr : &before->grades());
  }
}

}  // namespace

void PrintImportSummary(const ImportSummary& summary, OutputFormat format,
                        std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
      PrintImportJson(summary, out);
      return;
    case OutputFormat::kCsv:
      out << "line,customer_id,as_of,code,message\n";
      for (const ImportRowError& e : summary.errors) {
        out << e.line << "," << CsvField(e.customer_id) << ","
            << Rfc3339(e.as_of) << "," << StatusCodeName(e.code) << ","
            << CsvField(e.message) << "\n";
      }
      return;
    case OutputFormat::kTable:
      PrintImportTable(summary, out);
      return;
  }
}

ImportProgress::ImportProgress(size_t total_rows, bool bar, std::ostream& err)
    : total_rows_(total_rows), bar_(bar), err_(err) {}

void ImportProgress::Update(size_t rows_done, absl::Duration elapsed) {
  if (total_rows_ == 0) return;
  const size_t percent = rows_done * 100 / total_rows_;
  const std::string seconds =
      absl::StrFormat("%.1f s", absl::ToDoubleSeconds(elapsed));
  if (bar_) {
    constexpr size_t kWidth = 20;
    const size_t filled = rows_done * kWidth / total_rows_;
    err_ << "\rimport [" << std::string(filled, '#')
         << std::string(kWidth - filled, '-') << "] "
         << absl::StrFormat("%3d%%", percent) << "  " << rows_done << "/"
         << total_rows_ << " rows  " << seconds << std::flush;
    drawn_ = true;
    return;
  }
  const size_t tenths = rows_done * 10 / total_rows_;
  if (tenths <= tenths_reported_) return;
  tenths_reported_ = tenths;
  err_ << "import: " << percent << "% (" << rows_done << " of " << total_rows_
       << " rows, " << seconds << ")\n";
}

void ImportProgress::Finish() {
  if (drawn_) err_ << "\n";
  drawn_ = false;
}

void PrintHistory(absl::string_view customer_id,
                  const std::vector<v1::HistoryPoint>& points, bool full,
                  OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
      for (const v1::HistoryPoint& p : points) out << ToJsonLine(p) << "\n";
      return;
    case OutputFormat::kCsv:
      PrintHistoryCsv(points, out);
      return;
    case OutputFormat::kTable:
      PrintHistoryTable(customer_id, points, full, out);
      return;
  }
}

void PrintExplainChange(const v1::ExplainChangeResponse& response,
                        OutputFormat format, std::ostream& out) {
  PrintMessage(
      format, response, out, [&] { PrintExplainChangeCsv(response, out); },
      [&] { PrintExplainChangeTable(response, out); });
}

void PrintMovers(const v1::ListMoversRequest& request,
                 const v1::ListMoversResponse& response, OutputFormat format,
                 std::ostream& out) {
  PrintMessage(
      format, response, out, [&] { PrintMoversCsv(response, out); },
      [&] { PrintMoversTable(request, response, out); });
}

void PrintRollup(const v1::AccountRollup& rollup, OutputFormat format,
                 std::ostream& out) {
  PrintMessage(
      format, rollup, out,
      [&] {
        out << "parent_id,at,score,band,grade,customer_id,child_score,"
               "child_band,child_as_of,contract_value,weight,points_lost,"
               "is_parent,excluded\n";
        for (const v1::RollupChild& c : rollup.children()) {
          out << absl::StrJoin(
                     Cells{CsvField(rollup.parent_id()), Rfc3339(rollup.at()),
                           Num(rollup.score()), CsvField(rollup.band()),
                           CsvField(rollup.grade()), CsvField(c.customer_id()),
                           c.has_as_of() ? Num(c.score()) : "",
                           CsvField(c.band()),
                           c.has_as_of() ? Rfc3339(c.as_of()) : "",
                           Num(c.contract_value()), Num(c.weight()),
                           Num(c.points_lost()), c.is_parent() ? "1" : "0",
                           CsvField(c.excluded())},
                     ",")
              << "\n";
        }
      },
      [&] {
        int counted = 0;
        for (const v1::RollupChild& c : rollup.children()) {
          if (c.excluded().empty()) ++counted;
        }
        out << rollup.parent_id() << "  score " << Fixed1(rollup.score())
            << "  grade " << rollup.grade() << "  band " << rollup.band()
            << "  at " << DisplayTime(rollup.at()) << "\n";
        out << "  roll-up of " << counted << " of " << rollup.children_size()
            << " children, contract value "
            << Trimmed(rollup.contract_value(), 2) << " (coverage "
            << Percent(rollup.coverage()) << ")\n";
        std::vector<Cells> rows = {{"child", "score", "band", "as of",
                                    "contract value", "weight", "points lost",
                                    ""}};
        for (const v1::RollupChild& c : rollup.children()) {
          const bool scored = c.has_as_of();
          rows.push_back(
              {c.customer_id() + (c.is_parent() ? " (parent)" : ""),
               scored ? Fixed1(c.score()) : "-", std::string(OrDash(c.band())),
               scored ? DisplayTime(c.as_of()) : "-",
               c.contract_value() > 0 ? Trimmed(c.contract_value(), 2) : "-",
               c.excluded().empty() ? Percent(c.weight()) : "-",
               c.excluded().empty() ? Fixed1(c.points_lost()) : "-",
               c.excluded().empty() ? "" : "excluded: " + c.excluded()});
        }
        PrintColumns(rows, {1, 4, 5, 6}, "  ", out);
      });
}

void PrintPortfolio(const v1::GetPortfolioResponse& response,
                    OutputFormat format, std::ostream& out) {
  PrintMessage(
      format, response, out, [&] { PrintPortfolioCsv(response, out); },
      [&] { PrintPortfolioTable(response, out); });
}

}  // namespace healthscore::cli
