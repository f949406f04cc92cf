#!/usr/bin/python3
"""Writes a deterministic sample customer portfolio as CSV for healthscore.

The columns are customer_id, segment and the exact signal names that the
dimensions of the default scorecard (scorecards/default.yaml) read, so the
file feeds `healthscore score --csv` as is. Every value stays inside the
bounds the plugin declares (`healthscore dimensions`). A * marks what a
dimension cannot do without: its required signal, or one of several where it
needs at least one.

  product_adoption     feature_adoption_pct* (percent 0-100), logins_30d,
                       logins_prev_30d (counts), basic_/intermediate_/
                       advanced_feature_use_pct (percent)
  feature_adoption     feature_adoption_pct*, feature_reports_use_pct*,
                       feature_integrations_use_pct*,
                       feature_dashboards_use_pct* (the scorecard's key
                       features), feature_feedback_positive_pct (percent)
  financial_health     revenue_growth_pct* (percent >= -100),
                       avg_transaction_value (usd), late_payments_12m,
                       failed_payments_12m (counts, lower is better)
  support_health       support_tickets_90d*, support_tickets_prev_90d,
                       high_severity_tickets_90d, support_escalations_90d,
                       repeat_question_tickets_90d (counts),
                       avg_first_response_hours, avg_resolution_hours
                       (hours), negative_tone_tickets_pct (percent); the
                       last three empty without tickets (nothing to average)
  satisfaction         csat_90d_pct*, csat_prev_90d_pct (percent),
                       feedback_sentiment_net_90d (-100 to 100)
  relationship_health  days_since_last_contact* (days), touchpoints_90d,
                       touchpoints_prev_90d, business_reviews_12m (counts),
                       has_executive_sponsor, champion_changed_90d (0/1)
  renewal_readiness    days_to_contract_end* (days, negative once past),
                       usage_change_30d_pct* (both required),
                       customer_communications_30d (count)
  engagement           email_open_rate_pct*, social_interactions_30d*,
                       events_attended_90d*, social_interactions_prev_30d
  advocacy             account_nps*, account_nps_prev (-100 to 100),
                       referrals_12m, positive_social_mentions_90d,
                       testimonials_12m, positive_reviews_12m (counts)
  expansion_potential  seat_utilization_pct* (percent, over 100 when more
                       seats are used than licensed), usage_growth_90d_pct,
                       upsell_offers_engaged_90d (count)
  web_engagement       site_visits_7d*, negative_feedback_30d* (counts; the
                       scorecard's own `rules` dimension)
  external_factors     industry_risk_score* (0-100), recent_funding_flag*,
                       layoffs_pct_12m*, merger_or_acquisition_flag* (0/1)
  tenure               months_as_customer* (months), renewal_count

Each customer has a health (0 worst, 1 best) drawn for its archetype, and
each dimension a quality drawn around that health (sd 0.12), so a healthy
customer is good across most dimensions but rarely all of them. A momentum
drawn for the archetype sets every "this period against the one before" pair
the same way: logins, social interactions, CSAT, touchpoints, support
tickets, usage and NPS. Tenure and the external factors follow health only
loosely: they are context, not symptoms.

Archetypes (exact shares of --customers, rows in a seeded random order; the
figures are typical, 10th to 90th percentile):

  healthy   50%  health ~0.69, momentum -5% to +30%: adoption 47-92%,
                 logins and usage flat to rising, deep tier use, revenue
                 growth -5% to +19%, rarely a late payment, 3-18 tickets
                 answered within hours, CSAT 59-91, NPS -9 to +51,
                 customers for 6-120 months.
  at_risk   27%  health ~0.53, and weaker still in support and payments:
                 11-33 tickets, slower answers, negative tone, 1-4 late
                 payments and some failed ones; momentum -15% to -50%:
                 logins, usage, touchpoints and NPS falling, tickets up.
  churning  13%  health ~0.28, momentum -45% to -90%: adoption 9-48%,
                 logins and usage collapsing, revenue shrinking, 3-9 late
                 and 1-5 failed payments, ticket surges, lapsed contacts,
                 detractors, mostly newer customers; some contracts already
                 past their end.
  sparse    10%  a customer of one of the archetypes above (50/35/15) with
                 30-60% of the optional cells left empty, and in addition:
                   2% (at least one) with every signal empty, so the
                        customer cannot be scored at all;
                   the rest without what 0-6 dimensions need (a quarter
                        none, a quarter one, the rest two to six), so those
                        dimensions have INSUFFICIENT_DATA and the score
                        rests on the others.

With scorecards/default.yaml the 1000 customers of the default seed score A
168, B 257, C 274, D 202, F 97 (green 43%, yellow 27%, red 30%), and the 2
without any signal get an error.

Segments: smb 50%, mid_market 30%, enterprise 20%; the segment scales login
counts (team size) and average transaction value (contract size).

Timeline (--timeline-out): the same customers (ids and segments) a year
later, as 52 weekly points: customer_id, segment, as_of (the week's Sunday,
2025-12-07T00:00:00Z to 2026-11-29T00:00:00Z, fixed so that the file does
not depend on today's date), then the same signal columns as the portfolio,
within the same bounds; rows by as_of, then by customer. Each customer has
a health curve and, around it, a quality per dimension drifting smoothly
(AR(1) noise), so a week differs little from the one before; usage leads
the health curve by up to 3 weeks and payments lag it by 6. The windowed
counts (tickets_90d, late_payments_12m, ...) are sums of simulated weekly
events over their window (30 days = 4 weeks, 90 days = 13, 12 months = 52),
and every "previous period" signal is the same sum one period earlier, as
CSAT and NPS of the previous quarter are their values 13 weeks before;
days_since_last_contact counts up to the next touchpoint. Archetypes (exact
shares, drawn from the portfolio archetypes as shown, so that a customer's
last week agrees with its portfolio row in spirit; it is not that row):

  steady        45%  (9 in 10 of the portfolio's healthy) health 0.55-0.92
                     with a small seasonal swing: flat usage, few tickets,
                     CSAT about 75, NPS about +20. Renews on a date in the
                     year: RENEWED 72%, EXPANDED 24% (its seats near full
                     beforehand), CONTRACTED 4% (shelfware).
  recovering    17%  (1 in 10 healthy, 4 in 9 at-risk) starts poor (health
                     about 0.3: adoption ~25%, many tickets, detractors)
                     and improves steadily from around the first week to
                     about 0.6 by weeks 38-56, sometimes after a new
                     champion (30%) or a new executive sponsor. Renews in
                     the second half: RENEWED 85%, EXPANDED 5%, CONTRACTED
                     10%.
  slow_decline  16%  (all churning, 1 in 9 at-risk) health about 0.64 until
                     the decline begins, 4 to 6 months before the churn
                     date (a day in weeks 26-51), then falling ever faster
                     to about 0.25: logins and usage fall first (usage
                     down 30% a month at the end, logins to about a third),
                     adoption and CSAT follow, tickets and late payments
                     rise, NPS falls by about 40, contacts lapse; some lose
                     their executive sponsor or champion on the way. Every
                     one is CHURNED at the churn date, 40% up to 30 days
                     after the contract ended (days_to_contract_end goes
                     negative), and has no point after that date.
  sudden_drop   12%  (4 in 9 at-risk) health about 0.65 until its champion
                     leaves in a week of 26-44: champion_changed_90d is 1
                     for the next 13 weeks, 2 to 6 escalations arrive, and
                     within 1 or 2 weeks CSAT falls by about 25 points and
                     NPS by about 40, usage less; in 3 in 10 the champion
                     went in a layoff. The contract ends 2 to 8 weeks
                     later: CHURNED 80% (no points after), CONTRACTED 20%.
  sparse        10%  (the portfolio's sparse customers) one of the above,
                     drawn as its portfolio base was (healthy as steady or
                     recovering, and so on), with the outcomes of that
                     archetype; the signals empty in its portfolio row are
                     empty every week (the 2 without any signal have none
                     in any week), a tenth of the others are empty on any
                     one week, and 2 to 6 runs of 1 to 5 weeks have no
                     point at all.

Churned customers have points up to their churn date only, so the timeline
has fewer than 52,000 rows (about 47,500 with the defaults).

Accounts: every fourth customer names a parent account (parent_id, acct-01
to acct-30) and its annual contract value (contract_value, USD) on every
row, so that a recorded timeline has account roll-ups; the others leave
both cells empty.

Outcomes (--outcomes-out): one row per customer, by date: customer_id, date
(YYYY-MM-DD, in the timeline's year), kind and value in USD: CHURNED (value
= the annual contract value lost), RENEWED (the contract value renewed),
EXPANDED (renewed, value = the contract value added: 10-50%) or CONTRACTED
(renewed smaller, value = the contract value lost: 10-40%). Annual contract
values by segment: smb $4k-40k, mid_market $40k-250k, enterprise
$250k-2M. A renewal sets days_to_contract_end back to a year and adds one
to renewal_count; months_as_customer is a multiple of 12 on the contract's
end date.

The output is the same for the same --customers and --seed, on any machine
(standard library only); the portfolio does not depend on whether the
timeline is written.

  /usr/bin/python3 scripts/gen_sample_data.py --customers 1000 --out p.csv \
      --timeline-out timeline.csv --outcomes-out outcomes.csv
"""

