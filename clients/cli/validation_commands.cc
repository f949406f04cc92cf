// The CLI's validation commands.
#include "clients/cli/validation_commands.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "clients/cli/csv.h"
#include "clients/cli/dates.h"
#include "clients/cli/format.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

}  // namespace

absl::StatusOr<std::vector<v1::Outcome>> ParseOutcomesCsv(
    absl::string_view text, absl::string_view source) {
  absl::StatusOr<std::vector<CsvRecord>> records =
      ParseCsvRecords(text, source);
  if (!records.ok()) return records.status();
  if (records->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source,
        ": the file is empty; expected a header customer_id, date, "
        "kind, value"));
  }
  const CsvRecord& header = records->front();
  int id = -1, date = -1, kind = -1, value = -1;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name(absl::StripAsciiWhitespace(header.fields[i]));
    int* slot = name == "customer_id" ? &id
                : name == "date"      ? &date
                : name == "kind"      ? &kind
                : name == "value"     ? &value
                                      : nullptr;
    if (slot == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", header.line, ": column ", i + 1, " (", name,
                       ") is not one of customer_id, date, kind, value"));
    }
    if (*slot >= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", header.line, ": column ", i + 1, " (", name,
                       ") repeats column ", *slot + 1));
    }
    *slot = static_cast<int>(i);
  }
  for (auto [column, name] :
       {std::pair{id, "customer_id"}, std::pair{date, "date"},
        std::pair{kind, "kind"}}) {
    if (column < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", header.line, ": the header has no ", name, " column"));
    }
  }
  std::vector<v1::Outcome> out;
  for (size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& rec = (*records)[r];
    if (rec.fields.size() != header.fields.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", rec.line, ": the row has ", rec.fields.size(),
          " cells; the header has ", header.fields.size()));
    }
    auto cell = [&](int c) {
      return absl::StripAsciiWhitespace(rec.fields[c]);
    };
    v1::Outcome o;
    o.set_customer_id(std::string(cell(id)));
    if (o.customer_id().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", rec.line, ": customer_id is empty"));
    }
    absl::StatusOr<absl::Time> when = ParseTime(cell(date));
    if (!when.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", rec.line, ": column ", date + 1,
                       " (date): ", when.status().message()));
    }
    *o.mutable_date() = ToTimestamp(*when);
    const std::string k = absl::AsciiStrToUpper(cell(kind));
    v1::OutcomeKind parsed;
    if (!v1::OutcomeKind_Parse(k, &parsed) ||
        parsed == v1::OUTCOME_KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", rec.line, ": column ", kind + 1, " (kind): \"",
          cell(kind),
          "\" is not one of churned, renewed, expanded, contracted"));
    }
    o.set_kind(parsed);
    if (value >= 0 && !cell(value).empty()) {
      double v = 0;
      if (!absl::SimpleAtod(cell(value), &v) || !std::isfinite(v) || v < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ":", rec.line, ": column ", value + 1, " (value): \"",
            cell(value), "\" is not a number >= 0"));
      }
      o.set_value(v);
    }
    out.push_back(std::move(o));
  }
  return out;
}

int RunOutcomesImport(v1::Validation::StubInterface& stub,
                      const CommonOptions& options, const std::string& path,
                      size_t batch_size, std::ostream& out, std::ostream& err) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    err << "error: " << text.status().message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<std::vector<v1::Outcome>> outcomes =
      ParseOutcomesCsv(*text, path);
  if (!outcomes.ok()) {
    err << "error: " << outcomes.status().message() << "\n";
    return kExitUsage;
  }
  int64_t recorded = 0;
  for (size_t begin = 0; begin < outcomes->size(); begin += batch_size) {
    v1::RecordOutcomesRequest request;
    const size_t end = std::min(outcomes->size(), begin + batch_size);
    for (size_t i = begin; i < end; ++i)
      *request.add_outcomes() = (*outcomes)[i];
    grpc::ClientContext context;
    SetDeadline(context, options);
    v1::RecordOutcomesResponse response;
    const grpc::Status status =
        stub.RecordOutcomes(&context, request, &response);
    if (!status.ok()) {
      err << DescribeRpcError(status, options) << "\n";
      if (recorded > 0) {
        err << recorded
            << " outcomes were recorded before; importing again "
               "is safe\n";
      }
      return kExitRpcFailed;
    }
    recorded += response.recorded();
  }
  out << recorded << " outcomes recorded from " << path << "\n";
  return kExitOk;
}

