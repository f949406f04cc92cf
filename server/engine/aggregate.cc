// Aggregation: groups, total, gates, band, warnings, drivers, actions.
#include "server/engine/aggregate.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "server/plugin/instance.h"

namespace healthscore::engine {
namespace {

// The top drivers up and down among the row's reasons (impact weighted by the
// dimension's effective weight) and the gates that cut the total; sentences
// are formatted for these only.
void AddDrivers(const Variant& v, const Explanations& ex, size_t row,
                bool sentences, v1::CustomerScore& score) {
  struct Candidate {
    double impact;
    const Explanations::Ref* ref;  // NULL: a gate
    const v1::GateResult* gate;
  };
  // Reused across rows: no allocation per customer.
  thread_local std::vector<Candidate> up;
  thread_local std::vector<Candidate> down;
  up.clear();
  down.clear();
  for (const Explanations::Ref& ref : ex.ReasonsOf(row)) {
    const v1::DimensionResult& d = score.dimensions(ref.dimension);
    // A failed dimension's reasons explain nothing; its share is 0 anyway.
    if (d.status() != v1::DIMENSION_STATUS_OK) continue;
    const double impact = d.effective_weight() *
                          ex.records[ref.dimension].reasons[ref.index].impact;
    if (impact == 0) continue;
    (impact > 0 ? up : down).push_back({impact, &ref, nullptr});
  }
  // A gate that cut the total is a driver down in its own right.
  for (const v1::GateResult& g : score.gates()) {
    if (g.impact() < 0) down.push_back({g.impact(), nullptr, &g});
  }
  auto add = [&](std::vector<Candidate>& from, auto better,
                 google::protobuf::RepeatedPtrField<v1::Driver>* to) {
    const size_t n = std::min<size_t>(from.size(), kTopDrivers);
    std::partial_sort(from.begin(), from.begin() + n, from.end(), better);
    for (size_t i = 0; i < n; ++i) {
      v1::Driver* d = to->Add();
      d->set_impact(from[i].impact);
      if (from[i].gate != nullptr) {
        d->set_dimension(from[i].gate->dimension());
        d->set_rule_id("gate:" + from[i].gate->id());
        d->set_message(from[i].gate->message());
        continue;
      }
      const Explanations::Ref& ref = *from[i].ref;
      const PluginInstance& instance = *v.dimensions[ref.dimension].instance;
      const hs_reason_record& r = ex.records[ref.dimension].reasons[ref.index];
      const RuleInfo& rule = instance.rules()[r.rule];
      d->set_dimension(score.dimensions(ref.dimension).name());
      d->set_rule_id(rule.id);
      d->set_signal(rule.signal);
      if (std::isfinite(r.observed)) d->set_observed(r.observed);
      if (std::isfinite(r.threshold)) d->set_threshold(r.threshold);
      for (size_t a = 0; a < rule.args.size(); ++a) d->add_args(r.args[a]);
      if (sentences) instance.AppendReason(r, *d->mutable_message());
    }
  };
  add(
      up,
      [](const Candidate& a, const Candidate& b) {
        return a.impact > b.impact;
      },
      score.mutable_top_drivers_up());
  add(
      down,
      [](const Candidate& a, const Candidate& b) {
        return a.impact < b.impact;
      },
      score.mutable_top_drivers_down());
}

// Every reason of the row's scored dimensions, as messages (FULL).
void AddReasons(const Variant& v, const Explanations& ex, size_t row,
                v1::CustomerScore& score) {
  auto& dims = *score.mutable_dimensions();
  for (const Explanations::Ref& ref : ex.ReasonsOf(row)) {
    v1::DimensionResult& d = dims[ref.dimension];
    if (d.status() != v1::DIMENSION_STATUS_OK) continue;
    const PluginInstance& instance = *v.dimensions[ref.dimension].instance;
    const hs_reason_record& r = ex.records[ref.dimension].reasons[ref.index];
    const RuleInfo& rule = instance.rules()[r.rule];
    v1::Reason* out = d.add_reasons();
    out->set_rule_id(rule.id);
    out->set_signal(rule.signal);
    if (std::isfinite(r.observed)) out->set_observed(r.observed);
    if (std::isfinite(r.threshold)) out->set_threshold(r.threshold);
    out->set_impact(r.impact);
    instance.AppendReason(r, *out->mutable_message());
  }
}

// Plugin and scorecard actions, deduplicated by text (the most points at
// stake wins), most points at stake first. Plugin actions come from the
// row's action records, formatted once each; with `full`, each also goes to
// its dimension's `actions`.
void AddActions(const Variant& v, const BandSpec& band, const Explanations& ex,
                size_t row, bool full, v1::CustomerScore& score) {
  struct Candidate {
    std::string text;
    absl::string_view source;
    int dimension;  // -1: none
    double points;
  };
  thread_local std::vector<Candidate> actions;
  actions.clear();
  auto add = [&](std::string text, absl::string_view source, int dimension,
                 double points) {
    for (Candidate& a : actions) {
      if (a.text != text) continue;
      if (points > a.points) {
        a.points = points;
        a.source = source;
        a.dimension = dimension;
      }
      return;
    }
    actions.push_back({std::move(text), source, dimension, points});
  };
  auto& dims = *score.mutable_dimensions();
  for (const Explanations::Ref& ref : ex.ActionsOf(row)) {
    v1::DimensionResult& d = dims[ref.dimension];
    if (d.status() != v1::DIMENSION_STATUS_OK) continue;
    std::string text = v.dimensions[ref.dimension].instance->ActionText(
        ex.records[ref.dimension].actions[ref.index]);
    if (full) d.add_actions(text);
    add(std::move(text), "plugin", static_cast<int>(ref.dimension),
        d.points_lost());
  }
  for (const ActionBinding& a : v.actions) {
    if (a.dimension >= 0) {
      const v1::DimensionResult& d = dims[a.dimension];
      if (d.status() == v1::DIMENSION_STATUS_OK && d.score() < a.spec.below) {
        add(a.spec.say, "scorecard", a.dimension, d.points_lost());
      }
    } else if (a.spec.band == band.name) {
      add(a.spec.say, "scorecard", -1, 100 - score.score());
    }
  }
  std::stable_sort(actions.begin(), actions.end(),
                   [](const Candidate& a, const Candidate& b) {
                     return a.points > b.points;
                   });
  for (Candidate& a : actions) {
    v1::RecommendedAction* out = score.add_actions();
    out->set_text(std::move(a.text));
    out->set_source(std::string(a.source));
    if (a.dimension >= 0) out->set_dimension(dims[a.dimension].name());
    out->set_points_at_stake(a.points);
  }
}

// A group's score for one customer, from its dimensions that scored.
struct GroupState {
  bool has_data = false;
  double score = 0;
  double ok_weight = 0;
  double weight = 0;          // of all its dimensions
  std::vector<double> share;  // per dimension of the group
};

using Dimensions = google::protobuf::RepeatedPtrField<v1::DimensionResult>;

// Each group's score: the weighted mean of its dimensions that scored, or
// the lowest of them (aggregate: min).
// Fills `groups` (reused across customers: no allocation once warm).
void ScoreGroups(const Variant& v, const Dimensions& dims,
                 std::vector<GroupState>& groups) {
  groups.resize(v.groups.size());
  for (size_t g = 0; g < v.groups.size(); ++g) {
    const GroupBinding& group = v.groups[g];
    GroupState& st = groups[g];
    st.has_data = false;
    st.score = st.ok_weight = st.weight = 0;
    st.share.assign(group.dimensions.size(), 0);
    int best = -1;
    for (size_t k = 0; k < group.dimensions.size(); ++k) {
      const v1::DimensionResult& d = dims[group.dimensions[k]];
      st.weight += d.weight();
      if (d.status() != v1::DIMENSION_STATUS_OK || d.weight() <= 0) continue;
      st.ok_weight += d.weight();
      if (best < 0 || d.score() < dims[group.dimensions[best]].score()) {
        best = static_cast<int>(k);
      }
    }
    st.has_data = st.ok_weight > 0;
    if (!st.has_data) continue;
    if (group.aggregate == Aggregate::kMin) {
      st.share[best] = 1;
      st.score = dims[group.dimensions[best]].score();
    } else {
      for (size_t k = 0; k < group.dimensions.size(); ++k) {
        const v1::DimensionResult& d = dims[group.dimensions[k]];
        if (d.status() != v1::DIMENSION_STATUS_OK || d.weight() <= 0) continue;
        st.share[k] = d.weight() / st.ok_weight;
        st.score += st.share[k] * d.score();
      }
    }
  }
}

// The groups weighed into the total.
struct Total {
  std::vector<double> group_share;  // each group's share of the total
  double score = 0;                 // clamped to 0-100
  double coverage = 0;
};

// Weighs the groups into `t`, the total (or the lowest, aggregate: min),
// and the coverage. FAILED_PRECONDITION, with each dimension's reason, when
// no group with weight has data.
absl::Status WeighGroups(const Variant& v,
                         const std::vector<GroupState>& groups,
                         const Dimensions& dims, Total& t) {
  t.score = t.coverage = 0;
  t.group_share.assign(v.groups.size(), 0);
  double live_weight = 0;
  double all_weight = 0;
  int lowest = -1;
  for (size_t g = 0; g < v.groups.size(); ++g) {
    all_weight += v.groups[g].weight;
    if (!groups[g].has_data || v.groups[g].weight <= 0) continue;
    live_weight += v.groups[g].weight;
    if (lowest < 0 || groups[g].score < groups[lowest].score) {
      lowest = static_cast<int>(g);
    }
  }
  if (lowest < 0) {
    std::string why;
    for (const v1::DimensionResult& d : dims) {
      absl::StrAppend(&why, why.empty() ? "" : "; ", d.name(), ": ",
                      d.status() == v1::DIMENSION_STATUS_OK
                          ? "weight 0"
                          : d.status_reason());
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "no dimension with weight could score this customer (", why, ")"));
  }
  double total = 0;
  if (v.aggregate == Aggregate::kMin) {
    t.group_share[lowest] = 1;
    total = groups[lowest].score;
  } else {
    for (size_t g = 0; g < v.groups.size(); ++g) {
      if (!groups[g].has_data || v.groups[g].weight <= 0) continue;
      t.group_share[g] = v.groups[g].weight / live_weight;
      total += t.group_share[g] * groups[g].score;
    }
  }
  for (size_t g = 0; g < v.groups.size(); ++g) {
    if (all_weight <= 0 || groups[g].weight <= 0) continue;
    t.coverage += v.groups[g].weight / all_weight * groups[g].ok_weight /
                  groups[g].weight;
  }
  t.score = std::clamp(total, 0.0, 100.0);
  return absl::OkStatus();
}

// Each scored dimension's effective weight, contribution and points lost,
// and each named group's result.
void ShareOut(const Variant& v, const std::vector<GroupState>& groups,
              const Total& t, v1::CustomerScore& score) {
  auto& dims = *score.mutable_dimensions();
  const std::vector<double>& group_share = t.group_share;
  for (size_t g = 0; g < v.groups.size(); ++g) {
    const GroupBinding& group = v.groups[g];
    for (size_t k = 0; k < group.dimensions.size(); ++k) {
      v1::DimensionResult& d = dims[group.dimensions[k]];
      if (v.named_groups) d.set_group(group.name);
      if (d.status() != v1::DIMENSION_STATUS_OK) continue;
      const double share = group_share[g] * groups[g].share[k];
      d.set_effective_weight(share);
      d.set_contribution(share * d.score());
      d.set_points_lost(share * (100 - d.score()));
    }
    if (!v.named_groups) continue;
    v1::GroupResult* out = score.add_groups();
    out->set_name(group.name);
    out->set_aggregate(std::string(AggregateName(group.aggregate)));
    out->set_has_data(groups[g].has_data);
    out->set_score(groups[g].score);
    out->set_weight(group.weight);
    out->set_effective_weight(group_share[g]);
    out->set_contribution(group_share[g] * groups[g].score);
    out->set_points_lost(
        groups[g].has_data ? group_share[g] * (100 - groups[g].score) : 0);
  }
}

// Critical gates: the lowest cap among those that fired binds. Returns the
// capped total; the binding gate's impact is what it took.
double ApplyGates(const Variant& v, const std::vector<GroupState>& groups,
                  double total, v1::CustomerScore& score) {
  const Dimensions& dims = score.dimensions();
  double capped = total;
  v1::GateResult* binding = nullptr;
  for (const GateBinding& gate : v.gates) {
    double observed = 0;
    if (gate.dimension >= 0) {
      const v1::DimensionResult& d = dims[gate.dimension];
      if (d.status() != v1::DIMENSION_STATUS_OK) continue;
      observed = d.score();
    } else {
      if (gate.group < 0 || !groups[gate.group].has_data) continue;
      observed = groups[gate.group].score;
    }
    if (!(observed < gate.spec.below)) continue;
    v1::GateResult* fired = score.add_gates();
    fired->set_id(gate.spec.id);
    fired->set_dimension(gate.spec.target);
    fired->set_observed(observed);
    fired->set_below(gate.spec.below);
    fired->set_cap(gate.spec.cap);
    fired->set_message(gate.spec.say);
    if (gate.spec.cap < capped) {
      capped = gate.spec.cap;
      binding = fired;
    }
  }
  if (binding != nullptr) binding->set_impact(capped - total);

  return capped;
}

// How far ahead of the server's clock an as_of may be before it is warned
// about (the recorder refuses a recorded point beyond the same skew).
constexpr absl::Duration kFutureSkew = absl::Minutes(5);

// Dimensions under their warning threshold, low coverage, stale data, an
// as_of in the future.
void AddWarnings(const Snapshot& snapshot, const Variant& v, double coverage,
                 absl::Time now, v1::CustomerScore& score) {
  const Dimensions& dims = score.dimensions();
  const ScorecardSpec& spec = snapshot.spec();
  for (size_t i = 0; i < v.dimensions.size(); ++i) {
    const BoundDimension& bd = v.dimensions[i];
    const v1::DimensionResult& d = dims[i];
    if (bd.warn_below && d.status() == v1::DIMENSION_STATUS_OK &&
        d.score() < *bd.warn_below) {
      AddWarning(score, "dimension_below",
                 absl::StrFormat("%s scored %.1f, below its warning "
                                 "threshold %g",
                                 d.name(), d.score(), *bd.warn_below),
                 d.name());
    }
  }
  if (spec.min_coverage && coverage < *spec.min_coverage) {
    AddWarning(score, "low_coverage",
               absl::StrFormat("coverage %.0f%% is below the minimum %.0f%%: "
                               "the score rests on too little data",
                               coverage * 100, *spec.min_coverage * 100));
  }
  if (score.has_as_of() &&
      absl::FromUnixSeconds(score.as_of().seconds()) > now + kFutureSkew) {
    const absl::Time as_of = absl::FromUnixSeconds(score.as_of().seconds());
    AddWarning(
        score, "future_as_of",
        absl::StrCat(
            "as_of ",
            absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", as_of, absl::UTCTimeZone()),
            " is ",
            absl::FormatDuration(absl::Trunc(now - as_of, absl::Seconds(1)) *
                                 -1),
            " ahead of the server's clock (more than ",
            absl::FormatDuration(kFutureSkew),
            "): check the clock of the system that sent it"));
  }
  if (spec.max_data_age_days && score.has_as_of()) {
    const absl::Time as_of = absl::FromUnixSeconds(score.as_of().seconds());
    const double age_days = absl::ToDoubleHours(now - as_of) / 24;
    if (age_days > *spec.max_data_age_days) {
      AddWarning(score, "stale_data",
                 absl::StrFormat(
                     "the data is %.0f days old (as of %s); the "
                     "limit is %g days",
                     age_days,
                     absl::FormatTime("%Y-%m-%d", as_of, absl::UTCTimeZone()),
                     *spec.max_data_age_days));
    }
  }
}

}  // namespace