import argparse
import csv
import datetime
import math
import os
import random
import sys
import tempfile

# Each dimension of the default scorecard, as `healthscore scorecard` lists
# it: its signals (in column order), and the ones it needs (all of them, or
# at least one where the list starts with "any").
DIMENSIONS = [
    ("product_adoption", ["feature_adoption_pct", "logins_30d",
                          "logins_prev_30d", "basic_feature_use_pct",
                          "intermediate_feature_use_pct",
                          "advanced_feature_use_pct"],
     ["feature_adoption_pct"]),
    ("feature_adoption", ["feature_adoption_pct",
                          "feature_feedback_positive_pct",
                          "feature_reports_use_pct",
                          "feature_integrations_use_pct",
                          "feature_dashboards_use_pct"],
     ["any", "feature_adoption_pct", "feature_reports_use_pct",
      "feature_integrations_use_pct", "feature_dashboards_use_pct"]),
    ("financial_health", ["revenue_growth_pct", "avg_transaction_value",
                          "late_payments_12m", "failed_payments_12m"],
     ["revenue_growth_pct"]),
    ("support_health", ["avg_first_response_hours", "avg_resolution_hours",
                        "support_tickets_90d", "high_severity_tickets_90d",
                        "negative_tone_tickets_pct", "support_escalations_90d",
                        "support_tickets_prev_90d",
                        "repeat_question_tickets_90d"],
     ["support_tickets_90d"]),
    ("satisfaction", ["csat_90d_pct", "csat_prev_90d_pct",
                      "feedback_sentiment_net_90d"],
     ["csat_90d_pct"]),
    ("relationship_health", ["days_since_last_contact", "touchpoints_90d",
                             "touchpoints_prev_90d", "has_executive_sponsor",
                             "business_reviews_12m", "champion_changed_90d"],
     ["days_since_last_contact"]),
    ("renewal_readiness", ["days_to_contract_end", "usage_change_30d_pct",
                           "customer_communications_30d"],
     ["days_to_contract_end", "usage_change_30d_pct"]),
    ("engagement", ["email_open_rate_pct", "social_interactions_30d",
                    "social_interactions_prev_30d", "events_attended_90d"],
     ["any", "email_open_rate_pct", "social_interactions_30d",
      "events_attended_90d"]),
    ("advocacy", ["account_nps", "account_nps_prev", "referrals_12m",
                  "positive_social_mentions_90d", "testimonials_12m",
                  "positive_reviews_12m"],
     ["account_nps"]),
    ("expansion_potential", ["seat_utilization_pct", "usage_growth_90d_pct",
                             "upsell_offers_engaged_90d"],
     ["seat_utilization_pct"]),
    ("web_engagement", ["site_visits_7d", "negative_feedback_30d"],
     ["any", "site_visits_7d", "negative_feedback_30d"]),
    ("external_factors", ["industry_risk_score", "recent_funding_flag",
                          "layoffs_pct_12m", "merger_or_acquisition_flag"],
     ["any", "industry_risk_score", "recent_funding_flag", "layoffs_pct_12m",
      "merger_or_acquisition_flag"]),
    ("tenure", ["months_as_customer", "renewal_count"],
     ["months_as_customer"]),
]
SIGNALS = list(dict.fromkeys(s for _, signals, _ in DIMENSIONS
                             for s in signals))
COLUMNS = ["customer_id", "segment"] + SIGNALS
# What a dimension needs: dropping these leaves it INSUFFICIENT_DATA.
NEEDS = {name: [s for s in needs if s != "any"]
         for name, _, needs in DIMENSIONS}
OPTIONAL = [s for s in SIGNALS
            if not any(s in needs for needs in NEEDS.values())]

ARCHETYPE_SHARES = [("healthy", 0.50), ("at_risk", 0.27), ("churning", 0.13),
                    ("sparse", 0.10)]
