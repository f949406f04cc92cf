// Golden cases against the plugin's raw answer for one row.
#include "tools/plugin_check/golden.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace healthscore::plugin_check {
namespace {

std::string Quoted(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  std::vector<std::string> quoted;
  for (const std::string& s : items)
    quoted.push_back(absl::StrCat("'", s, "'"));
  return absl::StrJoin(quoted, ", ");
}

bool AnyContains(const std::vector<std::string>& texts,
                 const std::string& part) {
  return std::any_of(texts.begin(), texts.end(), [&](const std::string& t) {
    return t.find(part) != std::string::npos;
  });
}

}  // namespace

absl::StatusOr<Columns> CaseRow(const Case& c,
                                const std::vector<SignalInfo>& signals,
                                const std::string& source,
                                const std::string& plugin_id) {
  Columns row;
  row.num_rows = 1;
  row.values.assign(signals.size(), {std::numeric_limits<double>::quiet_NaN()});
  for (const SignalValue& given : c.signals) {
    const auto it =
        std::find_if(signals.begin(), signals.end(),
                     [&](const SignalInfo& s) { return s.name == given.name; });
    const std::string where =
        absl::StrCat(source, ":", given.line, ": case '", c.name, "': signal '",
                     given.name, "'");
    if (it == signals.end()) {
      std::vector<std::string> names;
      for (const SignalInfo& s : signals) names.push_back(s.name);
      return absl::InvalidArgumentError(
          absl::StrCat(where, " is not read by ", plugin_id,
                       " with this case's parameters; it reads: ",
                       names.empty() ? "nothing" : absl::StrJoin(names, ", ")));
    }
    // The server refuses such values before a plugin sees them, so a case
    // with one tests nothing that can happen.
    if (!std::isnan(it->min) && given.value < it->min) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, " = ", Exact(given.value), " is below its minimum ",
          Exact(it->min), "; the server refuses it"));
    }
    if (!std::isnan(it->max) && given.value > it->max) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, " = ", Exact(given.value), " is above its maximum ",
          Exact(it->max), "; the server refuses it"));
    }
    row.values[it - signals.begin()][0] = given.value;
  }
  return row;
}

std::vector<std::string> CaseMismatches(const Case& c, const BatchOutput& out,
                                        const std::vector<Band>& bands) {
  const Expectation& e = c.expect;
  std::vector<std::string> m;
  if (out.result != HS_OK) {
    m.push_back(absl::StrCat("score_batch refused the batch: ",
                             out.error.value_or("no reason given")));
    return m;
  }
  for (const std::string& misuse : out.misuse) m.push_back(misuse);
  const RowOutput& row = out.rows[0];

  if (row.status != e.status) {
    m.push_back(
        absl::StrCat("status ", StatusName(row.status),
                     row.status == HS_STATUS_OK
                         ? absl::StrCat(" (score ", Exact(row.score), ")")
                         : absl::StrCat(" ('", row.status_message, "')"),
                     ", expected ", StatusName(e.status)));
  }
  const bool wants_score = e.score || e.score_min || e.score_max || e.band;
  if (row.status == HS_STATUS_OK) {
    const double s = row.score;
    if (e.score && !(std::fabs(s - *e.score) <= kScoreTolerance)) {
      m.push_back(
          absl::StrCat("score ", Exact(s), ", expected ", Exact(*e.score)));
    }
    if (e.score_min && !(s >= *e.score_min)) {
      m.push_back(absl::StrCat("score ", Exact(s), ", expected at least ",
                               Exact(*e.score_min)));
    }
    if (e.score_max && !(s <= *e.score_max)) {
      m.push_back(absl::StrCat("score ", Exact(s), ", expected at most ",
                               Exact(*e.score_max)));
    }
    if (e.band) {
      const std::string band = std::isnan(s) ? "none" : BandFor(bands, s).name;
      if (band != *e.band) {
        m.push_back(absl::StrCat("band ", band, " (score ", Exact(s),
                                 "), expected ", *e.band));
      }
    }
  } else if (wants_score && row.status == e.status) {
    // A status mismatch already says there is no score.
    m.push_back(absl::StrCat("no score (", StatusName(row.status),
                             "), but the case expects a score or band"));
  }

  std::vector<std::string> rule_ids;
  std::vector<std::string> messages;
  for (const RecordedReason& r : row.reasons) {
    if (r.rule_id) rule_ids.push_back(*r.rule_id);
    if (r.message) messages.push_back(*r.message);
  }
  for (const std::string& id : e.reasons) {
    if (std::find(rule_ids.begin(), rule_ids.end(), id) == rule_ids.end()) {
      m.push_back(absl::StrCat("no reason '", id,
                               "' (reasons: ", Quoted(rule_ids), ")"));
    }
  }
  for (const std::string& id : e.no_reasons) {
    if (std::find(rule_ids.begin(), rule_ids.end(), id) != rule_ids.end()) {
      m.push_back(absl::StrCat("reason '", id, "' is there, expected absent"));
    }
  }
  for (const std::string& part : e.message_contains) {
    if (!AnyContains(messages, part)) {
      m.push_back(absl::StrCat("no reason message contains '", part,
                               "' (messages: ", Quoted(messages), ")"));
    }
  }
  if (e.status_reason_contains &&
      row.status_message.find(*e.status_reason_contains) == std::string::npos) {
    m.push_back(absl::StrCat("status message '", row.status_message,
                             "' does not contain '", *e.status_reason_contains,
                             "'"));
  }
  if (e.action && *e.action && row.actions.empty()) {
    m.push_back("no action, expected at least one");
  }
  if (e.action && !*e.action && !row.actions.empty()) {
    m.push_back(
        absl::StrCat("actions ", Quoted(row.actions), ", expected none"));
  }
  if (e.action_contains && !AnyContains(row.actions, *e.action_contains)) {
    m.push_back(absl::StrCat("no action contains '", *e.action_contains,
                             "' (actions: ", Quoted(row.actions), ")"));
  }
  return m;
}

}  // namespace healthscore::plugin_check
