// Recording scores.
#include "server/history/recorder.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/status_macros.h"
#include "server/history/rollup.h"
#include "server/history/trend.h"
#include "spdlog/spdlog.h"

namespace healthscore::history {

absl::StatusOr<RecordMode> ParseRecordMode(absl::string_view text) {
  if (text == "request") return RecordMode::kRequest;
  if (text == "always") return RecordMode::kAlways;
  if (text == "never") return RecordMode::kNever;
  return absl::InvalidArgumentError(
      absl::StrCat("--record=", text.substr(0, 100),
                   " is not one of request, always, never"));
}

absl::string_view RecordModeName(RecordMode mode) {
  switch (mode) {
    case RecordMode::kRequest:
      return "request";
    case RecordMode::kAlways:
      return "always";
    case RecordMode::kNever:
      return "never";
  }
  return "?";
}

Recorder::Recorder(store::Store* store, Options options, AlertSignal* signal)
    : store_(store), options_(options), signal_(signal) {}

absl::StatusOr<bool> Recorder::Wants(bool requested) const {
  if (options_.mode == RecordMode::kNever || store_ == nullptr) {
    if (!requested) return false;
    return absl::FailedPreconditionError(
        store_ == nullptr
            ? "record: this server keeps no history (started with --store=none)"
            : "record: this server records nothing (--record=never)");
  }
  return requested || options_.mode == RecordMode::kAlways;
}

absl::StatusOr<absl::Time> Recorder::RecordTime(
    const google::protobuf::Timestamp* as_of, absl::string_view field,
    absl::Time now) const {
  if (as_of == nullptr) return now;
  // Valid protobuf Timestamps run from year 1 to 9999; a history starts in
  // 1970.
  if (as_of->nanos() < 0 || as_of->nanos() > 999999999) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".nanos=", as_of->nanos(), " is outside 0-999999999"));
  }
  if (as_of->seconds() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".seconds=", as_of->seconds(),
        " is before 1970-01-01; recorded points start at the Unix epoch"));
  }
  const absl::Time t = absl::FromUnixSeconds(as_of->seconds()) +
                       absl::Nanoseconds(as_of->nanos());
  if (t > now + options_.max_future_skew) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, "=",
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()), " is ",
        absl::FormatDuration(absl::Trunc(t - now, absl::Seconds(1))),
        " ahead of the server's clock; the limit is ",
        absl::FormatDuration(options_.max_future_skew),
        " (a point is recorded when it was observed, not in the future)"));
  }
  return t;
}

absl::Status Recorder::KeepScorecard(const Snapshot& snapshot) {
  const ScorecardSpec& spec = snapshot.spec();
  {
    absl::MutexLock lock(&mu_);
    if (kept_.contains(spec.hash)) return absl::OkStatus();
  }
  RETURN_IF_ERROR(store_->PutScorecard(
      {spec.hash, spec.name, spec.version, spec.source, spec.text}));
  absl::MutexLock lock(&mu_);
  kept_.insert(spec.hash);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Recorder::KeepSignalSet(
    std::span<const std::string> names) {
  SignalSet set = MakeSignalSet(names);
  {
    absl::MutexLock lock(&mu_);
    if (kept_.contains(set.id)) return set.id;
  }
  RETURN_IF_ERROR(store_->PutSignalSet(set.id, set.names_blob));
  absl::MutexLock lock(&mu_);
  kept_.insert(set.id);
  return set.id;
}

absl::Status Recorder::Record(const Snapshot& snapshot,
                              std::span<v1::CustomerScore* const> scores,
                              std::span<const RowInputs> inputs) {
  if (scores.empty()) return absl::OkStatus();
  std::vector<AccountChange> changes;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (inputs[i].attributes == nullptr) continue;
    const std::string field =
        scores.size() == 1
            ? std::string("customer.attributes")
            : absl::StrCat("customer '", scores[i]->customer_id(),
                           "': attributes");
    ASSIGN_OR_RETURN(AccountAttributes attributes,
                     ReadAccountAttributes(*inputs[i].attributes,
                                           scores[i]->customer_id(), field));
    if (!attributes.has_parent && !attributes.contract_value.has_value()) {
      continue;
    }
    changes.push_back({scores[i]->customer_id(), std::move(attributes), field});
  }
  if (!changes.empty()) {
    absl::Status put =
        PutAccounts(*store_, changes, absl::ToUnixMicros(absl::Now()));
    if (!put.ok()) {
      return absl::Status(
          put.code(),
          put.code() == absl::StatusCode::kInvalidArgument
              ? put.message()
              : absl::StrCat("record: nothing was recorded: ", put.message()));
    }
  }
  RETURN_IF_ERROR(RecordPoints(snapshot, scores, inputs));
  RecordRollups(snapshot, scores, 0);
  return absl::OkStatus();
}