# Per archetype: health (mean, sd), clamped to 0-1; momentum (low, high), the
# relative change of every "this period against the one before" pair; and
# the dimensions it is weaker in (quality offsets).
ARCHETYPES = {
    "healthy": {"health": (0.69, 0.11), "momentum": (-0.05, 0.30),
                "weak": {}},
    "at_risk": {"health": (0.53, 0.10), "momentum": (-0.50, -0.15),
                "weak": {"support_health": -0.15,
                         "financial_health": -0.10}},
    "churning": {"health": (0.28, 0.08), "momentum": (-0.90, -0.45),
                 "weak": {}},
}
QUALITY_SD = 0.12
SEGMENTS = [("smb", 50), ("mid_market", 30), ("enterprise", 20)]
# Monthly logins of the previous 30 days, and average transaction value in
# USD, per segment: (low, high), drawn log-uniformly because both spread over
# an order of magnitude within a segment.
SEGMENT_LOGINS = {"smb": (20, 200), "mid_market": (150, 1500),
                  "enterprise": (1200, 12000)}
SEGMENT_ATV = {"smb": (150, 1500), "mid_market": (1500, 15000),
               "enterprise": (15000, 150000)}
DEFAULT_SEED = 20240601


def clamp(value, low, high):
    return max(low, min(high, value))


