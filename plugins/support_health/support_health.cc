// The support_health dimension's declarations and scoring: see
// support_health.h.
#include "support_health.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "healthscore/sdk/scoring.h"

namespace healthscore::plugins {

namespace sdk = ::healthscore::sdk;
using Row = SupportHealthRow;
using S = SupportHealth;

namespace {

// A lower-is-better count signal, >= 0.
sdk::Signal Count(std::string name, std::string description, double typical) {
  return {.name = std::move(name),
          .unit = "count",
          .direction = sdk::Direction::kLowerIsBetter,
          .requirement = sdk::Requirement::kOptional,
          .description = std::move(description),
          .min = 0,
          .typical_min = 0,
          .typical_max = typical};
}

sdk::Param P(std::string name, double min, double max,
             std::string description) {
  return {.name = std::move(name),
          .description = std::move(description),
          .min = min,
          .max = max};
}

}  // namespace

S::Declaration S::Declare() {
  sdk::Signal tickets = Count("support_tickets_90d",
                              "Support tickets opened in the last 90 days", 60);
  tickets.requirement = sdk::Requirement::kRequired;
  // Higher is better for this score: it is the surge's reference, so with
  // this quarter's count fixed a higher previous count is a smaller rise.
  sdk::Signal prev = Count("support_tickets_prev_90d",
                           "Support tickets opened in the 90 days before the "
                           "last 90 (the surge's reference)",
                           60);
  prev.direction = sdk::Direction::kHigherIsBetter;
  return {
      .description =
          "The customer's support experience: response and resolution times, "
          "ticket volume and its trend, severity, tone, escalations and "
          "repeated questions (an education gap)",
      .signals =
          {{&Row::response,
            {.name = "avg_first_response_hours",
             .unit = "hours",
             .direction = sdk::Direction::kLowerIsBetter,
             .requirement = sdk::Requirement::kOptional,
             .description = "Average time to the first response on tickets in "
                            "the last 90 days",
             .min = 0,
             .typical_min = 0,
             .typical_max = 48}},
           {&Row::resolution,
            {.name = "avg_resolution_hours",
             .unit = "hours",
             .direction = sdk::Direction::kLowerIsBetter,
             .requirement = sdk::Requirement::kOptional,
             .description =
                 "Average time to resolve tickets in the last 90 days",
             .min = 0,
             .typical_min = 0,
             .typical_max = 240}},
           {&Row::tickets, tickets},
           {&Row::severity,
            Count("high_severity_tickets_90d",
                  "High-severity (urgent, business-impacting) tickets in the "
                  "last 90 days",
                  6)},
           {&Row::tone,
            {.name = "negative_tone_tickets_pct",
             .unit = "percent",
             .direction = sdk::Direction::kLowerIsBetter,
             .requirement = sdk::Requirement::kOptional,
             .description = "Share of tickets in the last 90 days whose tone "
                            "was negative (frustrated, angry), e.g. from "
                            "sentiment analysis",
             .min = 0,
             .max = 100}},
           {&Row::escalations,
            Count("support_escalations_90d",
                  "Tickets escalated (to management or engineering) in the "
                  "last 90 days",
                  5)},
           {&Row::prev_tickets, prev},
           {&Row::repeats,
            Count("repeat_question_tickets_90d",
                  "Tickets in the last 90 days asking a question the customer "
                  "had already been answered (a sign of an education gap)",
                  12)}},
      .params =
          {{&S::response_good_hours_,
            P("response_good_hours", 0, 8760,
              "Average first response time (hours) at or below which the "
              "response sub-score is 100")},
           {&S::response_poor_hours_,
            P("response_poor_hours", 0, 8760,
              "Average first response time (hours) at or above which the "
              "response sub-score is 0; linear between good and poor")},
           {&S::resolution_good_hours_,
            P("resolution_good_hours", 0, 8760,
              "Average resolution time (hours) at or below which the "
              "resolution sub-score is 100")},
           {&S::resolution_poor_hours_,
            P("resolution_poor_hours", 0, 8760,
              "Average resolution time (hours) at or above which the "
              "resolution sub-score is 0; linear between good and poor")},
           {&S::tickets_good_90d_,
            P("tickets_good_90d", 0, 1e6,
              "Support tickets in 90 days at or below which the volume "
              "sub-score is 100")},
           {&S::tickets_poor_90d_,
            P("tickets_poor_90d", 0, 1e6,
              "Support tickets in 90 days at or above which the volume "
              "sub-score is 0 (a heavy support load); linear between good and "
              "poor")},
           {&S::high_severity_poor_90d_,
            P("high_severity_poor_90d", 1, 1e6,
              "High-severity tickets in 90 days at or above which the "
              "severity sub-score is 0; none scores 100, linear between")},
           {&S::negative_tone_good_pct_,
            P("negative_tone_good_pct", 0, 100,
              "Share of tickets with a negative tone (%) at or below which the "
              "tone sub-score is 100")},
           {&S::negative_tone_poor_pct_,
            P("negative_tone_poor_pct", 0, 100,
              "Share of tickets with a negative tone (%) at or above which the "
              "tone sub-score is 0; linear between good and poor")},
           {&S::escalations_poor_90d_,
            P("escalations_poor_90d", 1, 1e6,
              "Escalations in 90 days at or above which the escalation "
              "sub-score is 0; none scores 100, linear between")},
           {&S::weight_response_,
            P("weight_response", 0, 100,
              "Weight of the first-response-time component (renormalized "
              "over the components present)")},
           {&S::weight_resolution_,
            P("weight_resolution", 0, 100,
              "Weight of the resolution-time component")},
           {&S::weight_volume_, P("weight_volume", 0, 100,
                                  "Weight of the ticket-volume component")},
           {&S::weight_severity_,
            P("weight_severity", 0, 100,
              "Weight of the high-severity-ticket component")},
           {&S::weight_tone_,
            P("weight_tone", 0, 100, "Weight of the ticket-tone component")},
           {&S::weight_escalations_, P("weight_escalations", 0, 100,
                                       "Weight of the escalation component")},
           {&S::ticket_surge_alert_pct_,
            P("ticket_surge_alert_pct", 1, 1e6,
              "A rise of support_tickets_90d against support_tickets_prev_90d "
              "of this many percent or more is a warning sign and costs "
              "points")},
           {&S::surge_min_tickets_,
            P("surge_min_tickets", 0, 1e6,
              "A surge counts only with at least this many tickets in the "
              "last 90 days (2 -> 3 tickets is noise, not a surge)")},
           {&S::surge_penalty_max_,
            P("surge_penalty_max", 0, 100,
              "Points taken off for a surge of 100% or more; a smaller surge "
              "(at or above ticket_surge_alert_pct) costs proportionally "
              "less")},
           {&S::education_gap_repeats_,
            P("education_gap_repeats", 1, 1e6,
              "Repeated questions in 90 days at or above which the customer "
              "has an education gap (costs points and recommends training)")},
           {&S::repeat_question_penalty_,
            P("repeat_question_penalty", 0, 100,
              "Points taken off per repeated question once the education gap "
              "shows")},
           {&S::repeat_penalty_max_,
            P("repeat_penalty_max", 0, 100,
              "At most this many points are taken off for repeated "
              "questions")},
           {&S::satisfied_above_,
            P("satisfied_above", 0, 100,
              "Above this score the customer is satisfied with support")},
           {&S::service_issues_below_,
            P("service_issues_below", 0, 100,
              "Below this score the customer has service issues and the "
              "dimension recommends a service review")}},
      // In the order of enum Rule. A component raises the score when its
      // value is nearer the good mark than the poor one (sub-score > 50).
      .rules =
          {{.id = "response_time",
            .signal = "avg_first_response_hours",
            .raises = "Average first response time of {observed}, well within "
                      "the limit of {poor:hours} (target: {threshold})",
            .lowers = "Average first response time of {observed}, near or "
                      "past the limit of {poor:hours} (target: {threshold})",
            .text = "Average first response time of {observed}, halfway "
                    "between the target of {threshold} and the limit of "
                    "{poor:hours}",
            .args = {"poor"}},
           {.id = "resolution_time",
            .signal = "avg_resolution_hours",
            .raises = "Average resolution time of {observed}, well within the "
                      "limit of {poor:hours} (target: {threshold})",
            .lowers = "Average resolution time of {observed}, near or past "
                      "the limit of {poor:hours} (target: {threshold})",
            .text = "Average resolution time of {observed}, halfway between "
                    "the target of {threshold} and the limit of {poor:hours}",
            .args = {"poor"}},
           {.id = "ticket_volume",
            .signal = "support_tickets_90d",
            .raises = "{observed:plural:ticket} in the last 90 days, well "
                      "below the {poor:count} of a heavy support load "
                      "({threshold} expected)",
            .lowers = "{observed:plural:ticket} in the last 90 days, near or "
                      "above the {poor:count} of a heavy support load "
                      "({threshold} expected)",
            .text = "{observed:plural:ticket} in the last 90 days, halfway "
                    "between the {threshold} expected and the {poor:count} of "
                    "a heavy support load",
            .args = {"poor"}},
           {.id = "high_severity_tickets",
            .signal = "high_severity_tickets_90d",
            .raises = "{observed:plural:ticket} of high severity in the last "
                      "90 days, well within the limit of {threshold}",
            .lowers = "{observed:plural:ticket} of high severity in the last "
                      "90 days, near or past the limit of {threshold}",
            .text = "{observed:plural:ticket} of high severity in the last 90 "
                    "days, half the limit of {threshold}"},
           {.id = "ticket_tone",
            .signal = "negative_tone_tickets_pct",
            .raises = "{observed} of tickets had a negative tone, well below "
                      "the {poor:percent} limit (norm: {threshold})",
            .lowers = "{observed} of tickets had a negative tone, near or "
                      "above the {poor:percent} limit (norm: {threshold})",
            .text = "{observed} of tickets had a negative tone, halfway "
                    "between the {threshold} norm and the {poor:percent} limit",
            .args = {"poor"}},
           {.id = "escalations",
            .signal = "support_escalations_90d",
            .raises = "{observed:plural:escalation} in the last 90 days, well "
                      "within the limit of {threshold}",
            .lowers = "{observed:plural:escalation} in the last 90 days, near "
                      "or past the limit of {threshold}",
            .text = "{observed:plural:escalation} in the last 90 days, half "
                    "the limit of {threshold}"},
           {.id = "ticket_surge",
            .signal = "support_tickets_90d",
            .unit = "percent",
            .text = "Support tickets rose from {prev:count} to {now:count} "
                    "against the previous 90 days, a rise of {threshold} or "
                    "more",
            .args = {"prev", "now"}},
           {.id = "education_gap",
            .signal = "repeat_question_tickets_90d",
            .text = "{observed:plural:question} repeated in the last 90 days "
                    "(at or above {threshold}): an education gap, the users "
                    "need training rather than more answers"},
           {.id = "satisfied_with_support",
            .text = "Support health {observed:score} is above "
                    "{threshold:score}: satisfied with support"},
           {.id = "service_issues",
            .text = "Support health {observed:score} is below "
                    "{threshold:score}: service issues"}},
      .actions = {{.id = "find_surge_cause",
                   .text = "Find out what drove the rise in support tickets "
                           "(a release, an outage, new users) and fix it with "
                           "the customer"},
                  {.id = "offer_training",
                   .text = "Offer training on the topics behind the repeated "
                           "questions: a session, office hours or "
                           "knowledge-base articles"},
                  {.id = "service_review",
                   .text = "Hold a service review with the customer: go "
                           "through open and escalated tickets and agree on a "
                           "fix plan"}},
  };
}

void S::Init() {
  // The count components' good mark is 0 and their poor mark's lower bound
  // is 1, so only the pairs of parameters can be out of order.
  struct Marks {
    double good, poor, weight;
    const char* good_name;
    const char* poor_name;
  };
  const Marks marks[kNumComponents] = {
      {response_good_hours_, response_poor_hours_, weight_response_,
       "response_good_hours", "response_poor_hours"},
      {resolution_good_hours_, resolution_poor_hours_, weight_resolution_,
       "resolution_good_hours", "resolution_poor_hours"},
      {tickets_good_90d_, tickets_poor_90d_, weight_volume_, "tickets_good_90d",
       "tickets_poor_90d"},
      {0, high_severity_poor_90d_, weight_severity_, nullptr, nullptr},
      {negative_tone_good_pct_, negative_tone_poor_pct_, weight_tone_,
       "negative_tone_good_pct", "negative_tone_poor_pct"},
      {0, escalations_poor_90d_, weight_escalations_, nullptr, nullptr},
  };
  double weight_sum = 0;
  for (int c = 0; c < kNumComponents; ++c) {
    const Marks& m = marks[c];
    if (m.good_name != nullptr && m.good >= m.poor) {
      throw std::invalid_argument(std::string(m.good_name) + " = " +
                                  sdk::Exact(m.good) + " must be below " +
                                  m.poor_name + " = " + sdk::Exact(m.poor));
    }
    good_[c] = m.good;
    poor_[c] = m.poor;
    weight_[c] = m.weight;
    weight_sum += m.weight;
  }
  if (weight_sum <= 0) {
    throw std::invalid_argument(
        "weight_response, weight_resolution, weight_volume, weight_severity, "
        "weight_tone and weight_escalations are all 0: at least one must be "
        "positive");
  }
  if (service_issues_below_ > satisfied_above_) {
    throw std::invalid_argument(
        "service_issues_below = " + sdk::Exact(service_issues_below_) +
        " must not be above satisfied_above = " + sdk::Exact(satisfied_above_));
  }
}

void S::Evaluate(const Row& row, sdk::RowOutput& out) const {
  const double value[kNumComponents] = {row.response, row.resolution,
                                        row.tickets,  row.severity,
                                        row.tone,     row.escalations};
  bool present[kNumComponents];
  double sub[kNumComponents] = {};
  double share[kNumComponents] = {};
  for (int c = 0; c < kNumComponents; ++c) {
    present[c] = !sdk::IsMissing(value[c]) && weight_[c] > 0;
    if (present[c]) sub[c] = sdk::RampSubScore(value[c], poor_[c], good_[c]);
  }
  double base = 0;
  if (!sdk::WeightedMeanOfPresent(weight_, present, sub, share, base)) {
    return out.InsufficientData(
        "no component with a non-zero weight has data: weight_volume is 0 and "
        "the signals of the weighted components are missing");
  }

  // A surge needs a rise; from a previous count of 0 any rise is the steepest
  // one, which keeps the score from dropping as that count grows from 0.
  double rise_pct = 0;
  double surge_penalty = 0;
  bool surge = false;
  if (!sdk::IsMissing(row.prev_tickets) && row.tickets > row.prev_tickets) {
    rise_pct = row.prev_tickets > 0
                   ? 100.0 * (row.tickets - row.prev_tickets) / row.prev_tickets
                   : std::numeric_limits<double>::infinity();
    surge = row.tickets >= surge_min_tickets_ &&
            rise_pct >= ticket_surge_alert_pct_;
    // Capped at the base so the score stays >= 0 and the reasons add up.
    if (surge) {
      surge_penalty =
          std::min(surge_penalty_max_ * std::min(1.0, rise_pct / 100.0), base);
    }
  }
  const double after_surge = base - surge_penalty;
  const bool gap =
      !sdk::IsMissing(row.repeats) && row.repeats >= education_gap_repeats_;
  double gap_penalty = 0;
  if (gap) {
    // A penalty of 0 ignores the count outright (also avoids 0 * huge).
    const double points =
        repeat_question_penalty_ == 0
            ? 0
            : std::min(repeat_penalty_max_,
                       repeat_question_penalty_ * row.repeats);
    gap_penalty = std::min(points, after_surge);
  }
  const double score = std::clamp(after_surge - gap_penalty, 0.0, 100.0);
  out.Score(score);

  for (int c = 0; c < kNumComponents; ++c) {
    if (!present[c]) continue;
    // The count components' templates name their limit as the threshold.
    const bool limit = c == kSeverity || c == kEscalations;
    out.Reason(static_cast<uint32_t>(c), share[c] * (sub[c] - sdk::kNeutral),
               {.observed = value[c],
                .threshold = limit ? poor_[c] : good_[c],
                .args = {poor_[c]}});
  }
  if (surge) {
    out.Reason(kSurge, -surge_penalty,
               {.observed = row.prev_tickets > 0 ? rise_pct : sdk::kNone,
                .threshold = ticket_surge_alert_pct_,
                .args = {row.prev_tickets, row.tickets}});
    out.Action(kSurgeCause);
  }
  if (gap) {
    out.Reason(kEducationGap, -gap_penalty,
               {.observed = row.repeats, .threshold = education_gap_repeats_});
    out.Action(kTraining);
  }
  if (score > satisfied_above_) {
    out.Reason(kSatisfied, 0,
               {.observed = score, .threshold = satisfied_above_});
  } else if (score < service_issues_below_) {
    out.Reason(kServiceIssues, 0,
               {.observed = score, .threshold = service_issues_below_});
    out.Action(kServiceReview);
  }
}

}  // namespace healthscore::plugins
