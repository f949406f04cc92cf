// The scoring engine's schedule: a batch is cut into shares (by segment
// variant, and across cores), each share runs every dimension
// (dimension_run.cc) and then aggregates each customer (aggregate.cc), on
// the worker pool.
#include "server/engine/engine.h"

#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/echo.h"
#include "server/engine/aggregate.h"
#include "server/engine/dimension_run.h"
#include "server/engine/explanations.h"
#include "server/engine/worker_pool.h"

namespace healthscore {
namespace {

using engine::AddWarning;
using engine::AggregateCustomer;
using engine::Explanations;
using engine::GiveBack;
using engine::RunDimension;
using engine::TakeExplanations;

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
    if (absl::Status stop = options.stop.Check(); !stop.ok()) {
      for (absl::Status& s : statuses) s = stop;
      GiveBack(std::move(pooled));
      return;
    }
    RunDimension(v.dimensions[i], static_cast<int>(i), batch, first_row,
                 wants_reasons, ex.records[i], out);
  }
  ex.Index(out.size());
  for (size_t row = 0; row < out.size(); ++row) {
    statuses[row] = AggregateCustomer(snapshot, v, explain, now, options, ex,
                                      row, *out[row]);
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
  std::vector<absl::Status> statuses(batch.num_rows());
  const auto& variants = snapshot.variants();

  // Route each row to its segment's variant. A segment without one is scored
  // with the default, and told so when the scorecard has segments at all.
  std::vector<int> variant_of(batch.num_rows(), 0);
  std::vector<bool> defaulted(batch.num_rows(), false);
  bool mixed = false;
  for (uint32_t row = 0; row < batch.num_rows(); ++row) {
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
    for (uint32_t row = 0; row < batch.num_rows(); ++row) {
      rows[variant_of[row]].push_back(row);
    }
    std::vector<BatchColumns> subs(variants.size());
    std::vector<std::vector<v1::CustomerScore*>> sub_out(variants.size());
    std::vector<std::vector<absl::Status>> sub_statuses(variants.size());
    for (size_t vi = 0; vi < variants.size(); ++vi) {
      if (rows[vi].empty()) continue;
      BatchColumns& sub = subs[vi];
      sub = BatchColumns(batch.num_columns(),
                         static_cast<uint32_t>(rows[vi].size()));
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        const double* from = batch.column(c);
        double* to = sub.column(c);
        for (uint32_t row : rows[vi]) *to++ = from[row];
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
  for (uint32_t row = 0; row < batch.num_rows(); ++row) {
    if (!defaulted[row] || !statuses[row].ok()) continue;
    AddWarning(*out[row], "segment_default",
               absl::StrCat("segment ", Echo(out[row]->segment()),
                            " has no variant in scorecard ",
                            snapshot.spec().name, "; scored with the default"));
  }
  return statuses;
}

}  // namespace healthscore