def log_uniform(rng, low, high):
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def poisson(rng, mean):
    """A Poisson count (Knuth's method; the means here are small)."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def flag(rng, probability):
    return 1 if rng.random() < probability else 0


def pct(value):
    return f"{value:.1f}"


def exact_counts(total, shares):
    """Splits total by shares (largest remainder), so the mix is exact."""
    raw = [total * share for _, share in shares]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i],
                          reverse=True)
    for i in by_remainder[:total - sum(counts)]:
        counts[i] += 1
    return {name: n for (name, _), n in zip(shares, counts)}


def tiers(rng, q):
    """Tier usage for quality q; deeper tiers never exceed shallower ones, as
    nobody uses advanced features without the basics."""
    b = clamp(rng.gauss(40 + 60 * q, 6), 5, 100)
    i = min(b, clamp(rng.gauss(100 * q - 10, 10), 0, 95))
    a = min(i, clamp(rng.gauss(100 * q - 40, 10), 0, 80))
    return b, i, a


def customer(rng, archetype, segment):
    profile = ARCHETYPES[archetype]
    health = clamp(rng.gauss(*profile["health"]), 0, 1)
    m = rng.uniform(*profile["momentum"])

    def quality(dimension, spread=QUALITY_SD):
        mean = health + profile["weak"].get(dimension, 0)
        return clamp(rng.gauss(mean, spread), 0, 1)

    row = {}
    # product_adoption and feature_adoption: one product quality for both.
    q = quality("product_adoption")
    prev = log_uniform(rng, *SEGMENT_LOGINS[segment])
    b, i, a = tiers(rng, q)
    row.update({
        "feature_adoption_pct": pct(clamp(rng.gauss(100 * q, 6), 1, 99)),
        "logins_30d": str(round(prev * clamp(1 + m + rng.gauss(0, 0.05),
                                             0, 2))),
        "logins_prev_30d": str(round(prev)),
        "basic_feature_use_pct": pct(b),
        "intermediate_feature_use_pct": pct(i),
        "advanced_feature_use_pct": pct(a),
    })
    q = clamp(q + rng.gauss(0, 0.08), 0, 1)
    row.update({
        "feature_feedback_positive_pct": pct(clamp(rng.gauss(25 + 65 * q, 10),
                                                   0, 100)),
        "feature_reports_use_pct": pct(clamp(rng.gauss(100 * q, 10), 0, 100)),
        "feature_integrations_use_pct": pct(clamp(rng.gauss(100 * q - 10, 12),
                                                  0, 100)),
        "feature_dashboards_use_pct": pct(clamp(rng.gauss(100 * q + 5, 10),
                                                0, 100)),
    })

    q = quality("financial_health")
    atv = log_uniform(rng, *SEGMENT_ATV[segment]) * (0.4 + 0.8 * q)
    if archetype == "healthy":
        late = rng.choices([0, 1, 2], weights=[80, 17, 3])[0]
        failed = rng.choices([0, 1], weights=[92, 8])[0]
    elif archetype == "at_risk":
        late = rng.randint(1, 4)
        failed = rng.choices([0, 1, 2], weights=[50, 35, 15])[0]
    else:
        late = rng.randint(3, 9)
        failed = rng.randint(1, 5)
    row.update({
        "revenue_growth_pct": pct(clamp(rng.gauss(-28 + 50 * q, 5), -95, 60)),
        "avg_transaction_value": f"{atv:.2f}",
        "late_payments_12m": str(late),
        "failed_payments_12m": str(failed),
    })

    q = quality("support_health")
    tickets = poisson(rng, 2 + 40 * (1 - q) ** 1.5)
    trouble = (1 - q) ** 2
    row.update({
        "avg_first_response_hours": pct(clamp(rng.gauss(1 + 26 * (1 - q), 3),
                                              0.2, 96)),
        "avg_resolution_hours": pct(clamp(rng.gauss(10 + 120 * (1 - q), 12),
                                          1, 400)),
        "support_tickets_90d": str(tickets),
        "high_severity_tickets_90d": str(min(tickets,
                                             poisson(rng, 4 * trouble))),
        "negative_tone_tickets_pct": pct(clamp(rng.gauss(55 * (1 - q), 6),
                                               0, 100)),
        "support_escalations_90d": str(min(tickets,
                                           poisson(rng, 3 * trouble))),
        "support_tickets_prev_90d": str(round(tickets / (1 - 0.9 * m))),
        "repeat_question_tickets_90d": str(min(tickets,
                                               poisson(rng, 6 * trouble))),
    })
    if tickets == 0:    # nothing to average: no times, no tone
        for column in ("avg_first_response_hours", "avg_resolution_hours",
                       "negative_tone_tickets_pct"):
            row[column] = ""

    q = quality("satisfaction")
    csat = clamp(rng.gauss(25 + 72 * q, 5), 0, 100)
    row.update({
        "csat_90d_pct": pct(csat),
        "csat_prev_90d_pct": pct(clamp(csat - 20 * m + rng.gauss(0, 2),
                                       0, 100)),
        "feedback_sentiment_net_90d": pct(clamp(rng.gauss(-70 + 140 * q, 12),
                                                -100, 100)),
    })

    q = quality("relationship_health")
    touch_prev = poisson(rng, 1 + 9 * q)
    row.update({
        "days_since_last_contact": str(round(clamp(
            rng.gauss(110 * (1 - q), 10), 0, 365))),
        "touchpoints_90d": str(round(touch_prev * clamp(
            1 + m + rng.gauss(0, 0.1), 0, 2))),
        "touchpoints_prev_90d": str(touch_prev),
        "has_executive_sponsor": str(flag(rng, 0.1 + 0.8 * q)),
        "business_reviews_12m": str(min(6, poisson(rng, 0.3 + 4.5 * q))),
        "champion_changed_90d": str(flag(rng, 0.03 + 0.3 * (1 - q))),
    })

    q = quality("renewal_readiness")
    if archetype == "churning":
        days_left = rng.randint(-30, 300)
    else:
        days_left = rng.randint(5, 365)
    row.update({
        "days_to_contract_end": str(days_left),
        "usage_change_30d_pct": pct(clamp(40 * m + rng.gauss(0, 4),
                                          -100, 100)),
        "customer_communications_30d": str(poisson(rng, 0.3 + 5 * q)),
    })

    q = quality("engagement")
    social_prev = poisson(rng, 1 + 14 * q)
    row.update({
        "email_open_rate_pct": pct(clamp(rng.gauss(5 + 45 * q, 6), 0, 100)),
        "social_interactions_30d": str(round(social_prev * clamp(
            1 + m + rng.gauss(0, 0.1), 0, 2))),
        "social_interactions_prev_30d": str(social_prev),
        "events_attended_90d": str(poisson(rng, 3 * q)),
    })

    q = quality("advocacy")
    nps = clamp(rng.gauss(-70 + 130 * q, 10), -100, 100)
    row.update({
        "account_nps": str(round(nps)),
        "account_nps_prev": str(round(clamp(nps - 40 * m + rng.gauss(0, 4),
                                            -100, 100))),
        "referrals_12m": str(poisson(rng, 3 * q * q)),
        "positive_social_mentions_90d": str(poisson(rng, 4 * q * q)),
        "testimonials_12m": str(poisson(rng, 1.2 * q * q)),
        "positive_reviews_12m": str(poisson(rng, 1.5 * q * q)),
    })

    q = quality("expansion_potential")
    row.update({
        "seat_utilization_pct": pct(clamp(rng.gauss(35 + 65 * q, 8), 1, 130)),
        "usage_growth_90d_pct": pct(clamp(60 * m + rng.gauss(0, 5), -100,
                                          200)),
        "upsell_offers_engaged_90d": str(poisson(rng, 2.5 * q * q)),
    })

    q = quality("web_engagement")
    row.update({
        "site_visits_7d": str(poisson(rng, 1 + 14 * q ** 1.5)),
        "negative_feedback_30d": str(poisson(rng, 3 * (1 - q) ** 2)),
    })

    # Context rather than symptoms: only loosely tied to the customer's
    # health.
    q = clamp(rng.gauss(0.5 + 0.4 * (health - 0.5), 0.2), 0, 1)
    laid_off = rng.random() < 0.05 + 0.3 * (1 - q)
    row.update({
        "industry_risk_score": str(round(clamp(rng.gauss(75 - 55 * q, 10),
                                               0, 100))),
        "recent_funding_flag": str(flag(rng, 0.03 + 0.2 * q)),
        "layoffs_pct_12m": pct(rng.uniform(1, 25) if laid_off else 0),
        "merger_or_acquisition_flag": str(flag(rng, 0.02 + 0.1 * (1 - q))),
    })

    if archetype == "healthy":
        months = log_uniform(rng, 6, 120)
    elif archetype == "at_risk":
        months = log_uniform(rng, 3, 84)
    else:
        months = log_uniform(rng, 1, 48)
    row.update({
        "months_as_customer": str(round(months)),
        "renewal_count": str(int(months // 12)),
    })
    return row, health


def sparse_gaps(rng, n_sparse):
    """The signals each sparse row lacks besides its optional gaps, in a
    shuffled order: None for every signal, else a list."""
    if n_sparse == 0:
        return []
    n_none = min(n_sparse, max(1, round(n_sparse * 0.02)))
    gaps = [None] * n_none
    names = [name for name, _, _ in DIMENSIONS]
    for _ in range(n_sparse - n_none):
        k = rng.choices(range(7), weights=[25, 25, 14, 12, 10, 8, 6])[0]
        gaps.append([s for name in rng.sample(names, k)
                     for s in NEEDS[name]])
    rng.shuffle(gaps)
    return gaps


def portfolio(n, seed):
    """The portfolio's customers in order: (row, archetype, base, health),
    where base is the archetype a sparse customer was drawn as (else the
    archetype itself) and health the customer's drawn health."""
    rng = random.Random(seed)
    counts = exact_counts(n, ARCHETYPE_SHARES)
    archetypes = [name for name, _ in ARCHETYPE_SHARES
                  for _ in range(counts[name])]
    rng.shuffle(archetypes)
    gaps = iter(sparse_gaps(rng, counts["sparse"]))
    width = max(4, len(str(n)))
    segment_names = [s for s, _ in SEGMENTS]
    segment_weights = [w for _, w in SEGMENTS]
    for index, archetype in enumerate(archetypes, start=1):
        segment = rng.choices(segment_names, weights=segment_weights)[0]
        if archetype == "sparse":
            base = rng.choices(["healthy", "at_risk", "churning"],
                               weights=[50, 35, 15])[0]
            row, health = customer(rng, base, segment)
            share = rng.uniform(0.3, 0.6)
            for column in rng.sample(OPTIONAL, round(len(OPTIONAL) * share)):
                row[column] = ""
            missing = next(gaps)
            for column in SIGNALS if missing is None else missing:
                row[column] = ""
        else:
            base = archetype
            row, health = customer(rng, archetype, segment)
        row["customer_id"] = f"cust-{index:0{width}d}"
        row["segment"] = segment
        yield row, archetype, base, health


def generate(n, seed):
    """The portfolio's rows (dicts keyed by COLUMNS)."""
    for row, _, _, _ in portfolio(n, seed):
        yield row


# --- The timeline and the outcomes -----------------------------------------

TIMELINE_WEEKS = 52
TIMELINE_LAST = datetime.date(2026, 11, 29)
TIMELINE_FIRST = TIMELINE_LAST - datetime.timedelta(weeks=TIMELINE_WEEKS - 1)
LAST_DAY = 7 * (TIMELINE_WEEKS - 1)     # days from the first point to the last
# Weeks simulated before the first point, so that every rolling window (up to
# 12 months) and every "previous period" is full from the first point on.
HISTORY = 52
SPAN = HISTORY + TIMELINE_WEEKS         # index i is week i - HISTORY
TIMELINE_COLUMNS = (["customer_id", "segment", "as_of", "parent_id",
                     "contract_value"] + SIGNALS)
