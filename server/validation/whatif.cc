// What-if scoring, and the greedy search for the fewest signal changes that
// lift a customer into the next better band.
#include "server/validation/whatif.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/common/status_macros.h"
#include "server/engine/batch_builder.h"
#include "server/engine/engine.h"
#include "server/history/point.h"

namespace healthscore::validation {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
// Scores closer than this are equal.
constexpr double kTie = 1e-9;
// How many known signals an error about an unknown one lists, closest first.
constexpr size_t kListedSignals = 12;
// A signal with a bound in its better direction is tried at this many even
// steps up to the bound.
constexpr int kGridSteps = 20;
// A signal without one is tried at these multiples of max(|value|, 1) beyond
// its value: at most ten times the value, since a plan to grow logins a
// hundredfold is no plan.
constexpr double kUnboundedSteps[] = {0.1, 0.25, 0.5, 1, 2, 4, 9};
// A missing signal with at most one bound is tried at these distances from
// that bound (or either side of 0).
constexpr double kFillSteps[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
// Rounds of the greedy search; each adds a move or extends one.
constexpr int kMaxRounds = 32;

// The customer as the engine sees it: one value per Snapshot::signals().
struct Subject {
  std::string customer_id;
  std::string segment;
  std::optional<google::protobuf::Timestamp> as_of;
  std::vector<double> values;  // NaN: missing
};

absl::StatusOr<Subject> FromSignals(const Snapshot& snapshot,
                                    const v1::Customer& customer) {
  ASSIGN_OR_RETURN(const BatchColumns batch,
                   CustomerColumns(snapshot, customer.signals()));
  Subject subject;
  subject.customer_id = customer.customer_id();
  subject.segment = customer.segment();
  if (customer.has_as_of()) subject.as_of = customer.as_of();
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    subject.values.push_back(batch.at(c, 0));
  }
  return subject;
}

// The customer's newest recorded point's inputs.
absl::StatusOr<Subject> FromStore(store::Store* store, const Snapshot& snapshot,
                                  const v1::Customer& customer) {
  const std::string& id = customer.customer_id();
  if (store == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "customer '", id,
        "' was given without signals, and this server keeps no history "
        "(started with --store=none) to take its newest inputs from: give "
        "its signals"));
  }
  ASSIGN_OR_RETURN(std::vector<store::PointRow> rows,
                   store->Timeline(id, 0, std::numeric_limits<int64_t>::max(),
                                   1, store::Detail::kPointAndInputs));
  if (rows.empty()) {
    return absl::NotFoundError(
        absl::StrCat("customer '", id,
                     "' has no recorded point to start from; give its "
                     "signals"));
  }
  const store::PointRow& row = rows.front();
  const std::string set_id = history::InputsSetId(row.inputs);
  if (set_id.empty()) {
    return absl::NotFoundError(
        absl::StrCat("the newest point of customer '", id, "' (as of ",
                     history::FormatMicros(row.as_of_us),
                     ") was recorded without its inputs; give its signals"));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> blob,
                   store->GetSignalSet(set_id));
  if (!blob) {
    return absl::DataLossError(
        absl::StrCat("the signal set ", set_id, " is not in the store"));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> names,
                   history::ParseSignalSet(*blob));
  v1::HistoryPoint point;
  point.set_customer_id(id);
  RETURN_IF_ERROR(history::DecodeInputs(row.inputs, names, point));

  Subject subject;
  subject.customer_id = id;
  subject.segment =
      customer.segment().empty() ? row.segment : customer.segment();
  subject.as_of = history::FromMicros(row.as_of_us);
  subject.values.assign(snapshot.signals().size(), kMissing);
  for (const v1::SignalValue& input : point.inputs()) {
    const int column = snapshot.FindSignal(input.name());
    if (column < 0) continue;  // read by the scorecard of the time only
    const SignalBinding& s = snapshot.signals()[column];
    const double v = input.value();
    if ((!std::isnan(s.min) && v < s.min) ||
        (!std::isnan(s.max) && v > s.max)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the recorded value ", input.name(), "=", v, " of customer '", id,
          "' is outside the bounds the scorecard ", snapshot.spec().name, " ",
          snapshot.spec().version, " declares for it; give its signals"));
    }
    subject.values[column] = v;
  }
  return subject;
}

