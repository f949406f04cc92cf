// Suggested weights: a non-negative logistic fit of churn on the dimension
// risks (dlib's box-constrained L-BFGS), written into the active scorecard's
// YAML as new `weight:` values and backtested on held-out customers.
#include "server/validation/weights.h"

#include <dlib/optimization.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "server/common/status_macros.h"
#include "server/config/scorecard.h"
#include "server/validation/backtest.h"
#include "yaml-cpp/yaml.h"

namespace healthscore::validation {
namespace {

constexpr double kDefaultRegularization = 1.0;
constexpr double kDefaultHoldout = 0.3;
constexpr double kMinHoldout = 0.1;
constexpr double kMaxHoldout = 0.5;
// Below this the fitted weights say nothing (every dimension at its bound).
constexpr double kNoSignal = 1e-9;

using Vector = dlib::matrix<double, 0, 1>;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a: a customer's place in the split must not depend on the process
// (absl::Hash is salted per build and run).
uint64_t Fnv1a(absl::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// ---------------------------------------------------------------------------
// The split by customer.

struct Split {
  std::vector<uint32_t> train;  // point indexes, in the dataset's order
  std::vector<uint32_t> holdout;
  int64_t train_customers = 0;
  int64_t holdout_customers = 0;
};

// Customers who churned in scope and those who did not are split apart
// (stratified), so that both sides see churn at about the same rate; within
// each, customers are ordered by a hash of their id and the seed and the
// first round(fraction * n) are held out (at least one, and one left to
// train, when there are two or more).
absl::StatusOr<Split> SplitByCustomer(const Dataset& dataset, double fraction,
                                      uint64_t seed) {
  const size_t customers = dataset.customer_ids().size();
  std::vector<uint8_t> churned(customers, 0), has_points(customers, 0);
  for (const Dataset::Point& p : dataset.points()) {
    has_points[p.customer] = 1;
    if (p.churned) churned[p.customer] = 1;
  }
  const uint64_t salt = SplitMix64(seed);
  std::vector<uint8_t> held(customers, 0);
  Split split;
  for (uint8_t stratum : {uint8_t{0}, uint8_t{1}}) {
    std::vector<std::pair<uint64_t, uint32_t>> order;
    for (uint32_t c = 0; c < customers; ++c) {
      if (!has_points[c] || churned[c] != stratum) continue;
      order.emplace_back(SplitMix64(Fnv1a(dataset.customer_ids()[c]) ^ salt),
                         c);
    }
    std::sort(order.begin(), order.end());
    size_t k = static_cast<size_t>(std::llround(fraction * order.size()));
    if (order.size() >= 2) k = std::clamp<size_t>(k, 1, order.size() - 1);
    if (order.size() < 2) k = 0;
    for (size_t i = 0; i < k; ++i) held[order[i].second] = 1;
    split.holdout_customers += static_cast<int64_t>(k);
    split.train_customers += static_cast<int64_t>(order.size() - k);
  }
  int64_t positives[2] = {0, 0}, points[2] = {0, 0};
  for (uint32_t i = 0; i < dataset.points().size(); ++i) {
    const Dataset::Point& p = dataset.points()[i];
    const int side = held[p.customer];
    (side ? split.holdout : split.train).push_back(i);
    ++points[side];
    positives[side] += p.churned ? 1 : 0;
  }
  for (int side : {0, 1}) {
    if (positives[side] == 0 || positives[side] == points[side]) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the ", side ? "held-out" : "training", " customers' ", points[side],
          " points are all ", positives[side] == 0 ? "not " : "", "churned (",
          split.train_customers, " training and ", split.holdout_customers,
          " held-out customers): nothing to fit or compare; record more "
          "customers' outcomes"));
    }
  }
  return split;
}

// ---------------------------------------------------------------------------
// The fit.

// The training points' dimension risks (1 - score / 100), NaN where the
// dimension did not score, and their labels.
struct Problem {
  size_t dims = 0;
  std::vector<double> risk;  // points x dims, row-major
  std::vector<double> label;
  double lambda = 0;
};