# Every fourth customer belongs to one of 30 parent accounts (acct-01 ..
# acct-30), weighted by its annual contract value; the rest have no parent.
PARENT_ACCOUNTS = 30
OUTCOME_COLUMNS = ["customer_id", "date", "kind", "value"]

# Which timeline archetype each portfolio archetype becomes (exact shares
# within it); a sparse customer becomes one drawn the same way from its base.
TIMELINE_SPLIT = {
    "healthy": [("steady", 0.9), ("recovering", 0.1)],
    "at_risk": [("sudden_drop", 4 / 9), ("recovering", 4 / 9),
                ("slow_decline", 1 / 9)],
    "churning": [("slow_decline", 1.0)],
}
# Outcomes per timeline archetype (exact shares of the customers with that
# archetype as their base, sparse ones included).
OUTCOME_SPLIT = {
    "steady": [("RENEWED", 0.72), ("EXPANDED", 0.24), ("CONTRACTED", 0.04)],
    "recovering": [("RENEWED", 0.85), ("EXPANDED", 0.05),
                   ("CONTRACTED", 0.10)],
    "sudden_drop": [("CHURNED", 0.80), ("CONTRACTED", 0.20)],
    "slow_decline": [("CHURNED", 1.0)],
}
# Annual contract value in USD per segment (low, high), log-uniform.
SEGMENT_ACV = {"smb": (4000, 40000), "mid_market": (40000, 250000),
               "enterprise": (250000, 2000000)}
# The latent qualities of a timeline: dimension -> (lead in weeks: how much
# earlier than the customer's health it moves, share of a sudden drop it
# takes). Usage leads, payments and advocacy lag; a champion leaving hits
# satisfaction, relationship and support hardest and payments least.
TIMELINE_DIMENSIONS = {
    "product": (3, 0.6), "financial": (-6, 0.3), "support": (0, 1.2),
    "satisfaction": (-1, 1.3), "relationship": (-1, 1.2),
    "renewal": (0, 0.9), "engagement": (2, 0.9), "advocacy": (-2, 1.1),
    "expansion": (1, 0.8), "web": (2, 0.8),
}
# The portfolio's weaker dimensions, as timeline dimensions.
WEAK_AS_TIMELINE = {"support_health": "support",
                    "financial_health": "financial"}
TICKET_AVERAGES = ("avg_first_response_hours", "avg_resolution_hours",
                   "negative_tone_tickets_pct")


def deal(rng, n, shares):
    """n labels in exact shares (largest remainder), in a random order."""
    total = sum(share for _, share in shares)
    counts = exact_counts(n, [(name, share / total) for name, share in shares])
    labels = [name for name, _ in shares for _ in range(counts[name])]
    rng.shuffle(labels)
    return labels


def smooth_noise(rng, n, sd, phi=0.85):
    """AR(1) noise with standard deviation sd: it drifts from week to week
    rather than jumping."""
    # Steps of three uniforms summed (near enough normal, and faster).
    step = 2 * sd * math.sqrt(1 - phi * phi)
    r = rng.random
    x, out = rng.gauss(0, sd), []
    for _ in range(n):
        out.append(x)
        x = phi * x + step * (r() + r() + r() - 1.5)
    return out


def weekly_events(rng, rates, start=0, extra=None):
    """Prefix sums of weekly Poisson counts at the given rates (plus extra
    counts), from index start on (none before): window sums are differences
    of two entries."""
    sums, total = [0] * (SPAN + 1), 0
    for i in range(start, SPAN):
        total += poisson(rng, rates[i]) + (extra[i] if extra else 0)
        sums[i + 1] = total
    return sums


def window(sums, i, weeks):
    """Events in the `weeks` weeks ending with index i."""
    return sums[i + 1] - sums[max(0, i + 1 - weeks)]


def flag_weeks(events, length):
    """0/1 per index: 1 within `length` weeks of an event (week numbers)."""
    out = [0] * SPAN
    for week in events:
        for i in range(max(0, week + HISTORY),
                       min(SPAN, week + HISTORY + length)):
            out[i] = 1
    return out


def timeline_plans(customers, rng):
    """Assigns each portfolio customer its timeline archetype, base and
    outcome kind."""
    plans = []
    by_archetype = {}
    for row, archetype, base, health in customers:
        plan = {"id": row["customer_id"], "segment": row["segment"],
                "health": health, "portfolio": base,
                "sparse": archetype == "sparse",
                "blank": [s for s in SIGNALS if row[s] == ""]}
        plans.append(plan)
        by_archetype.setdefault(archetype, []).append(plan)
    for archetype, split in TIMELINE_SPLIT.items():
        group = by_archetype.get(archetype, [])
        for plan, kind in zip(group, deal(rng, len(group), split)):
            plan["base"] = kind
    for plan in by_archetype.get("sparse", []):
        split = TIMELINE_SPLIT[plan["portfolio"]]
        plan["base"] = rng.choices([k for k, _ in split],
                                   weights=[w for _, w in split])[0]
    for base, split in OUTCOME_SPLIT.items():
        group = [plan for plan in plans if plan["base"] == base]
        for plan, kind in zip(group, deal(rng, len(group), split)):
            plan["outcome"] = kind
    for plan in plans:
        plan["archetype"] = "sparse" if plan["sparse"] else plan["base"]
    return plans


