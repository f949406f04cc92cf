// The support_health dimension's declarations and scoring: see
// support_health.h for the model.
#include "support_health.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>

#include "plugins/common/components.h"
#include "plugins/common/dimension_util.h"

#ifndef HEALTHSCORE_PLUGIN_VERSION
#error \
    "HEALTHSCORE_PLUGIN_VERSION must be defined (healthscore_add_dimension does)"
#endif

namespace healthscore::plugins {
namespace {

namespace sdk = ::healthscore::sdk;

constexpr char kTickets[] = "support_tickets_90d";
constexpr char kPrevTickets[] = "support_tickets_prev_90d";
constexpr char kRepeats[] = "repeat_question_tickets_90d";

// How a component's reason reads.
enum class Wording {
  kHours,    // "<noun> of 6 hours, slower than the 4-hour target"
  kVolume,   // "12 support tickets in the last 90 days, above the 10 expected"
  kCount,    // "2 escalations in the last 90 days" (good is none)
  kPercent,  // "35% of tickets had a negative tone, above the 10% norm"
};

// What each sub-score component reads, which parameters shape it and how its
// reason reads, in the order of SupportHealth::Component.
struct ComponentSpec {
  const char* signal;
  const char* rule_id;
  const char* weight_param;
  const char* good_param;  // nullptr: good is 0 (a count where none is best)
  const char* poor_param;
  Wording wording;
  const char* noun;
};

constexpr ComponentSpec kComponents[] = {
    {"avg_first_response_hours", "response_time", "weight_response",
     "response_good_hours", "response_poor_hours", Wording::kHours,
     "Average first response time"},
    {"avg_resolution_hours", "resolution_time", "weight_resolution",
     "resolution_good_hours", "resolution_poor_hours", Wording::kHours,
     "Average resolution time"},
    {kTickets, "ticket_volume", "weight_volume", "tickets_good_90d",
     "tickets_poor_90d", Wording::kVolume, "support ticket"},
    {"high_severity_tickets_90d", "high_severity_tickets", "weight_severity",
     nullptr, "high_severity_poor_90d", Wording::kCount,
     "high-severity ticket"},
    {"negative_tone_tickets_pct", "ticket_tone", "weight_tone",
     "negative_tone_good_pct", "negative_tone_poor_pct", Wording::kPercent,
     "of tickets had a negative tone"},
    {"support_escalations_90d", "escalations", "weight_escalations", nullptr,
     "escalations_poor_90d", Wording::kCount, "escalation"},
};

// Describe() declares these, in this order; the constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"response_good_hours", 4, 0, 8760,
     "Average first response time (hours) at or below which the response "
     "sub-score is 100"},
    {"response_poor_hours", 24, 0, 8760,
     "Average first response time (hours) at or above which the response "
     "sub-score is 0; linear between good and poor"},
    {"resolution_good_hours", 24, 0, 8760,
     "Average resolution time (hours) at or below which the resolution "
     "sub-score is 100"},
    {"resolution_poor_hours", 120, 0, 8760,
     "Average resolution time (hours) at or above which the resolution "
     "sub-score is 0; linear between good and poor"},
    {"tickets_good_90d", 10, 0, 1e6,
     "Support tickets in 90 days at or below which the volume sub-score is "
     "100"},
    {"tickets_poor_90d", 40, 0, 1e6,
     "Support tickets in 90 days at or above which the volume sub-score is 0 "
     "(a heavy support load); linear between good and poor"},
    {"high_severity_poor_90d", 3, 1, 1e6,
     "High-severity tickets in 90 days at or above which the severity "
     "sub-score is 0; none scores 100, linear between"},
    {"negative_tone_good_pct", 10, 0, 100,
     "Share of tickets with a negative tone (%) at or below which the tone "
     "sub-score is 100"},
    {"negative_tone_poor_pct", 50, 0, 100,
     "Share of tickets with a negative tone (%) at or above which the tone "
     "sub-score is 0; linear between good and poor"},
    {"escalations_poor_90d", 2, 1, 1e6,
     "Escalations in 90 days at or above which the escalation sub-score is "
     "0; none scores 100, linear between"},
    {"weight_response", 0.2, 0, 100,
     "Weight of the first-response-time component (renormalized over the "
     "components present)"},
    {"weight_resolution", 0.2, 0, 100,
     "Weight of the resolution-time component"},
    {"weight_volume", 0.15, 0, 100, "Weight of the ticket-volume component"},
    {"weight_severity", 0.15, 0, 100,
     "Weight of the high-severity-ticket component"},
    {"weight_tone", 0.15, 0, 100, "Weight of the ticket-tone component"},
    {"weight_escalations", 0.15, 0, 100, "Weight of the escalation component"},
    {"ticket_surge_alert_pct", 50, 1, 1e6,
     "A rise of support_tickets_90d against support_tickets_prev_90d of this "
     "many percent or more is a warning sign and costs points"},
    {"surge_min_tickets", 5, 0, 1e6,
     "A surge counts only with at least this many tickets in the last 90 "
     "days (2 -> 3 tickets is noise, not a surge)"},
    {"surge_penalty_max", 10, 0, 100,
     "Points taken off for a surge of 100% or more; a smaller surge (at or "
     "above ticket_surge_alert_pct) costs proportionally less"},
    {"education_gap_repeats", 3, 1, 1e6,
     "Repeated questions in 90 days at or above which the customer has an "
     "education gap (costs points and recommends training)"},
    {"repeat_question_penalty", 2, 0, 100,
     "Points taken off per repeated question once the education gap shows"},
    {"repeat_penalty_max", 10, 0, 100,
     "At most this many points are taken off for repeated questions"},
    {"satisfied_above", 85, 0, 100,
     "Above this score the customer is satisfied with support"},
    {"service_issues_below", 60, 0, 100,
     "Below this score the customer has service issues and the dimension "
     "recommends a service review"},
};