absl::StatusOr<Subject> ResolveCustomer(store::Store* store,
                                        const Snapshot& snapshot,
                                        const v1::Customer& customer) {
  if (customer.customer_id().empty()) {
    return absl::InvalidArgumentError("customer.customer_id is empty");
  }
  if (customer.signals().empty()) {
    return FromStore(store, snapshot, customer);
  }
  return FromSignals(snapshot, customer);
}

// Edit distance, for listing the known signals nearest a misspelt one.
size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "a, b, c, ... (57 in all)": the known signals closest to `name` first.
std::string KnownSignals(const Snapshot& snapshot, absl::string_view name) {
  std::vector<std::pair<size_t, std::string>> ranked;
  for (const SignalBinding& s : snapshot.signals()) {
    // A long name is no typo of a short one; skip the quadratic work.
    ranked.emplace_back(name.size() <= 64 ? EditDistance(name, s.name) : 0,
                        s.name);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> names;
  for (size_t i = 0; i < ranked.size() && i < kListedSignals; ++i) {
    names.push_back(ranked[i].second);
  }
  std::string text = absl::StrJoin(names, ", ");
  if (ranked.size() > names.size()) {
    absl::StrAppend(&text, ", ... (", ranked.size(), " in all)");
  }
  return text;
}

// The snapshot column of change `name` = `value`, once it is acceptable.
absl::StatusOr<int> CheckChange(const Snapshot& snapshot,
                                const std::string& name, double value) {
  const std::string field = absl::StrCat("changes['", name, "']");
  const int column = snapshot.FindSignal(name);
  if (column < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": no dimension of scorecard ", snapshot.spec().name,
        " reads it; known signals, closest first: ",
        KnownSignals(snapshot, name)));
  }
  if (std::isinf(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " = ", value > 0 ? "inf" : "-inf",
                     ": values must be finite (NaN makes the signal missing)"));
  }
  if (std::isnan(value)) return column;
  const SignalBinding& s = snapshot.signals()[column];
  if (!std::isnan(s.min) && value < s.min) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " = ", value, " is below the minimum ", s.min, " (",
                     s.unit, ", declared by ", s.min_owner, ")"));
  }
  if (!std::isnan(s.max) && value > s.max) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " = ", value, " is above the maximum ", s.max, " (",
                     s.unit, ", declared by ", s.max_owner, ")"));
  }
  return column;
}

// Rows of one customer scored in one ScoreBatch call; statuses[i] is not OK
// when no dimension could score row i.
struct Scores {
  std::vector<v1::CustomerScore> scores;
  std::vector<absl::Status> statuses;
};

// REQUIRES: every row holds one value per snapshot signal, each finite and
// within its bounds, or NaN.
Scores ScoreRows(const Snapshot& snapshot, const Subject& subject,
                 const std::vector<std::vector<double>>& rows,
                 v1::Explain explain) {
  Scores out;
  if (rows.empty()) return out;
  BatchColumns batch(snapshot.signals().size(),
                     static_cast<uint32_t>(rows.size()));
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) {
      batch.at(c, static_cast<uint32_t>(r)) = rows[r][c];
    }
  }
  out.scores.resize(rows.size());
  std::vector<v1::CustomerScore*> targets;
  for (v1::CustomerScore& score : out.scores) {
    // Segment and as-of first: the engine routes and warns on them.
    score.set_customer_id(subject.customer_id);
    score.set_segment(subject.segment);
    if (subject.as_of) *score.mutable_as_of() = *subject.as_of;
    targets.push_back(&score);
  }
  out.statuses = ScoreColumns(snapshot, batch, explain, targets);
  return out;
}

absl::StatusOr<v1::CustomerScore> ScoreOne(const Snapshot& snapshot,
                                           const Subject& subject,
                                           const std::vector<double>& values,
                                           v1::Explain explain,
                                           absl::string_view what) {
  Scores scores = ScoreRows(snapshot, subject, {values}, explain);
  if (!scores.statuses[0].ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " customer '", subject.customer_id,
                     "' cannot be scored: ", scores.statuses[0].message()));
  }
  return std::move(scores.scores[0]);
}

