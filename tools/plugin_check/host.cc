// The checker's recording host: a ScoreSink that keeps everything.
#include "tools/plugin_check/host.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

namespace healthscore::plugin_check {
namespace {

// The ScoreSink of one score_batch call: records everything.
struct Recording {
  BatchOutput* out;

  void Status(uint32_t row, hs_status status, const char* message) {
    // Setting OK again clears an earlier status, as in the engine: that is
    // the ABI's meaning, not a clean-up.
    RowOutput& r = out->rows[row];
    r.status = status;
    r.status_message =
        status == HS_STATUS_OK || message == nullptr ? "" : message;
  }

  void Error(const char* message) {
    out->error = message != nullptr ? message : "";
  }

  // A callback the ABI does not allow, which the engine drops silently.
  void Misuse(std::string what) { out->misuse.push_back(std::move(what)); }
};

// Equal, with NaN equal to NaN: for reason fields, where NaN means "none".
bool SameNumber(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

std::string Text(const std::optional<std::string>& s) {
  return s.has_value() ? absl::StrCat("'", *s, "'") : "NULL";
}

std::string DescribeReason(const RecordedReason& r) {
  return absl::StrCat("{rule_id ", Text(r.rule_id), ", signal ", Text(r.signal),
                      ", observed ", Exact(r.observed), ", threshold ",
                      Exact(r.threshold), ", impact ", Exact(r.impact),
                      ", message ", Text(r.message), "}");
}

bool SameReason(const RecordedReason& a, const RecordedReason& b) {
  for (int i = 0; i < HS_MAX_ARGS; ++i) {
    if (!SameNumber(a.args[i], b.args[i])) return false;
  }
  return a.rule_id == b.rule_id && a.signal == b.signal &&
         SameNumber(a.observed, b.observed) &&
         SameNumber(a.threshold, b.threshold) &&
         SameNumber(a.impact, b.impact) && a.message == b.message;
}

}  // namespace

BatchOutput ScoreAndRecord(const PluginInstance& instance, const Columns& columns) {
  BatchOutput out;
  out.rows.resize(columns.num_rows);
  std::vector<const double*> pointers;
  for (const std::vector<double>& column : columns.values) {
    pointers.push_back(column.data());
  }
  std::vector<double> scores(columns.num_rows,
                             std::numeric_limits<double>::quiet_NaN());
  Recording recording{&out};
  Records records;
  out.result =
      instance.Score(pointers, scores, /*explain=*/true, records, recording);
  for (uint32_t row = 0; row < columns.num_rows; ++row) {
    out.rows[row].score = scores[row];
  }
  for (const hs_reason_record& r : records.reasons) {
    const RuleInfo& rule = instance.rules()[r.rule];
    RecordedReason reason{r.rule,      rule.id,  rule.signal, r.observed,
                          r.threshold, r.impact, {},          std::nullopt};
    std::copy(std::begin(r.args), std::end(r.args), reason.args.begin());
    reason.message = instance.ReasonText(r);
    out.rows[r.row].reasons.push_back(std::move(reason));
  }
  for (const hs_action_record& a : records.actions) {
    out.rows[a.row].actions.push_back(instance.ActionText(a));
  }
  return out;
}

std::string FirstDifference(const BatchOutput& a, const BatchOutput& b,
                            const std::string& a_name,
                            const std::string& b_name) {
  auto differ = [&](const std::string& where, const std::string& va,
                    const std::string& vb) {
    return absl::StrCat(where, ": ", va, " (", a_name, ") vs ", vb, " (",
                        b_name, ")");
  };
  if (a.result != b.result) {
    return differ("score_batch returned", a.result == HS_OK ? "OK" : "ERROR",
                  b.result == HS_OK ? "OK" : "ERROR");
  }
  if (a.error != b.error) {
    return differ("batch error", Text(a.error), Text(b.error));
  }
  if (a.result != HS_OK) return "";  // the rows of a failed batch do not count
  for (size_t row = 0; row < a.rows.size() && row < b.rows.size(); ++row) {
    const RowOutput& x = a.rows[row];
    const RowOutput& y = b.rows[row];
    const std::string where = absl::StrCat("row ", row);
    if (x.status != y.status) {
      return differ(where + " status", StatusName(x.status),
                    StatusName(y.status));
    }
    if (x.status_message != y.status_message) {
      return differ(where + " status message", Text(x.status_message),
                    Text(y.status_message));
    }
    // A non-OK row's score is ignored by the ABI, so only OK ones compare.
    // Bit for bit (NaN equal to NaN): "the same" means the same.
    if (x.status == HS_STATUS_OK &&
        std::memcmp(&x.score, &y.score, sizeof(double)) != 0 &&
        !(std::isnan(x.score) && std::isnan(y.score))) {
      return differ(where + " score", Exact(x.score), Exact(y.score));
    }
    if (x.reasons.size() != y.reasons.size()) {
      return differ(where + " number of reasons",
                    absl::StrCat(x.reasons.size()),
                    absl::StrCat(y.reasons.size()));
    }
    for (size_t i = 0; i < x.reasons.size(); ++i) {
      if (!SameReason(x.reasons[i], y.reasons[i])) {
        return differ(absl::StrCat(where, " reason ", i),
                      DescribeReason(x.reasons[i]),
                      DescribeReason(y.reasons[i]));
      }
    }
    if (x.actions != y.actions) {
      for (size_t i = 0; i < std::max(x.actions.size(), y.actions.size());
           ++i) {
        const std::string ax =
            i < x.actions.size() ? "'" + x.actions[i] + "'" : "none";
        const std::string ay =
            i < y.actions.size() ? "'" + y.actions[i] + "'" : "none";
        if (ax != ay) return differ(absl::StrCat(where, " action ", i), ax, ay);
      }
    }
  }
  return "";
}

std::string StatusName(hs_status status) {
  switch (status) {
    case HS_STATUS_OK:
      return "ok";
    case HS_STATUS_INSUFFICIENT_DATA:
      return "insufficient_data";
    case HS_STATUS_FAILED:
      return "failed";
  }
  return absl::StrCat("status ", static_cast<int>(status));
}

std::string Exact(double value) {
  if (std::isnan(value)) return "nan";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : absl::StrCat(value);
}

}  // namespace healthscore::plugin_check
