// Table, CSV and JSON renderings of what-if and path-to-green replies.
#include "clients/cli/whatif_format.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/format.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

// Below this a dimension's score or points did not change (the table shows
// one decimal).
constexpr double kUnchanged = 0.05;

std::string Csv(const Cells& cells) {
  std::vector<std::string> fields;
  fields.reserve(cells.size());
  for (const std::string& cell : cells) fields.push_back(CsvField(cell));
  return absl::StrJoin(fields, ",");
}

bool Scored(const v1::DimensionResult& d) {
  return d.status() == v1::DIMENSION_STATUS_OK;
}

std::string DimScore(const v1::DimensionResult* d) {
  return d != nullptr && Scored(*d) ? Fixed1(d->score()) : "-";
}

const v1::DimensionResult* Find(const v1::CustomerScore& score,
                                const std::string& name) {
  for (const v1::DimensionResult& d : score.dimensions()) {
    if (d.name() == name) return &d;
  }
  return nullptr;
}

// "red F".
std::string Band(const v1::CustomerScore& score) {
  return absl::StrCat(score.band(), " ", score.grade());
}

// A signal value as typed: up to three decimals.
std::string Value(double value) { return Trimmed(value, 3); }

// The dimension names of before and after, in scorecard order.
std::vector<std::string> DimensionNames(const v1::SimulateResponse& r) {
  std::vector<std::string> names;
  for (const v1::CustomerScore* s : {&r.before(), &r.after()}) {
    for (const v1::DimensionResult& d : s->dimensions()) {
      if (std::find(names.begin(), names.end(), d.name()) == names.end()) {
        names.push_back(d.name());
      }
    }
  }
  return names;
}

// The points a gate took off the total, 0 when it did not bind.
double GateImpact(const v1::CustomerScore& score, const std::string& id) {
  for (const v1::GateResult& g : score.gates()) {
    if (g.id() == id) return g.impact();
  }
  return 0;
}

void SimulationTable(const v1::SimulateRequest& request,
                     const v1::SimulateResponse& r, std::ostream& out) {
  const v1::CustomerScore& before = r.before();
  const v1::CustomerScore& after = r.after();
  out << before.customer_id() << "  score " << Fixed1(before.score()) << " -> "
      << Fixed1(after.score()) << " ("
      << Signed1(after.score() - before.score()) << ")  band " << Band(before)
      << " -> " << Band(after) << "\n";
  std::vector<std::pair<std::string, double>> changes(request.changes().begin(),
                                                      request.changes().end());
  std::sort(changes.begin(), changes.end());
  std::vector<std::string> items;
  for (const auto& [name, value] : changes) {
    items.push_back(
        absl::StrCat(name, "=", std::isnan(value) ? "missing" : Value(value)));
  }
  out << "changes: " << absl::StrJoin(items, ", ") << "\n";

  std::vector<Cells> rows = {
      {"dimension", "before", "after", "change", "points"}};
  size_t unchanged = 0;
  for (const std::string& name : DimensionNames(r)) {
    const v1::DimensionResult* b = Find(before, name);
    const v1::DimensionResult* a = Find(after, name);
    const bool b_ok = b != nullptr && Scored(*b);
    const bool a_ok = a != nullptr && Scored(*a);
    const double b_points = b != nullptr ? b->contribution() : 0;
    const double a_points = a != nullptr ? a->contribution() : 0;
    const bool moved =
        b_ok != a_ok ||
        (b_ok && std::abs(a->score() - b->score()) >= kUnchanged) ||
        std::abs(a_points - b_points) >= kUnchanged;
    if (!moved) {
      ++unchanged;
      continue;
    }
    rows.push_back({name, DimScore(b), DimScore(a),
                    b_ok && a_ok ? Signed1(a->score() - b->score()) : "-",
                    Signed1(a_points - b_points)});
  }
  if (rows.size() > 1) PrintColumns(rows, {1, 2, 3, 4}, "  ", out);
  if (unchanged > 0) {
    out << "  (" << unchanged << " " << (rows.size() > 1 ? "other " : "")
        << (unchanged == 1 ? "dimension" : "dimensions") << " unchanged)\n";
  }
  std::vector<std::string> gates;
  for (const v1::CustomerScore* s : {&before, &after}) {
    for (const v1::GateResult& g : s->gates()) {
      if (g.impact() < 0 &&
          std::find(gates.begin(), gates.end(), g.id()) == gates.end()) {
        gates.push_back(g.id());
      }
    }
  }
  for (const std::string& id : gates) {
    auto impact = [&](const v1::CustomerScore& s) {
      const double points = GateImpact(s, id);
      return points < 0 ? Signed1(points) : std::string("none");
    };
    out << "gate " << id << ": " << impact(before) << " before, "
        << impact(after) << " after\n";
  }
}