void AddWarning(v1::CustomerScore& score, absl::string_view code,
                std::string message, absl::string_view dimension) {
  v1::Warning* w = score.add_warnings();
  w->set_code(std::string(code));
  w->set_message(std::move(message));
  w->set_dimension(std::string(dimension));
}

absl::Status AggregateCustomer(const Snapshot& snapshot, const Variant& v,
                               v1::Explain explain, absl::Time now,
                               const ScoreOptions& options,
                               const Explanations& ex, size_t row,
                               v1::CustomerScore& score) {
  // Reused across customers: no allocation per customer once warm.
  thread_local std::vector<GroupState> groups;
  thread_local Total total;
  ScoreGroups(v, score.dimensions(), groups);
  if (absl::Status s = WeighGroups(v, groups, score.dimensions(), total);
      !s.ok()) {
    return s;
  }
  ShareOut(v, groups, total, score);
  const double capped = ApplyGates(v, groups, total.score, score);

  score.set_score(capped);
  score.set_coverage(total.coverage);
  score.set_variant(v.name);
  const BandSpec& band = v.BandFor(capped);
  score.set_band(band.name);
  score.set_grade(band.grade);
  AddWarnings(snapshot, v, total.coverage, now, score);

  if (explain != v1::EXPLAIN_NONE) {
    const bool full = explain == v1::EXPLAIN_FULL;
    if (full) AddReasons(v, ex, row, score);
    AddDrivers(v, ex, row, options.driver_sentences, score);
    if (options.actions) AddActions(v, band, ex, row, full, score);
  }
  if (options.provenance) *score.mutable_provenance() = snapshot.provenance();
  return absl::OkStatus();
}

}  // namespace healthscore::engine