// The score before the critical gates capped it.
double Uncapped(const v1::CustomerScore& score) {
  double total = score.score();
  for (const v1::GateResult& gate : score.gates()) total -= gate.impact();
  return total;
}

std::string Fmt1(double value) { return absl::StrFormat("%.1f", value); }

// The next better band than `band` for `score`: the lowest entry above the
// score with another name (red D to yellow, not to red's better grade).
struct Target {
  std::string band;
  double min = 0;
};
std::optional<Target> NextBand(const Variant& variant, double score,
                               absl::string_view band) {
  // Bands are sorted highest min first: walk them upwards.
  for (auto it = variant.bands.rbegin(); it != variant.bands.rend(); ++it) {
    if (it->min > score && it->name != band) return Target{it->name, it->min};
  }
  return std::nullopt;
}

// A signal the search may move, and how.
struct Lever {
  int column = -1;     // in Snapshot::signals()
  int direction = 1;   // +1: higher is better; -1: lower is better
  bool whole = false;  // counts, days, months and flags take whole values
  // The variant's dimensions that read it: a missing signal is filled only
  // when one of them then scores.
  std::vector<std::string> readers;
};

// What the variant lets the search move, and what it leaves alone.
struct Levers {
  std::vector<Lever> movable;
  std::vector<std::string> not_actionable;  // read, but marked by the team
  // Read by dimensions that declare opposite directions for it.
  std::vector<std::string> ambiguous;
};

bool WholeUnit(absl::string_view unit) {
  return unit == "count" || unit == "days" || unit == "months" ||
         unit == "flag";
}

Levers FindLevers(const Snapshot& snapshot, const Variant& variant) {
  const std::vector<SignalBinding>& signals = snapshot.signals();
  // Per column: whether some reader declares higher better / lower better.
  std::vector<bool> higher(signals.size()), lower(signals.size());
  std::vector<std::vector<std::string>> readers(signals.size());
  for (const BoundDimension& d : variant.dimensions) {
    for (size_t i = 0; i < d.signals.size(); ++i) {
      const int column = d.signal_columns[i];
      (d.signals[i].higher_is_better ? higher : lower)[column] = true;
      if (std::find(readers[column].begin(), readers[column].end(), d.name) ==
          readers[column].end()) {
        readers[column].push_back(d.name);
      }
    }
  }
  const std::vector<std::string>& marked = snapshot.spec().not_actionable;
  Levers levers;
  for (size_t c = 0; c < signals.size(); ++c) {
    if (readers[c].empty()) continue;  // another variant's signal
    const std::string& name = signals[c].name;
    if (std::find(marked.begin(), marked.end(), name) != marked.end()) {
      levers.not_actionable.push_back(name);
    } else if (higher[c] && lower[c]) {
      levers.ambiguous.push_back(name);
    } else {
      levers.movable.push_back({static_cast<int>(c), higher[c] ? 1 : -1,
                                WholeUnit(signals[c].unit),
                                std::move(readers[c])});
    }
  }
  return levers;
}

// One change of a path: `from` is NaN when the signal was missing.
struct Move {
  int lever = -1;  // index into Levers::movable
  double from = kMissing;
  double to = kMissing;
};

// The greedy search of PathToGreen (see whatif.h), over one customer.
class PathFinder {
 public:
  PathFinder(const Snapshot& snapshot, const Subject& subject,
             std::vector<Lever> levers, double target)
      : snapshot_(snapshot),
        subject_(subject),
        levers_(std::move(levers)),
        target_(target),
        thresholds_(snapshot.signals().size()) {}

