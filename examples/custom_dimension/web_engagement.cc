// The web_engagement dimension's declarations and scoring: see
// web_engagement.h for the model.
#include "web_engagement.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>

namespace example {
namespace {

namespace sdk = ::healthscore::sdk;

constexpr char kVisits[] = "site_visits_7d";
constexpr char kOpenRate[] = "email_open_rate_pct";

// A number for a sentence: at most one decimal, none when it is whole.
std::string Num(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  std::string text(buf);
  if (text.size() > 2 && text.ends_with(".0")) text.resize(text.size() - 2);
  return text;
}

// The host range-checks parameters against the declared bounds, but a NaN
// slips through any range check, so refuse it here.
double Finite(const sdk::Params& params, const char* name) {
  const double value = params.Get(name);
  if (!std::isfinite(value)) {
    throw std::invalid_argument(std::string("parameter ") + name +
                                " must be a finite number");
  }
  return value;
}

}  // namespace

sdk::Info WebEngagement::Describe() {
  sdk::Info info;
  info.name = "web_engagement";
  info.version = HEALTHSCORE_PLUGIN_VERSION;  // from healthscore_add_dimension
  info.description = "Website visits and email opens by the customer's people";
  info.signals = {
      {.name = kVisits,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kRequired,
       .description = "Website visits in the last 7 days",
       .min = 0,
       .max = sdk::kNone},
      {.name = kOpenRate,
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Share of marketing emails opened, last 30 days",
       .min = 0,
       .max = 100},
  };
  info.params = {
      {.name = "target_visits_7d",
       .default_value = 5,
       .description = "Visits in 7 days that earn the full visits sub-score",
       .min = 1,
       .max = 1000},
      {.name = "target_open_rate_pct",
       .default_value = 40,
       .description = "Open rate (%) that earns the full email sub-score",
       .min = 1,
       .max = 100},
      {.name = "weight_visits",
       .default_value = 0.6,
       .description = "Weight of the visits component",
       .min = 0,
       .max = 100},
      {.name = "weight_email",
       .default_value = 0.4,
       .description = "Weight of the email component",
       .min = 0,
       .max = 100},
      {.name = "low_score_action_below",
       .default_value = 40,
       .description = "Below this score, recommend a re-engagement campaign",
       .min = 0,
       .max = 100},
  };
  return info;
}

WebEngagement::WebEngagement(const sdk::Params& params)
    : target_visits_7d_(Finite(params, "target_visits_7d")),
      target_open_rate_pct_(Finite(params, "target_open_rate_pct")),
      weight_visits_(Finite(params, "weight_visits")),
      weight_email_(Finite(params, "weight_email")),
      low_score_action_below_(Finite(params, "low_score_action_below")) {
  if (weight_visits_ <= 0 && weight_email_ <= 0) {
    throw std::invalid_argument(
        "weight_visits and weight_email are both 0: at least one must be "
        "positive");
  }
}

void WebEngagement::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Look columns up by name once per batch, never per row.
  const std::span<const double> visits = batch.Column(kVisits);
  const std::span<const double> open_rate = batch.Column(kOpenRate);
  const bool explain = out.WantsExplanation();

  for (uint32_t row = 0; row < batch.num_rows(); ++row) {
    if (sdk::IsMissing(visits[row])) {  // NaN = missing
      out.SetInsufficientData(row, "missing required signal site_visits_7d");
      continue;
    }
    const bool has_email = !sdk::IsMissing(open_rate[row]) && weight_email_ > 0;
    const double total = weight_visits_ + (has_email ? weight_email_ : 0);
    if (total <= 0) {
      out.SetInsufficientData(
          row, "weight_visits is 0 and email_open_rate_pct is missing");
      continue;
    }
    const double visits_share = weight_visits_ / total;
    const double email_share = has_email ? weight_email_ / total : 0;
    const double visits_sub =
        std::clamp(100.0 * visits[row] / target_visits_7d_, 0.0, 100.0);
    const double email_sub =
        has_email ? std::clamp(100.0 * open_rate[row] / target_open_rate_pct_,
                               0.0, 100.0)
                  : 0;
    const double score = std::clamp(
        visits_share * visits_sub + email_share * email_sub, 0.0, 100.0);
    if (!std::isfinite(score)) {  // e.g. an infinite input: never an OK NaN
      out.SetFailed(row, "the inputs gave a non-finite score");
      continue;
    }
    out.SetScore(row, score);
    if (!explain) continue;  // strings cost: build them only when asked

    if (weight_visits_ > 0) {
      out.AddReason(row, {.rule_id = "site_visits",
                          .signal = kVisits,
                          .observed = visits[row],
                          .threshold = target_visits_7d_,
                          .impact = visits_share * (visits_sub - 50),
                          .message = "Website visits in the last 7 days: " +
                                     Num(visits[row]) + " (target " +
                                     Num(target_visits_7d_) + ")"});
    }
    if (has_email) {
      out.AddReason(row, {.rule_id = "email_opens",
                          .signal = kOpenRate,
                          .observed = open_rate[row],
                          .threshold = target_open_rate_pct_,
                          .impact = email_share * (email_sub - 50),
                          .message = "Opened " + Num(open_rate[row]) +
                                     "% of emails (target " +
                                     Num(target_open_rate_pct_) + "%)"});
    }
    if (score < low_score_action_below_) {
      out.AddAction(row,
                    "Invite the customer's users to a webinar or send a "
                    "targeted re-engagement campaign");
    }
  }
}

}  // namespace example
