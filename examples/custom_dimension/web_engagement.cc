// The web_engagement dimension's declarations and scoring: see
// web_engagement.h for the model.
#include "web_engagement.h"

#include <array>
#include <stdexcept>

#include "healthscore/sdk/scoring.h"

namespace example {

namespace sdk = ::healthscore::sdk;
using Row = WebEngagementRow;

// The name and version are not here: healthscore_add_dimension() in
// CMakeLists.txt gives them (web_engagement, 0.1.0).
WebEngagement::Declaration WebEngagement::Declare() {
  return {
      .description = "Website visits and email opens by the customer's people",
      // In column order; each signal bound to the field it fills.
      .signals = {{&Row::visits,
                   {.name = "site_visits_7d",
                    .unit = "count",
                    .description = "Website visits by the customer's people "
                                   "in the last 7 days",
                    .min = 0,
                    .typical_min = 0,
                    .typical_max = 15}},
                  {&Row::open_rate,
                   {.name = "email_open_rate_pct",
                    .unit = "percent",
                    .requirement = sdk::Requirement::kOptional,
                    .description = "Share of marketing emails opened by the "
                                   "customer's people, last 30 days",
                    .min = 0,
                    .max = 100}}},
      // Each parameter bound to the member it sets; the member's initializer
      // (web_engagement.h) is its default.
      .params = {{&WebEngagement::target_visits_7d_,
                  {.name = "target_visits_7d",
                   .description = "Visits in 7 days that earn the full visits "
                                  "sub-score",
                   .min = 1,
                   .max = 1000}},
                 {&WebEngagement::target_open_rate_pct_,
                  {.name = "target_open_rate_pct",
                   .description = "Open rate (%) that earns the full email "
                                  "sub-score",
                   .min = 1,
                   .max = 100}},
                 {&WebEngagement::weight_visits_,
                  {.name = "weight_visits",
                   .description = "Weight of the visits component "
                                  "(renormalized over the components present)",
                   .min = 0,
                   .max = 100}},
                 {&WebEngagement::weight_email_,
                  {.name = "weight_email",
                   .description = "Weight of the email component",
                   .min = 0,
                   .max = 100}},
                 {&WebEngagement::low_score_action_below_,
                  {.name = "low_score_action_below",
                   .description = "Below this score, recommend a "
                                  "re-engagement campaign",
                   .min = 0,
                   .max = 100}}},
      // In the order of enum Rule. A component raises the score above half
      // its target (sub-score above 50) and lowers it below; exactly at half
      // its impact is 0 and the neutral text reads.
      .rules = {{.id = "site_visits",
                 .signal = "site_visits_7d",
                 .raises = "The customer's people visited the website "
                           "{observed:plural:time} in the last 7 days, more "
                           "than half the target of {threshold}",
                 .lowers = "The customer's people visited the website only "
                           "{observed:plural:time} in the last 7 days, under "
                           "half the target of {threshold}",
                 .text = "The customer's people visited the website "
                         "{observed:plural:time} in the last 7 days, half the "
                         "target of {threshold}"},
                {.id = "email_opens",
                 .signal = "email_open_rate_pct",
                 .raises = "The customer's people opened {observed} of "
                           "marketing emails in the last 30 days, more than "
                           "half the target of {threshold}",
                 .lowers = "The customer's people opened only {observed} of "
                           "marketing emails in the last 30 days, under half "
                           "the target of {threshold}",
                 .text = "The customer's people opened {observed} of "
                         "marketing emails in the last 30 days, half the "
                         "target of {threshold}"},
                {.id = "low_engagement",
                 .text = "Web engagement {observed:score} is below "
                         "{threshold:score}: the customer's people have gone "
                         "quiet"}},
      .actions = {{.id = "re_engage",
                   .text = "Invite the customer's users to a webinar or send "
                           "a targeted re-engagement campaign"}},
  };
}

void WebEngagement::Init() {
  if (weight_visits_ + weight_email_ <= 0) {
    throw std::invalid_argument(
        "weight_visits and weight_email are both 0: at least one must be "
        "positive");
  }
}

void WebEngagement::Evaluate(const Row& row, sdk::RowOutput& out) const {
  enum { kVisits, kEmail };
  const std::array<double, 2> weight = {weight_visits_, weight_email_};
  const std::array<bool, 2> present = {true, !sdk::IsMissing(row.open_rate)};
  std::array<double, 2> sub = {
      sdk::RatioSubScore(row.visits, target_visits_7d_),
      present[kEmail] ? sdk::RatioSubScore(row.open_rate, target_open_rate_pct_)
                      : 0};
  std::array<double, 2> share = {0, 0};
  double score = 0;
  if (!sdk::WeightedMeanOfPresent(weight, present, sub, share, score)) {
    return out.InsufficientData(
        "weight_visits is 0 and email_open_rate_pct is missing: no component "
        "with a non-zero weight has data");
  }
  out.Score(score);
  if (!out.WantsExplanation()) return;  // reasons cost: skip them if unwanted

  // share * (sub - 50) per component: 50 + these == score.
  if (weight_visits_ > 0) {
    out.Reason(kSiteVisits, share[kVisits] * (sub[kVisits] - sdk::kNeutral),
               {.observed = row.visits, .threshold = target_visits_7d_});
  }
  if (present[kEmail] && weight_email_ > 0) {
    out.Reason(kEmailOpens, share[kEmail] * (sub[kEmail] - sdk::kNeutral),
               {.observed = row.open_rate, .threshold = target_open_rate_pct_});
  }
  if (score < low_score_action_below_) {
    out.Reason(kLowEngagement, 0,
               {.observed = score, .threshold = low_score_action_below_});
    out.Action(kReEngage);
  }
}

}  // namespace example