  // Adds moves until the score reaches the target; false when no move helps
  // any more (best() says how far it got). `current` is the customer scored
  // with EXPLAIN_FULL.
  bool Search(const v1::CustomerScore& current) {
    std::vector<double> values = subject_.values;
    best_ = current;
    Learn(current, values);
    for (int round = 0; round < kMaxRounds; ++round) {
      if (best_.score() >= target_) return true;
      // What raises the score first, one move before several; then, while
      // a gate holds the score down, what raises it before the gate.
      std::vector<Move> step = BestStep(values, /*before_gates=*/false);
      if (step.empty()) step = BestBundle(values, /*before_gates=*/false);
      if (step.empty()) step = BestStep(values, /*before_gates=*/true);
      if (step.empty()) step = BestBundle(values, /*before_gates=*/true);
      if (step.empty()) return false;
      for (const Move& move : step) {
        values[levers_[move.lever].column] = move.to;
        auto same =
            std::find_if(moves_.begin(), moves_.end(),
                         [&](const Move& m) { return m.lever == move.lever; });
        if (same == moves_.end()) {
          moves_.push_back(move);
        } else {
          same->to = move.to;  // moved further: still one change
        }
      }
      absl::StatusOr<v1::CustomerScore> scored =
          ScoreOne(snapshot_, subject_, values, v1::EXPLAIN_FULL, "moved,");
      if (!scored.ok()) return false;  // BestStep only takes scoring rows
      best_ = *std::move(scored);
      Learn(best_, values);
    }
    out_of_rounds_ = best_.score() < target_;
    return !out_of_rounds_;
  }

  // Drops each move the others reach the target without.
  void Prune() {
    for (size_t i = 0; i < moves_.size();) {
      std::vector<Move> without = moves_;
      without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
      if (Reaches(without)) {
        moves_ = std::move(without);
      } else {
        ++i;
      }
    }
  }

  // Shrinks each move to the least effort that still reaches the target
  // together with the others.
  void Shrink() {
    for (size_t i = 0; i < moves_.size(); ++i) {
      const Lever& lever = levers_[moves_[i].lever];
      const double effort = Effort(lever, moves_[i].from, moves_[i].to);
      std::vector<double> tried;
      std::vector<std::vector<double>> rows;
      for (double v : Candidates(lever, moves_[i].from)) {
        if (Effort(lever, moves_[i].from, v) >= effort) continue;
        std::vector<Move> trial = moves_;
        trial[i].to = v;
        tried.push_back(v);
        rows.push_back(Apply(trial));
      }
      Scores scores = ScoreRows(snapshot_, subject_, rows, v1::EXPLAIN_NONE);
      // Candidates come least effort first: the first that reaches wins.
      for (size_t r = 0; r < rows.size(); ++r) {
        std::vector<Move> trial = moves_;
        trial[i].to = tried[r];
        if (scores.statuses[r].ok() && scores.scores[r].score() >= target_ &&
            FillsFeed(trial, scores.scores[r])) {
          moves_[i].to = tried[r];
          break;
        }
      }
    }
  }

  // Each move's points given the moves before it (one batch of prefixes).
  std::vector<double> Points() const {
    std::vector<std::vector<double>> rows;
    for (size_t n = 0; n <= moves_.size(); ++n) {
      rows.push_back(Apply(
          {moves_.begin(), moves_.begin() + static_cast<std::ptrdiff_t>(n)}));
    }
    Scores scores = ScoreRows(snapshot_, subject_, rows, v1::EXPLAIN_NONE);
    std::vector<double> points;
    for (size_t n = 1; n < rows.size(); ++n) {
      points.push_back(scores.scores[n].score() - scores.scores[n - 1].score());
    }
    return points;
  }

  // The customer's values with `moves` applied.
  std::vector<double> Apply(const std::vector<Move>& moves) const {
    std::vector<double> values = subject_.values;
    for (const Move& m : moves) values[levers_[m.lever].column] = m.to;
    return values;
  }

  const std::vector<Move>& moves() const { return moves_; }
  const std::vector<Lever>& levers() const { return levers_; }
  // The customer with every move so far (EXPLAIN_FULL).
  const v1::CustomerScore& best() const { return best_; }
  // Whether Search stopped at kMaxRounds rather than for want of a move.
  bool out_of_rounds() const { return out_of_rounds_; }

