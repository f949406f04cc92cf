// Backtests.
#include "server/validation/backtest.h"

#include <endian.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/arena.h"
#include "server/common/status_macros.h"
#include "server/engine/engine.h"
#include "server/history/point.h"
#include "server/validation/metrics.h"

namespace healthscore::validation {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;
constexpr int kScanChunk = 5000;
constexpr uint32_t kBatchRows = 1024;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

absl::StatusOr<Dataset> Dataset::LoadRange(
    store::Store& store, const BacktestOptions& options,
    const absl::flat_hash_map<std::string, Known>& known,
    const std::string& first_customer, const std::string& end_customer) {
  Dataset d;
  const int64_t horizon = options.horizon_days * kMicrosPerDay;
  absl::flat_hash_map<std::string, uint32_t> set_index;
  absl::flat_hash_map<std::string, uint32_t> segment_index;
  // The current customer's points are the tail of d.points_ from `first`;
  // they are labelled when its last point has been read.
  size_t first = 0;
  std::string current;
  int64_t last_point_us = 0;
  auto finish_customer = [&]() {
    if (current.empty()) return;
    const auto it = known.find(current);
    const Known k = it == known.end() ? Known() : it->second;
    const int64_t last_known = std::max(last_point_us, k.last_outcome_us);
    size_t kept = first;
    for (size_t i = first; i < d.points_.size(); ++i) {
      Point p = d.points_[i];
      if (k.churn_us != 0 && p.as_of_us >= k.churn_us) continue;  // gone
      if (k.churn_us != 0 && k.churn_us <= p.as_of_us + horizon) {
        p.churned = true;
      } else if (p.as_of_us + horizon > last_known) {
        ++d.censored_;
        ++d.censored_by_customer_.back();
        continue;
      }
      d.points_[kept++] = p;
    }
    d.points_.resize(kept);
    if (kept == first) {  // nothing of it labelled: forget it
      d.customers_.pop_back();
      d.churn_us_.pop_back();
      d.censored_by_customer_.pop_back();
    }
  };
  RETURN_IF_ERROR(store.ScanPoints(
      options.from_us, options.to_us, first_customer, end_customer, kScanChunk,
      [&](std::span<const store::PointRow> page) -> absl::Status {
        for (const store::PointRow& row : page) {
          if (!options.segment.empty() && row.segment != options.segment) {
            continue;
          }
          if (row.customer_id != current) {
            finish_customer();
            current = row.customer_id;
            first = d.points_.size();
            d.customers_.push_back(current);
            const auto it = known.find(current);
            d.churn_us_.push_back(it == known.end() ? 0 : it->second.churn_us);
            d.censored_by_customer_.push_back(0);
          }
          last_point_us = row.as_of_us;
          if (row.inputs.size() < 32) continue;  // recorded without inputs
          const absl::string_view set_id =
              absl::string_view(row.inputs).substr(0, 32);
          auto set = set_index.find(set_id);
          if (set == set_index.end()) {
            set = set_index.emplace(std::string(set_id), d.sets_.size()).first;
            ASSIGN_OR_RETURN(std::optional<std::string> blob,
                             store.GetSignalSet(std::string(set_id)));
            if (!blob.has_value()) {
              return absl::DataLossError(absl::StrCat(
                  "the signal set ", set_id, " of customer '", row.customer_id,
                  "''s points is missing from the store"));
            }
            ASSIGN_OR_RETURN(std::vector<std::string> names,
                             history::ParseSignalSet(*blob));
            d.sets_.push_back(std::move(names));
          }
          const size_t n = d.sets_[set->second].size();
          if (row.inputs.size() != 32 + n * 8) {
            return absl::DataLossError(absl::StrCat(
                "the stored inputs of customer '", row.customer_id, "' at ",
                history::FormatMicros(row.as_of_us), " hold ",
                row.inputs.size(), " bytes; their signal set of ", n,
                " names needs ", 32 + n * 8));
          }
          auto segment = segment_index.find(row.segment);
          if (segment == segment_index.end()) {
            segment =
                segment_index.emplace(row.segment, d.segments_.size()).first;
            d.segments_.push_back(row.segment);
          }
          Point p;
          p.customer = static_cast<uint32_t>(d.customers_.size() - 1);
          p.segment = segment->second;
          p.set = set->second;
          p.offset = static_cast<uint32_t>(d.values_.size());
          p.as_of_us = row.as_of_us;
          const size_t at = d.values_.size();
          d.values_.resize(at + n);
#if __BYTE_ORDER == __LITTLE_ENDIAN
          std::memcpy(d.values_.data() + at, row.inputs.data() + 32, n * 8);
#else
          for (size_t k = 0; k < n; ++k) {
            uint64_t bits;
            std::memcpy(&bits, row.inputs.data() + 32 + k * 8, 8);
            bits = le64toh(bits);
            std::memcpy(&d.values_[at + k], &bits, 8);
          }
#endif
          d.points_.push_back(p);
        }
        return absl::OkStatus();
      }));
  finish_customer();
  return d;
}

void Dataset::Append(Dataset&& part) {
  // Its signal sets and segments as this dataset's indexes.
  std::vector<uint32_t> set_of(part.sets_.size());
  std::vector<uint32_t> segment_of(part.segments_.size());
  for (size_t i = 0; i < part.sets_.size(); ++i) {
    auto it = std::find(sets_.begin(), sets_.end(), part.sets_[i]);
    set_of[i] = static_cast<uint32_t>(it - sets_.begin());
    if (it == sets_.end()) sets_.push_back(std::move(part.sets_[i]));
  }
  for (size_t i = 0; i < part.segments_.size(); ++i) {
    auto it = std::find(segments_.begin(), segments_.end(), part.segments_[i]);
    segment_of[i] = static_cast<uint32_t>(it - segments_.begin());
    if (it == segments_.end())
      segments_.push_back(std::move(part.segments_[i]));
  }
  const uint32_t customers = static_cast<uint32_t>(customers_.size());
  const uint32_t values = static_cast<uint32_t>(values_.size());
  points_.reserve(points_.size() + part.points_.size());
  for (Point p : part.points_) {
    p.customer += customers;
    p.set = set_of[p.set];
    p.segment = segment_of[p.segment];
    p.offset += values;
    points_.push_back(p);
  }
  values_.insert(values_.end(), part.values_.begin(), part.values_.end());
  for (std::string& c : part.customers_) customers_.push_back(std::move(c));
  churn_us_.insert(churn_us_.end(), part.churn_us_.begin(),
                   part.churn_us_.end());
  censored_by_customer_.insert(censored_by_customer_.end(),
                               part.censored_by_customer_.begin(),
                               part.censored_by_customer_.end());
  censored_ += part.censored_;
}

absl::StatusOr<Dataset> Dataset::Load(store::Store& store,
                                      const BacktestOptions& options) {
  if (options.horizon_days < 1 || options.horizon_days > kMaxHorizonDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("horizon_days=", options.horizon_days, " is outside 1-",
                     kMaxHorizonDays,
                     ": a point is labelled churned when its customer "
                     "churned within this many days after it"));
  }
  ASSIGN_OR_RETURN(std::vector<store::OutcomeRow> outcomes, store.Outcomes());
  if (outcomes.empty()) {
    return absl::FailedPreconditionError(
        "no outcomes are recorded: a backtest compares the score with what "
        "customers did; record them with Validation.RecordOutcomes or "
        "`healthscore outcomes import --csv FILE`");
  }
  absl::flat_hash_map<std::string, Known> known;
  for (const store::OutcomeRow& o : outcomes) {
    Known& k = known[o.customer_id];
    if (o.kind == store::OutcomeRow::kChurned &&
        (k.churn_us == 0 || o.date_us < k.churn_us)) {
      k.churn_us = o.date_us;
    }
    k.last_outcome_us = std::max(k.last_outcome_us, o.date_us);
  }