// The negative log-likelihood per point plus the L2 penalty (also per
// point), and its gradient, at x = (intercept, w_1 .. w_d):
//   logit p = a + S * mu,  S = sum_d w_d,
//   mu = sum_{d present} w_d r_d / sum_{d present} w_d  (0.5 when no present
//        dimension has weight: the engine could not score it),
// i.e. the engine's weighted mean over the dimensions present, read as a
// risk, times a slope that is the total weight. With every dimension
// present this is a plain logistic regression a + sum_d w_d r_d.
double Objective(const Problem& problem, const Vector& x, Vector* gradient) {
  const size_t dims = problem.dims;
  const size_t n = problem.label.size();
  const double a = x(0);
  double total = 0;
  for (size_t j = 0; j < dims; ++j) total += x(j + 1);
  double loss = 0;
  std::vector<double> grad(dims + 1, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const double* r = &problem.risk[i * dims];
    double num = 0, den = 0;
    for (size_t j = 0; j < dims; ++j) {
      if (std::isnan(r[j])) continue;
      num += x(j + 1) * r[j];
      den += x(j + 1);
    }
    const double mu = den > 0 ? num / den : 0.5;
    const double z = a + total * mu;
    const double y = problem.label[i];
    // log(1 + e^z) - y z, without overflow.
    loss += (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z))) -
            y * z;
    if (gradient == nullptr) continue;
    const double g = 1 / (1 + std::exp(-z)) - y;
    grad[0] += g;
    for (size_t j = 0; j < dims; ++j) {
      double dz = mu;
      if (den > 0 && !std::isnan(r[j])) dz += total * (r[j] - mu) / den;
      grad[j + 1] += g * dz;
    }
  }
  double penalty = 0;
  for (size_t j = 0; j < dims; ++j) penalty += x(j + 1) * x(j + 1);
  if (gradient != nullptr) {
    gradient->set_size(static_cast<long>(dims + 1));
    for (size_t j = 0; j <= dims; ++j) {
      (*gradient)(j) = grad[j] / n + (j > 0 ? problem.lambda * x(j) / n : 0);
    }
  }
  return (loss + problem.lambda / 2 * penalty) / n;
}

// Objective with its gradient, one pass for both: dlib asks for the value
// and then the gradient at the same point, so the last pair is kept.
class CachedObjective {
 public:
  explicit CachedObjective(const Problem& problem) : problem_(problem) {}

  double Value(const Vector& x) {
    Update(x);
    return value_;
  }
  Vector Gradient(const Vector& x) {
    Update(x);
    return gradient_;
  }

 private:
  void Update(const Vector& x) {
    if (has_ && x.size() == x_.size() && x == x_) return;
    value_ = Objective(problem_, x, &gradient_);
    x_ = x;
    has_ = true;
  }

  const Problem& problem_;
  bool has_ = false;
  Vector x_;
  double value_ = 0;
  Vector gradient_;
};

// Minimises Objective from `x` with w >= 0 (dlib's projected L-BFGS);
// returns the objective reached, x in place.
absl::StatusOr<double> Minimise(const Problem& problem, Vector& x) {
  const long size = static_cast<long>(problem.dims + 1);
  Vector lower(size), upper(size);
  lower = 0;
  upper = 1e6;
  lower(0) = -1e6;  // the intercept is free
  CachedObjective objective(problem);
  try {
    return dlib::find_min_box_constrained(
        dlib::lbfgs_search_strategy(10),
        dlib::objective_delta_stop_strategy(1e-12, 1000),
        [&](const Vector& v) { return objective.Value(v); },
        [&](const Vector& v) { return objective.Gradient(v); }, x, lower,
        upper);
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("the weight fit failed (dlib): ", e.what()));
  }
}

