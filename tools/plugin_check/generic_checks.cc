// The generic checks: random rows drawn from a fixed seed, scored through the
// recording host, compared against what docs/plugin-check.md promises.
#include "tools/plugin_check/generic_checks.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <latch>
#include <limits>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/plugin_check/host.h"

namespace healthscore::plugin_check {
namespace {

// Fixed, so that two runs on the same plugin draw the same rows and a failure
// can be reproduced. Each check salts it, so adding a check does not change
// what the others draw.
constexpr uint64_t kSeed = 0x6865616c7468ULL;

constexpr uint32_t kRandomRows = 4000;     // range: "a few thousand"
constexpr uint32_t kMissingRows = 200;     // per missing signal
constexpr uint32_t kInfiniteRows = 100;    // per signal and sign
constexpr uint32_t kMonotonicBases = 300;  // per signal
constexpr int kMonotonicSteps = 5;         // raises per base row
constexpr double kMonotonicTolerance = 1e-9;
constexpr double kOptionalMissingChance = 0.25;
constexpr uint32_t kMixedRows = 1000;  // deterministic and concurrent
constexpr int kThreads = 4;
constexpr int kRunsPerThread = 25;

// How far draws go past the one bound a signal has (or either side of 0 when
// it has none): wide enough to cross any threshold a count or a percentage
// has, and now and then kFarRange for overflow and saturation bugs.
constexpr double kOpenRange = 1000;
constexpr double kFarRange = 1e6;
constexpr double kFarChance = 0.05;
// Exact bounds are where off-by-one comparisons live: drawn on purpose.
constexpr double kBoundChance = 0.05;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

bool InRange(double score) { return score >= 0 && score <= 100; }

class Sampler {
 public:
  Sampler(const std::vector<SignalInfo>& signals, uint64_t salt)
      : signals_(signals), rng_(kSeed ^ salt) {}

  // The range `signal`'s values come from.
  std::pair<double, double> Range(size_t signal) const {
    const SignalInfo& s = signals_[signal];
    const bool has_min = !std::isnan(s.min);
    const bool has_max = !std::isnan(s.max);
    if (has_min && has_max) return {s.min, s.max};
    if (has_min) return {s.min, s.min + kOpenRange};
    if (has_max) return {s.max - kOpenRange, s.max};
    return {-kOpenRange, kOpenRange};
  }

  double Draw(size_t signal) {
    const SignalInfo& s = signals_[signal];
    const auto [lo, hi] = Range(signal);
    const double u = Uniform(0, 1);
    if (u < kBoundChance) return lo;
    if (u < 2 * kBoundChance) return hi;
    if (u < 2 * kBoundChance + kFarChance) {
      if (std::isnan(s.max)) return Uniform(lo, lo + kFarRange);
      if (std::isnan(s.min)) return Uniform(hi - kFarRange, hi);
    }
    return Uniform(lo, hi);
  }

  // From the signal's typical range when it declares one, else as Draw.
  double DrawTypical(size_t signal) {
    const SignalInfo& s = signals_[signal];
    if (std::isnan(s.typical_min) || std::isnan(s.typical_max)) {
      return Draw(signal);
    }
    return Uniform(s.typical_min, s.typical_max);
  }

  Columns Typical(uint32_t rows) {
    Columns c;
    c.num_rows = rows;
    c.values.assign(signals_.size(), std::vector<double>(rows));
    for (uint32_t r = 0; r < rows; ++r) {
      for (size_t s = 0; s < signals_.size(); ++s) {
        c.values[s][r] = DrawTypical(s);
      }
    }
    return c;
  }

  double Uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }

  bool Chance(double p) { return Uniform(0, 1) < p; }

  // `rows` rows with every signal present.
  Columns Complete(uint32_t rows) {
    Columns c;
    c.num_rows = rows;
    c.values.assign(signals_.size(), std::vector<double>(rows));
    for (uint32_t r = 0; r < rows; ++r) {
      for (size_t s = 0; s < signals_.size(); ++s) c.values[s][r] = Draw(s);
    }
    return c;
  }

  // Like Complete, but each optional signal is missing now and then (and,
  // more rarely, a required one), as real batches are.
  Columns Mixed(uint32_t rows) {
    Columns c = Complete(rows);
    for (uint32_t r = 0; r < rows; ++r) {
      for (size_t s = 0; s < signals_.size(); ++s) {
        const double p = signals_[s].required ? 0.05 : kOptionalMissingChance;
        if (Chance(p)) c.values[s][r] = kNaN;
      }
    }
    return c;
  }