def schedule(rng, plan):
    """Draws the customer's story: its health curve, contract and events.
    Returns (level(t), shock(t)) and fills plan with the dates (as days
    from the first point)."""
    base, outcome, health = plan["base"], plan["outcome"], plan["health"]
    plan["acv"] = round(log_uniform(rng, *SEGMENT_ACV[plan["segment"]]), -2)
    plan["champion"], plan["churn_day"] = [], None
    shock = None
    if base == "steady":
        level0 = clamp(health + rng.gauss(0, 0.03), 0.55, 0.92)
        amplitude, phase = rng.uniform(0.01, 0.04), rng.uniform(0, 52)

        def level(t):
            return level0 + amplitude * math.sin(2 * math.pi * (t + phase)
                                                 / 52)
        plan["end"] = rng.randint(0, LAST_DAY)
        plan["renewals"] = max(1, math.ceil(log_uniform(rng, 6, 120) / 12))
        if rng.random() < 0.06:
            plan["champion"].append(rng.randint(-12, 51))
    elif base == "recovering":
        low = clamp(rng.gauss(0.30, 0.05), 0.15, 0.42)
        high = clamp(max(health, low + 0.25) + rng.gauss(0, 0.03),
                     low + 0.2, 0.85)
        start, stop = rng.uniform(-6, 8), rng.uniform(38, 56)

        def level(t):
            x = clamp((t - start) / (stop - start), 0, 1)
            return low + (high - low) * x ** 0.9
        plan["end"] = rng.randint(26 * 7, LAST_DAY)
        plan["renewals"] = rng.randint(1, 6)
        if rng.random() < 0.3:      # a new champion turned it around
            plan["champion"].append(round(start) - rng.randint(0, 4))
    elif base == "sudden_drop":
        level0 = clamp(health + 0.12 + rng.gauss(0, 0.04), 0.52, 0.85)
        drop = rng.uniform(0.22, 0.36)
        week = rng.randint(26, 44)
        ramp = rng.choice([1, 2])       # weeks for the drop to be complete
        plan["drop_week"], plan["drop_ramp"] = week, ramp
        plan["champion"].append(week)

        def level(t):
            return level0 - 0.0015 * max(0.0, t - week)

        def shock(t):
            return -drop * clamp((t - week + 1) / ramp, 0, 1)
        plan["end"] = rng.randint(7 * week + 14,
                                  min(LAST_DAY, 7 * week + 56))
        if outcome == "CHURNED":
            grace = rng.randint(1, 14) if rng.random() < 0.3 else 0
            plan["churn_day"] = min(LAST_DAY, plan["end"] + grace)
        plan["renewals"] = rng.randint(1, 8)
    else:   # slow_decline
        high = clamp(rng.gauss(0.64, 0.06), 0.5, 0.8)
        if plan["portfolio"] == "churning":
            low = clamp(health, 0.08, 0.42)
        else:
            low = clamp(rng.gauss(0.26, 0.06), 0.08, 0.42)
        churn = rng.randint(26 * 7, LAST_DAY)
        stop = churn / 7
        start = stop - rng.uniform(17.4, 26.1)     # 4 to 6 months before
        plan["decline_start"] = start

        def level(t):     # still falling after it (usage leads health)
            x = max(0.0, (t - start) / (stop - start))
            return high - (high - low) * x ** 1.3
        grace = rng.randint(1, 30) if rng.random() < 0.4 else 0
        plan["churn_day"], plan["end"] = churn, churn - grace
        plan["renewals"] = rng.choices([1, 2, 3, 4],
                                       weights=[50, 25, 15, 10])[0]
        if rng.random() < 0.35:
            plan["champion"].append(rng.randint(math.ceil(start),
                                                math.floor(stop)))
    if outcome == "CHURNED":
        plan["outcome_day"] = plan["churn_day"]
        plan["value"] = plan["acv"]
    else:
        plan["outcome_day"] = plan["end"]
        plan["value"] = {"RENEWED": 1.0, "EXPANDED": rng.uniform(0.1, 0.5),
                         "CONTRACTED": rng.uniform(0.1, 0.4)}[outcome] * \
            plan["acv"]
    return level, shock or (lambda t: 0.0)