int RunBacktest(v1::Validation::StubInterface& stub,
                const CommonOptions& options,
                const BacktestCommandOptions& backtest, std::ostream& out,
                std::ostream& err) {
  v1::BacktestRequest request;
  if (backtest.horizon_days < 1) {
    err << "error: --horizon=" << backtest.horizon_days
        << " must be at least 1 (days)\n";
    return kExitUsage;
  }
  request.set_horizon_days(backtest.horizon_days);
  request.set_segment(backtest.segment);
  if (backtest.from.has_value())
    *request.mutable_from() = ToTimestamp(*backtest.from);
  if (backtest.to.has_value())
    *request.mutable_to() = ToTimestamp(*backtest.to);
  if (!backtest.scorecard_path.empty()) {
    absl::StatusOr<std::string> draft = ReadFile(backtest.scorecard_path);
    if (!draft.ok()) {
      err << "error: " << draft.status().message() << "\n";
      return kExitUsage;
    }
    request.set_draft_yaml(*draft);
  }
  if (!backtest.plot_path.empty() &&
      !absl::EndsWith(backtest.plot_path, ".svg")) {
    err << "error: --plot=" << backtest.plot_path
        << ": only .svg is drawn (open it in a browser, or convert it with "
           "rsvg-convert for a .png)\n";
    return kExitUsage;
  }
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::BacktestResponse response;
  const grpc::Status status = stub.Backtest(&context, request, &response);
  if (!status.ok()) return RefusedOrFailed(status, options, err);
  PrintBacktest(response, backtest.horizon_days, options.format, out);
  if (!backtest.plot_path.empty()) {
    std::ofstream file(backtest.plot_path);
    file << BacktestSvg(response, backtest.horizon_days);
    if (!file.good()) {
      err << "error: cannot write " << backtest.plot_path << "\n";
      return kExitUsage;
    }
    err << "plot written to " << backtest.plot_path << "\n";
  }
  return kExitOk;
}

namespace {

void PrintRates(absl::string_view title,
                const google::protobuf::RepeatedPtrField<v1::ChurnRate>& rates,
                std::ostream& out) {
  std::vector<Cells> rows = {
      {std::string(title), "points", "churned", "rate", "95% interval"}};
  for (const v1::ChurnRate& r : rates) {
    rows.push_back({r.name(), absl::StrCat(r.points()),
                    absl::StrCat(r.churned()), Percent(r.rate()),
                    absl::StrCat(Percent(r.wilson_low()), " - ",
                                 Percent(r.wilson_high()))});
  }
  PrintColumns(rows, {1, 2, 3}, "  ", out);
}

void PrintResult(const v1::BacktestResult& r, absl::string_view label,
                 std::ostream& out) {
  out << label << ": scorecard " << r.scorecard_name() << " "
      << r.scorecard_version() << " (sha256 "
      << r.scorecard_hash().substr(0, 12) << ")\n";
  out << "  " << r.points() << " points of " << r.customers() << " customers, "
      << r.churned_customers() << " of whom churned within the horizon; "
      << r.censored_points() << " points censored\n";
  PrintRates("band", r.bands(), out);
  out << "  "
      << (r.bands_ordered()
              ? "each worse band churns more than the one above it"
              : "NOT ordered: a worse band churns no more than a "
                "better one")
      << "\n";
  PrintRates("grade", r.grades(), out);
  std::vector<Cells> cal = {
      {"decile", "scores", "points", "mean risk", "churn rate"}};
  for (const v1::CalibrationBin& b : r.calibration()) {
    cal.push_back(
        {absl::StrCat(b.decile()),
         absl::StrCat(Fixed1(b.min_score()), " - ", Fixed1(b.max_score())),
         absl::StrCat(b.points()), Percent(b.mean_risk()),
         Percent(b.churn_rate())});
  }
  PrintColumns(cal, {2, 3, 4}, "  ", out);
  std::vector<Cells> dims = {
      {"dimension", "AUC alone", "AUC lost without", "points"}};
  for (const v1::DimensionSeparation& d : r.dimensions()) {
    dims.push_back({d.dimension(), Fixed3(d.auc_roc()),
                    absl::StrFormat("%+.3f", d.auc_lost_without()),
                    absl::StrCat(d.points())});
  }
  PrintColumns(dims, {1, 2, 3}, "  ", out);
  if (r.by_segment_size() > 0) {
    std::vector<Cells> seg = {{"segment", "points", "churned customers", "AUC",
                               "PR-AUC", "lift", "bands ordered"}};
    for (const v1::SegmentResult& s : r.by_segment()) {
      const v1::BacktestResult& x = s.result();
      seg.push_back(
          {s.segment(), absl::StrCat(x.points()),
           absl::StrCat(x.churned_customers()), Fixed3(x.metrics().auc_roc()),
           Fixed3(x.metrics().pr_auc()), Fixed3(x.metrics().top_decile_lift()),
           x.bands_ordered() ? "yes" : "no"});
    }
    PrintColumns(seg, {1, 2, 3, 4, 5}, "  ", out);
  }
}

}  // namespace