 private:
  const std::vector<SignalInfo>& signals_;
  std::mt19937_64 rng_;
};

std::string Value(double v) { return std::isnan(v) ? "missing" : Exact(v); }

// "a=1.5, b=missing": a counter-example's inputs, exact, to reproduce it.
std::string DescribeRow(const std::vector<SignalInfo>& signals,
                        const Columns& c, uint32_t row) {
  std::vector<std::string> parts;
  for (size_t s = 0; s < signals.size(); ++s) {
    parts.push_back(
        absl::StrCat(signals[s].name, "=", Value(c.values[s][row])));
  }
  return parts.empty() ? "no signals" : absl::StrJoin(parts, ", ");
}

std::string DescribeOutcome(const RowOutput& row) {
  if (row.status == HS_STATUS_OK) return absl::StrCat("OK ", Exact(row.score));
  return absl::StrCat(StatusName(row.status), " ('", row.status_message, "')");
}

// What makes a whole batch a failure of any check: callbacks outside the ABI.
std::optional<std::string> Misuse(const BatchOutput& out) {
  if (out.misuse.empty()) return std::nullopt;
  return absl::StrCat("the plugin called the host wrongly (", out.misuse.size(),
                      " times); first: ", out.misuse[0]);
}

// "1 signal", "6 signals".
std::string CountSignals(const std::vector<SignalInfo>& signals) {
  return absl::StrCat(signals.size(),
                      signals.size() == 1 ? " signal" : " signals");
}

CheckResult Fail(std::string detail) { return {false, std::move(detail)}; }
CheckResult Pass(std::string detail) { return {true, std::move(detail)}; }

// Counts of a batch's statuses, for PASS details.
struct Tally {
  int ok = 0;
  int insufficient = 0;
  int failed = 0;
  void Add(const RowOutput& r) {
    if (r.status == HS_STATUS_OK) {
      ++ok;
    } else if (r.status == HS_STATUS_INSUFFICIENT_DATA) {
      ++insufficient;
    } else {
      ++failed;
    }
  }
  std::string ToString() const {
    return absl::StrCat(ok, " ok, ", insufficient, " insufficient_data, ",
                        failed, " failed");
  }
};

}  // namespace

CheckResult CheckRange(const Target& t) {
  const std::vector<SignalInfo>& signals = *t.signals;
  Sampler sampler(signals, 1);
  const Columns c = sampler.Complete(kRandomRows);
  const BatchOutput out = ScoreAndRecord(*t.instance, c);
  if (auto misuse = Misuse(out)) return Fail(*misuse);
  if (out.result != HS_OK) {
    return Fail(absl::StrCat("score_batch refused a batch of ", kRandomRows,
                             " rows within the declared bounds: ",
                             out.error.value_or("no reason given")));
  }
  Tally tally;
  int bad = 0;
  uint32_t first_bad = 0;
  double lowest = kInf;
  double highest = -kInf;
  for (uint32_t r = 0; r < c.num_rows; ++r) {
    const RowOutput& row = out.rows[r];
    tally.Add(row);
    if (row.status != HS_STATUS_OK) continue;
    if (!InRange(row.score)) {
      if (bad++ == 0) first_bad = r;
      continue;
    }
    lowest = std::min(lowest, row.score);
    highest = std::max(highest, row.score);
  }
  if (bad > 0) {
    return Fail(absl::StrCat(bad, " of ", kRandomRows,
                             " OK scores are not in 0-100; first: ",
                             DescribeRow(signals, c, first_bad), " scored ",
                             Exact(out.rows[first_bad].score)));
  }
  return Pass(absl::StrCat(
      kRandomRows,
      " random rows within the declared bounds: ", tally.ToString(),
      tally.ok > 0 ? absl::StrCat("; OK scores from ", Exact(lowest), " to ",
                                  Exact(highest))
                   : ""));
}

