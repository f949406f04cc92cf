// The scoring engine.
#include "server/engine/engine.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/plugin/instance.h"

namespace healthscore {
namespace {

// Reasons kept for a SUMMARY: only the top drivers are returned, so reasons
// go into one flat buffer rather than one protobuf message (and a few heap
// strings) each, and only the drivers become messages.
struct ReasonPool {
  struct Entry {
    uint32_t row;
    int dimension;
    double impact;
    uint32_t text;  // offset into `text`: rule id, signal, message
    uint32_t rule_len;
    uint32_t signal_len;
    uint32_t message_len;
  };
  std::vector<Entry> entries;
  std::string text;

  absl::string_view At(uint32_t offset, uint32_t len) const {
    return absl::string_view(text).substr(offset, len);
  }
};

// The ScoreSink one dimension scores one batch into: straight into the
// customers' DimensionResult (FULL), or the pool (SUMMARY).
struct DimensionRun {
  std::span<v1::CustomerScore* const> out;
  int dimension = 0;
  bool explain = false;
  ReasonPool* pool = nullptr;  // set: keep reasons there, not in `out`
  std::string error;

  v1::DimensionResult* Result(uint32_t row) const {
    return out[row]->mutable_dimensions(dimension);
  }

  bool WantsExplanation() const { return explain; }

  void Reason(uint32_t row, const hs_reason& reason) {
    if (!explain) return;
    v1::DimensionResult* result = Result(row);
    if (pool != nullptr) {
      const double impact = std::isfinite(reason.impact) ? reason.impact : 0;
      if (impact == 0) return;  // moves nothing: never a driver
      std::string& text = pool->text;
      const absl::string_view rule = reason.rule_id ? reason.rule_id : "";
      const absl::string_view signal = reason.signal ? reason.signal : "";
      const absl::string_view message = reason.message ? reason.message : "";
      pool->entries.push_back({row, dimension, impact,
                               static_cast<uint32_t>(text.size()),
                               static_cast<uint32_t>(rule.size()),
                               static_cast<uint32_t>(signal.size()),
                               static_cast<uint32_t>(message.size())});
      absl::StrAppend(&text, rule, signal, message);
      return;
    }
    v1::Reason* r = result->add_reasons();
    if (reason.rule_id != nullptr) r->set_rule_id(reason.rule_id);
    if (reason.signal != nullptr) r->set_signal(reason.signal);
    if (std::isfinite(reason.observed)) r->set_observed(reason.observed);
    if (std::isfinite(reason.threshold)) r->set_threshold(reason.threshold);
    r->set_impact(std::isfinite(reason.impact) ? reason.impact : 0);
    if (reason.message != nullptr) r->set_message(reason.message);
  }