// The start: `shares` (summing to 1) times a slope of 4, the intercept at
// the base rate's logit.
Vector Start(const Problem& problem, const std::vector<double>& shares) {
  Vector x(static_cast<long>(problem.dims + 1));
  double positives = 0;
  for (double y : problem.label) positives += y;
  const double base =
      std::clamp(positives / problem.label.size(), 1e-6, 1 - 1e-6);
  constexpr double kSlope = 4;
  for (size_t j = 0; j < problem.dims; ++j) x(j + 1) = kSlope * shares[j];
  // mu is about one half on average: centre the logit on the base rate.
  x(0) = std::log(base / (1 - base)) - kSlope * 0.5;
  return x;
}

// Fits the weights of the dimensions in `fitted` (indexes into the scores'
// dimensions) on `rows`; returns them unscaled.
absl::StatusOr<std::vector<double>> Fit(const Scores& scores,
                                        std::span<const uint32_t> rows,
                                        const std::vector<size_t>& fitted,
                                        const std::vector<double>& active,
                                        const Dataset& dataset, double lambda) {
  const size_t all_dims = scores.dimension_names.size();
  Problem problem;
  problem.dims = fitted.size();
  problem.lambda = lambda;
  for (uint32_t i : rows) {
    if (std::isnan(scores.score[i])) continue;  // the engine could not score
    bool any = false;
    for (size_t j : fitted) {
      const double s = scores.dimension_score[i * all_dims + j];
      any = any || !std::isnan(s);
      problem.risk.push_back(
          std::isnan(s) ? s : 1 - std::clamp(s, 0.0, 100.0) / 100);
    }
    if (!any) {
      problem.risk.resize(problem.risk.size() - fitted.size());
      continue;
    }
    problem.label.push_back(dataset.points()[i].churned ? 1 : 0);
  }
  if (problem.label.empty()) {
    return absl::FailedPreconditionError(
        "no training point has a dimension score to fit weights to");
  }
  // Two starts, the active shares and equal shares; the ratio in the model
  // makes the objective non-convex, so the better end is kept.
  std::vector<double> active_shares(fitted.size()), equal(fitted.size());
  double active_total = 0;
  for (double w : active) active_total += w;
  for (size_t j = 0; j < fitted.size(); ++j) {
    equal[j] = 1.0 / fitted.size();
    active_shares[j] = active_total > 0 ? active[j] / active_total : equal[j];
  }
  Vector best;
  double best_f = std::numeric_limits<double>::infinity();
  for (const std::vector<double>* shares : {&active_shares, &equal}) {
    Vector x = Start(problem, *shares);
    ASSIGN_OR_RETURN(const double f, Minimise(problem, x));
    if (f < best_f) {
      best_f = f;
      best = x;
    }
  }
  std::vector<double> w(fitted.size());
  for (size_t j = 0; j < fitted.size(); ++j) w[j] = std::max(0.0, best(j + 1));
  return w;
}

// ---------------------------------------------------------------------------
// Rounding and writing.

// Decimals that keep weights to about a thousandth of the total: 1 for a
// total of 100, 3 for a total of 3.
int Decimals(double total) {
  return std::clamp(3 - static_cast<int>(std::floor(std::log10(total))), 0, 6);
}

