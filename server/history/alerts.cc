// Alert evaluation.
#include "server/history/alerts.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/history/point.h"

namespace healthscore::history {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

// What a rule saw in one point: whether it calls for an alert, whether an
// open one may close, and the value it watched.
struct Reading {
  bool known = true;  // false: no decision (e.g. the dimension had no data)
  bool enter = false;
  bool exit = false;
  double observed = 0;
  std::string seen;     // "score 42.0"
  std::string context;  // kept with the alert (band_change: the band before)
  int64_t explained_from = -1;  // the earlier point the change runs from
};

// Rank of a band name in the variant's bands, best first.
int BandRank(const Variant& v, const std::string& name) {
  for (size_t i = 0; i < v.bands.size(); ++i) {
    if (v.bands[i].name == name) return static_cast<int>(i);
  }
  return static_cast<int>(v.bands.size());
}

Reading Read(const AlertRuleSpec& rule, const Variant& variant,
             const v1::CustomerScore& score, int64_t as_of,
             std::span<const store::ScoreAt> earlier,
             const std::string* open_context) {
  Reading r;
  if (!earlier.empty()) r.explained_from = earlier[0].as_of_us;
  auto below = [&](double v, const std::string& what) {
    r.observed = v;
    r.enter = v < rule.enter;
    r.exit = v >= rule.exit;
    r.seen = what;
  };
  switch (rule.kind) {
    case AlertKind::kScoreBelow:
      below(score.score(), absl::StrFormat("score %.1f", score.score()));
      break;
    case AlertKind::kCoverageBelow:
      below(score.coverage(),
            absl::StrFormat("coverage %.0f%%", 100 * score.coverage()));
      break;
    case AlertKind::kDimensionBelow: {
      r.known = false;
      for (const v1::DimensionResult& d : score.dimensions()) {
        if (d.name() != rule.dimension) continue;
        if (d.status() != v1::DIMENSION_STATUS_OK) break;
        r.known = true;
        below(d.score(), absl::StrFormat("%s %.1f", d.name(), d.score()));
      }
      break;
    }
    case AlertKind::kDrop: {
      double peak = score.score();
      for (const store::ScoreAt& p : earlier) {
        if (p.as_of_us < as_of - rule.within_days * kMicrosPerDay) break;
        if (p.score > peak) {
          peak = p.score;
          r.explained_from = p.as_of_us;
        }
      }
      const double drop = peak - score.score();
      r.observed = drop;
      r.enter = drop >= rule.points;
      r.exit = drop < rule.exit;
      r.seen = absl::StrFormat("%.1f points below %.1f within %g days", drop,
                               peak, rule.within_days);
      break;
    }
    case AlertKind::kFalling: {
      int declines = 0;
      double later = score.score();
      for (const store::ScoreAt& p : earlier) {
        if (!(later < p.score)) break;
        ++declines;
        later = p.score;
        r.explained_from = p.as_of_us;  // the point the run fell from
      }
      r.observed = declines;
      r.enter = declines >= rule.declines;
      r.exit = declines == 0;
      r.seen = absl::StrCat(declines, " declines in a row");
      break;
    }
    case AlertKind::kBandChange: {
      const int now = BandRank(variant, score.band());
      if (open_context != nullptr) {
        // Open: closes when back at the band it fell from, or better.
        r.exit = now <= BandRank(variant, *open_context);
        r.seen = absl::StrCat("band ", score.band());
        break;
      }
      if (earlier.empty()) {
        r.known = false;
        break;
      }
      const std::string before = variant.BandFor(earlier[0].score).name;
      r.enter = now > BandRank(variant, before);
      r.observed = score.score();
      r.context = before;
      r.seen = absl::StrCat("band ", before, " -> ", score.band());
      break;
    }
  }
  return r;
}

}  // namespace