  // Customer ranges read side by side (one connection each), split where
  // the outcomes' customers are, then put back together in order.
  const unsigned parts =
      std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  std::vector<std::string> bounds = {""};
  for (unsigned k = 1; k < parts; ++k) {
    const std::string& id = outcomes[k * outcomes.size() / parts].customer_id;
    if (id > bounds.back()) bounds.push_back(id);
  }
  bounds.push_back("");
  std::vector<absl::StatusOr<Dataset>> loaded(bounds.size() - 1,
                                              absl::UnknownError("not read"));
  {
    std::vector<std::thread> readers;
    for (size_t k = 0; k + 1 < bounds.size(); ++k) {
      readers.emplace_back([&, k] {
        loaded[k] = LoadRange(store, options, known, bounds[k], bounds[k + 1]);
      });
    }
    for (std::thread& t : readers) t.join();
  }
  Dataset d;
  for (absl::StatusOr<Dataset>& part : loaded) {
    if (!part.ok()) return part.status();
    d.Append(*std::move(part));
  }

  if (d.points_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no recorded point in scope has a label",
        options.segment.empty()
            ? ""
            : absl::StrCat(" (segment '", options.segment, "')"),
        ": ", d.censored_,
        " points are censored (their horizon runs past the last date known "
        "for their customer); record points with `record`, or shorten "
        "horizon_days"));
  }
  absl::flat_hash_set<uint32_t> churned;
  for (const Point& p : d.points_) {
    if (p.churned) churned.insert(p.customer);
  }
  if (static_cast<int>(churned.size()) < kMinChurnedCustomers) {
    return absl::FailedPreconditionError(
        absl::StrCat("only ", churned.size(), " churned customer(s) in scope (",
                     d.customers_.size(), " customers, ", d.points_.size(),
                     " labelled points, horizon ", options.horizon_days,
                     " days); a backtest needs at least ", kMinChurnedCustomers,
                     " to say anything"));
  }
  return d;
}

