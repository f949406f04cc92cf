// The `rules` dimension: a score written in the scorecard, no C++. A base
// score, then rules: a condition over signals, points added or taken away,
// and the sentence that becomes the reason; clamped to 0-100. The spec is
// docs/dimensions/rules.md.
//
//   plugin: rules
//   params:
//     base: 50
//     signals: [site_visits_7d, negative_feedback_30d]   # or a mapping with
//                                                         # unit, min, max,
//                                                         # higher_is_better
//     rules:
//       - {id: frequent_visits, when: "site_visits_7d >= 5", points: 10,
//          say: "Visited {site_visits_7d} times in the last 7 days"}
//       - {id: negative_feedback, when: "negative_feedback_30d > 0",
//          points: "-5 * min(negative_feedback_30d, 3)",
//          say: "Negative feedback in the last 30 days",
//          action: "Call the customer about the feedback"}
//
// Conditions and point formulas are muparser expressions, compiled when the
// scorecard loads (never per customer). A rule fires when every signal it
// reads is present and its condition is non-zero; its reason's impact is its
// points (scaled alike when the score is clamped). Each scorecard rule becomes
// one declared rule of the instance: `say` its neutral template (optional
// `raises`/`lowers` its sign-specific ones), placeholders {observed} (the
// value of the one signal it reads) and the names of the signals it reads;
// `action` an action of the same id. With base != 50 a reason "base" carries
// base - 50, so 50 + the impacts == the score.
#ifndef HEALTHSCORE_PLUGINS_RULES_RULES_H_
#define HEALTHSCORE_PLUGINS_RULES_RULES_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

class ScorecardRules : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Parses and compiles every rule. Throws std::invalid_argument naming the
  // rule (index and id), the field and, for expressions and sentences, the
  // position.
  explicit ScorecardRules(const healthscore::sdk::Params& params);
  ~ScorecardRules() override;

  // What this instance reads and says: the scorecard's signals, one rule per
  // scorecard rule (then "base" when base != 50), one action per rule that
  // has one.
  std::vector<healthscore::sdk::Signal> Signals() const { return signals_; }
  std::vector<healthscore::sdk::Rule> Rules() const;
  std::vector<healthscore::sdk::Action> Actions() const;

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  struct Rule {
    std::string id;
    std::string when;
    std::string points;  // an expression; a plain number is one too
    std::string say;     // templates; "" when not given
    std::string raises;
    std::string lowers;
    std::string action;
    std::vector<size_t> reads;  // indices into signals_, ascending
    std::vector<size_t> args;   // the first HS_MAX_ARGS of reads
    int action_index = -1;      // into Actions(), or -1
  };
  // Compiled parsers bound to their own variables. muparser evaluation is not
  // thread-safe, so concurrent Score() calls each take one from a pool.
  class Evaluator;

  std::unique_ptr<Evaluator> Acquire() const;
  void Release(std::unique_ptr<Evaluator> evaluator) const;

  double base_ = 50;
  std::vector<healthscore::sdk::Signal> signals_;
  std::vector<Rule> rules_;
  std::string signal_names_;  // "a, b, c", for the no-data message

  mutable std::mutex pool_mu_;
  mutable std::vector<std::unique_ptr<Evaluator>> pool_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_RULES_RULES_H_