// Where a value sits against a component's good and poor marks.
enum class Level { kGood, kBetween, kPoor };

// One readable sentence for a component's reason.
std::string ComponentMessage(const ComponentSpec& spec, double value,
                             Level level, double good, double poor) {
  switch (spec.wording) {
    case Wording::kHours: {
      const std::string text =
          std::string(spec.noun) + " of " + Count(value, "hour") + ", ";
      if (level == Level::kGood) {
        return text + "within the " + Num(good) + "-hour target";
      }
      if (level == Level::kBetween) {
        return text + "slower than the " + Num(good) + "-hour target";
      }
      return text + "at or beyond the " + Num(poor) + "-hour limit";
    }
    case Wording::kVolume: {
      const std::string text =
          Count(value, spec.noun) + " in the last 90 days, ";
      if (level == Level::kGood) {
        return text + "at or below the " + Num(good) + " expected";
      }
      if (level == Level::kBetween) {
        return text + "above the " + Num(good) + " expected";
      }
      return text + "at or above the " + Num(poor) +
             " that mark a heavy support load";
    }
    case Wording::kCount: {
      if (level == Level::kGood) {
        return std::string("No ") + spec.noun + "s in the last 90 days";
      }
      std::string text = Count(value, spec.noun) + " in the last 90 days";
      if (level == Level::kPoor) {
        text += ", at or above the limit of " + Num(poor);
      }
      return text;
    }
    case Wording::kPercent:
      break;
  }
  const std::string text = Num(value) + "% " + spec.noun + ", ";
  if (level == Level::kGood) {
    return text + "at or below the " + Num(good) + "% norm";
  }
  if (level == Level::kBetween) {
    return text + "above the " + Num(good) + "% norm";
  }
  return text + "at or above the " + Num(poor) + "% limit";
}

}  // namespace