  void Action(uint32_t row, const char* action) {
    if (!explain) return;
    Result(row)->add_actions(action);
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

// Runs one dimension over the whole batch, then turns whatever the plugin did
// wrong into FAILED rows.
// `out` holds the rows [first_row, first_row + out.size()) of `batch`.
void RunDimension(const BoundDimension& dim, int index,
                  const BatchColumns& batch, size_t first_row, bool explain,
                  ReasonPool* pool, std::span<v1::CustomerScore* const> out) {
  const uint32_t num_rows = static_cast<uint32_t>(out.size());
  std::vector<const double*> columns;
  columns.reserve(dim.signal_columns.size());
  for (int c : dim.signal_columns) {
    columns.push_back(batch.columns[c].data() + first_row);
  }
  std::vector<double> scores(num_rows,
                             std::numeric_limits<double>::quiet_NaN());
  DimensionRun run{out, index, explain, pool, {}};
  const hs_result result = dim.instance->Score(columns, scores, run);
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
      } else {
        r->set_score(s);
      }
    }
    if (r->status() != v1::DIMENSION_STATUS_OK) {
      // Reasons explain a score; a dimension without one keeps only why.
      r->clear_reasons();
      r->clear_actions();
      r->set_score(0);
    }
  }
}

void AddDrivers(v1::CustomerScore& score, const ReasonPool* pool,
                std::span<const uint32_t> pooled) {
  struct Candidate {
    double impact;
    std::string dimension;
    std::string rule_id;
    std::string signal;
    std::string message;
  };
  std::vector<Candidate> up;
  std::vector<Candidate> down;
  for (const v1::DimensionResult& d : score.dimensions()) {
    for (const v1::Reason& r : d.reasons()) {
      const double impact = d.effective_weight() * r.impact();
      if (impact == 0) continue;
      (impact > 0 ? up : down)
          .push_back({impact, d.name(), r.rule_id(), r.signal(), r.message()});
    }
  }
  // A failed dimension's reasons explain nothing; its share is 0 anyway.
  for (uint32_t i : pooled) {
    const ReasonPool::Entry& e = pool->entries[i];
    const v1::DimensionResult& d = score.dimensions(e.dimension);
    const double impact = d.effective_weight() * e.impact;
    if (d.status() != v1::DIMENSION_STATUS_OK || impact == 0) continue;
    const uint32_t signal = e.text + e.rule_len;
    (impact > 0 ? up : down)
        .push_back(
            {impact, d.name(), std::string(pool->At(e.text, e.rule_len)),
             std::string(pool->At(signal, e.signal_len)),
             std::string(pool->At(signal + e.signal_len, e.message_len))});
  }
  // A gate that cut the total is a driver down in its own right.
  for (const v1::GateResult& g : score.gates()) {
    if (g.impact() < 0) {
      down.push_back(
          {g.impact(), g.dimension(), "gate:" + g.id(), "", g.message()});
    }
  }
  auto add = [](std::vector<Candidate>& from, auto better,
                google::protobuf::RepeatedPtrField<v1::Driver>* to) {
    const size_t n = std::min<size_t>(from.size(), kTopDrivers);
    std::partial_sort(from.begin(), from.begin() + n, from.end(), better);
    for (size_t i = 0; i < n; ++i) {
      v1::Driver* d = to->Add();
      d->set_dimension(from[i].dimension);
      d->set_rule_id(from[i].rule_id);
      d->set_signal(from[i].signal);
      d->set_impact(from[i].impact);
      d->set_message(from[i].message);
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

void AddWarning(v1::CustomerScore& score, absl::string_view code,
                std::string message, absl::string_view dimension = "") {
  v1::Warning* w = score.add_warnings();
  w->set_code(std::string(code));
  w->set_message(std::move(message));
  w->set_dimension(std::string(dimension));
}

// Plugin and scorecard actions, deduplicated by text (the most points at
// stake wins), most points at stake first.
void AddActions(const Variant& v, const BandSpec& band,
                v1::CustomerScore& score) {
  std::vector<v1::RecommendedAction> actions;
  auto add = [&](const std::string& text, absl::string_view source,
                 absl::string_view dimension, double points) {
    for (v1::RecommendedAction& a : actions) {
      if (a.text() != text) continue;
      if (points > a.points_at_stake()) {
        a.set_points_at_stake(points);
        a.set_source(std::string(source));
        a.set_dimension(std::string(dimension));
      }
      return;
    }
    v1::RecommendedAction a;
    a.set_text(text);
    a.set_source(std::string(source));
    a.set_dimension(std::string(dimension));
    a.set_points_at_stake(points);
    actions.push_back(std::move(a));
  };
  for (const v1::DimensionResult& d : score.dimensions()) {
    for (const std::string& text : d.actions()) {
      add(text, "plugin", d.name(), d.points_lost());
    }
  }
  for (const ActionBinding& a : v.actions) {
    if (a.dimension >= 0) {
      const v1::DimensionResult& d = score.dimensions(a.dimension);
      if (d.status() == v1::DIMENSION_STATUS_OK && d.score() < a.spec.below) {
        add(a.spec.say, "scorecard", d.name(), d.points_lost());
      }
    } else if (a.spec.band == band.name) {
      add(a.spec.say, "scorecard", "", 100 - score.score());
    }
  }
  std::stable_sort(actions.begin(), actions.end(),
                   [](const auto& a, const auto& b) {
                     return a.points_at_stake() > b.points_at_stake();
                   });
  for (v1::RecommendedAction& a : actions) {
    *score.add_actions() = std::move(a);
  }
}

// Weighs one customer's dimensions into group scores and a total, applies
// the gates, then bands, warns and explains. Returns FAILED_PRECONDITION
// when no weighted dimension could score the customer.
absl::Status Aggregate(const Snapshot& snapshot, const Variant& v,
                       v1::Explain explain, absl::Time now,
                       const ReasonPool* pool, std::span<const uint32_t> pooled,
                       v1::CustomerScore& score) {
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
    AddDrivers(score, pool, pooled);
    AddActions(v, band, score);
  }
  if (explain != v1::EXPLAIN_FULL) {
    for (v1::DimensionResult& d : dims) {
      d.clear_reasons();
      d.clear_actions();
    }
  }
  *score.mutable_provenance() = snapshot.provenance();
  return absl::OkStatus();
}

// Scores `out`, the rows [first_row, first_row + out.size()) of `batch`,
// all of one variant, under `v`.
void ScoreVariant(const Snapshot& snapshot, const Variant& v,
                  const BatchColumns& batch, size_t first_row,
                  v1::Explain explain, absl::Time now,
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
  ReasonPool pool;
  ReasonPool* summary_pool = explain == v1::EXPLAIN_SUMMARY ? &pool : nullptr;
  for (size_t i = 0; i < v.dimensions.size(); ++i) {
    RunDimension(v.dimensions[i], static_cast<int>(i), batch, first_row,
                 wants_reasons, summary_pool, out);
  }
  // The pooled reasons of each row, in emission order (a counting sort).
  std::vector<uint32_t> first(out.size() + 1, 0);
  for (const ReasonPool::Entry& e : pool.entries) ++first[e.row + 1];
  for (size_t row = 0; row < out.size(); ++row) first[row + 1] += first[row];
  std::vector<uint32_t> by_row(pool.entries.size());
  std::vector<uint32_t> next(first.begin(), first.end() - 1);
  for (uint32_t i = 0; i < pool.entries.size(); ++i) {
    by_row[next[pool.entries[i].row]++] = i;
  }
  for (size_t row = 0; row < out.size(); ++row) {
    const std::span<const uint32_t> pooled(by_row.data() + first[row],
                                           first[row + 1] - first[row]);
    statuses[row] =
        Aggregate(snapshot, v, explain, now, &pool, pooled, *out[row]);
  }
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

// Scores the shares on up to `cores` threads (the calling thread is one of
// them). Plugins are then called concurrently on one instance, as the ABI
// allows; every share writes only its own rows.
void ScoreShares(const Snapshot& snapshot, const std::vector<Share>& shares,
                 v1::Explain explain, absl::Time now, size_t cores) {
  const size_t workers = std::min(cores, shares.size());
  auto work = [&](size_t first) {
    for (size_t i = first; i < shares.size(); i += workers) {
      const Share& sh = shares[i];
      ScoreVariant(snapshot, *sh.v, *sh.batch, sh.first_row, explain, now,
                   sh.out, sh.statuses);
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (std::thread& t : threads) t.join();
}

}  // namespace

std::vector<absl::Status> ScoreBatch(const Snapshot& snapshot,
                                     const BatchColumns& batch,
                                     v1::Explain explain,
                                     std::span<v1::CustomerScore* const> out,
                                     absl::Time now) {
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

  // Asked once: hardware_concurrency() reads /sys on every call.
  static const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<Share> shares;
  if (!mixed) {
    AddShares(variants[0], batch, out, statuses, cores, shares);
    ScoreShares(snapshot, shares, explain, now, cores);
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
    ScoreShares(snapshot, shares, explain, now, cores);
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