absl::StatusOr<Scores> ScoreDataset(const Snapshot& snapshot,
                                    const Dataset& dataset,
                                    std::span<const uint32_t> rows) {
  const std::vector<Dataset::Point>& points = dataset.points();
  std::vector<uint32_t> all;
  if (rows.empty()) {
    all.resize(points.size());
    for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
    rows = all;
  }
  Scores out;
  out.score.assign(points.size(), kNaN);
  out.band.assign(points.size(), 0);
  out.grade.assign(points.size(), 0);
  // Band and grade names, best first, interned before the workers start.
  absl::flat_hash_map<std::string, uint16_t> band_of, grade_of;
  for (const Variant& v : snapshot.variants()) {
    for (const BandSpec& b : v.bands) {
      if (band_of.try_emplace(b.name, out.band_names.size()).second) {
        out.band_names.push_back(b.name);
      }
      if (grade_of.try_emplace(b.grade, out.grade_names.size()).second) {
        out.grade_names.push_back(b.grade);
      }
    }
  }
  absl::flat_hash_map<std::string, size_t> dimension_of;
  for (const BoundDimension& dim : snapshot.dimensions()) {
    dimension_of[dim.name] = out.dimension_names.size();
    out.dimension_names.push_back(dim.name);
  }
  const size_t dims = out.dimension_names.size();
  out.dimension_score.assign(points.size() * dims, kNaN);
  out.dimension_weight.assign(points.size() * dims, 0);

  // Each signal set's names as the snapshot's columns (-1: not read).
  const std::vector<SignalBinding>& signals = snapshot.signals();
  std::vector<std::vector<int>> columns;
  for (const std::vector<std::string>& names : dataset.signal_sets()) {
    std::vector<int>& c = columns.emplace_back();
    for (const std::string& name : names) {
      c.push_back(snapshot.FindSignal(name));
    }
  }

  std::atomic<size_t> next{0};
  std::atomic<int64_t> unscorable{0};
  const absl::Time now = absl::Now();
  auto work = [&] {
    while (true) {
      const size_t begin = next.fetch_add(kBatchRows);
      if (begin >= rows.size()) return;
      const size_t end = std::min(rows.size(), begin + kBatchRows);
      std::vector<uint32_t> batch_rows;
      // Every row of the range gets a slot; those out of bounds are dropped
      // before scoring.
      BatchColumns batch(signals.size(), static_cast<uint32_t>(end - begin));
      std::vector<uint32_t> kept;
      for (size_t r = begin; r < end; ++r) {
        const Dataset::Point& p = points[rows[r]];
        const std::vector<int>& c = columns[p.set];
        const double* values = dataset.values().data() + p.offset;
        // A value outside the scorecard's bounds cannot be scored under it.
        bool in_bounds = true;
        for (size_t k = 0; k < c.size() && in_bounds; ++k) {
          if (c[k] < 0 || std::isnan(values[k])) continue;
          const SignalBinding& s = signals[c[k]];
          in_bounds = (std::isnan(s.min) || values[k] >= s.min) &&
                      (std::isnan(s.max) || values[k] <= s.max);
        }
        if (!in_bounds) {
          ++unscorable;
          continue;
        }
        const uint32_t slot = static_cast<uint32_t>(r - begin);
        for (size_t k = 0; k < c.size(); ++k) {
          if (c[k] >= 0) batch.at(c[k], slot) = values[k];
        }
        kept.push_back(slot);
        batch_rows.push_back(rows[r]);
      }
      if (kept.size() != end - begin) batch.KeepRows(kept);
      if (batch.num_rows() == 0) continue;
      google::protobuf::Arena arena;
      std::vector<v1::CustomerScore*> scores;
      scores.reserve(batch_rows.size());
      for (uint32_t i : batch_rows) {
        auto* score =
            google::protobuf::Arena::CreateMessage<v1::CustomerScore>(&arena);
        score->set_segment(dataset.segments()[points[i].segment]);
        *score->mutable_as_of() = history::FromMicros(points[i].as_of_us);
        scores.push_back(score);
      }
      const std::vector<absl::Status> statuses =
          ScoreColumns(snapshot, batch, v1::EXPLAIN_NONE, scores, now);
      for (size_t k = 0; k < batch_rows.size(); ++k) {
        const uint32_t i = batch_rows[k];
        if (!statuses[k].ok()) {
          ++unscorable;
          continue;
        }
        const v1::CustomerScore& s = *scores[k];
        out.score[i] = s.score();
        out.band[i] = band_of.at(s.band());
        out.grade[i] = grade_of.at(s.grade());
        for (const v1::DimensionResult& r : s.dimensions()) {
          if (r.status() != v1::DIMENSION_STATUS_OK) continue;
          auto it = dimension_of.find(r.name());
          if (it == dimension_of.end()) continue;  // a segment's own
          out.dimension_score[i * dims + it->second] = r.score();
          out.dimension_weight[i * dims + it->second] = r.weight();
        }
      }
    }
  };
  const unsigned threads =
      std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  out.unscorable = unscorable.load();
  return out;
}

