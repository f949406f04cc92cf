// The CLI's suggest-weights command.
#include "clients/cli/weights_commands.h"

#include <grpcpp/grpcpp.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "clients/cli/format.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

// Weights with up to three decimals, as the draft writes them for a total
// near 100 (and fewer when they need fewer).
std::string Weight(double v) { return Trimmed(v, 3); }

std::string SignedWeight(double v) {
  const std::string text = Trimmed(v, 3);
  return v > 0 && text != "0" ? "+" + text : text;
}

// Each dimension of the active scorecard, in its order, with its active and
// suggested weight (NaN where the response has none).
struct WeightRow {
  std::string name;
  double active = NAN;
  double suggested = NAN;
};

std::vector<WeightRow> WeightRows(const v1::SuggestWeightsResponse& response,
                                  const v1::Scorecard& active) {
  std::vector<WeightRow> rows;
  std::map<std::string, bool> seen;
  for (const v1::ScorecardDimension& d : active.dimensions()) {
    const auto it = response.weights().find(d.name());
    rows.push_back({d.name(), d.weight(),
                    it == response.weights().end() ? NAN : it->second});
    seen[d.name()] = true;
  }
  // A dimension the scorecard the server fitted had and this one has not
  // (a reload in between): listed, with no active weight.
  std::map<std::string, double> rest(response.weights().begin(),
                                     response.weights().end());
  for (const auto& [name, weight] : rest) {
    if (!seen.contains(name)) rows.push_back({name, NAN, weight});
  }
  return rows;
}

struct MetricRow {
  std::string csv_name;
  std::string table_name;
  double (*get)(const v1::BacktestResult&);
  std::string (*show)(double);
};

const std::vector<MetricRow>& MetricRows() {
  static const auto* const kRows = new std::vector<MetricRow>{
      {"auc_roc", "AUC-ROC",
       [](const v1::BacktestResult& r) { return r.metrics().auc_roc(); },
       Fixed3},
      {"pr_auc", "PR-AUC",
       [](const v1::BacktestResult& r) { return r.metrics().pr_auc(); },
       Fixed3},
      {"top_decile_lift", "top-decile lift",
       [](const v1::BacktestResult& r) {
         return r.metrics().top_decile_lift();
       },
       [](double v) { return absl::StrFormat("%.2fx", v); }},
      {"brier", "Brier",
       [](const v1::BacktestResult& r) { return r.metrics().brier(); }, Fixed3},
  };
  return *kRows;
}

}  // namespace

void PrintSuggestedWeights(const v1::SuggestWeightsResponse& response,
                           const v1::Scorecard& active, int horizon_days,
                           OutputFormat format, std::ostream& out) {
  const std::vector<WeightRow> weights = WeightRows(response, active);
  const v1::BacktestResult& a = response.active_holdout();
  const v1::BacktestResult& s = response.suggested_holdout();
  PrintMessage(
      format, response, out,
      [&] {
        out << "section,name,active,suggested\n";
        auto num = [](double v) { return std::isnan(v) ? "" : Num(v); };
        for (const WeightRow& w : weights) {
          out << "weight," << CsvField(w.name) << "," << num(w.active) << ","
              << num(w.suggested) << "\n";
        }
        for (const MetricRow& m : MetricRows()) {
          out << "holdout," << m.csv_name << "," << Num(m.get(a)) << ","
              << Num(m.get(s)) << "\n";
        }
        out << "holdout,points," << a.points() << "," << s.points() << "\n";
        out << "holdout,bands_ordered," << (a.bands_ordered() ? 1 : 0) << ","
            << (s.bands_ordered() ? 1 : 0) << "\n";
        out << "split,customers," << response.train_customers() << ","
            << response.holdout_customers() << "\n";
      },
      [&] {
        out << "suggested weights: churn within " << horizon_days
            << " days of a point; fitted on " << response.train_customers()
            << " customers, compared on " << response.holdout_customers()
            << " held-out customers\n";
        std::vector<Cells> rows = {{"dimension", "active", "suggested", ""}};
        double active_total = 0, suggested_total = 0;
        for (const WeightRow& w : weights) {
          rows.push_back({w.name, std::isnan(w.active) ? "-" : Weight(w.active),
                          std::isnan(w.suggested) ? "-" : Weight(w.suggested),
                          std::isnan(w.active) || std::isnan(w.suggested)
                              ? ""
                              : SignedWeight(w.suggested - w.active)});
          if (!std::isnan(w.active)) active_total += w.active;
          if (!std::isnan(w.suggested)) suggested_total += w.suggested;
        }
        rows.push_back(
            {"total", Weight(active_total), Weight(suggested_total), ""});
        PrintColumns(rows, {1, 2, 3}, "  ", out);
        out << "\nheld-out customers (" << a.customers() << ", "
            << a.churned_customers() << " churned; " << a.points()
            << " points)\n";
        std::vector<Cells> metrics = {{"", "active", "suggested"}};
        for (const MetricRow& m : MetricRows()) {
          metrics.push_back({m.table_name, m.show(m.get(a)), m.show(m.get(s))});
        }
        metrics.push_back({"bands ordered", a.bands_ordered() ? "yes" : "no",
                           s.bands_ordered() ? "yes" : "no"});
        PrintColumns(metrics, {1, 2}, "  ", out);
      });
}

int RunSuggestWeights(v1::Validation::StubInterface& validation,
                      v1::HealthScoring::StubInterface& scoring,
                      const CommonOptions& options,
                      const SuggestWeightsCommandOptions& command,
                      std::ostream& out, std::ostream& err) {
  if (command.horizon_days < 1) {
    err << "error: --horizon=" << command.horizon_days
        << " must be at least 1 (days)\n";
    return kExitUsage;
  }
  if (!std::isfinite(command.regularization) || command.regularization < 0) {
    err << "error: --regularization=" << command.regularization
        << " must be a number >= 0 (the L2 penalty; default 1)\n";
    return kExitUsage;
  }
  v1::GetScorecardResponse scorecard;
  {
    grpc::ClientContext context;
    SetDeadline(context, options);
    const grpc::Status status =
        scoring.GetScorecard(&context, v1::GetScorecardRequest(), &scorecard);
    if (!status.ok()) return RefusedOrFailed(status, options, err);
  }
  v1::SuggestWeightsRequest request;
  request.set_horizon_days(command.horizon_days);
  request.set_segment(command.segment);
  request.set_regularization(command.regularization);
  v1::SuggestWeightsResponse response;
  {
    grpc::ClientContext context;
    SetDeadline(context, options);
    const grpc::Status status =
        validation.SuggestWeights(&context, request, &response);
    if (!status.ok()) return RefusedOrFailed(status, options, err);
  }
  if (response.active_holdout().scorecard_hash() !=
      scorecard.scorecard().hash()) {
    err << "note: the scorecard was reloaded during the call; the active "
           "weights shown are the newer scorecard's\n";
  }
  PrintSuggestedWeights(response, scorecard.scorecard(), command.horizon_days,
                        options.format, out);
  if (command.out_path.empty()) {
    err << "the draft was not written: give --out FILE to write it\n";
    return kExitOk;
  }
  std::ofstream file(command.out_path, std::ios::binary | std::ios::trunc);
  file << response.draft_yaml();
  file.close();
  if (!file.good()) {
    err << "error: cannot write " << command.out_path << "\n";
    return kExitUsage;
  }
  err << "draft written to " << command.out_path
      << ": review it, compare it with `healthscore backtest --scorecard "
      << command.out_path << "`, then reload it; nothing was applied\n";
  return kExitOk;
}

}  // namespace healthscore::cli
