// The History queries.
#include "server/history/history.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "server/common/status_macros.h"
#include "server/config/scorecard.h"
#include "server/engine/engine.h"
#include "server/history/args.h"
#include "server/history/point.h"
#include "server/history/rollup.h"
#include "server/history/trend.h"

namespace healthscore::history {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;
constexpr int64_t kMinTime = 0;
constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max() / 2;
// Snapshots of old scorecards kept built.
constexpr size_t kMaxBuiltSnapshots = 16;

std::string Fmt1(double v) { return absl::StrFormat("%.1f", v); }
std::string Signed1(double v) { return absl::StrFormat("%+.1f", v); }
std::string Value(std::optional<double> v) {
  if (!v) return "missing";
  return absl::StrFormat("%g", *v);
}

const v1::DimensionPoint* FindDimension(const v1::HistoryPoint& p,
                                        absl::string_view name) {
  for (const v1::DimensionPoint& d : p.dimensions()) {
    if (d.name() == name) return &d;
  }
  return nullptr;
}

double GatesTotal(const v1::HistoryPoint& p) {
  double total = 0;
  for (const v1::GateResult& g : p.gates()) total += g.impact();
  return total;
}

// What the critical gates did between two points whose gates moved the
// score by `change` (nonzero): "critical gate support_floor capped the score
// at 45 (support_health 0 < 25)", or "... no longer caps ...".
std::string GateCause(const v1::HistoryPoint& before,
                      const v1::HistoryPoint& after, double change) {
  const v1::HistoryPoint& capped = change < 0 ? after : before;
  const v1::GateResult* binding = nullptr;
  for (const v1::GateResult& g : capped.gates()) {
    if (g.impact() != 0) binding = &g;
  }
  if (binding == nullptr) return "critical gates";
  return absl::StrCat(
      "critical gate ", binding->id(),
      change < 0 ? " capped the score at " : " no longer caps the score at ",
      absl::StrFormat("%g", binding->cap()), " (", binding->dimension(), " ",
      absl::StrFormat("%.0f", binding->observed()), " < ",
      absl::StrFormat("%g", binding->below()), ")");
}

// A customer's inputs and segment: one state on the path from the earlier
// point to the later one.
struct State {
  std::string segment;
  std::map<std::string, double> values;
};

// Scores `states` under `snapshot`. Values the snapshot does not
// read are left out; a value outside the snapshot's bounds is refused.
absl::StatusOr<std::vector<v1::CustomerScore>> ScoreStates(
    const Snapshot& snapshot, const std::string& customer_id,
    std::span<const State> states, v1::Explain explain) {
  const std::vector<SignalBinding>& signals = snapshot.signals();
  BatchColumns batch(signals.size(), static_cast<uint32_t>(states.size()));
  for (size_t r = 0; r < states.size(); ++r) {
    for (const auto& [name, value] : states[r].values) {
      const int column = snapshot.FindSignal(name);
      if (column < 0) continue;
      const SignalBinding& s = signals[column];
      if ((!std::isnan(s.min) && value < s.min) ||
          (!std::isnan(s.max) && value > s.max)) {
        return absl::FailedPreconditionError(
            absl::StrCat("the recorded value ", name, "=", value,
                         " is outside the bounds the scorecard ",
                         snapshot.spec().name, " ", snapshot.spec().version,
                         " declares for it; it cannot be scored "
                         "again under that scorecard"));
      }
      batch.at(column, r) = value;
    }
  }
  google::protobuf::Arena arena;
  std::vector<v1::CustomerScore*> out;
  for (const State& s : states) {
    auto* score =
        google::protobuf::Arena::CreateMessage<v1::CustomerScore>(&arena);
    score->set_customer_id(customer_id);
    score->set_segment(s.segment);
    out.push_back(score);
  }
  std::vector<absl::Status> statuses =
      ScoreColumns(snapshot, batch, explain, out);
  std::vector<v1::CustomerScore> scores;
  scores.reserve(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    if (!statuses[i].ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "scoring the recorded inputs again failed: ", statuses[i].message()));
    }
    scores.push_back(*out[i]);
  }
  return scores;
}

