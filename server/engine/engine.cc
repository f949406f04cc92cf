// The scoring engine.
#include "server/engine/engine.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/engine/worker_pool.h"
#include "server/plugin/instance.h"

namespace healthscore {
namespace {

// The reason and action records of one share of a batch, every dimension's,
// and per row which of them are its (in emission order).
struct Explanations {
  std::vector<Records> records;  // per dimension of the variant
  struct Ref {
    uint32_t dimension;
    uint32_t index;  // into records[dimension].reasons or .actions
  };
  // Reasons of row r: reasons[reason_start[r] .. reason_start[r + 1]).
  std::vector<Ref> reasons;
  std::vector<uint32_t> reason_start;
  std::vector<Ref> actions;
  std::vector<uint32_t> action_start;

  // Groups every dimension's records by row (a counting sort, stable).
  template <typename Rec, typename Get>
  static void Index(const std::vector<Records>& records, size_t num_rows,
                    Get get, std::vector<Ref>& refs,
                    std::vector<uint32_t>& start) {
    start.assign(num_rows + 1, 0);
    for (const Records& r : records) {
      for (const Rec& rec : get(r)) ++start[rec.row + 1];
    }
    for (size_t row = 0; row < num_rows; ++row) start[row + 1] += start[row];
    refs.resize(start[num_rows]);
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (uint32_t d = 0; d < records.size(); ++d) {
      const auto& recs = get(records[d]);
      for (uint32_t i = 0; i < recs.size(); ++i) {
        refs[next[recs[i].row]++] = {d, i};
      }
    }
  }

  void Index(size_t num_rows) {
    Index<hs_reason_record>(
        records, num_rows,
        [](const Records& r) -> const auto& { return r.reasons; }, reasons,
        reason_start);
    Index<hs_action_record>(
        records, num_rows,
        [](const Records& r) -> const auto& { return r.actions; }, actions,
        action_start);
  }

  std::span<const Ref> ReasonsOf(size_t row) const {
    return {reasons.data() + reason_start[row],
            reasons.data() + reason_start[row + 1]};
  }
  std::span<const Ref> ActionsOf(size_t row) const {
    return {actions.data() + action_start[row],
            actions.data() + action_start[row + 1]};
  }
};

// A few Explanations kept between batches, for their arrays' capacity.
std::mutex explanations_mu;
std::vector<std::unique_ptr<Explanations>>& ExplanationsPool() {
  static auto* pool = new std::vector<std::unique_ptr<Explanations>>;
  return *pool;
}

std::unique_ptr<Explanations> TakeExplanations() {
  {
    std::lock_guard<std::mutex> lock(explanations_mu);
    auto& pool = ExplanationsPool();
    if (!pool.empty()) {
      std::unique_ptr<Explanations> ex = std::move(pool.back());
      pool.pop_back();
      return ex;
    }
  }
  return std::make_unique<Explanations>();
}

void GiveBack(std::unique_ptr<Explanations> ex) {
  // Enough for every core's share at once; more would only hold memory.
  constexpr size_t kMaxPooled = 16;
  std::lock_guard<std::mutex> lock(explanations_mu);
  auto& pool = ExplanationsPool();
  if (pool.size() < kMaxPooled) pool.push_back(std::move(ex));
}

// The ScoreSink one dimension scores one batch into: statuses straight into
// the customers' DimensionResult.
struct DimensionRun {
  std::span<v1::CustomerScore* const> out;
  int dimension = 0;
  std::string error;

  v1::DimensionResult* Result(uint32_t row) const {
    return out[row]->mutable_dimensions(dimension);
  }

  void Status(uint32_t row, hs_status status, const char* message) {
    v1::DimensionResult* result = Result(row);
    switch (status) {
      case HS_STATUS_OK:
        result->set_status(v1::DIMENSION_STATUS_OK);
        result->clear_status_reason();
        return;
      case HS_STATUS_INSUFFICIENT_DATA:
        result->set_status(v1::DIMENSION_STATUS_INSUFFICIENT_DATA);
        break;
      default:
        result->set_status(v1::DIMENSION_STATUS_FAILED);
        break;
    }
    result->set_status_reason(message != nullptr ? message : "");
  }