void PrintBacktest(const v1::BacktestResponse& response, int horizon_days,
                   OutputFormat format, std::ostream& out) {
  const bool draft = response.has_draft();
  PrintMessage(
      format, response, out,
      [&] {
        out << "scorecard,segment,metric,value\n";
        auto rows = [&](absl::string_view which, const v1::BacktestResult& r) {
          auto row = [&](absl::string_view segment, absl::string_view name,
                         double v) {
            out << which << "," << CsvField(segment) << "," << name << ","
                << Num(v) << "\n";
          };
          auto metrics = [&](absl::string_view segment,
                             const v1::BacktestResult& x) {
            row(segment, "auc_roc", x.metrics().auc_roc());
            row(segment, "pr_auc", x.metrics().pr_auc());
            row(segment, "top_decile_lift", x.metrics().top_decile_lift());
            row(segment, "brier", x.metrics().brier());
            row(segment, "base_rate", x.metrics().base_rate());
            row(segment, "points", x.points());
            row(segment, "churned_customers", x.churned_customers());
            for (const v1::ChurnRate& b : x.bands()) {
              row(segment, "churn_rate_band_" + b.name(), b.rate());
            }
          };
          metrics("", r);
          row("", "median_lead_days", r.median_lead_days());
          for (const v1::SegmentResult& s : r.by_segment()) {
            metrics(s.segment(), s.result());
          }
        };
        rows("active", response.active());
        if (draft) rows("draft", response.draft());
      },
      [&] {
        const v1::BacktestResult& a = response.active();
        out << "backtest: churn within " << horizon_days
            << " days of a point, score read as risk (1 - score/100)\n";
        std::vector<Cells> head = {{"", "active"}};
        if (draft) head[0].push_back("draft");
        auto line = [&](const std::string& name, auto get) {
          Cells c = {name, get(a)};
          if (draft) c.push_back(get(response.draft()));
          head.push_back(std::move(c));
        };
        line("AUC-ROC", [](const v1::BacktestResult& r) {
          return Fixed3(r.metrics().auc_roc());
        });
        line("PR-AUC", [](const v1::BacktestResult& r) {
          return Fixed3(r.metrics().pr_auc());
        });
        line("top-decile lift", [](const v1::BacktestResult& r) {
          return absl::StrFormat("%.2fx", r.metrics().top_decile_lift());
        });
        line("Brier", [](const v1::BacktestResult& r) {
          return Fixed3(r.metrics().brier());
        });
        line("base rate", [](const v1::BacktestResult& r) {
          return Percent(r.metrics().base_rate());
        });
        line(
            "median lead, first red -> churn", [](const v1::BacktestResult& r) {
              return r.lead_customers() == 0
                         ? std::string("-")
                         : absl::StrCat(Fixed1(r.median_lead_days()), " days (",
                                        r.lead_customers(), " customers)");
            });
        PrintColumns(head, {1, 2}, "  ", out);
        out << "\n";
        PrintResult(a, "active", out);
        if (draft) {
          out << "\n";
          PrintResult(response.draft(), "draft", out);
        }
      });
}