def timeline_customer(rng, plan):
    """The weekly rows of one customer (week number, list of cells)."""
    level, shock = schedule(rng, plan)
    outcome = plan["outcome"]
    weak = ARCHETYPES[plan["portfolio"]]["weak"]
    offsets = {d: rng.gauss(0, 0.09) for d in TIMELINE_DIMENSIONS}
    for dimension, offset in weak.items():
        offsets[WEAK_AS_TIMELINE[dimension]] += offset
    # A customer on its way out pays late, more and more.
    if plan["base"] == "slow_decline":
        offsets["financial"] -= 0.12
    # Shelfware before a contraction, full seats before an expansion.
    offsets["expansion"] += {"EXPANDED": 0.15,
                             "CONTRACTED": -0.15}.get(outcome, 0)
    # The health curve from 6 weeks before index 0 to 6 after the last.
    levels = [level(i - HISTORY) for i in range(-6, SPAN + 6)]
    shocks = [shock(i - HISTORY) for i in range(SPAN)]
    q = {}
    for dimension, (lead, hit) in TIMELINE_DIMENSIONS.items():
        # (Without noise in the first half of the history, which only the
        # 12-month windows reach back to.)
        drift = [0.0] * 26 + smooth_noise(rng, SPAN - 26, 0.025)
        off = offsets[dimension]
        q[dimension] = [max(0.0, min(1.0, levels[i + 6 + lead] + off
                                     + hit * shocks[i] + drift[i]))
                        for i in range(SPAN)]
    # The key features: the product quality, give or take.
    features = rng.gauss(0, 0.06)
    q["features"] = [clamp(v + features, 0, 1) for v in q["product"]]

    def noise(sd, before=0):     # per signal, from `before` weeks earlier
        return [0.0] * (HISTORY - before) + smooth_noise(
            rng, SPAN - HISTORY + before, sd)

    # Usage (an index around 1) and the windows of weekly events.
    usage_noise = noise(0.03, 16)
    usage = [(0.1 + 1.8 * v ** 1.3) * (1 + usage_noise[i])
             for i, v in enumerate(q["product"])]
    team = log_uniform(rng, *SEGMENT_LOGINS[plan["segment"]]) / 1.2
    qs, qf, qr = q["support"], q["financial"], q["relationship"]
    tickets_rate = [(2 + 40 * (1 - v) ** 1.5) / 13 for v in qs]
    trouble = [(1 - v) ** 2 for v in qs]
    burst = [0] * SPAN
    if "drop_week" in plan:     # the champion left: 2 to 6 escalations
        week, ramp = plan["drop_week"], plan["drop_ramp"]
        for i in range(week + HISTORY, week + HISTORY + ramp):
            burst[i] = rng.randint(2, 4) if ramp == 1 else rng.randint(1, 3)
    escalations = weekly_events(rng, [3 * t / 13 for t in trouble], 26,
                                burst)
    tickets = weekly_events(rng, [r + 1.5 * b for r, b
                                  in zip(tickets_rate, burst)], 26)
    # Escalated tickets are tickets too.
    tickets = [t + e for t, e in zip(tickets, escalations)]
    high_severity = weekly_events(rng, [4 * t / 13 + 0.5 * b for t, b
                                        in zip(trouble, burst)], 26)
    repeats = weekly_events(rng, [6 * t / 13 for t in trouble], 26)
    late = weekly_events(rng, [14 * (1 - v) ** 3.5 / 52 for v in qf])
    failed = weekly_events(rng, [6 * (1 - v) ** 4 / 52 for v in qf])
    touches = weekly_events(rng, [(0.15 + 10 * v ** 1.5) / 13 for v in qr],
                            26)
    reviews = weekly_events(rng, [(0.3 + 4.5 * v) / 52 for v in qr])
    comms = weekly_events(rng, [(0.3 + 5 * v) / 4.3 for v in q["renewal"]],
                          HISTORY - 8)
    social = weekly_events(rng, [(1 + 14 * v) / 4.3
                                 for v in q["engagement"]], HISTORY - 8)
    events = weekly_events(rng, [3 * v / 13 for v in q["engagement"]], 26)
    qa = q["advocacy"]
    referrals = weekly_events(rng, [3 * v * v / 52 for v in qa])
    mentions = weekly_events(rng, [4 * v * v / 13 for v in qa], 26)
    testimonials = weekly_events(rng, [1.2 * v * v / 52 for v in qa])
    good_reviews = weekly_events(rng, [1.5 * v * v / 52 for v in qa])
    upsells = weekly_events(rng, [2.5 * v * v / 13
                                  for v in q["expansion"]], 26)
    complaints = weekly_events(rng, [3 * (1 - v) ** 2 / 4.3
                                     for v in q["web"]], HISTORY - 8)
    # The day of the week of each touch, for days_since_last_contact.
    touch_day = [rng.randint(0, 6) for _ in range(SPAN)]

    # Slow-moving flags and context.
    champion = flag_weeks(plan["champion"], 13)
    sponsor_from = None
    sponsored = rng.random() < 0.1 + 0.8 * q["relationship"][HISTORY]
    if plan["base"] == "slow_decline" and sponsored and rng.random() < 0.5:
        sponsor_from = rng.randint(math.ceil(plan["decline_start"]),
                                   plan["churn_day"] // 7)   # lost
    elif plan["base"] == "recovering" and not sponsored \
            and rng.random() < 0.5:
        sponsor_from = rng.randint(10, 40)                   # gained
    context = clamp(rng.gauss(0.5 + 0.4 * (plan["health"] - 0.5), 0.2), 0, 1)
    risk0 = clamp(rng.gauss(75 - 55 * context, 10), 3, 97)
    risk_noise = noise(2.0)

    def event_week(probability):
        return [rng.randint(-HISTORY + 1, TIMELINE_WEEKS - 1)] \
            if rng.random() < probability else []
    funding = flag_weeks(event_week(0.03 + 0.2 * context), 26)
    merger = flag_weeks(event_week(0.02 + 0.1 * (1 - context)), 52)
    layoffs = event_week(0.05 + 0.3 * (1 - context))
    if "drop_week" in plan and rng.random() < 0.3:
        layoffs = [plan["drop_week"]]       # the champion was laid off
    layoff_flag = flag_weeks(layoffs, 52)
    layoff_pct = rng.uniform(1, 25)
    atv = log_uniform(rng, *SEGMENT_ATV[plan["segment"]])
    start_day = plan["end"] - 365 * plan["renewals"]
    renewed = outcome != "CHURNED"
    seat_after = {"EXPANDED": 0.8, "CONTRACTED": 1.25}.get(outcome, 1.0)

    # The "previous quarter" of CSAT and NPS is their value 13 weeks ago.
    n = {name: noise(sd, 13 if name in ("csat", "nps") else 0)
         for name, sd in [
        ("adoption", 2.5), ("basic", 3), ("intermediate", 3),
        ("advanced", 3), ("feedback", 3), ("reports", 3),
        ("integrations", 3), ("dashboards", 3), ("growth", 2),
        ("atv", 0.03), ("response", 1.5), ("resolution", 6), ("tone", 3),
        ("csat", 1.5), ("sentiment", 4), ("email", 2), ("nps", 3),
        ("seats", 2.5), ("visits", 0.1)]}
    csat = [clamp(25 + 72 * v + n["csat"][i], 0, 100)
            for i, v in enumerate(q["satisfaction"])]
    nps = [round(clamp(-70 + 130 * v + n["nps"][i], -100, 100))
           for i, v in enumerate(qa)]

    last_week = TIMELINE_WEEKS - 1
    if plan["churn_day"] is not None:
        last_week = plan["churn_day"] // 7
    rows = []
    last_touch = None
    for i in range(SPAN):
        if window(touches, i, 1) > 0:
            last_touch = i
        week = i - HISTORY
        if week < 0:
            continue
        if week > last_week:
            break
        day = 7 * week
        qp, qx, qw = q["product"][i], q["expansion"][i], q["web"][i]
        qfe = q["features"][i]
        basic = clamp(40 + 60 * qp + n["basic"][i], 5, 100)
        intermediate = min(basic, clamp(100 * qp - 10 + n["intermediate"][i],
                                        0, 95))
        advanced = min(intermediate, clamp(100 * qp - 40 + n["advanced"][i],
                                           0, 80))
        # Usage of the last 4 weeks, of the 4 before, of 4 a quarter ago.
        month = sum(usage[i - 3:i + 1]) / 4
        month_before = sum(usage[i - 7:i - 3]) / 4
        quarter_ago = sum(usage[i - 16:i - 12]) / 4
        ticket_count = window(tickets, i, 13)
        qs_i, qsat = qs[i], q["satisfaction"][i]
        if last_touch is None:     # none in the 26 weeks simulated
            since = 7 * (i - 26) + 30
        else:
            since = 7 * (i - last_touch) + touch_day[last_touch]
        # Renewed for a year on the end date; a churner stays past it.
        contract_end = plan["end"] + (365 if renewed and day >= plan["end"]
                                      else 0)
        seat = clamp(35 + 65 * qx + n["seats"][i], 1, 130)
        if day >= plan["end"]:
            seat = clamp(seat * seat_after, 1, 130)
        sponsor = sponsored
        if sponsor_from is not None and week >= sponsor_from:
            sponsor = not sponsored
        months = (day - start_day) / 30.44
        values = [
            # product_adoption
            pct(clamp(100 * qp + n["adoption"][i], 1, 99)),
            str(round(team * month)), str(round(team * month_before)),
            pct(basic), pct(intermediate), pct(advanced),
            # feature_adoption
            pct(clamp(25 + 65 * qfe + n["feedback"][i], 0, 100)),
            pct(clamp(100 * qfe + n["reports"][i], 0, 100)),
            pct(clamp(100 * qfe - 10 + n["integrations"][i], 0, 100)),
            pct(clamp(100 * qfe + 5 + n["dashboards"][i], 0, 100)),
            # financial_health
            pct(clamp(-28 + 50 * qf[i] + n["growth"][i], -95, 60)),
            f"{atv * (0.4 + 0.8 * qf[i]) * (1 + n['atv'][i]):.2f}",
            str(window(late, i, 52)), str(window(failed, i, 52)),
            # support_health
            pct(clamp(1 + 26 * (1 - qs_i) + n["response"][i], 0.2, 96)),
            pct(clamp(10 + 120 * (1 - qs_i) + n["resolution"][i], 1, 400)),
            str(ticket_count),
            str(min(ticket_count, window(high_severity, i, 13))),
            pct(clamp(55 * (1 - qs_i) + n["tone"][i], 0, 100)),
            str(min(ticket_count, window(escalations, i, 13))),
            str(window(tickets, i - 13, 13)),
            str(min(ticket_count, window(repeats, i, 13))),
            # satisfaction
            pct(csat[i]), pct(csat[i - 13]),
            pct(clamp(-70 + 140 * qsat + n["sentiment"][i], -100, 100)),
            # relationship_health
            str(since), str(window(touches, i, 13)),
            str(window(touches, i - 13, 13)), str(int(sponsor)),
            str(min(6, window(reviews, i, 52))), str(champion[i]),
            # renewal_readiness
            str(contract_end - day),
            pct(clamp(100 * (month / month_before - 1), -100, 100)),
            str(window(comms, i, 4)),
            # engagement
            pct(clamp(5 + 45 * q["engagement"][i] + n["email"][i], 0, 100)),
            str(window(social, i, 4)), str(window(social, i - 4, 4)),
            str(window(events, i, 13)),
            # advocacy
            str(nps[i]), str(nps[i - 13]), str(window(referrals, i, 52)),
            str(window(mentions, i, 13)), str(window(testimonials, i, 52)),
            str(window(good_reviews, i, 52)),
            # expansion_potential
            pct(seat), pct(clamp(100 * (month / quarter_ago - 1), -100, 200)),
            str(window(upsells, i, 13)),
            # web_engagement
            str(max(0, round((1 + 14 * qw ** 1.5) * (1 + n["visits"][i])))),
            str(window(complaints, i, 4)),
            # external_factors
            str(round(clamp(risk0 + risk_noise[i], 0, 100))),
            str(funding[i]), pct(layoff_pct if layoff_flag[i] else 0),
            str(merger[i]),
            # tenure
            str(round(months)),
            str(plan["renewals"] - 1 + (renewed and day >= plan["end"])),
        ]
        rows.append((week, values))
    return rows


SIGNAL_INDEX = {s: k for k, s in enumerate(SIGNALS)}


def blank_sparse(rng, plan, rows):
    """A sparse customer: its portfolio row's empty signals empty every
    week, a tenth of the others empty on any one week, and 2 to 6 runs of
    1 to 5 weeks with no point at all."""
    missing = set()
    for _ in range(rng.randint(2, 6)):
        start = rng.randint(0, TIMELINE_WEEKS - 1)
        missing.update(range(start, start + rng.randint(1, 5)))
    always = [SIGNAL_INDEX[s] for s in plan["blank"]]
    sometimes = [k for k in range(len(SIGNALS)) if k not in set(always)]
    kept = []
    for week, values in rows:
        if week in missing:
            continue
        for k in always:
            values[k] = ""
        for k in sometimes:
            if rng.random() < 0.1:
                values[k] = ""
        kept.append((week, values))
    return kept


def timeline(customers, seed):
    """The timeline rows (as_of first, then customer order) and the
    outcomes, for the portfolio's customers."""
    rng = random.Random(f"timeline-{seed}")
    plans = timeline_plans(customers, rng)
    weeks = [[] for _ in range(TIMELINE_WEEKS)]
    dates = [(TIMELINE_FIRST + datetime.timedelta(weeks=w)).isoformat()
             + "T00:00:00Z" for w in range(TIMELINE_WEEKS)]
    outcomes = []
    for k, plan in enumerate(plans):
        rows = timeline_customer(rng, plan)
        parent, value = "", ""
        if k % 4 == 0:
            parent = f"acct-{(k // 4) % PARENT_ACCOUNTS + 1:02d}"
            value = f"{plan['acv']:.0f}"
        if plan["sparse"]:
            rows = blank_sparse(rng, plan, rows)
        for week, values in rows:
            # Nothing to average without tickets: no times, no tone.
            if values[SIGNAL_INDEX["support_tickets_90d"]] == "0":
                for column in TICKET_AVERAGES:
                    values[SIGNAL_INDEX[column]] = ""
            weeks[week].append([plan["id"], plan["segment"], dates[week],
                                parent, value] + values)
        date = TIMELINE_FIRST + datetime.timedelta(days=plan["outcome_day"])
        outcomes.append((plan["outcome_day"], plan["id"],
                         [plan["id"], date.isoformat(), plan["outcome"],
                          f"{plan['value']:.2f}"]))
    outcomes.sort(key=lambda o: o[:2])
    return ([row for rows in weeks for row in rows],
            [o[2] for o in outcomes], plans)


def write_csv(path, header, rows, prefix):
    """Writes rows (lists) under header to path, or standard output for -."""
    if path == "-":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return
    # Written to a temporary file and renamed, so that an interrupted build
    # never leaves a truncated file that looks up to date.
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=prefix)
    try:
        with os.fdopen(fd, "w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1000,
                        help="number of customers (default 1000)")
    parser.add_argument("--out", default="-",
                        help="portfolio file (default: standard output)")
    parser.add_argument("--timeline-out", metavar="PATH",
                        help="also write the customers' 52 weekly points "
                        "here (- for standard output)")
    parser.add_argument("--outcomes-out", metavar="PATH",
                        help="also write the customers' outcomes here "
                        "(- for standard output)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    if args.customers < 1:
        parser.error("--customers must be at least 1")
    outputs = [args.out, args.timeline_out, args.outcomes_out]
    if outputs.count("-") > 1:
        parser.error("only one output can be standard output")

    customers = list(portfolio(args.customers, args.seed))
    write_csv(args.out, COLUMNS,
              ([row[c] for c in COLUMNS] for row, _, _, _ in customers),
              ".portfolio-")
    if args.timeline_out is None and args.outcomes_out is None:
        return 0
    points, outcomes, plans = timeline(customers, args.seed)
    if args.timeline_out is not None:
        write_csv(args.timeline_out, TIMELINE_COLUMNS, points, ".timeline-")
    if args.outcomes_out is not None:
        write_csv(args.outcomes_out, OUTCOME_COLUMNS, outcomes, ".outcomes-")
    kinds = {}
    for plan in plans:
        kinds[plan["archetype"]] = kinds.get(plan["archetype"], 0) + 1
    print(f"gen_sample_data: {len(customers)} customers "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), "
          f"{len(points)} weekly points, {len(outcomes)} outcomes",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