 private:
  // Thresholds the plugins compared this signal's own value against (a
  // reason whose observed value is the signal's: not a ratio or trend made
  // from it), as places worth trying.
  void Learn(const v1::CustomerScore& score,
             const std::vector<double>& values) {
    for (const v1::DimensionResult& d : score.dimensions()) {
      for (const v1::Reason& reason : d.reasons()) {
        if (!reason.has_threshold() || !reason.has_observed() ||
            !std::isfinite(reason.threshold())) {
          continue;
        }
        const int column = snapshot_.FindSignal(reason.signal());
        if (column < 0 || std::isnan(values[column]) ||
            std::abs(reason.observed() - values[column]) >
                1e-9 * std::max(1.0, std::abs(values[column]))) {
          continue;
        }
        std::vector<double>& known = thresholds_[column];
        if (std::find(known.begin(), known.end(), reason.threshold()) ==
            known.end()) {
          known.push_back(reason.threshold());
        }
      }
    }
  }

  // Values worth trying, least effort first: for a present value, only in the
  // better direction and within the bounds (a grid to the bound, or
  // multiples beyond an unbounded value, and the thresholds seen, exactly and
  // just past); for a missing one, a grid over its range, least favourable
  // first (the fill claims no more than the score needs).
  std::vector<double> Candidates(const Lever& lever, double from) const {
    const SignalBinding& s = snapshot_.signals()[lever.column];
    const int dir = lever.direction;
    const bool fill = std::isnan(from);
    const double bound = dir > 0 ? s.max : s.min;
    if (!fill && !std::isnan(bound) && (bound - from) * dir <= 0) return {};
    std::vector<double> raw;
    double scale = 1;
    if (!fill) {
      scale = std::isnan(bound) ? std::max(std::abs(from), 1.0)
                                : std::abs(bound - from);
      for (int k = 1; k <= kGridSteps && !std::isnan(bound); ++k) {
        raw.push_back(from + (bound - from) * k / kGridSteps);
      }
      for (double m : kUnboundedSteps) {
        if (std::isnan(bound)) raw.push_back(from + dir * m * scale);
      }
    } else if (!std::isnan(s.min) && !std::isnan(s.max)) {
      scale = std::max(s.max - s.min, 1e-12);
      for (int k = 0; k <= kGridSteps; ++k) {
        raw.push_back(s.min + (s.max - s.min) * k / kGridSteps);
      }
    } else {
      scale = 100;
      const double origin =
          !std::isnan(s.min) ? s.min : (!std::isnan(s.max) ? s.max : 0);
      raw.push_back(origin);
      for (double step : kFillSteps) {
        if (!std::isnan(s.min)) raw.push_back(origin + step);
        if (std::isnan(s.min)) raw.push_back(origin - step);
        if (std::isnan(s.min) && std::isnan(s.max)) raw.push_back(step);
      }
    }
    const double quantum =
        lever.whole ? 1 : std::pow(10.0, std::floor(std::log10(scale)) - 2);
    for (double t : thresholds_[lever.column]) {
      raw.push_back(t);
      raw.push_back(t + dir * quantum);  // for a strict comparison
    }
    std::vector<double> out;
    for (double v : raw) {
      v = RoundToward(v, quantum, dir);
      if (!std::isnan(s.min)) v = std::max(v, s.min);
      if (!std::isnan(s.max)) v = std::min(v, s.max);
      if (!fill && (v - from) * dir <= 0) continue;
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
    std::sort(out.begin(), out.end(), [&](double a, double b) {
      return Effort(lever, from, a) < Effort(lever, from, b);
    });
    return out;
  }

  // `v` on the grid of `quantum`, rounded toward the better direction (so
  // that a rounded threshold is still met).
  static double RoundToward(double v, double quantum, int dir) {
    const double steps = v / quantum;
    // Absorb the error of the division so 29.4 / 0.1 stays 294.
    const double near = std::round(steps);
    const double k = std::abs(steps - near) < 1e-6
                         ? near
                         : (dir > 0 ? std::ceil(steps) : std::floor(steps));
    return quantum < 1 ? k / std::round(1 / quantum) : k * quantum;
  }

  // How big a change is, comparable across signals: the share of the way to
  // the bound (or of the value itself when unbounded). Filling a missing
  // signal costs more than any bounded move, the more favourable the more.
  double Effort(const Lever& lever, double from, double to) const {
    const SignalBinding& s = snapshot_.signals()[lever.column];
    if (std::isnan(from)) {
      const double worst = lever.direction > 0 ? s.min : s.max;
      if (!std::isnan(s.min) && !std::isnan(s.max) && s.max > s.min) {
        return 1 + std::abs(to - worst) / (s.max - s.min);
      }
      // Unbounded: an order only, still above every bounded move.
      return 1 + std::clamp(0.5 + lever.direction * to / 1e6, 0.0, 1.0);
    }
    const double bound = lever.direction > 0 ? s.max : s.min;
    const double span = std::isnan(bound) ? std::max(std::abs(from), 1.0)
                                          : std::abs(bound - from);
    return std::abs(to - from) / span;
  }

  // Whether a dimension reading the lever's signal scored.
  static bool Fed(const Lever& lever, const v1::CustomerScore& score) {
    for (const v1::DimensionResult& d : score.dimensions()) {
      if (d.status() == v1::DIMENSION_STATUS_OK &&
          std::find(lever.readers.begin(), lever.readers.end(), d.name()) !=
              lever.readers.end()) {
        return true;
      }
    }
    return false;
  }

  // Whether every filled signal of `moves` feeds a dimension that scored.
  bool FillsFeed(const std::vector<Move>& moves,
                 const v1::CustomerScore& score) const {
    return std::all_of(moves.begin(), moves.end(), [&](const Move& m) {
      return !std::isnan(m.from) || Fed(levers_[m.lever], score);
    });
  }

  // Whether the customer with `moves` is in the target band, every fill
  // feeding a dimension.
  bool Reaches(const std::vector<Move>& moves) const {
    Scores scores =
        ScoreRows(snapshot_, subject_, {Apply(moves)}, v1::EXPLAIN_NONE);
    return scores.statuses[0].ok() && scores.scores[0].score() >= target_ &&
           FillsFeed(moves, scores.scores[0]);
  }

  // The single move to make next from `values`: one that reaches the target
  // with the least effort; else the one that gains the most (ties: least
  // effort); else, with `before_gates`, the one that gains the most before
  // the gates cap the total (a gate holds the score down, and the next step
  // may lift it). None when nothing helps.
  std::vector<Move> BestStep(const std::vector<double>& values,
                             bool before_gates) const {
    struct Tried {
      Move move;
      double effort;
    };
    std::vector<Tried> tried;
    std::vector<std::vector<double>> rows;
    for (size_t l = 0; l < levers_.size(); ++l) {
      const Lever& lever = levers_[l];
      const double from = values[lever.column];
      for (double v : Candidates(lever, from)) {
        tried.push_back(
            {{static_cast<int>(l), from, v}, Effort(lever, from, v)});
        rows.push_back(values);
        rows.back()[lever.column] = v;
      }
    }
    const Scores scores =
        ScoreRows(snapshot_, subject_, rows, v1::EXPLAIN_NONE);
    const double base = best_.score();
    const double base_uncapped = Uncapped(best_);
    std::optional<size_t> reach, gain, uncapped;
    for (size_t r = 0; r < rows.size(); ++r) {
      if (!scores.statuses[r].ok()) continue;
      const v1::CustomerScore& s = scores.scores[r];
      const Tried& t = tried[r];
      if (std::isnan(t.move.from) && !Fed(levers_[t.move.lever], s)) continue;
      if (s.score() >= target_) {
        if (!reach || t.effort < tried[*reach].effort) reach = r;
        continue;
      }
      if (s.score() > base + kTie) {
        const double best = gain ? scores.scores[*gain].score() : base;
        if (!gain || s.score() > best + kTie ||
            (s.score() > best - kTie && t.effort < tried[*gain].effort)) {
          gain = r;
        }
      }
      if (s.score() > base - kTie && Uncapped(s) > base_uncapped + kTie &&
          (!uncapped ||
           Uncapped(s) > Uncapped(scores.scores[*uncapped]) + kTie)) {
        uncapped = r;
      }
    }
    if (reach) return {tried[*reach].move};
    if (gain) return {tried[*gain].move};
    if (before_gates && uncapped) return {tried[*uncapped].move};
    return {};
  }

  // When no single move helps (a dimension floored at 0 needs several of its
  // signals to move before its score does, and a gate holds the total
  // until it does): every present actionable signal of one dimension moved
  // at once as far as it goes, for the dimension whose bundle helps most.
  // Prune and Shrink then take back what the band does not need.
  std::vector<Move> BestBundle(const std::vector<double>& values,
                               bool before_gates) const {
    std::vector<std::string> dimensions;
    for (const Lever& lever : levers_) {
      for (const std::string& d : lever.readers) {
        if (std::find(dimensions.begin(), dimensions.end(), d) ==
            dimensions.end()) {
          dimensions.push_back(d);
        }
      }
    }
    std::vector<std::vector<Move>> bundles;
    std::vector<std::vector<double>> rows;
    for (const std::string& d : dimensions) {
      std::vector<Move> bundle;
      std::vector<double> row = values;
      for (size_t l = 0; l < levers_.size(); ++l) {
        const Lever& lever = levers_[l];
        const double from = values[lever.column];
        if (std::isnan(from) ||
            std::find(lever.readers.begin(), lever.readers.end(), d) ==
                lever.readers.end()) {
          continue;
        }
        const std::vector<double> candidates = Candidates(lever, from);
        if (candidates.empty()) continue;
        bundle.push_back({static_cast<int>(l), from, candidates.back()});
        row[lever.column] = candidates.back();
      }
      if (bundle.size() < 2) continue;  // a single move was tried already
      bundles.push_back(std::move(bundle));
      rows.push_back(std::move(row));
    }
    const Scores scores =
        ScoreRows(snapshot_, subject_, rows, v1::EXPLAIN_NONE);
    const double base = best_.score();
    const double base_uncapped = Uncapped(best_);
    std::optional<size_t> pick;
    auto value = [&](size_t r) {
      return std::make_pair(scores.scores[r].score(),
                            Uncapped(scores.scores[r]));
    };
    for (size_t r = 0; r < rows.size(); ++r) {
      if (!scores.statuses[r].ok()) continue;
      const auto [score, uncapped] = value(r);
      const bool helps =
          score > base + kTie || (before_gates && score > base - kTie &&
                                  uncapped > base_uncapped + kTie);
      if (!helps) continue;
      if (!pick || value(r) > value(*pick)) pick = r;
    }
    if (!pick) return {};
    return bundles[*pick];
  }

  const Snapshot& snapshot_;
  const Subject& subject_;
  const std::vector<Lever> levers_;
  const double target_;
  std::vector<std::vector<double>> thresholds_;  // by snapshot column
  std::vector<Move> moves_;
  v1::CustomerScore best_;
  bool out_of_rounds_ = false;
};

// Why no path was found, and how far the search got.
std::string NoPathNote(const PathFinder& finder, const Levers& levers,
                       const Target& target) {
  std::string note;
  if (levers.movable.empty()) {
    note = "no signal the customer's variant reads may be moved";
  } else if (finder.out_of_rounds()) {
    note = absl::StrCat("the search stopped after ", kMaxRounds, " rounds at ",
                        Fmt1(finder.best().score()), "; ", target.band,
                        " needs ", Fmt1(target.min));
  } else if (finder.moves().empty()) {
    note = absl::StrCat(
        "the actionable signals are at their bounds or no change to one of "
        "them raises the score; it stays ",
        Fmt1(finder.best().score()), ", ", target.band, " needs ",
        Fmt1(target.min));
  } else {
    note = absl::StrCat(
        "the actionable signals are at their bounds or move the score no "
        "further; the best reachable score is ",
        Fmt1(finder.best().score()), ", ", target.band, " needs ",
        Fmt1(target.min));
  }
  for (const v1::GateResult& gate : finder.best().gates()) {
    if (gate.impact() < 0) {
      absl::StrAppend(&note, " (gate ", gate.id(), ": ", gate.message(), ")");
    }
  }
  if (!levers.not_actionable.empty()) {
    absl::StrAppend(&note, "; not moved: ", levers.not_actionable.size(),
                    " signals marked not_actionable");
  }
  if (!levers.ambiguous.empty()) {
    absl::StrAppend(&note,
                    "; not moved, their dimensions disagree on which "
                    "way is better: ",
                    absl::StrJoin(levers.ambiguous, ", "));
  }
  return note;
}

}  // namespace