CheckResult CheckMissing(const Target& t) {
  const std::vector<SignalInfo>& signals = *t.signals;
  Sampler sampler(signals, 2);
  int problems = 0;
  std::string first;
  auto problem = [&](std::string what) {
    if (problems++ == 0) first = std::move(what);
  };
  Tally tally;
  // Each signal missing in turn, then every signal missing at once (nothing
  // to score on: it must not come back as a made-up OK score).
  for (size_t missing = 0; missing <= signals.size(); ++missing) {
    const bool all = missing == signals.size();
    Columns c = sampler.Complete(all ? 1 : kMissingRows);
    for (size_t s = 0; s < signals.size(); ++s) {
      if (all || s == missing) {
        std::fill(c.values[s].begin(), c.values[s].end(), kNaN);
      }
    }
    const std::string what =
        all ? std::string("every signal missing")
            : absl::StrCat(signals[missing].required ? "required " : "",
                           signals[missing].name, " missing");
    const BatchOutput out = ScoreAndRecord(*t.instance, c);
    if (auto misuse = Misuse(out)) return Fail(*misuse);
    if (out.result != HS_OK) {
      problem(absl::StrCat("with ", what, ", score_batch refused the batch: ",
                           out.error.value_or("no reason given"),
                           "; a missing value is a row's problem, not the "
                           "batch's"));
      continue;
    }
    for (uint32_t r = 0; r < c.num_rows; ++r) {
      const RowOutput& row = out.rows[r];
      tally.Add(row);
      // Built only for a problem: most rows have none.
      auto where = [&] {
        return absl::StrCat("with ", what, ", ", DescribeRow(signals, c, r),
                            " came back ", DescribeOutcome(row));
      };
      if (!all && signals[missing].required) {
        if (row.status != HS_STATUS_INSUFFICIENT_DATA) {
          problem(absl::StrCat(where(), "; expected insufficient_data"));
        } else if (row.status_message.find(signals[missing].name) ==
                   std::string::npos) {
          problem(absl::StrCat(where(), "; the status message must name ",
                               signals[missing].name));
        }
      } else if (row.status == HS_STATUS_OK && !InRange(row.score)) {
        problem(absl::StrCat(where(), "; an OK score must be in 0-100"));
      } else if (row.status != HS_STATUS_OK &&
                 row.status != HS_STATUS_INSUFFICIENT_DATA) {
        problem(absl::StrCat(
            where(), "; a missing signal gives a score or insufficient_data"));
      }
    }
  }
  if (problems > 0) {
    return Fail(absl::StrCat(first, " (", problems, " such rows)"));
  }
  if (signals.empty()) return Pass("the instance reads no signals");
  const bool any_required =
      std::any_of(signals.begin(), signals.end(),
                  [](const SignalInfo& s) { return s.required; });
  return Pass(absl::StrCat(
      "each of ", CountSignals(signals), " missing in ", kMissingRows,
      " rows, and all at once: ", tally.ToString(),
      any_required ? "; each required one gave insufficient_data naming it"
                   : "; OK scores all in 0-100"));
}

CheckResult CheckInfinite(const Target& t) {
  const std::vector<SignalInfo>& signals = *t.signals;
  Sampler sampler(signals, 3);
  Tally tally;
  int refused = 0;
  for (size_t s = 0; s < signals.size(); ++s) {
    for (double inf : {kInf, -kInf}) {
      Columns c = sampler.Complete(kInfiniteRows);
      std::fill(c.values[s].begin(), c.values[s].end(), inf);
      const BatchOutput out = ScoreAndRecord(*t.instance, c);
      if (auto misuse = Misuse(out)) return Fail(*misuse);
      // Refusing the whole batch is a legitimate answer to bad input.
      if (out.result != HS_OK) {
        ++refused;
        continue;
      }
      for (uint32_t r = 0; r < c.num_rows; ++r) {
        const RowOutput& row = out.rows[r];
        tally.Add(row);
        if (row.status == HS_STATUS_OK && !InRange(row.score)) {
          return Fail(absl::StrCat(
              signals[s].name, " = ", Exact(inf), " came back OK with score ",
              Exact(row.score), " (", DescribeRow(signals, c, r), ")"));
        }
      }
    }
  }
  if (signals.empty()) return Pass("the instance reads no signals");
  return Pass(absl::StrCat("+inf and -inf in each of ", CountSignals(signals),
                           ": ", tally.ToString(), ", ", refused,
                           " batches refused; no OK score outside 0-100"));
}