double RoundTo(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

// The shortest plain text of `v` at `decimals` ("15", "12.5").
std::string FormatWeight(double v, int decimals) {
  std::string s = absl::StrFormat("%.*f", decimals, v);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

// Where the scalar `node` is written in `text`: [begin, end) of its token,
// quotes included. INTERNAL when the text there is not the number the
// parser read (an alias, a tag, a multi-line scalar): the draft is refused
// rather than written wrong.
absl::StatusOr<std::pair<size_t, size_t>> ScalarExtent(
    const std::string& text, const YAML::Node& node, double expected,
    absl::string_view field) {
  const size_t begin = static_cast<size_t>(node.Mark().pos);
  auto refuse = [&]() {
    return absl::InternalError(absl::StrCat(
        "cannot locate ", field, " in the active scorecard's text (line ",
        node.Mark().line + 1,
        "): write it as a plain number to get a suggested draft"));
  };
  if (node.Mark().pos < 0 || begin >= text.size()) return refuse();
  size_t end = begin;
  if (text[begin] == '"' || text[begin] == '\'') {
    const char quote = text[begin];
    end = begin + 1;
    while (end < text.size() && text[end] != quote && text[end] != '\n') {
      end += (quote == '"' && text[end] == '\\') ? 2 : 1;
    }
    if (end >= text.size() || text[end] != quote) return refuse();
    ++end;
  } else {
    while (end < text.size() &&
           absl::string_view(",}]\n\r").find(text[end]) ==
               absl::string_view::npos &&
           !(text[end] == '#' && end > begin &&
             (text[end - 1] == ' ' || text[end - 1] == '\t'))) {
      ++end;
    }
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) {
      --end;
    }
  }
  // The token must read back as the value the parser saw.
  try {
    const double read =
        YAML::Load(text.substr(begin, end - begin)).as<double>();
    if (read != expected) return refuse();
  } catch (const YAML::Exception&) {
    return refuse();
  }
  return std::make_pair(begin, end);
}

struct Edit {
  size_t begin = 0;
  size_t end = 0;
  std::string text;
};

// The active scorecard's text with each `dimensions.<name>.weight` (and
// `groups.<name>.weight`) in `weights` / `group_weights` rewritten in place;
// every other byte as it was.
absl::StatusOr<std::string> RewriteWeights(
    const ScorecardSpec& active,
    const std::map<std::string, std::string>& weights,
    const std::map<std::string, std::string>& group_weights) {
  const std::string& text = active.text;
  std::vector<Edit> edits;
  try {
    const YAML::Node root = YAML::Load(text);
    for (const DimensionSpec& d : active.dimensions) {
      const auto it = weights.find(d.name);
      if (it == weights.end()) continue;
      const std::string field = absl::StrCat("dimensions.", d.name, ".weight");
      ASSIGN_OR_RETURN(auto extent,
                       ScalarExtent(text, root["dimensions"][d.name]["weight"],
                                    d.weight, field));
      edits.push_back({extent.first, extent.second, it->second});
    }
    for (const GroupSpec& g : active.groups) {
      const auto it = group_weights.find(g.name);
      if (it == group_weights.end()) continue;
      const std::string field = absl::StrCat("groups.", g.name, ".weight");
      ASSIGN_OR_RETURN(auto extent,
                       ScalarExtent(text, root["groups"][g.name]["weight"],
                                    g.weight, field));
      edits.push_back({extent.first, extent.second, it->second});
    }
  } catch (const YAML::Exception& e) {
    return absl::InternalError(
        absl::StrCat("cannot re-read the active scorecard: ", e.what()));
  }
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
  // Two fields written at one place (an alias) cannot take two values.
  for (size_t k = 1; k < edits.size(); ++k) {
    if (edits[k].end > edits[k - 1].begin) {
      return absl::InternalError(
          "two weights of the active scorecard share one written value (an "
          "alias): write each as a plain number to get a suggested draft");
    }
  }
  std::string draft = text;
  for (const Edit& e : edits) {
    draft.replace(e.begin, e.end - e.begin, e.text);
  }
  return draft;
}

// A group whose weight is the sum of its members' weights (within rounding)
// only explains the score, as the default scorecard's do; its weight follows
// its members'. Others keep theirs.
bool GroupFollowsMembers(const GroupSpec& group,
                         const std::map<std::string, double>& weights) {
  if (group.aggregate != Aggregate::kWeightedMean) return false;
  double sum = 0;
  for (const std::string& d : group.dimensions) {
    const auto it = weights.find(d);
    if (it == weights.end()) return false;
    sum += it->second;
  }
  return std::abs(sum - group.weight) <= 1e-6 * std::max(1.0, group.weight);
}

// The request's settings, defaults filled in.
struct Settings {
  double lambda = kDefaultRegularization;
  double holdout = kDefaultHoldout;
};

absl::StatusOr<Settings> ReadSettings(
    const v1::SuggestWeightsRequest& request) {
  Settings settings;
  const double lambda = request.regularization();
  if (!std::isfinite(lambda) || lambda < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "regularization = ", lambda,
        " is not a number >= 0 (the L2 penalty on the weights; 0: the "
        "default ",
        kDefaultRegularization, ")"));
  }
  if (lambda != 0) settings.lambda = lambda;
  const double holdout = request.holdout_fraction();
  if (holdout != 0) settings.holdout = holdout;
  if (!(settings.holdout >= kMinHoldout && settings.holdout <= kMaxHoldout)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "holdout_fraction = ", holdout, " is outside ", kMinHoldout, "-",
        kMaxHoldout,
        " (the share of customers held out for the comparison; 0: the "
        "default ",
        kDefaultHoldout, ")"));
  }
  return settings;
}