double Contribution(const v1::CustomerScore& s, absl::string_view dimension) {
  for (const v1::DimensionResult& d : s.dimensions()) {
    if (d.name() == dimension) return d.contribution();
  }
  return 0;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Snapshot>> HistoryQueries::SnapshotFor(
    const std::string& hash) {
  std::shared_ptr<const Snapshot> live = snapshots_->Current();
  if (live != nullptr && live->spec().hash == hash) return live;
  {
    absl::MutexLock lock(&mu_);
    auto it = built_.find(hash);
    if (it != built_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(std::optional<store::ScorecardFile> file,
                   store_->GetScorecard(hash));
  if (!file) {
    return absl::DataLossError(
        absl::StrCat("the scorecard with hash ", hash, " is not in the store"));
  }
  absl::StatusOr<ScorecardSpec> spec =
      ParseScorecard(file->text, absl::StrCat(file->source, " (stored)"),
                     SecretReading::kSkip);
  if (!spec.ok()) return spec.status();
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(*std::move(spec), *registry_);
  if (!snapshot.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the scorecard ", file->name, " ", file->version, " (",
        hash.substr(0, 12), ") no longer binds to the loaded plugins: ",
        snapshot.status().message()));
  }
  absl::MutexLock lock(&mu_);
  if (built_.size() >= kMaxBuiltSnapshots) built_.clear();
  built_[hash] = *snapshot;
  return *snapshot;
}

absl::Status HistoryQueries::DeriveRules(
    const std::string& customer_id,
    google::protobuf::RepeatedPtrField<v1::HistoryPoint>& points) {
  std::map<std::string, std::vector<v1::HistoryPoint*>> by_scorecard;
  for (v1::HistoryPoint& p : points) {
    by_scorecard[p.provenance().scorecard_hash()].push_back(&p);
  }
  for (v1::HistoryPoint& p : points) {
    if (p.variant() == kRollupVariant) {
      p.set_rules_error(
          "an account roll-up: its children's scores, not rules, make it "
          "(see GetAccountRollup)");
    }
  }
  for (auto& [hash, group] : by_scorecard) {
    std::erase_if(group, [](const v1::HistoryPoint* p) {
      return p->variant() == kRollupVariant;
    });
    if (group.empty()) continue;
    absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
        SnapshotFor(hash);
    std::vector<State> states;
    for (const v1::HistoryPoint* p : group) {
      State& state = states.emplace_back();
      state.segment = p->segment();
      for (const v1::SignalValue& v : p->inputs()) {
        state.values[v.name()] = v.value();
      }
    }
    absl::StatusOr<std::vector<v1::CustomerScore>> scored =
        snapshot.ok()
            ? ScoreStates(**snapshot, customer_id, states, v1::EXPLAIN_FULL)
            : snapshot.status();
    for (size_t i = 0; i < group.size(); ++i) {
      v1::HistoryPoint& p = *group[i];
      if (!scored.ok()) {
        p.set_rules_error(std::string(scored.status().message()));
        continue;
      }
      const v1::CustomerScore& again = (*scored)[i];
      if (std::abs(again.score() - p.score()) > 1e-9) {
        p.set_rules_error(absl::StrCat("its inputs score ", Fmt1(again.score()),
                                       " today, not the ", Fmt1(p.score()),
                                       " recorded: a plugin changed since"));
        continue;
      }
      for (v1::DimensionPoint& d : *p.mutable_dimensions()) {
        for (const v1::DimensionResult& r : again.dimensions()) {
          if (r.name() != d.name()) continue;
          for (const v1::Reason& reason : r.reasons()) {
            if (reason.impact() == 0) continue;  // moved nothing
            v1::FiredRule* rule = d.add_rules();
            rule->set_rule_id(reason.rule_id());
            rule->set_signal(reason.signal());
            if (reason.has_observed()) rule->set_observed(reason.observed());
            if (reason.has_threshold()) {
              rule->set_threshold(reason.threshold());
            }
            rule->set_impact(reason.impact());
          }
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::HistoryPoint> HistoryQueries::ReadFull(
    const store::PointRow& row) {
  ASSIGN_OR_RETURN(v1::HistoryPoint point, ReadPoint(row));
  const std::string id = InputsSetId(row.inputs);
  if (id.empty()) return point;
  std::shared_ptr<const std::vector<std::string>> names;
  {
    absl::MutexLock lock(&mu_);
    auto it = signal_sets_.find(id);
    if (it != signal_sets_.end()) names = it->second;
  }
  if (names == nullptr) {
    ASSIGN_OR_RETURN(std::optional<std::string> blob, store_->GetSignalSet(id));
    if (!blob) {
      return absl::DataLossError(
          absl::StrCat("the signal set ", id, " is not in the store"));
    }
    ASSIGN_OR_RETURN(std::vector<std::string> parsed, ParseSignalSet(*blob));
    names = std::make_shared<const std::vector<std::string>>(std::move(parsed));
    absl::MutexLock lock(&mu_);
    if (signal_sets_.size() >= 1024) signal_sets_.clear();
    signal_sets_[id] = names;
  }
  RETURN_IF_ERROR(DecodeInputs(row.inputs, *names, point));
  return point;
}

absl::Status HistoryQueries::CheckCustomerExists(
    const std::string& customer_id) {
  ASSIGN_OR_RETURN(std::vector<store::PointRow> any,
                   store_->Timeline(customer_id, kMinTime, kMaxTime, 1,
                                    store::Detail::kNone));
  if (any.empty()) {
    return absl::NotFoundError(
        absl::StrCat("customer '", customer_id, "' has no recorded points"));
  }
  return absl::OkStatus();
}

absl::Status HistoryQueries::GetHistory(const v1::GetHistoryRequest& request,
                                        v1::GetHistoryResponse& response) {
  RETURN_IF_ERROR(CheckCustomerId(request.customer_id()));
  int64_t from = kMinTime, to = kMaxTime;
  if (request.has_from()) {
    ASSIGN_OR_RETURN(from, TimeArg(request.from(), "from"));
  }
  if (request.has_to()) {
    ASSIGN_OR_RETURN(to, TimeArg(request.to(), "to"));
  }
  RETURN_IF_ERROR(CheckRange(from, to));
  ASSIGN_OR_RETURN(const int page_size,
                   CountArg(request.page_size(), kDefaultPageSize, kMaxPageSize,
                            "page_size"));
  if (!request.page_token().empty()) {
    int64_t token = 0;
    if (!absl::SimpleAtoi(request.page_token(), &token) || token < kMinTime) {
      return absl::InvalidArgumentError(
          absl::StrCat("page_token '", request.page_token().substr(0, 40),
                       "' is not one this server returned"));
    }
    to = std::min(to, token);
  }
  ASSIGN_OR_RETURN(
      std::vector<store::PointRow> rows,
      store_->Timeline(request.customer_id(), from, to, page_size + 1,
                       request.full() ? store::Detail::kPointAndInputs
                                      : store::Detail::kPoint));
  if (rows.empty() && request.page_token().empty()) {
    RETURN_IF_ERROR(CheckCustomerExists(request.customer_id()));
  }
  if (static_cast<int>(rows.size()) > page_size) {
    rows.pop_back();
    response.set_next_page_token(absl::StrCat(rows.back().as_of_us - 1));
  }
  if (rows.empty()) return absl::OkStatus();

  // Trends: each point against the ones before it (this page's and older).
  std::shared_ptr<const Snapshot> live = snapshots_->Current();
  const std::vector<int> windows = live != nullptr
                                       ? live->spec().trend_windows_days
                                       : ScorecardSpec().trend_windows_days;
  const int64_t lookback = TrendLookbackMicros(windows);
  const int64_t oldest = rows.back().as_of_us;
  ASSIGN_OR_RETURN(std::vector<store::PointRow> older,
                   store_->Timeline(request.customer_id(), oldest - lookback,
                                    oldest - 1, 100000, store::Detail::kNone));
  std::vector<store::ScoreAt> all;  // newest first
  for (const store::PointRow& r : rows) all.push_back({r.as_of_us, r.score});
  for (const store::PointRow& r : older) all.push_back({r.as_of_us, r.score});
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(v1::HistoryPoint point,
                     request.full() ? ReadFull(rows[i]) : ReadPoint(rows[i]));
    size_t end = i + 1;
    while (end < all.size() &&
           all[end].as_of_us >= rows[i].as_of_us - lookback) {
      ++end;
    }
    *point.mutable_trend() =
        ComputeTrend(rows[i].as_of_us, rows[i].score,
                     std::span(all).subspan(i + 1, end - i - 1), windows);
    *response.add_points() = std::move(point);
  }
  if (request.full()) {
    RETURN_IF_ERROR(
        DeriveRules(request.customer_id(), *response.mutable_points()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<store::PointRow>> HistoryQueries::LatestCustomers(
    int64_t at_us, int64_t lookback_us, const std::string& segment) {
  ASSIGN_OR_RETURN(std::vector<store::PointRow> rows,
                   store_->Latest(at_us, lookback_us, segment));
  std::erase_if(rows, [](const store::PointRow& p) {
    return p.variant == kRollupVariant;
  });
  return rows;
}

absl::Status HistoryQueries::GetAccountRollup(
    const v1::GetAccountRollupRequest& request, v1::AccountRollup& response) {
  if (absl::Status s = CheckCustomerId(request.parent_id()); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("parent_id: ", s.message()));
  }
  int64_t at = absl::ToUnixMicros(absl::Now());
  if (request.has_at()) {
    ASSIGN_OR_RETURN(at, TimeArg(request.at(), "at"));
  }
  std::shared_ptr<const Snapshot> snapshot = snapshots_->Current();
  if (snapshot == nullptr) {
    return absl::UnavailableError("no scorecard is loaded yet");
  }
  ASSIGN_OR_RETURN(response,
                   ComputeRollup(*store_, *snapshot, request.parent_id(), at));
  return absl::OkStatus();
}

absl::Status HistoryQueries::ExplainChange(
    const v1::ExplainChangeRequest& request,
    v1::ExplainChangeResponse& response) {
  const std::string& id = request.customer_id();
  RETURN_IF_ERROR(CheckCustomerId(id));
  if (!request.has_from()) {
    return absl::InvalidArgumentError(
        "from is unset: the change is from the point at or before `from`");
  }
  ASSIGN_OR_RETURN(int64_t from, TimeArg(request.from(), "from"));
  int64_t to = kMaxTime;
  if (request.has_to()) {
    ASSIGN_OR_RETURN(to, TimeArg(request.to(), "to"));
  }
  RETURN_IF_ERROR(CheckRange(from, to));
  ASSIGN_OR_RETURN(
      std::vector<store::PointRow> after_rows,
      store_->Timeline(id, kMinTime, to, 1, store::Detail::kPointAndInputs));
  ASSIGN_OR_RETURN(
      std::vector<store::PointRow> before_rows,
      store_->Timeline(id, kMinTime, from, 1, store::Detail::kPointAndInputs));
  if (after_rows.empty() || before_rows.empty()) {
    RETURN_IF_ERROR(CheckCustomerExists(id));
    ASSIGN_OR_RETURN(
        std::vector<store::PointRow> first,
        store_->Timeline(id, kMinTime, kMaxTime, 100000, store::Detail::kNone));
    return absl::NotFoundError(absl::StrCat(
        "customer '", id, "' has no point at or before ",
        FormatMicros(after_rows.empty() ? to : from),
        "; its first point is at ", FormatMicros(first.back().as_of_us)));
  }
  if (before_rows[0].variant == kRollupVariant ||
      after_rows[0].variant == kRollupVariant) {
    return absl::FailedPreconditionError(absl::StrCat(
        "'", id,
        "' is an account whose points are roll-ups of its children's "
        "scores; GetAccountRollup lists the children that move it"));
  }
  ASSIGN_OR_RETURN(v1::HistoryPoint before, ReadFull(before_rows[0]));
  ASSIGN_OR_RETURN(v1::HistoryPoint after, ReadFull(after_rows[0]));
  const double delta = after.score() - before.score();
  response.set_delta(delta);

  // The path of states from the earlier inputs to the later ones.
  State start{before.segment(), {}};
  State end{after.segment(), {}};
  for (const v1::SignalValue& s : before.inputs())
    start.values[s.name()] = s.value();
  for (const v1::SignalValue& s : after.inputs())
    end.values[s.name()] = s.value();
  std::vector<std::string> changed;  // "" stands for the segment
  if (start.segment != end.segment) changed.push_back("");
  std::set<std::string> names;
  for (const auto& [n, v] : start.values) names.insert(n);
  for (const auto& [n, v] : end.values) names.insert(n);
  for (const std::string& n : names) {
    auto a = start.values.find(n);
    auto b = end.values.find(n);
    const bool has_a = a != start.values.end(), has_b = b != end.values.end();
    if (has_a != has_b || (has_a && a->second != b->second)) {
      changed.push_back(n);
    }
  }
  auto apply = [&](State& s, const std::string& name) {
    if (name.empty()) {
      s.segment = end.segment;
      return;
    }
    auto b = end.values.find(name);
    if (b == end.values.end()) {
      s.values.erase(name);
    } else {
      s.values[name] = b->second;
    }
  };
  const size_t n = changed.size();
  // States: [0] the start; [1..n] forward (name order); [n+1..2n-1] reverse
  // order, whose last state is the same as forward's end.
  std::vector<State> states = {start};
  for (size_t k = 0; k < n; ++k) {
    State s = states.back();
    apply(s, changed[k]);
    states.push_back(std::move(s));
  }
  State reverse = start;
  for (size_t k = 0; k + 1 < n; ++k) {
    apply(reverse, changed[n - 1 - k]);
    states.push_back(reverse);
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> later,
                   SnapshotFor(after.provenance().scorecard_hash()));
  // The path needs scores and contributions only; the two ends also their
  // reasons (for the rules that changed).
  ASSIGN_OR_RETURN(std::vector<v1::CustomerScore> scored,
                   ScoreStates(*later, id, states, v1::EXPLAIN_NONE));
  const State ends[] = {states.front(), states[n]};
  ASSIGN_OR_RETURN(std::vector<v1::CustomerScore> explained,
                   ScoreStates(*later, id, ends, v1::EXPLAIN_FULL));
  const v1::CustomerScore& rescored_before = scored[0];
  const v1::CustomerScore& rescored_after = scored[n];
  const double scorecard_change = rescored_before.score() - before.score();
  response.set_scorecard_change(scorecard_change);
  response.set_data_change(after.score() - rescored_before.score());

  // Each changed input: the mean of its step forward and its step back.
  // reverse_state(k) is the state after the last k names were switched.
  auto reverse_state = [&](size_t k) -> const v1::CustomerScore& {
    if (k == 0) return scored[0];
    if (k == n) return scored[n];
    return scored[n + k];
  };
  std::vector<std::string> dimension_names;
  for (const v1::DimensionResult& d : rescored_after.dimensions()) {
    dimension_names.push_back(d.name());
  }
  // signal -> dimension -> contribution change.
  std::map<std::string, std::map<std::string, double>> by_signal;
  double signal_total = 0;
  for (size_t k = 0; k < n; ++k) {
    const v1::CustomerScore& f0 = scored[k];
    const v1::CustomerScore& f1 = scored[k + 1];
    // Switched in reverse order, changed[k] is switch number n - k.
    const v1::CustomerScore& r0 = reverse_state(n - k - 1);
    const v1::CustomerScore& r1 = reverse_state(n - k);
    const double points =
        ((f1.score() - f0.score()) + (r1.score() - r0.score())) / 2;
    signal_total += points;
    std::map<std::string, double>& dims = by_signal[changed[k]];
    for (const std::string& d : dimension_names) {
      dims[d] = ((Contribution(f1, d) - Contribution(f0, d)) +
                 (Contribution(r1, d) - Contribution(r0, d))) /
                2;
    }
    v1::SignalChange* sc = response.add_signals();
    const std::string& name = changed[k];
    sc->set_signal(name.empty() ? "segment" : name);
    std::optional<double> was, now;
    if (!name.empty()) {
      if (auto it = start.values.find(name); it != start.values.end()) {
        was = it->second;
        sc->set_before(it->second);
      }
      if (auto it = end.values.find(name); it != end.values.end()) {
        now = it->second;
        sc->set_after(it->second);
      }
    }
    sc->set_points(points);
    std::string top;
    double top_change = 0;
    for (const auto& [d, c] : dims) {
      if (std::abs(c) > std::abs(top_change)) {
        top = d;
        top_change = c;
      }
    }
    sc->set_dimension(top);
    sc->set_message(
        name.empty()
            ? absl::StrCat(Signed1(points), ": segment ", end.segment, " (was ",
                           start.segment, ")")
            : absl::StrCat(Signed1(points), ": ", name, " ", Value(now),
                           " (was ", Value(was), ")",
                           top.empty() ? "" : absl::StrCat(", via ", top)));
  }
  // Recorded scores are reproducible; if a plugin changed under the same
  // scorecard since, say so rather than hide it in a signal.
  const double unexplained = after.score() - rescored_after.score();
  if (std::abs(unexplained) > 1e-9) {
    v1::SignalChange* sc = response.add_signals();
    sc->set_signal("(not reproducible)");
    sc->set_points(unexplained);
    sc->set_message(absl::StrCat(
        Signed1(unexplained),
        ": the later inputs score differently today than when recorded (a "
        "plugin changed under the same scorecard)"));
  }
  std::sort(response.mutable_signals()->begin(),
            response.mutable_signals()->end(),
            [](const v1::SignalChange& a, const v1::SignalChange& b) {
              return std::abs(a.points()) > std::abs(b.points());
            });

  // Per dimension, recorded before -> recorded after.
  std::vector<std::string> all_dims;
  for (const v1::DimensionPoint& d : before.dimensions())
    all_dims.push_back(d.name());
  for (const v1::DimensionPoint& d : after.dimensions()) {
    if (FindDimension(before, d.name()) == nullptr)
      all_dims.push_back(d.name());
  }
  struct Part {
    double size;
    std::string message;
  };
  std::vector<Part> parts;
  for (const std::string& name : all_dims) {
    const v1::DimensionPoint* a = FindDimension(before, name);
    const v1::DimensionPoint* b = FindDimension(after, name);
    auto ok = [](const v1::DimensionPoint* d) {
      return d != nullptr && d->status() == v1::DIMENSION_STATUS_OK;
    };
    const double s0 = ok(a) ? a->score() : 0, s1 = ok(b) ? b->score() : 0;
    const double w0 = ok(a) ? a->effective_weight() : 0;
    const double w1 = ok(b) ? b->effective_weight() : 0;
    const double c0 = ok(a) ? a->contribution() : 0;
    const double c1 = ok(b) ? b->contribution() : 0;
    v1::DimensionChange* dc = response.add_dimensions();
    dc->set_dimension(name);
    dc->set_status_before(a != nullptr ? a->status()
                                       : v1::DIMENSION_STATUS_UNSPECIFIED);
    dc->set_status_after(b != nullptr ? b->status()
                                      : v1::DIMENSION_STATUS_UNSPECIFIED);
    dc->set_score_before(s0);
    dc->set_score_after(s1);
    dc->set_effective_weight_before(w0);
    dc->set_effective_weight_after(w1);
    dc->set_change(c1 - c0);
    dc->set_from_score((w0 + w1) / 2 * (s1 - s0));
    dc->set_from_weight((s0 + s1) / 2 * (w1 - w0));
    // The input that moved this dimension most the same way.
    std::string cause;
    double cause_points = 0;
    for (const auto& [signal, dims] : by_signal) {
      auto it = dims.find(name);
      if (it == dims.end()) continue;
      if (it->second * (c1 - c0) > 0 &&
          std::abs(it->second) > std::abs(cause_points)) {
        cause = signal;
        cause_points = it->second;
      }
    }
    std::string what;
    if (ok(a) && ok(b)) {
      what = absl::StrCat(name,
                          s1 < s0   ? " fell"
                          : s1 > s0 ? " rose"
                                    : " held",
                          " from ", absl::StrFormat("%.0f", s0), " to ",
                          absl::StrFormat("%.0f", s1));
      if (std::abs(dc->from_weight()) > 0.05 &&
          std::abs(dc->from_weight()) > std::abs(dc->from_score())) {
        absl::StrAppend(&what, "; its weight share went from ",
                        absl::StrFormat("%.0f%%", 100 * w0), " to ",
                        absl::StrFormat("%.0f%%", 100 * w1));
      }
    } else if (ok(b)) {
      what = absl::StrCat(name, " has data again (",
                          absl::StrFormat("%.0f", s1), ")");
    } else if (ok(a)) {
      what =
          absl::StrCat(name, " lost its data (",
                       b != nullptr ? b->status() == v1::DIMENSION_STATUS_FAILED
                                          ? "failed"
                                          : "insufficient data"
                                    : "not in the scorecard",
                       "); its weight was shared out");
    } else {
      what = absl::StrCat(name, " had no data either time");
    }
    if (!cause.empty()) {
      auto was = start.values.find(cause);
      auto now = end.values.find(cause);
      absl::StrAppend(
          &what, ": ", cause, " ",
          now != end.values.end() ? absl::StrFormat("%g", now->second)
                                  : "missing",
          " (was ",
          was != start.values.end() ? absl::StrFormat("%g", was->second)
                                    : "missing",
          ")");
    }
    dc->set_message(absl::StrCat(Signed1(c1 - c0), ": ", what));
    if (std::abs(c1 - c0) >= 0.05) parts.push_back({c1 - c0, dc->message()});
  }
  std::sort(response.mutable_dimensions()->begin(),
            response.mutable_dimensions()->end(),
            [](const v1::DimensionChange& a, const v1::DimensionChange& b) {
              return std::abs(a.change()) > std::abs(b.change());
            });
  const double gates_change = GatesTotal(after) - GatesTotal(before);
  response.set_gates_change(gates_change);
  if (std::abs(gates_change) >= 0.05) {
    parts.push_back(
        {gates_change, absl::StrCat(Signed1(gates_change), ": ",
                                    GateCause(before, after, gates_change))});
  }

  // Rules, both sides scored under the later scorecard.
  std::map<std::pair<std::string, std::string>, std::pair<double, double>>
      rules;
  std::map<std::pair<std::string, std::string>, std::string> sentences;
  for (int side = 0; side < 2; ++side) {
    const v1::CustomerScore& s = explained[side];
    for (const v1::DimensionResult& d : s.dimensions()) {
      for (const v1::Reason& r : d.reasons()) {
        if (r.impact() == 0) continue;
        auto key = std::make_pair(d.name(), r.rule_id());
        (side == 0 ? rules[key].first : rules[key].second) += r.impact();
        if (side == 1 || !sentences.contains(key)) sentences[key] = r.message();
      }
    }
  }
  for (const auto& [key, impacts] : rules) {
    const auto [i0, i1] = impacts;
    if (std::abs(i1 - i0) < 1e-9) continue;
    v1::RuleChange* rc = response.add_rules();
    rc->set_dimension(key.first);
    rc->set_rule_id(key.second);
    rc->set_impact_before(i0);
    rc->set_impact_after(i1);
    const char* verb;
    if (i0 == 0) {
      rc->set_kind(v1::RuleChange::FIRED);
      verb = "fired";
    } else if (i1 == 0) {
      rc->set_kind(v1::RuleChange::CLEARED);
      verb = "cleared";
    } else {
      rc->set_kind(v1::RuleChange::CHANGED);
      verb = "changed";
    }
    rc->set_message(absl::StrCat(
        key.first, ": ", key.second, " ", verb, " (", Signed1(i0), " -> ",
        Signed1(i1), " points on the dimension): ", sentences[key]));
  }

  *response.mutable_before() = before;
  *response.mutable_after() = after;
  response.add_summary(absl::StrCat(
      "Score ", Fmt1(before.score()), " (", before.grade(), ") on ",
      FormatMicros(ToMicros(before.as_of())), " -> ", Fmt1(after.score()), " (",
      after.grade(), ") on ", FormatMicros(ToMicros(after.as_of())), ": ",
      Signed1(delta), "."));
  if (std::abs(scorecard_change) > 1e-9 ||
      before.provenance().scorecard_hash() !=
          after.provenance().scorecard_hash()) {
    response.add_summary(absl::StrCat(
        Signed1(scorecard_change), " from the scorecard (",
        before.provenance().scorecard_version(), " -> ",
        after.provenance().scorecard_version(), "), ",
        Signed1(after.score() - rescored_before.score()), " from the data."));
  }
  std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) {
    return std::abs(a.size) > std::abs(b.size);
  });
  for (const Part& p : parts) response.add_summary(p.message);
  (void)signal_total;
  return absl::OkStatus();
}

absl::Status HistoryQueries::ListMovers(const v1::ListMoversRequest& request,
                                        v1::ListMoversResponse& response) {
  const int64_t now = absl::ToUnixMicros(absl::Now());
  int64_t to = now;
  if (request.has_to()) {
    ASSIGN_OR_RETURN(to, TimeArg(request.to(), "to"));
  }
  if (!request.has_from()) {
    return absl::InvalidArgumentError(
        "from is unset: movers compare each customer at `from` and at `to`");
  }
  ASSIGN_OR_RETURN(int64_t from, TimeArg(request.from(), "from"));
  RETURN_IF_ERROR(CheckRange(from, to));
  ASSIGN_OR_RETURN(
      const int limit,
      CountArg(request.limit(), kDefaultMoversLimit, kMaxMoversLimit, "limit"));
  ASSIGN_OR_RETURN(int lookback_days,
                   CountArg(request.lookback_days(), kDefaultLookbackDays,
                            kMaxDays, "lookback_days"));
  const int64_t lookback = lookback_days * kMicrosPerDay;
  ASSIGN_OR_RETURN(std::vector<store::PointRow> then,
                   LatestCustomers(from, lookback, ""));
  ASSIGN_OR_RETURN(std::vector<store::PointRow> later,
                   LatestCustomers(to, lookback, request.segment()));
  absl::flat_hash_map<std::string, const store::PointRow*> then_by_id;
  for (const store::PointRow& p : then) then_by_id[p.customer_id] = &p;
  struct Move {
    const store::PointRow* a;
    const store::PointRow* b;
  };
  std::vector<Move> moves;
  for (const store::PointRow& b : later) {
    auto it = then_by_id.find(b.customer_id);
    if (it == then_by_id.end() || it->second->as_of_us == b.as_of_us) continue;
    moves.push_back({it->second, &b});
  }
  response.set_compared(static_cast<int64_t>(moves.size()));
  const bool rises = request.direction() == v1::RISES;
  std::sort(moves.begin(), moves.end(), [rises](const Move& x, const Move& y) {
    const double dx = x.b->score - x.a->score, dy = y.b->score - y.a->score;
    if (dx != dy) return rises ? dx > dy : dx < dy;
    return x.b->customer_id < y.b->customer_id;
  });
  for (const Move& m : moves) {
    if (response.movers_size() >= limit) break;
    const double change = m.b->score - m.a->score;
    if (rises ? change <= 0 : change >= 0) break;
    v1::Mover* mover = response.add_movers();
    mover->set_customer_id(m.b->customer_id);
    mover->set_segment(m.b->segment);
    mover->set_score_before(m.a->score);
    mover->set_score_after(m.b->score);
    mover->set_change(change);
    mover->set_band_before(m.a->band);
    mover->set_band_after(m.b->band);
    // The top cause: the dimension whose contribution moved most the same way.
    ASSIGN_OR_RETURN(std::vector<store::PointRow> a,
                     store_->Timeline(m.a->customer_id, m.a->as_of_us,
                                      m.a->as_of_us, 1, store::Detail::kPoint));
    ASSIGN_OR_RETURN(std::vector<store::PointRow> b,
                     store_->Timeline(m.b->customer_id, m.b->as_of_us,
                                      m.b->as_of_us, 1, store::Detail::kPoint));
    if (a.empty() || b.empty()) continue;  // pruned meanwhile
    ASSIGN_OR_RETURN(v1::HistoryPoint pa, ReadPoint(a[0]));
    ASSIGN_OR_RETURN(v1::HistoryPoint pb, ReadPoint(b[0]));
    std::string top;
    double top_change = 0, s0 = 0, s1 = 0;
    for (const v1::DimensionPoint& db : pb.dimensions()) {
      const v1::DimensionPoint* da = FindDimension(pa, db.name());
      const double c0 = da != nullptr ? da->contribution() : 0;
      const double c = db.contribution() - c0;
      if (c * change > 0 && std::abs(c) > std::abs(top_change)) {
        top = db.name();
        top_change = c;
        s0 = da != nullptr ? da->score() : 0;
        s1 = db.score();
      }
    }
    // A critical gate that capped (or stopped capping) the score can move
    // it more than any dimension.
    const double gates = GatesTotal(pb) - GatesTotal(pa);
    if (gates * change > 0 && std::abs(gates) > std::abs(top_change)) {
      const v1::HistoryPoint& capped = gates < 0 ? pb : pa;
      std::string id = "?";
      for (const v1::GateResult& g : capped.gates()) {
        if (g.impact() != 0) id = g.id();
      }
      mover->set_top_dimension(absl::StrCat("gate:", id));
      mover->set_top_dimension_change(gates);
      mover->set_top_cause(absl::StrCat(GateCause(pa, pb, gates), " (",
                                        Signed1(gates), " points)"));
    } else if (!top.empty()) {
      mover->set_top_dimension(top);
      mover->set_top_dimension_change(top_change);
      mover->set_top_cause(absl::StrCat(top, top_change < 0 ? " fell" : " rose",
                                        " from ", absl::StrFormat("%.0f", s0),
                                        " to ", absl::StrFormat("%.0f", s1),
                                        " (", Signed1(top_change), " points)"));
    }
  }
  return absl::OkStatus();
}

absl::Status HistoryQueries::GetPortfolio(
    const v1::GetPortfolioRequest& request,
    v1::GetPortfolioResponse& response) {
  int64_t at = absl::ToUnixMicros(absl::Now());
  if (request.has_as_of()) {
    ASSIGN_OR_RETURN(at, TimeArg(request.as_of(), "as_of"));
  }
  ASSIGN_OR_RETURN(int window_days,
                   CountArg(request.window_days(), kDefaultWindowDays, kMaxDays,
                            "window_days"));
  ASSIGN_OR_RETURN(int lookback_days,
                   CountArg(request.lookback_days(), kDefaultLookbackDays,
                            kMaxDays, "lookback_days"));
  if (request.at_risk_limit() < 0 ||
      request.at_risk_limit() > kMaxMoversLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("at_risk_limit = ", request.at_risk_limit(),
                     " is out of range: 0 (none) to ", kMaxMoversLimit));
  }
  // Bands and grades in the live scorecard's order, best first.
  std::vector<std::string> band_order, grade_order;
  if (std::shared_ptr<const Snapshot> live = snapshots_->Current()) {
    for (const BandSpec& b : live->spec().bands) {
      if (std::find(band_order.begin(), band_order.end(), b.name) ==
          band_order.end()) {
        band_order.push_back(b.name);
      }
      if (std::find(grade_order.begin(), grade_order.end(), b.grade) ==
          grade_order.end()) {
        grade_order.push_back(b.grade);
      }
    }
  }
  auto figures_at = [&](int64_t t, v1::PortfolioAt& out) -> absl::Status {
    *out.mutable_as_of() = FromMicros(t);
    ASSIGN_OR_RETURN(
        std::vector<store::PointRow> rows,
        LatestCustomers(t, lookback_days * kMicrosPerDay, request.segment()));
    struct Acc {
      int64_t n = 0;
      double sum = 0;
      std::map<std::string, int64_t> bands, grades;
    };
    std::map<std::string, Acc> by_segment;
    Acc all;
    for (const store::PointRow& r : rows) {
      for (Acc* acc : {&all, &by_segment[r.segment]}) {
        ++acc->n;
        acc->sum += r.score;
        ++acc->bands[r.band];
        ++acc->grades[r.grade];
      }
    }
    auto emit = [&](const std::string& segment, const Acc& acc) {
      v1::PortfolioFigures* f = out.add_figures();
      f->set_segment(segment);
      f->set_customers(acc.n);
      f->set_mean_score(acc.n > 0 ? acc.sum / acc.n : 0);
      auto buckets =
          [&](const std::map<std::string, int64_t>& counts,
              const std::vector<std::string>& order,
              google::protobuf::RepeatedPtrField<v1::BucketCount>* to) {
            std::vector<std::string> names = order;
            for (const auto& [name, c] : counts) {
              if (std::find(names.begin(), names.end(), name) == names.end()) {
                names.push_back(name);
              }
            }
            for (const std::string& name : names) {
              auto it = counts.find(name);
              const int64_t c = it == counts.end() ? 0 : it->second;
              v1::BucketCount* b = to->Add();
              b->set_name(name);
              b->set_count(c);
              b->set_share(acc.n > 0 ? static_cast<double>(c) / acc.n : 0);
            }
          };
      buckets(acc.bands, band_order, f->mutable_bands());
      buckets(acc.grades, grade_order, f->mutable_grades());
    };
    emit("", all);
    for (const auto& [segment, acc] : by_segment) emit(segment, acc);
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(figures_at(at, *response.mutable_current()));
  RETURN_IF_ERROR(figures_at(at - window_days * kMicrosPerDay,
                             *response.mutable_previous()));
  if (request.at_risk_limit() > 0 && !band_order.empty()) {
    RETURN_IF_ERROR(AtRisk(at, at - window_days * kMicrosPerDay,
                           lookback_days * kMicrosPerDay, request.segment(),
                           band_order.back(), request.at_risk_limit(),
                           response));
  }
  return absl::OkStatus();
}

absl::Status HistoryQueries::AtRisk(int64_t at, int64_t earlier,
                                    int64_t lookback_us,
                                    const std::string& segment,
                                    const std::string& lowest_band, int limit,
                                    v1::GetPortfolioResponse& response) {
  ASSIGN_OR_RETURN(std::vector<store::PointRow> now,
                   LatestCustomers(at, lookback_us, segment));
  std::vector<const store::PointRow*> in_band;
  for (const store::PointRow& r : now) {
    if (r.band == lowest_band) in_band.push_back(&r);
  }
  response.set_at_risk_total(static_cast<int64_t>(in_band.size()));
  std::sort(in_band.begin(), in_band.end(),
            [](const store::PointRow* a, const store::PointRow* b) {
              if (a->score != b->score) return a->score < b->score;
              return a->customer_id < b->customer_id;
            });
  if (static_cast<int>(in_band.size()) > limit) in_band.resize(limit);
  ASSIGN_OR_RETURN(std::vector<store::PointRow> then,
                   LatestCustomers(earlier, lookback_us, segment));
  absl::flat_hash_map<std::string, const store::PointRow*> then_by_id;
  for (const store::PointRow& p : then) then_by_id[p.customer_id] = &p;
  for (const store::PointRow* r : in_band) {
    v1::AtRiskCustomer* c = response.add_at_risk();
    c->set_customer_id(r->customer_id);
    c->set_segment(r->segment);
    *c->mutable_as_of() = FromMicros(r->as_of_us);
    c->set_score(r->score);
    c->set_band(r->band);
    c->set_grade(r->grade);
    if (auto it = then_by_id.find(r->customer_id);
        it != then_by_id.end() && it->second->as_of_us != r->as_of_us) {
      c->set_has_previous(true);
      c->set_previous_score(it->second->score);
      c->set_change(r->score - it->second->score);
    }
    // What costs it most: read the point's dimensions.
    ASSIGN_OR_RETURN(std::vector<store::PointRow> detailed,
                     store_->Timeline(r->customer_id, r->as_of_us, r->as_of_us,
                                      1, store::Detail::kPoint));
    if (detailed.empty()) continue;  // pruned meanwhile
    ASSIGN_OR_RETURN(v1::HistoryPoint p, ReadPoint(detailed[0]));
    const v1::DimensionPoint* top = nullptr;
    double top_lost = 0;
    for (const v1::DimensionPoint& d : p.dimensions()) {
      const double lost = d.effective_weight() * 100 - d.contribution();
      if (lost > top_lost) {
        top = &d;
        top_lost = lost;
      }
    }
    const v1::GateResult* gate = nullptr;
    for (const v1::GateResult& g : p.gates()) {
      if (-g.impact() > top_lost) {
        gate = &g;
        top_lost = -g.impact();
      }
    }
    if (gate != nullptr) {
      c->set_top_dimension(absl::StrCat("gate:", gate->id()));
      c->set_top_points_lost(top_lost);
      c->set_top_reason(absl::StrCat(
          "critical gate ", gate->id(), " caps the score at ",
          absl::StrFormat("%g", gate->cap()), " (", gate->dimension(), " ",
          absl::StrFormat("%.0f", gate->observed()), " < ",
          absl::StrFormat("%g", gate->below()), "; ",
          absl::StrFormat("%.1f", top_lost), " points)"));
    } else if (top != nullptr) {
      c->set_top_dimension(top->name());
      c->set_top_points_lost(top_lost);
      c->set_top_reason(absl::StrCat(
          top->name(), " scores ", absl::StrFormat("%.0f", top->score()),
          " and costs ", absl::StrFormat("%.1f", top_lost), " points"));
    }
  }
  return absl::OkStatus();
}

}  // namespace healthscore::history