  void Error(const char* message) {
    error = message != nullptr ? message : "no reason given";
  }
};

void Fail(v1::DimensionResult* result, std::string reason) {
  result->set_status(v1::DIMENSION_STATUS_FAILED);
  result->set_status_reason(std::move(reason));
}

// How far the sum of a row's impacts may be from its score less the neutral
// 50 before the reasons count as not explaining it.
constexpr double kExplainTolerance = 1e-6;

// Runs one dimension over the whole batch, then turns whatever the plugin did
// wrong into FAILED rows: a failed batch, a NaN or out-of-range score, and
// (when explaining) reasons that do not add up to the score.
// `out` holds the rows [first_row, first_row + out.size()) of `batch`.
void RunDimension(const BoundDimension& dim, int index,
                  const BatchColumns& batch, size_t first_row, bool explain,
                  Records& records, std::span<v1::CustomerScore* const> out) {
  const uint32_t num_rows = static_cast<uint32_t>(out.size());
  std::vector<const double*> columns;
  columns.reserve(dim.signal_columns.size());
  for (int c : dim.signal_columns) {
    columns.push_back(batch.columns[c].data() + first_row);
  }
  std::vector<double> scores(num_rows,
                             std::numeric_limits<double>::quiet_NaN());
  DimensionRun run{out, index, {}};
  const hs_result result =
      dim.instance->Score(columns, scores, explain, records, run);
  thread_local std::vector<double> explained;
  if (explain) {
    explained.assign(num_rows, HS_NEUTRAL_SCORE);
    for (const hs_reason_record& r : records.reasons) {
      explained[r.row] += r.impact;
    }
  }
  const std::string& id = dim.plugin->id();
  for (uint32_t row = 0; row < num_rows; ++row) {
    v1::DimensionResult* r = out[row]->mutable_dimensions(index);
    if (result != HS_OK) {
      Fail(r, absl::StrCat(id, " failed the batch: ",
                           run.error.empty() ? "no reason given" : run.error));
    } else if (r->status() == v1::DIMENSION_STATUS_OK) {
      const double s = scores[row];
      if (std::isnan(s)) {
        Fail(r, absl::StrCat(id, " returned NaN"));
      } else if (!(s >= 0 && s <= 100)) {
        Fail(r, absl::StrFormat("%s returned %g, outside 0-100", id, s));
      } else if (explain && !(std::fabs(explained[row] - s) <=
                              kExplainTolerance)) {
        Fail(r, absl::StrFormat("%s scored %.6g, but its reasons add up to "
                                "%.6g (50 + their impacts): a plugin bug",
                                id, s, explained[row]));
      } else {
        r->set_score(s);
      }
    }
    if (r->status() != v1::DIMENSION_STATUS_OK) r->set_score(0);
  }
}

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
      const hs_reason_record& r =
          ex.records[ref.dimension].reasons[ref.index];
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

void AddWarning(v1::CustomerScore& score, absl::string_view code,
                std::string message, absl::string_view dimension = "") {
  v1::Warning* w = score.add_warnings();
  w->set_code(std::string(code));
  w->set_message(std::move(message));
  w->set_dimension(std::string(dimension));
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

// Weighs one customer's dimensions into group scores and a total, applies
// the gates, then bands, warns and explains. Returns FAILED_PRECONDITION
// when no weighted dimension could score the customer.
absl::Status Aggregate(const Snapshot& snapshot, const Variant& v,
                       v1::Explain explain, absl::Time now,
                       const ScoreOptions& options, const Explanations& ex,
                       size_t row, v1::CustomerScore& score) {
  auto& dims = *score.mutable_dimensions();
  struct GroupState {
    bool has_data = false;
    double score = 0;
    double ok_weight = 0;
    double weight = 0;          // of all its dimensions
    std::vector<double> share;  // per dimension of the group
  };
  std::vector<GroupState> groups(v.groups.size());
  for (size_t g = 0; g < v.groups.size(); ++g) {
    const GroupBinding& group = v.groups[g];
    GroupState& st = groups[g];
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

  // Groups -> total.
  std::vector<double> group_share(v.groups.size(), 0);
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
    group_share[lowest] = 1;
    total = groups[lowest].score;
  } else {
    for (size_t g = 0; g < v.groups.size(); ++g) {
      if (!groups[g].has_data || v.groups[g].weight <= 0) continue;
      group_share[g] = v.groups[g].weight / live_weight;
      total += group_share[g] * groups[g].score;
    }
  }
  double coverage = 0;
  for (size_t g = 0; g < v.groups.size(); ++g) {
    if (all_weight <= 0 || groups[g].weight <= 0) continue;
    coverage += v.groups[g].weight / all_weight * groups[g].ok_weight /
                groups[g].weight;
  }

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
  total = std::clamp(total, 0.0, 100.0);

  // Critical gates: the lowest cap among those that fired binds.
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

  score.set_score(capped);
  score.set_coverage(coverage);
  score.set_variant(v.name);
  const BandSpec& band = v.BandFor(capped);
  score.set_band(band.name);
  score.set_grade(band.grade);

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

  if (explain != v1::EXPLAIN_NONE) {
    const bool full = explain == v1::EXPLAIN_FULL;
    if (full) AddReasons(v, ex, row, score);
    AddDrivers(v, ex, row, options.driver_sentences, score);
    if (options.actions) AddActions(v, band, ex, row, full, score);
  }
  *score.mutable_provenance() = snapshot.provenance();
  return absl::OkStatus();
}

// Scores `out`, the rows [first_row, first_row + out.size()) of `batch`,
// all of one variant, under `v`.
void ScoreVariant(const Snapshot& snapshot, const Variant& v,
                  const BatchColumns& batch, size_t first_row,
                  v1::Explain explain, absl::Time now,
                  const ScoreOptions& options,
                  std::span<v1::CustomerScore* const> out,
                  std::span<absl::Status> statuses) {
  for (v1::CustomerScore* score : out) {
    for (const BoundDimension& d : v.dimensions) {
      v1::DimensionResult* r = score->add_dimensions();
      r->set_name(d.name);
      r->set_plugin(d.plugin->id());
      r->set_weight(d.weight);
      r->set_status(v1::DIMENSION_STATUS_OK);
    }
  }
  const bool wants_reasons = explain != v1::EXPLAIN_NONE;
  // Record arrays are large (a few reasons a row per dimension): taken from a
  // pool and returned, so a batch does not allocate and free them anew.
  std::unique_ptr<Explanations> pooled = TakeExplanations();
  Explanations& ex = *pooled;
  ex.records.resize(v.dimensions.size());
  for (size_t i = 0; i < v.dimensions.size(); ++i) {
    RunDimension(v.dimensions[i], static_cast<int>(i), batch, first_row,
                 wants_reasons, ex.records[i], out);
  }
  ex.Index(out.size());
  for (size_t row = 0; row < out.size(); ++row) {
    statuses[row] =
        Aggregate(snapshot, v, explain, now, options, ex, row, *out[row]);
  }
  GiveBack(std::move(pooled));
}

// A share of a batch for one thread: rows [first_row, first_row + out.size())
// of `batch`, all scored by variant `v`.
struct Share {
  const Variant* v;
  const BatchColumns* batch;
  size_t first_row;
  std::span<v1::CustomerScore* const> out;
  std::span<absl::Status> statuses;
};

// Below this many rows a share costs a thread more than it saves.
constexpr size_t kMinRowsPerShare = 256;

// Cuts `count` rows (from `first_row` of `batch`) into shares for `cores`
// threads, at least kMinRowsPerShare rows each.
void AddShares(const Variant& v, const BatchColumns& batch,
               std::span<v1::CustomerScore* const> out,
               std::span<absl::Status> statuses, size_t cores,
               std::vector<Share>& shares) {
  const size_t n = out.size();
  const size_t parts = std::clamp<size_t>(n / kMinRowsPerShare, 1, cores);
  const size_t size = (n + parts - 1) / parts;
  for (size_t begin = 0; begin < n; begin += size) {
    const size_t count = std::min(size, n - begin);
    shares.push_back({&v, &batch, begin, out.subspan(begin, count),
                      statuses.subspan(begin, count)});
  }
}

// Scores the shares on the server's worker pool (the calling thread is one
// of its workers). Plugins are then called concurrently on one instance, as
// the ABI allows; every share writes only its own rows.
void ScoreShares(const Snapshot& snapshot, const std::vector<Share>& shares,
                 v1::Explain explain, absl::Time now,
                 const ScoreOptions& options) {
  WorkerPool::Default().ParallelFor(shares.size(), [&](size_t i) {
    const Share& sh = shares[i];
    ScoreVariant(snapshot, *sh.v, *sh.batch, sh.first_row, explain, now,
                 options, sh.out, sh.statuses);
  });
}

}  // namespace

std::vector<absl::Status> ScoreColumns(const Snapshot& snapshot,
                                       const BatchColumns& batch,
                                       v1::Explain explain,
                                       std::span<v1::CustomerScore* const> out,
                                       absl::Time now, ScoreOptions options) {
  if (explain == v1::EXPLAIN_UNSPECIFIED) explain = v1::EXPLAIN_SUMMARY;
  std::vector<absl::Status> statuses(batch.num_rows);
  const auto& variants = snapshot.variants();

  // Route each row to its segment's variant. A segment without one is scored
  // with the default, and told so when the scorecard has segments at all.
  std::vector<int> variant_of(batch.num_rows, 0);
  std::vector<bool> defaulted(batch.num_rows, false);
  bool mixed = false;
  for (uint32_t row = 0; row < batch.num_rows; ++row) {
    const std::string& segment = out[row]->segment();
    if (segment.empty() || variants.size() == 1) continue;
    const Variant* v = snapshot.FindVariant(segment);
    if (v == nullptr) {
      defaulted[row] = true;
    } else {
      variant_of[row] = static_cast<int>(v - variants.data());
      mixed = true;
    }
  }

  // One share per worker (the pool's threads and this one).
  const size_t cores = WorkerPool::Default().threads() + 1;
  std::vector<Share> shares;
  if (!mixed) {
    AddShares(variants[0], batch, out, statuses, cores, shares);
    ScoreShares(snapshot, shares, explain, now, options);
  } else {
    // Each variant scores its own rows as a batch of their own; all of them
    // share the cores.
    std::vector<std::vector<uint32_t>> rows(variants.size());
    for (uint32_t row = 0; row < batch.num_rows; ++row) {
      rows[variant_of[row]].push_back(row);
    }
    std::vector<BatchColumns> subs(variants.size());
    std::vector<std::vector<v1::CustomerScore*>> sub_out(variants.size());
    std::vector<std::vector<absl::Status>> sub_statuses(variants.size());
    for (size_t vi = 0; vi < variants.size(); ++vi) {
      if (rows[vi].empty()) continue;
      BatchColumns& sub = subs[vi];
      sub.num_rows = static_cast<uint32_t>(rows[vi].size());
      sub.columns.resize(batch.columns.size());
      for (size_t c = 0; c < batch.columns.size(); ++c) {
        sub.columns[c].reserve(rows[vi].size());
        for (uint32_t row : rows[vi]) {
          sub.columns[c].push_back(batch.columns[c][row]);
        }
      }
      for (uint32_t row : rows[vi]) sub_out[vi].push_back(out[row]);
      sub_statuses[vi].resize(rows[vi].size());
      AddShares(variants[vi], sub, sub_out[vi], sub_statuses[vi], cores,
                shares);
    }
    ScoreShares(snapshot, shares, explain, now, options);
    for (size_t vi = 0; vi < variants.size(); ++vi) {
      for (size_t k = 0; k < rows[vi].size(); ++k) {
        statuses[rows[vi][k]] = std::move(sub_statuses[vi][k]);
      }
    }
  }
  for (uint32_t row = 0; row < batch.num_rows; ++row) {
    if (!defaulted[row] || !statuses[row].ok()) continue;
    AddWarning(*out[row], "segment_default",
               absl::StrCat("segment '", out[row]->segment(),
                            "' has no variant in scorecard ",
                            snapshot.spec().name, "; scored with the default"));
  }
  return statuses;
}

}  // namespace healthscore