namespace {

// Calls fn(0) ... fn(n - 1) on every core.
template <typename Fn>
void ParallelFor(size_t n, Fn fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  const unsigned threads =
      std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads && t < n; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

// Rates per band or grade, in `names`' order.
std::vector<v1::ChurnRate> Rates(const std::vector<std::string>& names,
                                 const std::vector<uint16_t>& index,
                                 const Dataset& dataset,
                                 std::span<const uint32_t> rows) {
  std::vector<int64_t> n(names.size()), churned(names.size());
  for (uint32_t i : rows) {
    ++n[index[i]];
    churned[index[i]] += dataset.points()[i].churned ? 1 : 0;
  }
  std::vector<v1::ChurnRate> out;
  for (size_t b = 0; b < names.size(); ++b) {
    if (n[b] == 0) continue;
    v1::ChurnRate& r = out.emplace_back();
    r.set_name(names[b]);
    r.set_points(n[b]);
    r.set_churned(churned[b]);
    r.set_rate(static_cast<double>(churned[b]) / n[b]);
    const Interval w = Wilson(churned[b], n[b]);
    r.set_wilson_low(w.low);
    r.set_wilson_high(w.high);
  }
  return out;
}

// The AUC of `risk` over the points where it is a number.
absl::StatusOr<double> AucWhere(const std::vector<double>& risk,
                                const std::vector<uint8_t>& label) {
  std::vector<double> r;
  std::vector<uint8_t> l;
  for (size_t i = 0; i < risk.size(); ++i) {
    if (std::isnan(risk[i])) continue;
    r.push_back(risk[i]);
    l.push_back(label[i]);
  }
  return Auc(r, l);
}

}  // namespace

absl::StatusOr<v1::BacktestResult> Evaluate(const Snapshot& snapshot,
                                            const Dataset& dataset,
                                            const Scores& scores,
                                            std::span<const uint32_t> rows_in,
                                            bool per_segment) {
  std::vector<uint32_t> rows;
  if (rows_in.empty()) {
    for (uint32_t i = 0; i < dataset.points().size(); ++i) {
      if (!std::isnan(scores.score[i])) rows.push_back(i);
    }
  } else {
    for (uint32_t i : rows_in) {
      if (!std::isnan(scores.score[i])) rows.push_back(i);
    }
  }
  v1::BacktestResult result;
  result.set_scorecard_name(snapshot.spec().name);
  result.set_scorecard_version(snapshot.spec().version);
  result.set_scorecard_hash(snapshot.spec().hash);
  result.set_points(static_cast<int64_t>(rows.size()));

  std::vector<double> risk;
  std::vector<uint8_t> label;
  std::vector<double> score;
  risk.reserve(rows.size());
  label.reserve(rows.size());
  absl::flat_hash_set<uint32_t> customers, churned_customers;
  for (uint32_t i : rows) {
    const Dataset::Point& p = dataset.points()[i];
    risk.push_back(1 - scores.score[i] / 100);
    score.push_back(scores.score[i]);
    label.push_back(p.churned ? 1 : 0);
    customers.insert(p.customer);
    if (p.churned) churned_customers.insert(p.customer);
  }
  result.set_customers(static_cast<int64_t>(customers.size()));
  if (rows_in.empty()) {
    result.set_censored_points(dataset.censored());
  } else {
    // The censored points of the customers in scope (a customer whose every
    // point was censored is in no scope).
    int64_t censored = 0;
    for (uint32_t c : customers) censored += dataset.censored_by_customer()[c];
    result.set_censored_points(censored);
  }
  result.set_churned_customers(static_cast<int64_t>(churned_customers.size()));

  v1::BacktestMetrics& m = *result.mutable_metrics();
  int64_t positives = 0;
  for (uint8_t l : label) positives += l;
  m.set_positives(positives);
  m.set_negatives(static_cast<int64_t>(label.size()) - positives);
  if (m.positives() == 0 || m.negatives() == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the points in scope are all ", m.positives() == 0 ? "not " : "",
        "churned (", rows.size(), " points): nothing to separate"));
  }
  m.set_base_rate(static_cast<double>(m.positives()) / rows.size());
  ASSIGN_OR_RETURN(const double auc, Auc(risk, label));
  m.set_auc_roc(auc);
  ASSIGN_OR_RETURN(const double ap, AveragePrecision(risk, label));
  m.set_pr_auc(ap);
  ASSIGN_OR_RETURN(const double lift, TopDecileLift(risk, label));
  m.set_top_decile_lift(lift);
  ASSIGN_OR_RETURN(const double brier, Brier(risk, label));
  m.set_brier(brier);

  for (v1::ChurnRate& r :
       Rates(scores.band_names, scores.band, dataset, rows)) {
    *result.add_bands() = std::move(r);
  }
  // Best band first: each worse band must churn more than the one before.
  bool ordered = true;
  for (int b = 1; b < result.bands_size(); ++b) {
    ordered = ordered && result.bands(b).rate() > result.bands(b - 1).rate();
  }
  result.set_bands_ordered(ordered);
  for (v1::ChurnRate& r :
       Rates(scores.grade_names, scores.grade, dataset, rows)) {
    *result.add_grades() = std::move(r);
  }
  ASSIGN_OR_RETURN(std::vector<CalibrationBin> bins, Calibration(score, label));
  for (const CalibrationBin& bin : bins) {
    v1::CalibrationBin& out = *result.add_calibration();
    out.set_decile(result.calibration_size());
    out.set_min_score(bin.min_score);
    out.set_max_score(bin.max_score);
    out.set_points(bin.points);
    out.set_mean_risk(bin.mean_risk);
    out.set_churn_rate(bin.churn_rate);
  }

  // Lead time: from a churned customer's first point in the worst band of
  // its scorecard (the default variant's last) to its churn.
  const std::vector<BandSpec>& bands = snapshot.variants()[0].bands;
  const std::string& worst = bands.back().name;
  absl::flat_hash_map<uint32_t, int64_t> first_red;
  for (uint32_t i : rows) {  // rows are in (customer, as_of) order
    const Dataset::Point& p = dataset.points()[i];
    if (dataset.churn_us()[p.customer] == 0) continue;
    if (scores.band_names[scores.band[i]] != worst) continue;
    first_red.try_emplace(p.customer, p.as_of_us);
  }
  std::vector<double> leads;
  for (const auto& [customer, at] : first_red) {
    leads.push_back(static_cast<double>(dataset.churn_us()[customer] - at) /
                    kMicrosPerDay);
  }
  result.set_lead_customers(static_cast<int64_t>(leads.size()));
  if (!leads.empty()) {
    ASSIGN_OR_RETURN(const double median, Median(std::move(leads)));
    result.set_median_lead_days(median);
  }

  // Per dimension: its own separation, and what the weighted mean of the
  // dimensions loses without it (the weighted mean, not the total, so that
  // gates and groups do not blur one dimension's part).
  const size_t dims = scores.dimension_names.size();
  std::vector<double> mean(rows.size(), kNaN);
  std::vector<double> sum_ws(rows.size(), 0), sum_w(rows.size(), 0);
  for (size_t k = 0; k < rows.size(); ++k) {
    for (size_t j = 0; j < dims; ++j) {
      const double w = scores.dimension_weight[rows[k] * dims + j];
      if (w <= 0) continue;
      sum_ws[k] += w * scores.dimension_score[rows[k] * dims + j];
      sum_w[k] += w;
    }
    if (sum_w[k] > 0) mean[k] = 1 - sum_ws[k] / sum_w[k] / 100;
  }
  absl::StatusOr<double> mean_auc = AucWhere(mean, label);
  struct Separation {
    int64_t points = 0;
    std::optional<double> own, lost;
  };
  std::vector<Separation> separation(dims);
  auto separate = [&](size_t j) {
    std::vector<double> own(rows.size(), kNaN), without(rows.size(), kNaN);
    Separation& out = separation[j];
    for (size_t k = 0; k < rows.size(); ++k) {
      const double s = scores.dimension_score[rows[k] * dims + j];
      const double w = scores.dimension_weight[rows[k] * dims + j];
      if (!std::isnan(s)) {
        own[k] = 1 - s / 100;
        ++out.points;
      }
      if (std::isnan(mean[k])) continue;
      // Left out: its weight shared out as for missing data; a point it
      // alone scored carries no information without it (risk 0.5).
      without[k] = w > 0 ? (sum_w[k] - w > 0
                                ? 1 - (sum_ws[k] - w * s) / (sum_w[k] - w) / 100
                                : 0.5)
                         : mean[k];
    }
    if (absl::StatusOr<double> a = AucWhere(own, label); a.ok()) out.own = *a;
    if (absl::StatusOr<double> a = AucWhere(without, label);
        a.ok() && mean_auc.ok()) {
      out.lost = *mean_auc - *a;
    }
  };
  ParallelFor(dims, separate);
  for (size_t j = 0; j < dims; ++j) {
    v1::DimensionSeparation& d = *result.add_dimensions();
    d.set_dimension(scores.dimension_names[j]);
    d.set_points(separation[j].points);
    if (separation[j].own.has_value()) d.set_auc_roc(*separation[j].own);
    if (separation[j].lost.has_value()) {
      d.set_auc_lost_without(*separation[j].lost);
    }
  }
  ASSIGN_OR_RETURN(std::vector<RocPoint> roc, RocCurve(risk, label, 101));
  for (const RocPoint& p : roc) {
    v1::RocPoint& out = *result.add_roc();
    out.set_false_positive_rate(p.fpr);
    out.set_true_positive_rate(p.tpr);
  }

  if (per_segment) {
    std::map<std::string, std::vector<uint32_t>> by_segment;
    for (uint32_t i : rows) {
      by_segment[dataset.segments()[dataset.points()[i].segment]].push_back(i);
    }
    if (by_segment.size() > 1) {
      std::vector<std::pair<std::string, std::vector<uint32_t>>> segments(
          by_segment.begin(), by_segment.end());
      std::vector<absl::StatusOr<v1::BacktestResult>> results(
          segments.size(), absl::UnknownError("not evaluated"));
      ParallelFor(segments.size(), [&](size_t i) {
        results[i] =
            Evaluate(snapshot, dataset, scores, segments[i].second, false);
      });
      for (size_t i = 0; i < segments.size(); ++i) {
        if (!results[i].ok()) continue;  // e.g. a segment where nobody churned
        v1::SegmentResult& out = *result.add_by_segment();
        out.set_segment(segments[i].first);
        *out.mutable_result() = *std::move(results[i]);
      }
    }
  }
  return result;
}

}  // namespace healthscore::validation