std::string BacktestSvg(const v1::BacktestResponse& response,
                        int horizon_days) {
  // Two panels, 420 x 360 each: the ROC curve, and the churn rate per band.
  constexpr double kW = 420, kH = 360, kPad = 50, kPlot = 280;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
      "height=\"%.0f\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
      2 * kW, kH);
  auto x = [&](double v) { return kPad + v * kPlot; };
  auto y = [&](double v) { return kPad + (1 - v) * kPlot; };
  absl::StrAppendFormat(
      &svg,
      "<text x=\"%.0f\" y=\"24\" font-size=\"14\">ROC: churn within %d "
      "days</text>\n"
      "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" "
      "fill=\"none\" stroke=\"#999\"/>\n"
      "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#ccc\" "
      "stroke-dasharray=\"4\"/>\n"
      "<text x=\"%.0f\" y=\"%.0f\">false positive rate</text>\n"
      "<text x=\"14\" y=\"%.0f\" transform=\"rotate(-90 14 %.0f)\">true "
      "positive rate</text>\n",
      kPad, horizon_days, kPad, kPad, kPlot, kPlot, x(0), y(0), x(1), y(1),
      kPad + kPlot / 2 - 50, kPad + kPlot + 32, kPad + kPlot / 2 + 40,
      kPad + kPlot / 2 + 40);
  auto curve = [&](const v1::BacktestResult& r, const char* color,
                   const char* name, int row) {
    std::vector<std::string> points;
    for (const v1::RocPoint& p : r.roc()) {
      points.push_back(absl::StrFormat("%.1f,%.1f", x(p.false_positive_rate()),
                                       y(p.true_positive_rate())));
    }
    absl::StrAppendFormat(
        &svg,
        "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
        "stroke-width=\"2\"/>\n"
        "<text x=\"%.0f\" y=\"%.0f\" fill=\"%s\">%s AUC %.3f</text>\n",
        absl::StrJoin(points, " "), color, x(0.45), y(0.1) + 16 * row, color,
        name, r.metrics().auc_roc());
  };
  curve(response.active(), "#1f77b4", "active", 0);
  if (response.has_draft()) curve(response.draft(), "#d62728", "draft", 1);

  // Churn rate per band, with the Wilson interval.
  const v1::BacktestResult& a = response.active();
  double top = 0.05;
  for (const v1::ChurnRate& b : a.bands()) top = std::max(top, b.wilson_high());
  const double x0 = kW + kPad;
  absl::StrAppendFormat(
      &svg,
      "<text x=\"%.0f\" y=\"24\" font-size=\"14\">Churn rate per band "
      "(active, 95%% interval)</text>\n"
      "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
      "stroke=\"#999\"/>\n",
      x0, x0, kPad + kPlot, x0 + kPlot, kPad + kPlot);
  const int n = std::max(1, a.bands_size());
  const double slot = kPlot / n;
  for (int i = 0; i < a.bands_size(); ++i) {
    const v1::ChurnRate& b = a.bands(i);
    const double bx = x0 + i * slot + slot * 0.2, bw = slot * 0.6;
    const double h = b.rate() / top * kPlot;
    const std::string fill = b.name() == "green"    ? "#2ca02c"
                             : b.name() == "yellow" ? "#e6b800"
                             : b.name() == "red"    ? "#d62728"
                                                    : "#7f7f7f";
    absl::StrAppendFormat(
        &svg,
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
        "fill=\"%s\"/>\n"
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
        "stroke=\"black\"/>\n"
        "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>\n"
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f%%</text>\n",
        bx, kPad + kPlot - h, bw, h, fill, bx + bw / 2,
        kPad + kPlot - b.wilson_high() / top * kPlot, bx + bw / 2,
        kPad + kPlot - b.wilson_low() / top * kPlot, bx + bw / 2,
        kPad + kPlot + 18, b.name(), bx + bw / 2, kPad + kPlot - h - 6,
        b.rate() * 100);
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace healthscore::cli