absl::Status Simulate(store::Store* store, const Snapshot& snapshot,
                      const v1::SimulateRequest& request,
                      v1::SimulateResponse& response) {
  if (!v1::Explain_IsValid(request.explain())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "explain = ", request.explain(),
        " is not one of EXPLAIN_NONE, EXPLAIN_SUMMARY, EXPLAIN_FULL"));
  }
  if (request.changes().empty()) {
    return absl::InvalidArgumentError(
        "changes is empty: give at least one signal and its new value (NaN "
        "makes it missing)");
  }
  ASSIGN_OR_RETURN(Subject subject,
                   ResolveCustomer(store, snapshot, request.customer()));
  // Sorted, so that the first bad change reported is the same every time.
  std::vector<std::pair<std::string, double>> changes(request.changes().begin(),
                                                      request.changes().end());
  std::sort(changes.begin(), changes.end());
  std::vector<double> after = subject.values;
  for (const auto& [name, value] : changes) {
    ASSIGN_OR_RETURN(const int column, CheckChange(snapshot, name, value));
    after[column] = value;
  }
  const v1::Explain explain = request.explain() == v1::EXPLAIN_UNSPECIFIED
                                  ? v1::EXPLAIN_FULL
                                  : request.explain();
  Scores scores =
      ScoreRows(snapshot, subject, {subject.values, after}, explain);
  if (!scores.statuses[0].ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("customer '", subject.customer_id,
                     "' cannot be scored: ", scores.statuses[0].message()));
  }
  if (!scores.statuses[1].ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("with the changes, customer '", subject.customer_id,
                     "' cannot be scored: ", scores.statuses[1].message()));
  }
  *response.mutable_before() = std::move(scores.scores[0]);
  *response.mutable_after() = std::move(scores.scores[1]);
  return absl::OkStatus();
}