CheckResult CheckMonotonic(const Target& t) {
  const std::vector<SignalInfo>& signals = *t.signals;
  Sampler sampler(signals, 4);
  constexpr int kVariants = kMonotonicSteps + 1;
  int compared = 0;
  for (size_t s = 0; s < signals.size(); ++s) {
    const SignalInfo& signal = signals[s];
    // Base rows, some with optional signals missing (the renormalizing paths
    // are where direction bugs hide), each repeated with `signal` raised step
    // by step from a random value toward the top of its range.
    Columns c = sampler.Complete(kMonotonicBases * kVariants);
    for (uint32_t base = 0; base < kMonotonicBases; ++base) {
      const uint32_t first = base * kVariants;
      for (size_t o = 0; o < signals.size(); ++o) {
        if (o == s) continue;
        const double v =
            !signals[o].required && sampler.Chance(kOptionalMissingChance)
                ? kNaN
                : c.values[o][first];
        for (int k = 0; k < kVariants; ++k) c.values[o][first + k] = v;
      }
      std::vector<double> steps(kVariants);
      for (double& v : steps) v = sampler.Draw(s);
      std::sort(steps.begin(), steps.end());
      for (int k = 0; k < kVariants; ++k) c.values[s][first + k] = steps[k];
    }
    const BatchOutput out = ScoreAndRecord(*t.instance, c);
    if (auto misuse = Misuse(out)) return Fail(*misuse);
    if (out.result != HS_OK) {
      return Fail(
          absl::StrCat("score_batch refused a batch of rows within "
                       "the declared bounds: ",
                       out.error.value_or("no reason given")));
    }
    for (uint32_t base = 0; base < kMonotonicBases; ++base) {
      const uint32_t first = base * kVariants;
      // Each OK score against the previous OK one: a non-OK step in between
      // has no score to compare.
      int previous = -1;
      for (int k = 0; k < kVariants; ++k) {
        const RowOutput& row = out.rows[first + k];
        if (row.status != HS_STATUS_OK || !std::isfinite(row.score)) continue;
        if (previous >= 0) {
          ++compared;
          const double before = out.rows[first + previous].score;
          const double after = row.score;
          const bool wrong = signal.higher_is_better
                                 ? after < before - kMonotonicTolerance
                                 : after > before + kMonotonicTolerance;
          if (wrong) {
            std::vector<std::string> others;
            for (size_t o = 0; o < signals.size(); ++o) {
              if (o == s) continue;
              others.push_back(absl::StrCat(signals[o].name, "=",
                                            Value(c.values[o][first])));
            }
            return Fail(absl::StrCat(
                "raising ", signal.name, " (",
                signal.higher_is_better ? "higher" : "lower",
                " is better) from ", Exact(c.values[s][first + previous]),
                " to ", Exact(c.values[s][first + k]),
                signal.higher_is_better ? " lowered" : " raised",
                " the score from ", Exact(before), " to ", Exact(after),
                " (other signals: ",
                others.empty() ? "none" : absl::StrJoin(others, ", "), ")"));
          }
        }
        previous = k;
      }
    }
  }
  if (signals.empty()) return Pass("the instance reads no signals");
  return Pass(absl::StrCat(
      "each of ", CountSignals(signals), " raised in ", kMonotonicSteps,
      " steps on ", kMonotonicBases,
      " random rows (optional signals sometimes missing): ", compared,
      " pairs of OK scores, none moved against the declared direction"));
}

CheckResult CheckDeterministic(const Target& t) {
  Sampler sampler(*t.signals, 5);
  const Columns c = sampler.Mixed(kMixedRows);
  const BatchOutput first = ScoreAndRecord(*t.instance, c);
  const BatchOutput second = ScoreAndRecord(*t.instance, c);
  if (auto misuse = Misuse(first)) return Fail(*misuse);
  const std::string diff =
      FirstDifference(first, second, "first run", "second run");
  if (!diff.empty()) {
    return Fail(absl::StrCat("the same ", kMixedRows,
                             "-row batch scored twice differs: ", diff));
  }
  return Pass(absl::StrCat(kMixedRows,
                           " random rows (some signals missing) scored twice: "
                           "the same scores, statuses, reasons and actions"));
}