// The dimensions the fit weighs (indexes into the snapshot's) and the
// active weight of those it leaves alone.
struct FittedDimensions {
  std::vector<size_t> index;
  std::vector<double> active_weight;
  double kept_total = 0;
};

// Dimensions that never scored a training point have no evidence either
// way: they keep their active weight and are left out of the fit.
FittedDimensions ChooseFitted(const Scores& scores,
                              std::span<const uint32_t> train,
                              const std::vector<BoundDimension>& dims) {
  FittedDimensions fitted;
  const size_t all_dims = scores.dimension_names.size();
  for (size_t j = 0; j < all_dims; ++j) {
    const bool scored =
        std::any_of(train.begin(), train.end(), [&](uint32_t i) {
          return !std::isnan(scores.dimension_score[i * all_dims + j]);
        });
    if (scored) {
      fitted.index.push_back(j);
      fitted.active_weight.push_back(dims[j].weight);
    } else {
      fitted.kept_total += dims[j].weight;
    }
  }
  return fitted;
}

// Every default dimension's weight in the draft: the fitted ones scaled to
// the active total (less the weights kept), rounded to `decimals`, and the
// rounding's remainder given to the largest so that the total holds.
std::map<std::string, double> ScaleAndRound(const std::vector<double>& raw,
                                            const FittedDimensions& fitted,
                                            const Snapshot& active,
                                            int decimals) {
  const std::vector<BoundDimension>& dims = active.dimensions();
  double raw_total = 0;
  for (double w : raw) raw_total += w;
  const double total = active.total_weight();
  double target = total - fitted.kept_total;
  if (target <= 0) target = total;
  size_t largest = 0;
  double rounded_sum = 0;
  std::vector<double> rounded(raw.size());
  for (size_t k = 0; k < raw.size(); ++k) {
    rounded[k] = RoundTo(raw[k] / raw_total * target, decimals);
    rounded_sum += rounded[k];
    if (raw[k] > raw[largest]) largest = k;
  }
  rounded[largest] =
      std::max(0.0, RoundTo(rounded[largest] + target - rounded_sum, decimals));
  std::map<std::string, double> suggested;
  for (const BoundDimension& d : dims) suggested[d.name] = d.weight;
  for (size_t k = 0; k < raw.size(); ++k) {
    suggested[dims[fitted.index[k]].name] = rounded[k];
  }
  return suggested;
}

// The draft's text: the fitted dimensions' weights, and those of the groups
// that follow their members, rewritten in the active scorecard's text.
absl::StatusOr<std::string> WriteDraft(
    const Snapshot& active, const FittedDimensions& fitted,
    const std::map<std::string, double>& suggested, int decimals) {
  std::map<std::string, std::string> weight_text, group_text;
  for (size_t j : fitted.index) {
    const std::string& name = active.dimensions()[j].name;
    weight_text[name] = FormatWeight(suggested.at(name), decimals);
  }
  std::map<std::string, double> active_weights;
  for (const DimensionSpec& d : active.spec().dimensions) {
    active_weights[d.name] = d.weight;
  }
  for (const GroupSpec& g : active.spec().groups) {
    if (!GroupFollowsMembers(g, active_weights)) continue;
    double sum = 0;
    for (const std::string& d : g.dimensions) sum += suggested.at(d);
    group_text[g.name] = FormatWeight(RoundTo(sum, decimals), decimals);
  }
  return RewriteWeights(active.spec(), weight_text, group_text);
}