absl::Status PathToGreen(store::Store* store, const Snapshot& snapshot,
                         const v1::PathToGreenRequest& request,
                         v1::PathToGreenResponse& response) {
  ASSIGN_OR_RETURN(const Subject subject,
                   ResolveCustomer(store, snapshot, request.customer()));
  ASSIGN_OR_RETURN(v1::CustomerScore current,
                   ScoreOne(snapshot, subject, subject.values, v1::EXPLAIN_FULL,
                            "as it is,"));
  const Variant* variant = snapshot.FindVariant(subject.segment);
  if (variant == nullptr) variant = &snapshot.variants()[0];
  const std::optional<Target> target =
      NextBand(*variant, current.score(), current.band());
  *response.mutable_current() = current;
  if (!target) {
    response.set_already_best(true);
    return absl::OkStatus();
  }
  response.set_target_band(target->band);
  response.set_target_min(target->min);

  Levers levers = FindLevers(snapshot, *variant);
  PathFinder finder(snapshot, subject, levers.movable, target->min);
  if (!finder.Search(current)) {
    response.set_note(NoPathNote(finder, levers, *target));
    return absl::OkStatus();
  }
  finder.Prune();
  finder.Shrink();
  const std::vector<double> points = finder.Points();
  for (size_t i = 0; i < finder.moves().size(); ++i) {
    const Move& m = finder.moves()[i];
    const SignalBinding& s =
        snapshot.signals()[finder.levers()[m.lever].column];
    v1::SignalMove* out = response.add_moves();
    out->set_signal(s.name);
    out->set_unit(s.unit);
    out->set_was_missing(std::isnan(m.from));
    if (!std::isnan(m.from)) out->set_from(m.from);
    out->set_to(m.to);
    out->set_points(points[i]);
  }
  ASSIGN_OR_RETURN(*response.mutable_after(),
                   ScoreOne(snapshot, subject, finder.Apply(finder.moves()),
                            v1::EXPLAIN_FULL, "with the moves,"));
  if (response.after().score() < target->min) {
    // Every state the search kept was scored as reaching the band.
    return absl::InternalError(absl::StrCat(
        "the path re-scored reaches ", Fmt1(response.after().score()),
        ", below ", target->band, "'s ", Fmt1(target->min)));
  }
  return absl::OkStatus();
}

}  // namespace healthscore::validation