store::AlertEvaluator MakeAlertEvaluator(
    const Snapshot& snapshot, std::span<v1::CustomerScore* const> scores) {
  return [&snapshot, scores](
             std::span<const store::PointRow> points,
             const std::vector<std::vector<store::ScoreAt>>& earlier,
             const std::vector<store::AlertRow>& unresolved,
             const std::vector<store::AlertRow>& last_resolved) {
    store::AlertWrites writes;
    const std::vector<AlertRuleSpec>& rules = snapshot.spec().alerts;
    auto key = [](const std::string& customer, const std::string& rule) {
      return absl::StrCat(customer.size(), ":", customer, rule);
    };
    absl::flat_hash_map<std::string, const store::AlertRow*> open, closed;
    for (const store::AlertRow& a : unresolved) {
      open[key(a.customer_id, a.rule_id)] = &a;
    }
    for (const store::AlertRow& a : last_resolved) {
      closed[key(a.customer_id, a.rule_id)] = &a;
    }
    for (size_t i = 0; i < points.size(); ++i) {
      const v1::CustomerScore& score = *scores[i];
      const Variant* variant = snapshot.FindVariant(score.segment());
      if (variant == nullptr) variant = &snapshot.variants()[0];
      const store::PointRow& point = points[i];
      for (const AlertRuleSpec& rule : rules) {
        auto it = open.find(key(point.customer_id, rule.id));
        const store::AlertRow* existing =
            it == open.end() ? nullptr : it->second;
        // An alert raised by a later point is not judged by an earlier one
        // (a timeline imported out of order).
        if (existing != nullptr && point.as_of_us < existing->opened_as_of_us) {
          continue;
        }
        const Reading r =
            Read(rule, *variant, score, point.as_of_us, earlier[i],
                 existing != nullptr ? &existing->context : nullptr);
        if (!r.known) continue;
        if (existing != nullptr) {
          if (!r.exit) continue;
          store::AlertRow done = *existing;
          done.closed_as_of_us = point.as_of_us;
          done.resolved_by = "healthscore";
          done.note = absl::StrCat("closed by the point of ",
                                   FormatMicros(point.as_of_us), ": ", r.seen);
          writes.resolved.push_back(std::move(done));
          continue;
        }
        if (!r.enter) continue;
        if (auto c = closed.find(key(point.customer_id, rule.id));
            c != closed.end() && rule.cooldown_days > 0 &&
            point.as_of_us <
                c->second->closed_as_of_us +
                    static_cast<int64_t>(rule.cooldown_days * kMicrosPerDay)) {
          continue;  // cooling down
        }
        v1::Alert alert;
        alert.set_customer_id(point.customer_id);
        alert.set_segment(point.segment);
        alert.set_rule_id(rule.id);
        alert.set_kind(std::string(AlertKindName(rule.kind)));
        alert.set_severity(rule.severity);
        alert.set_message(absl::StrCat(rule.say, " (", r.seen, ")"));
        alert.set_action(rule.action);
        *alert.mutable_opened_at() = FromMicros(point.as_of_us);
        alert.set_score_at_open(score.score());
        alert.set_observed(r.observed);
        if (r.explained_from >= 0) {
          *alert.mutable_explained_from() = FromMicros(r.explained_from);
        }
        store::AlertRow row;
        row.customer_id = point.customer_id;
        row.segment = point.segment;
        row.rule_id = rule.id;
        row.severity = rule.severity;
        row.opened_as_of_us = point.as_of_us;
        row.context = r.context;
        row.detail = alert.SerializeAsString();
        writes.opened.push_back(std::move(row));
      }
    }
    return writes;
  };
}

v1::Alert ToAlert(const store::AlertRow& row) {
  v1::Alert alert;
  (void)alert.ParseFromString(row.detail);
  alert.set_id(row.id);
  alert.set_customer_id(row.customer_id);
  alert.set_segment(row.segment);
  alert.set_rule_id(row.rule_id);
  alert.set_severity(row.severity);
  alert.set_state(static_cast<v1::AlertState>(row.state));
  if (row.closed_as_of_us != 0) {
    *alert.mutable_closed_at() = FromMicros(row.closed_as_of_us);
  }
  alert.set_acknowledged_by(row.acknowledged_by);
  alert.set_resolved_by(row.resolved_by);
  alert.set_note(row.note);
  return alert;
}

void AlertSignal::Notify() {
  absl::MutexLock lock(&mu_);
  ++generation_;
}

uint64_t AlertSignal::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

void AlertSignal::Wait(uint64_t seen, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto newer = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return generation_ > seen;
  };
  mu_.AwaitWithTimeout(absl::Condition(&newer), timeout);
}

}  // namespace healthscore::history