// The draft must read back with exactly the suggested weights and bind as a
// reload would (its webhook secrets are not read: it is not live).
absl::StatusOr<std::shared_ptr<const Snapshot>> BindDraft(
    const std::string& draft_yaml,
    const std::map<std::string, double>& suggested, const Registry& registry) {
  ASSIGN_OR_RETURN(ScorecardSpec spec,
                   ParseScorecard(draft_yaml, "draft", SecretReading::kSkip));
  for (const DimensionSpec& d : spec.dimensions) {
    const auto it = suggested.find(d.name);
    if (it == suggested.end() || d.weight != it->second) {
      return absl::InternalError(
          absl::StrCat("the draft reads dimensions.", d.name, ".weight as ",
                       d.weight, ", not the suggested ",
                       it == suggested.end() ? std::string("(none)")
                                             : absl::StrCat(it->second)));
    }
  }
  return Snapshot::Build(std::move(spec), registry);
}

}  // namespace

absl::Status SuggestWeights(store::Store& store, const Snapshot& active,
                            const Registry& registry,
                            const v1::SuggestWeightsRequest& request,
                            v1::SuggestWeightsResponse& response) {
  ASSIGN_OR_RETURN(const Settings settings, ReadSettings(request));
  BacktestOptions options;
  options.horizon_days = request.horizon_days();
  options.segment = request.segment();
  ASSIGN_OR_RETURN(Dataset dataset, Dataset::Load(store, options));
  ASSIGN_OR_RETURN(Split split,
                   SplitByCustomer(dataset, settings.holdout, request.seed()));

  // Every point under the active scorecard once: the training rows feed the
  // fit, the held-out rows its backtest.
  ASSIGN_OR_RETURN(Scores scores, ScoreDataset(active, dataset));
  const FittedDimensions fitted =
      ChooseFitted(scores, split.train, active.dimensions());
  if (fitted.index.empty()) {
    return absl::FailedPreconditionError(
        "no dimension scored any training point: nothing to fit weights to");
  }
  ASSIGN_OR_RETURN(std::vector<double> raw,
                   Fit(scores, split.train, fitted.index, fitted.active_weight,
                       dataset, settings.lambda));
  double raw_total = 0;
  for (double w : raw) raw_total += w;
  if (raw_total < kNoSignal) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the fit put no weight on any dimension: none of the ",
        fitted.index.size(),
        " dimensions with data separates the customers who churned within ",
        request.horizon_days(),
        " days from the others on the training customers (or regularization "
        "= ",
        settings.lambda, " is too strong)"));
  }
  const int decimals = Decimals(active.total_weight());
  const std::map<std::string, double> suggested =
      ScaleAndRound(raw, fitted, active, decimals);
  ASSIGN_OR_RETURN(std::string draft_yaml,
                   WriteDraft(active, fitted, suggested, decimals));
  ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> draft,
                   BindDraft(draft_yaml, suggested, registry));

  ASSIGN_OR_RETURN(*response.mutable_active_holdout(),
                   Evaluate(active, dataset, scores, split.holdout, true));
  ASSIGN_OR_RETURN(Scores draft_scores,
                   ScoreDataset(*draft, dataset, split.holdout));
  ASSIGN_OR_RETURN(
      *response.mutable_suggested_holdout(),
      Evaluate(*draft, dataset, draft_scores, split.holdout, true));
  response.set_draft_yaml(std::move(draft_yaml));
  for (const auto& [name, weight] : suggested) {
    (*response.mutable_weights())[name] = weight;
  }
  response.set_train_customers(split.train_customers);
  response.set_holdout_customers(split.holdout_customers);
  return absl::OkStatus();
}

}  // namespace healthscore::validation
