// The override cache: loading, polling, sweeping and applying to replies.
#include "server/history/overrides.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/history/point.h"
#include "spdlog/spdlog.h"

namespace healthscore::history {
namespace {

// The grade of the band named `name`: in `variant` first, then in any
// variant of `snapshot` (segments may have bands of their own). Null when
// the scorecard has no such band (it was reloaded without it).
const BandSpec* FindBand(const Snapshot& snapshot, const Variant& variant,
                         const std::string& name) {
  for (const BandSpec& band : variant.bands) {
    if (band.name == name) return &band;
  }
  for (const Variant& other : snapshot.variants()) {
    for (const BandSpec& band : other.bands) {
      if (band.name == name) return &band;
    }
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<std::unique_ptr<OverrideCache>> OverrideCache::Start(
    store::Store* store, Options options) {
  std::unique_ptr<OverrideCache> cache(new OverrideCache(store, options));
  if (absl::Status s = cache->Refresh(); !s.ok()) {
    return absl::Status(s.code(),
                        absl::StrCat("loading the overrides: ", s.message()));
  }
  cache->thread_ = std::thread([c = cache.get()] { c->Loop(); });
  return cache;
}

OverrideCache::~OverrideCache() {
  {
    absl::MutexLock lock(&stop_mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status OverrideCache::Refresh() {
  absl::MutexLock lock(&refresh_mu_);
  // The version first: a change committed after it moves it again, and the
  // next poll reloads.
  absl::StatusOr<int64_t> version = store_->OverridesVersion();
  if (!version.ok()) return version.status();
  absl::StatusOr<std::vector<store::OverrideRow>> rows =
      store_->ListOverrides("", absl::ToUnixMicros(absl::Now()));
  if (!rows.ok()) return rows.status();
  std::shared_ptr<const Map> next;
  int64_t earliest = INT64_MAX;
  if (!rows->empty()) {
    auto map = std::make_shared<Map>();
    map->reserve(rows->size());
    for (store::OverrideRow& row : *rows) {
      if (row.expires_at_us != 0) {
        earliest = std::min(earliest, row.expires_at_us);
      }
      std::string id = row.customer_id;
      map->emplace(std::move(id), std::move(row));
    }
    next = std::move(map);
  }
  // Publish the map before saying there is one, and say there is none
  // before dropping it: Apply reads `any_` first.
  if (next != nullptr) {
    map_.store(next);
    any_.store(true, std::memory_order_release);
  } else {
    any_.store(false, std::memory_order_release);
    map_.store(nullptr);
  }
  earliest_expiry_us_.store(earliest, std::memory_order_relaxed);
  version_ = *version;
  return absl::OkStatus();
}

void OverrideCache::Apply(const Snapshot& snapshot,
                          v1::CustomerScore* score) const {
  if (!any_.load(std::memory_order_acquire)) return;
  const std::shared_ptr<const Map> map = map_.load();
  if (map == nullptr) return;
  auto it = map->find(score->customer_id());
  if (it == map->end()) return;
  const store::OverrideRow& row = it->second;
  if (row.expires_at_us != 0 &&
      row.expires_at_us <= absl::ToUnixMicros(absl::Now())) {
    return;  // expired; the sweep will end it in the store
  }

  v1::ScoreOverride* shown = score->mutable_override();
  shown->set_computed_score(score->score());
  shown->set_computed_band(score->band());
  shown->set_computed_grade(score->grade());
  shown->set_score_overridden(row.score.has_value());
  shown->set_band_overridden(!row.band.empty());
  shown->set_reason(row.reason);
  shown->set_author(row.author);
  *shown->mutable_set_at() = FromMicros(row.set_at_us);
  if (row.expires_at_us != 0) {
    *shown->mutable_expires_at() = FromMicros(row.expires_at_us);
  }

  const Variant* variant = snapshot.FindVariant(score->variant());
  if (variant == nullptr) variant = &snapshot.variants()[0];
  if (row.score.has_value()) {
    const BandSpec& band = variant->BandFor(*row.score);
    score->set_score(*row.score);
    score->set_band(band.name);
    score->set_grade(band.grade);
  }
  if (!row.band.empty()) {
    score->set_band(row.band);
    // A band the scorecard no longer has keeps the grade shown so far.
    if (const BandSpec* band = FindBand(snapshot, *variant, row.band)) {
      score->set_grade(band->grade);
    }
  }
}

absl::Duration OverrideCache::NextWait() const {
  // Wake just past the earliest expiry when it comes before the next poll.
  // One already past was swept at the last round (or the store failed it):
  // the next try waits for the poll, so a store that is down is not asked
  // in a tight loop.
  const absl::Duration until = absl::FromUnixMicros(earliest_expiry_us_.load(
                                   std::memory_order_relaxed)) -
                               absl::Now();
  if (until <= absl::ZeroDuration()) return options_.poll;
  return std::min(options_.poll, until + absl::Milliseconds(1));
}

void OverrideCache::Tick() {
  const absl::Time now = absl::Now();
  const int64_t now_us = absl::ToUnixMicros(now);
  absl::Status status;
  bool reload = false;
  if (earliest_expiry_us_.load(std::memory_order_relaxed) <= now_us ||
      now - last_sweep_ >= options_.sweep) {
    last_sweep_ = now;
    absl::StatusOr<std::vector<store::OverrideRow>> expired =
        store_->ExpireOverrides(now_us);
    if (!expired.ok()) {
      status = expired.status();
    } else {
      for (const store::OverrideRow& row : *expired) {
        spdlog::info("override of customer '{}' by {} expired", row.customer_id,
                     row.author);
      }
      // (Another replica sweeping first moves the version instead.)
      reload = !expired->empty() ||
               earliest_expiry_us_.load(std::memory_order_relaxed) <= now_us;
    }
  }
  if (status.ok()) {
    absl::StatusOr<int64_t> version = store_->OverridesVersion();
    if (!version.ok()) {
      status = version.status();
    } else {
      absl::MutexLock lock(&refresh_mu_);
      reload = reload || *version != version_;
    }
  }
  if (status.ok() && reload) status = Refresh();
  if (!status.ok()) {
    if (!warned_) {
      spdlog::warn(
          "overrides: cannot read the store ({}); showing the overrides as "
          "last read, and retrying",
          status.ToString());
    }
    warned_ = true;
  } else if (warned_) {
    spdlog::info("overrides: the store answers again");
    warned_ = false;
  }
}

void OverrideCache::Loop() {
  absl::MutexLock lock(&stop_mu_);
  while (!stop_mu_.AwaitWithTimeout(absl::Condition(&stop_), NextWait())) {
    stop_mu_.Unlock();
    Tick();
    stop_mu_.Lock();
  }
}

}  // namespace healthscore::history
