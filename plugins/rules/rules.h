// The `rules` dimension: a score written in the scorecard, no C++. A base
// score, then rules: a condition over signals, points added or taken away,
// and the sentence that becomes the reason; clamped to 0-100.
//
//   plugin: rules
//   params:
//     base: 50
//     signals: [site_visits_7d, negative_feedback_30d]   # or a mapping with
//                                                         # unit, min, max,
//                                                         # higher_is_better
//     rules:
//       - {id: frequent_visits, when: "site_visits_7d >= 5", points: 10,
//          say: "Visited 5+ times in the last 7 days"}
//       - {id: negative_feedback, when: "negative_feedback_30d > 0",
//          points: "-5 * min(negative_feedback_30d, 3)",
//          say: "Negative feedback in the last 30 days",
//          action: "Call the customer about the feedback"}
//
// Conditions and point formulas are muparser expressions, compiled when the
// scorecard loads (never per customer). A rule fires when every signal it
// reads is present and its condition is non-zero. Its reason's impact is the
// points it moved the score from `base` (clamping to 0-100 is shared out
// among the rules that fired, so base + impacts == score).
#ifndef HEALTHSCORE_PLUGINS_RULES_RULES_H_
#define HEALTHSCORE_PLUGINS_RULES_RULES_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "healthscore/sdk/dimension.h"

namespace healthscore::plugins {

class Rules : public healthscore::sdk::Dimension {
 public:
  static healthscore::sdk::Info Describe();

  // Parses and compiles every rule. Throws std::invalid_argument naming the
  // rule (index and id), the field and, for expressions, the position.
  explicit Rules(const healthscore::sdk::Params& params);
  ~Rules() override;

  std::vector<healthscore::sdk::Signal> Signals() const { return signals_; }

  void Score(const healthscore::sdk::Batch& batch,
             healthscore::sdk::Output& out) const override;

 private:
  struct Rule {
    std::string id;
    std::string when;
    std::string points;  // an expression; a plain number is one too
    std::string say;
    std::string action;
    std::vector<size_t> reads;  // indices into signals_
  };
  // Compiled parsers bound to their own variables. muparser evaluation is not
  // thread-safe, so concurrent Score() calls each take one from a pool.
  class Evaluator;

  std::unique_ptr<Evaluator> Acquire() const;
  void Release(std::unique_ptr<Evaluator> evaluator) const;

  double base_ = 50;
  std::vector<healthscore::sdk::Signal> signals_;
  std::vector<Rule> rules_;

  mutable std::mutex pool_mu_;
  mutable std::vector<std::unique_ptr<Evaluator>> pool_;
};

}  // namespace healthscore::plugins

#endif  // HEALTHSCORE_PLUGINS_RULES_RULES_H_