void SimulationCsv(const v1::SimulateResponse& r, std::ostream& out) {
  const std::string& id = r.before().customer_id();
  out << "customer_id,kind,name,before,after,change\n";
  out << Csv({id, "score", "total", Num(r.before().score()),
              Num(r.after().score()),
              Num(r.after().score() - r.before().score())})
      << "\n";
  for (const std::string& name : DimensionNames(r)) {
    const v1::DimensionResult* b = Find(r.before(), name);
    const v1::DimensionResult* a = Find(r.after(), name);
    const bool b_ok = b != nullptr && Scored(*b);
    const bool a_ok = a != nullptr && Scored(*a);
    out << Csv({id, "dimension", name, b_ok ? Num(b->score()) : "",
                a_ok ? Num(a->score()) : "",
                b_ok && a_ok ? Num(a->score() - b->score()) : ""})
        << "\n";
  }
}

void PathTable(const v1::PathToGreenResponse& r, std::ostream& out) {
  const v1::CustomerScore& current = r.current();
  out << current.customer_id() << "  score " << Fixed1(current.score()) << " "
      << Band(current);
  if (r.already_best()) {
    out << ": already in the best band (" << current.band()
        << "); nothing to change\n";
    return;
  }
  const std::string needs =
      absl::StrCat(r.target_band(), " (", Short(r.target_min()), ")");
  if (r.moves().empty()) {
    out << ": no path to " << needs << " found\n";
    if (!r.note().empty()) out << "note: " << r.note() << "\n";
    return;
  }
  const int n = r.moves_size();
  const std::string changes = absl::StrCat(n, n == 1 ? " change" : " changes");
  out << " -> " << Fixed1(r.after().score()) << " " << Band(r.after())
      << " with " << changes << " (" << r.target_band() << " needs "
      << Short(r.target_min()) << ")\n";
  std::vector<Cells> rows = {{"signal", "unit", "from", "to", "points"}};
  for (const v1::SignalMove& m : r.moves()) {
    rows.push_back({m.signal(), std::string(OrDash(m.unit())),
                    m.was_missing() ? "missing" : Value(m.from()),
                    Value(m.to()), Signed1(m.points())});
  }
  PrintColumns(rows, {2, 3, 4}, "  ", out);
  const std::string what =
      n == 1 ? "the change scores" : "the " + changes + " together score";
  out << "verified: " << what << " " << Fixed1(r.after().score()) << ", band "
      << r.after().band() << " (grade " << r.after().grade() << ")\n";
  if (!r.note().empty()) out << "note: " << r.note() << "\n";
}

void PathCsv(const v1::PathToGreenResponse& r, std::ostream& out) {
  out << "customer_id,current_score,current_band,target_band,signal,unit,from,"
         "to,points,after_score,after_band,note\n";
  const v1::CustomerScore& current = r.current();
  const Cells head = {current.customer_id(), Num(current.score()),
                      current.band(), r.target_band()};
  const Cells tail = {r.has_after() ? Num(r.after().score()) : "",
                      r.has_after() ? r.after().band() : "", r.note()};
  auto row = [&](Cells move) {
    Cells cells = head;
    cells.insert(cells.end(), move.begin(), move.end());
    cells.insert(cells.end(), tail.begin(), tail.end());
    out << Csv(cells) << "\n";
  };
  if (r.moves().empty()) row({"", "", "", "", ""});
  for (const v1::SignalMove& m : r.moves()) {
    row({m.signal(), m.unit(), m.was_missing() ? "" : Num(m.from()),
         Num(m.to()), Num(m.points())});
  }
}

}  // namespace

void PrintSimulation(const v1::SimulateRequest& request,
                     const v1::SimulateResponse& response, OutputFormat format,
                     std::ostream& out) {
  PrintMessage(
      format, response, out, [&] { SimulationCsv(response, out); },
      [&] { SimulationTable(request, response, out); });
}

void PrintPathToGreen(const v1::PathToGreenResponse& response,
                      OutputFormat format, std::ostream& out) {
  PrintMessage(
      format, response, out, [&] { PathCsv(response, out); },
      [&] { PathTable(response, out); });
}

}  // namespace healthscore::cli