void Recorder::RecordRollups(const Snapshot& snapshot,
                             std::span<v1::CustomerScore* const> scores,
                             int depth) {
  if (depth >= kMaxHierarchyDepth) return;
  // Parents at each as_of the children were recorded at.
  std::map<int64_t, std::vector<std::string>> by_as_of;
  for (const v1::CustomerScore* score : scores) {
    by_as_of[ToMicros(score->as_of())].push_back(score->customer_id());
  }
  std::vector<v1::CustomerScore> rollups;
  for (const auto& [as_of, ids] : by_as_of) {
    absl::StatusOr<std::vector<std::string>> parents = ParentsOf(*store_, ids);
    if (!parents.ok()) {
      spdlog::warn("roll-ups not recorded at {}: {}", FormatMicros(as_of),
                   parents.status().ToString());
      return;
    }
    for (const std::string& parent : *parents) {
      absl::StatusOr<v1::AccountRollup> rollup =
          ComputeRollup(*store_, snapshot, parent, as_of);
      if (!rollup.ok()) {
        // No child with a score and a value yet: nothing to record.
        if (rollup.status().code() != absl::StatusCode::kFailedPrecondition &&
            rollup.status().code() != absl::StatusCode::kNotFound) {
          spdlog::warn("roll-up of '{}' not recorded at {}: {}", parent,
                       FormatMicros(as_of), rollup.status().ToString());
        }
        continue;
      }
      v1::CustomerScore& score = rollups.emplace_back();
      score.set_customer_id(parent);
      score.set_score(rollup->score());
      score.set_band(rollup->band());
      score.set_grade(rollup->grade());
      score.set_coverage(rollup->coverage());
      score.set_variant(kRollupVariant);
      *score.mutable_as_of() = FromMicros(as_of);
      *score.mutable_provenance() = snapshot.provenance();
    }
  }
  if (rollups.empty()) return;
  std::vector<v1::CustomerScore*> pointers;
  for (v1::CustomerScore& score : rollups) pointers.push_back(&score);
  const std::vector<RowInputs> inputs(rollups.size());
  if (absl::Status s = RecordPoints(snapshot, pointers, inputs); !s.ok()) {
    spdlog::warn("{} roll-ups not recorded: {}", rollups.size(), s.ToString());
    return;
  }
  RecordRollups(snapshot, pointers, depth + 1);
}

absl::Status Recorder::RecordPoints(const Snapshot& snapshot,
                                    std::span<v1::CustomerScore* const> scores,
                                    std::span<const RowInputs> inputs) {
  RETURN_IF_ERROR(KeepScorecard(snapshot));
  const int64_t now = absl::ToUnixMicros(absl::Now());
  std::vector<store::PointRow> rows;
  rows.reserve(scores.size());
  // Rows of a batch share one list of names: its set is kept once.
  const std::string* set_names = nullptr;
  std::string set_id;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (set_id.empty() || inputs[i].names.data() != set_names) {
      ASSIGN_OR_RETURN(set_id, KeepSignalSet(inputs[i].names));
      set_names = inputs[i].names.data();
    }
    rows.push_back(MakePointRow(*scores[i], set_id, inputs[i].values, now));
  }
  const std::vector<int>& windows = snapshot.spec().trend_windows_days;
  // Alert rules look back as far as trends do, or as far as a drop rule's
  // window.
  int64_t lookback = TrendLookbackMicros(windows);
  for (const AlertRuleSpec& rule : snapshot.spec().alerts) {
    lookback = std::max(
        lookback, static_cast<int64_t>(rule.within_days * 86400 * 1000000.0));
  }
  store::AlertEvaluator evaluate;
  if (!snapshot.spec().alerts.empty()) {
    evaluate = MakeAlertEvaluator(snapshot, scores);
  }
  absl::StatusOr<std::vector<std::vector<store::ScoreAt>>> earlier =
      store_->Record(rows, lookback, &evaluate);
  if (!earlier.ok()) {
    // A failed COMMIT may have committed: say so, since a client that
    // reads "nothing" might not retry (a retry with the same as_of is
    // safe either way: it replaces).
    return absl::Status(
        earlier.status().code(),
        absl::StrCat(store::OutcomeUnknown(earlier.status())
                         ? "record: the store did not confirm the commit, so "
                           "whether this call was recorded is unknown (a "
                           "retry with the same as_of replaces what is "
                           "there): "
                         : "record: nothing was recorded: ",
                     earlier.status().message()));
  }
  if (evaluate && signal_ != nullptr) signal_->Notify();
  for (size_t i = 0; i < scores.size(); ++i) {
    *scores[i]->mutable_trend() =
        ComputeTrend(rows[i].as_of_us, rows[i].score, (*earlier)[i], windows);
  }
  return absl::OkStatus();
}

}  // namespace healthscore::history