CheckResult CheckConcurrent(const Target& t) {
  Sampler sampler(*t.signals, 6);
  const Columns c = sampler.Mixed(kMixedRows);
  const BatchOutput reference = ScoreAndRecord(*t.instance, c);
  if (auto misuse = Misuse(reference)) return Fail(*misuse);

  std::vector<std::string> first_difference(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // Each thread its own copy of the batch, as separate requests would
      // have; started together so that their calls overlap.
      const Columns mine = c;
      start.arrive_and_wait();
      for (int run = 0; run < kRunsPerThread; ++run) {
        const BatchOutput out = ScoreAndRecord(*t.instance, mine);
        std::string diff = FirstDifference(
            out, reference, absl::StrCat("thread ", i + 1, " run ", run + 1),
            "single-threaded");
        if (diff.empty() && !out.misuse.empty()) diff = out.misuse[0];
        if (!diff.empty()) {
          first_difference[i] = std::move(diff);
          return;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& diff : first_difference) {
    if (!diff.empty()) {
      return Fail(absl::StrCat(kThreads, " threads scoring the same ",
                               kMixedRows, "-row batch disagree: ", diff));
    }
  }
  return Pass(absl::StrCat(kThreads, " threads x ", kRunsPerThread,
                           " runs of the same ", kMixedRows,
                           "-row batch at once: all agree with the "
                           "single-threaded result"));
}

}  // namespace healthscore::plugin_check

namespace healthscore::plugin_check {
namespace {

constexpr uint32_t kSweepRows = 2000;  // per kind of row
constexpr double kExplainTolerance = 1e-6;

// Whole words of `text`, lower-cased.
std::set<std::string> Words(absl::string_view text) {
  std::set<std::string> words;
  std::string word;
  for (char c : text) {
    if (absl::ascii_isalpha(c)) {
      word += absl::ascii_tolower(c);
    } else if (!word.empty()) {
      words.insert(word);
      word.clear();
    }
  }
  if (!word.empty()) words.insert(word);
  return words;
}

// Words saying a value is high or rose, and low or fell.
constexpr absl::string_view kUpWords[] = {"above", "exceeds", "grew", "rose",
                                          "higher", "more"};
constexpr absl::string_view kDownWords[] = {"below", "fell", "dropped",
                                            "under", "lower", "fewer"};

// The first word of `words` in `list`, or "".
std::string FirstOf(const std::set<std::string>& words,
                    std::span<const absl::string_view> list) {
  for (absl::string_view w : list) {
    if (words.count(std::string(w)) > 0) return std::string(w);
  }
  return "";
}

}  // namespace

Sweep RunSweep(const Target& t) {
  Sampler sampler(*t.signals, 8);
  Sweep sweep;
  sweep.inputs.push_back(sampler.Complete(kSweepRows));
  sweep.inputs.push_back(sampler.Typical(kSweepRows));
  sweep.inputs.push_back(sampler.Mixed(kSweepRows));
  for (const Columns& c : sweep.inputs) {
    sweep.outputs.push_back(ScoreAndRecord(*t.instance, c));
    sweep.rows += c.num_rows;
  }
  return sweep;
}

CheckResult CheckExplained(const Target& t, const Sweep& sweep) {
  int ok = 0;
  for (size_t b = 0; b < sweep.inputs.size(); ++b) {
    const BatchOutput& out = sweep.outputs[b];
    if (auto misuse = Misuse(out)) return Fail(*misuse);
    if (out.result != HS_OK) {
      return Fail(absl::StrCat("score_batch refused a sweep batch: ",
                               out.error.value_or("no reason given")));
    }
    for (uint32_t r = 0; r < out.rows.size(); ++r) {
      const RowOutput& row = out.rows[r];
      if (row.status != HS_STATUS_OK || !InRange(row.score)) continue;
      ++ok;
      double sum = HS_NEUTRAL_SCORE;
      std::vector<std::string> parts;
      for (const RecordedReason& reason : row.reasons) {
        sum += reason.impact;
        parts.push_back(absl::StrCat(reason.rule_id.value_or("?"), " ",
                                     Exact(reason.impact)));
      }
      if (!(std::fabs(sum - row.score) <= kExplainTolerance)) {
        return Fail(absl::StrCat(
            DescribeRow(*t.signals, sweep.inputs[b], r), " scored ",
            Exact(row.score), " but 50 + its reasons' impacts is ", Exact(sum),
            " (", parts.empty() ? "no reasons" : absl::StrJoin(parts, ", "),
            ")"));
      }
    }
  }
  return Pass(absl::StrCat(ok, " OK rows of ", sweep.rows,
                           " (random, typical and with signals missing): 50 "
                           "+ the impacts is the score within 1e-6 on each"));
}

CheckResult CheckWording(const Target& t, const Sweep& sweep) {
  const std::vector<RuleInfo>& rules = t.instance->rules();
  // The templates themselves, against the direction of the signal they read.
  for (const RuleInfo& rule : rules) {
    const SignalInfo* signal = nullptr;
    for (const SignalInfo& s : *t.signals) {
      if (s.name == rule.signal) signal = &s;
    }
    if (signal == nullptr) continue;
    // For a higher-is-better signal a raise is "high", a fall "low".
    const auto good = signal->higher_is_better ? std::span(kUpWords)
                                               : std::span(kDownWords);
    const auto bad = signal->higher_is_better ? std::span(kDownWords)
                                              : std::span(kUpWords);
    const std::string raise_word = FirstOf(Words(rule.raises.source()), bad);
    if (!raise_word.empty()) {
      return Fail(absl::StrCat(
          "rule ", rule.id, ": its raises wording '", rule.raises.source(),
          "' says '", raise_word, "' of ", signal->name, ", which is ",
          signal->higher_is_better ? "higher" : "lower",
          "-is-better: it reads against the sign"));
    }
    const std::string lower_word = FirstOf(Words(rule.lowers.source()), good);
    if (!lower_word.empty()) {
      return Fail(absl::StrCat(
          "rule ", rule.id, ": its lowers wording '", rule.lowers.source(),
          "' says '", lower_word, "' of ", signal->name, ", which is ",
          signal->higher_is_better ? "higher" : "lower",
          "-is-better: it reads against the sign"));
    }
  }
  int checked = 0;
  for (size_t b = 0; b < sweep.inputs.size(); ++b) {
    const BatchOutput& out = sweep.outputs[b];
    for (uint32_t r = 0; r < out.rows.size(); ++r) {
      const RowOutput& row = out.rows[r];
      if (row.status != HS_STATUS_OK) continue;
      for (const RecordedReason& reason : row.reasons) {
        const RuleInfo& rule = rules[reason.rule];
        ++checked;
        const std::string where =
            absl::StrCat("rule ", rule.id, " on ",
                         DescribeRow(*t.signals, sweep.inputs[b], r), ": ");
        if (!rule.HasWordingFor(reason.impact)) {
          if (reason.impact == 0) {
            return Fail(absl::StrCat(
                where, "impact 0 moves nothing, and the rule has no neutral "
                       "text for it (only signed wordings)"));
          }
          return Fail(absl::StrCat(
              where, "impact ", Exact(reason.impact), " ",
              reason.impact > 0 ? "raises" : "lowers",
              " the score, but the rule declares no ",
              reason.impact > 0 ? "raises" : "lowers",
              " wording and no neutral text"));
        }
        const Wording& w = rule.For(reason.impact);
        const double values[2] = {reason.observed, reason.threshold};
        for (int slot = 0; slot < 2 + static_cast<int>(rule.args.size());
             ++slot) {
          const double v = slot < 2 ? values[slot] : reason.args[slot - 2];
          if (w.Uses(slot) && std::isnan(v)) {
            const std::string name =
                slot == 0 ? "observed"
                          : slot == 1 ? "threshold" : rule.args[slot - 2];
            return Fail(absl::StrCat(where, "its wording '", w.source(),
                                     "' reads {", name,
                                     "}, which the record leaves NaN (the "
                                     "sentence would say 'n/a')"));
          }
        }
      }
    }
  }
  return Pass(absl::StrCat(rules.size(), " rules' wordings agree with their "
                           "signals' direction; ", checked,
                           " reasons in the sweep each read in a wording "
                           "declared for its sign, every placeholder set"));
}

CheckResult CheckRulesFire(const Target& t, const Sweep& sweep,
                           const std::set<std::string>& fired_in_cases) {
  std::set<std::string> fired = fired_in_cases;
  for (const BatchOutput& out : sweep.outputs) {
    for (const RowOutput& row : out.rows) {
      for (const RecordedReason& reason : row.reasons) {
        fired.insert(reason.rule_id.value_or(""));
      }
    }
  }
  std::vector<std::string> dead;
  for (const RuleInfo& rule : t.instance->rules()) {
    if (fired.count(rule.id) == 0) dead.push_back(rule.id);
  }
  if (!dead.empty()) {
    return Fail(absl::StrCat(
        dead.size(), " of ", t.instance->rules().size(),
        " declared rules never fired in ", sweep.rows,
        " sweep rows or the golden cases (dead rules): ",
        absl::StrJoin(dead, ", ")));
  }
  return Pass(absl::StrCat("each of ", t.instance->rules().size(),
                           " declared rules fired in the sweep or a golden "
                           "case"));
}

}  // namespace healthscore::plugin_check