sdk::Info SupportHealth::Describe() {
  sdk::Info info;
  info.name = "support_health";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "The customer's support experience: response and resolution times, "
      "ticket volume and its trend, severity, tone, escalations and repeated "
      "questions (an education gap)";
  info.signals = {
      {.name = kComponents[kResponse].signal,
       .unit = "hours",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Average time to the first response on tickets in the last 90 days",
       .min = 0,
       .max = sdk::kNone},
      {.name = kComponents[kResolution].signal,
       .unit = "hours",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Average time to resolve tickets in the last 90 days",
       .min = 0,
       .max = sdk::kNone},
      {.name = kTickets,
       .unit = "count",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kRequired,
       .description = "Support tickets opened in the last 90 days",
       .min = 0,
       .max = sdk::kNone},
      {.name = kComponents[kSeverity].signal,
       .unit = "count",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "High-severity (urgent, business-impacting) tickets in the last 90 "
           "days",
       .min = 0,
       .max = sdk::kNone},
      {.name = kComponents[kTone].signal,
       .unit = "percent",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Share of tickets in the last 90 days whose tone was negative "
           "(frustrated, angry), e.g. from sentiment analysis",
       .min = 0,
       .max = 100},
      {.name = kComponents[kEscalations].signal,
       .unit = "count",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Tickets escalated (to management or engineering) in the last 90 "
           "days",
       .min = 0,
       .max = sdk::kNone},
      // Higher is better for this dimension's score: it is the reference the
      // surge compares support_tickets_90d with, so with the current count
      // fixed a higher previous count means a smaller rise.
      {.name = kPrevTickets,
       .unit = "count",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Support tickets opened in the 90 days before the last 90 (the "
           "surge's reference)",
       .min = 0,
       .max = sdk::kNone},
      {.name = kRepeats,
       .unit = "count",
       .direction = sdk::Direction::kLowerIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Tickets in the last 90 days asking a question the customer had "
           "already been answered (a sign of an education gap)",
       .min = 0,
       .max = sdk::kNone},
  };
  info.params = ParamDecls(kParams);
  return info;
}

SupportHealth::SupportHealth(const sdk::Params& params)
    : ticket_surge_alert_pct_(
          ReadParam(kParams, params, "ticket_surge_alert_pct")),
      surge_min_tickets_(ReadParam(kParams, params, "surge_min_tickets")),
      surge_penalty_max_(ReadParam(kParams, params, "surge_penalty_max")),
      education_gap_repeats_(
          ReadParam(kParams, params, "education_gap_repeats")),
      repeat_question_penalty_(
          ReadParam(kParams, params, "repeat_question_penalty")),
      repeat_penalty_max_(ReadParam(kParams, params, "repeat_penalty_max")),
      satisfied_above_(ReadParam(kParams, params, "satisfied_above")),
      service_issues_below_(
          ReadParam(kParams, params, "service_issues_below")) {
  static_assert(std::size(kComponents) == kNumComponents);
  double weight_sum = 0;
  for (int c = 0; c < kNumComponents; ++c) {
    const ComponentSpec& spec = kComponents[c];
    good_[c] = spec.good_param == nullptr
                   ? 0
                   : ReadParam(kParams, params, spec.good_param);
    poor_[c] = ReadParam(kParams, params, spec.poor_param);
    weight_[c] = ReadParam(kParams, params, spec.weight_param);
    weight_sum += weight_[c];
    // The count components' good mark is 0 and their poor mark's lower bound
    // is 1, so only the pairs of parameters can be out of order.
    if (spec.good_param != nullptr && good_[c] >= poor_[c]) {
      throw std::invalid_argument(std::string(spec.good_param) + " = " +
                                  Exact(good_[c]) + " must be below " +
                                  spec.poor_param + " = " + Exact(poor_[c]));
    }
  }
  if (weight_sum <= 0) {
    throw std::invalid_argument(
        "weight_response, weight_resolution, weight_volume, weight_severity, "
        "weight_tone and weight_escalations are all 0: at least one must be "
        "positive");
  }
  if (service_issues_below_ > satisfied_above_) {
    throw std::invalid_argument(
        "service_issues_below = " + Exact(service_issues_below_) +
        " must not be above satisfied_above = " + Exact(satisfied_above_));
  }
}

bool SupportHealth::Evaluate(const Row& row, Evaluation& eval) const {
  for (int c = 0; c < kNumComponents; ++c) {
    eval.present[c] = !sdk::IsMissing(row.value[c]) && weight_[c] > 0;
    if (!eval.present[c]) continue;
    eval.sub[c] = RampSubScore(row.value[c], poor_[c], good_[c]);
  }
  if (!WeightedMeanOfPresent(weight_, eval.present, eval.sub, eval.share,
                             eval.base)) {
    return false;
  }

  // A surge needs a rise; from a previous count of 0 any rise is the steepest
  // one, which keeps the score from dropping as that count grows from 0.
  const double tickets = row.value[kVolume];
  if (!sdk::IsMissing(row.prev_tickets) && tickets > row.prev_tickets) {
    eval.rise_pct =
        row.prev_tickets > 0
            ? 100.0 * (tickets - row.prev_tickets) / row.prev_tickets
            : std::numeric_limits<double>::infinity();
    if (tickets >= surge_min_tickets_ &&
        eval.rise_pct >= ticket_surge_alert_pct_) {
      eval.surge_fired = true;
      // Capped at the base so the score stays >= 0 and the reasons still add
      // up to it exactly.
      eval.surge_penalty = std::min(
          surge_penalty_max_ * std::min(1.0, eval.rise_pct / 100.0), eval.base);
    }
  }
  const double after_surge = eval.base - eval.surge_penalty;

  if (!sdk::IsMissing(row.repeats) && row.repeats >= education_gap_repeats_) {
    eval.gap_fired = true;
    // A penalty of 0 ignores the count outright (also avoids 0 * huge).
    const double points =
        repeat_question_penalty_ == 0
            ? 0
            : std::min(repeat_penalty_max_,
                       repeat_question_penalty_ * row.repeats);
    eval.gap_penalty = std::min(points, after_surge);
  }
  eval.score = std::clamp(after_surge - eval.gap_penalty, 0.0, 100.0);
  return true;
}

void SupportHealth::Explain(uint32_t index, const Row& row,
                            const Evaluation& eval, sdk::Output& out) const {
  for (int c = 0; c < kNumComponents; ++c) {
    if (!eval.present[c]) continue;
    const double value = row.value[c];
    const Level level = value <= good_[c]   ? Level::kGood
                        : value >= poor_[c] ? Level::kPoor
                                            : Level::kBetween;
    out.AddReason(index,
                  {.rule_id = kComponents[c].rule_id,
                   .signal = kComponents[c].signal,
                   .observed = value,
                   .threshold = level == Level::kPoor ? poor_[c] : good_[c],
                   .impact = eval.share[c] * (eval.sub[c] - kBaseline),
                   .message = ComponentMessage(kComponents[c], value, level,
                                               good_[c], poor_[c])});
  }
  if (eval.surge_fired) {
    const double tickets = row.value[kVolume];
    const bool from_zero = std::isinf(eval.rise_pct);
    out.AddReason(
        index,
        {.rule_id = "ticket_surge",
         .signal = kTickets,
         .observed = from_zero ? sdk::kNone : eval.rise_pct,
         .threshold = ticket_surge_alert_pct_,
         .impact = 0.0 - eval.surge_penalty,  // never -0
         .message = from_zero
                        ? "Support tickets rose from 0 to " + Num(tickets) +
                              " against the previous 90 days"
                        : "Support tickets rose " + Num(eval.rise_pct) +
                              "% against the previous 90 days (" +
                              Num(row.prev_tickets) + " -> " + Num(tickets) +
                              ")"});
    out.AddAction(index,
                  "Find out what drove the rise in support tickets (a "
                  "release, an outage, new users) and fix it with the "
                  "customer");
  }
  if (eval.gap_fired) {
    out.AddReason(index,
                  {.rule_id = "education_gap",
                   .signal = kRepeats,
                   .observed = row.repeats,
                   .threshold = education_gap_repeats_,
                   .impact = 0.0 - eval.gap_penalty,  // never -0
                   .message = Count(row.repeats, "repeated question") +
                              " in the last 90 days (at or above " +
                              Num(education_gap_repeats_) +
                              "): an education gap, the users need training "
                              "rather than more answers"});
    out.AddAction(index,
                  "Offer training on the topics behind the repeated "
                  "questions: a session, office hours or knowledge-base "
                  "articles");
  }

  if (eval.score > satisfied_above_) {
    out.AddReason(index, BandReason("satisfied_with_support", "Support health",
                                    eval.score, "above", satisfied_above_,
                                    "satisfied with support"));
  } else if (eval.score < service_issues_below_) {
    out.AddReason(index,
                  BandReason("service_issues", "Support health", eval.score,
                             "below", service_issues_below_, "service issues"));
    out.AddAction(index,
                  "Hold a service review with the customer: go through open "
                  "and escalated tickets and agree on a fix plan");
  }
}

void SupportHealth::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  std::span<const double> columns[kNumComponents];
  for (int c = 0; c < kNumComponents; ++c) {
    columns[c] = batch.Column(kComponents[c].signal);
  }
  const std::span<const double> prev_tickets = batch.Column(kPrevTickets);
  const std::span<const double> repeats = batch.Column(kRepeats);
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    Row row;
    for (int c = 0; c < kNumComponents; ++c) row.value[c] = columns[c][i];
    row.prev_tickets = prev_tickets[i];
    row.repeats = repeats[i];
    if (sdk::IsMissing(row.value[kVolume])) {
      MarkInsufficientData(out, i,
                           "missing required signal support_tickets_90d");
      continue;
    }
    // The host refuses infinities; this guards a host that does not.
    const char* infinite = nullptr;
    for (int c = 0; c < kNumComponents; ++c) {
      if (std::isinf(row.value[c])) infinite = kComponents[c].signal;
    }
    if (std::isinf(row.prev_tickets)) infinite = kPrevTickets;
    if (std::isinf(row.repeats)) infinite = kRepeats;
    if (FailIfInfinite(out, i, infinite)) continue;

    Evaluation eval;
    if (!Evaluate(row, eval)) {
      MarkInsufficientData(
          out, i,
          "no component with a non-zero weight has data: weight_volume is 0 "
          "and the signals of the weighted components are missing");
      continue;
    }
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
