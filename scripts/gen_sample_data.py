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
165, B 261, C 304, D 168, F 100 (green 43%, yellow 30%, red 27%), and the 2
without any signal get an error.

Segments: smb 50%, mid_market 30%, enterprise 20%; the segment scales login
counts (team size) and average transaction value (contract size).

The output is the same for the same --customers and --seed, on any machine
(standard library only).

  /usr/bin/python3 scripts/gen_sample_data.py --customers 1000 --out p.csv
"""

import argparse
import csv
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
    return row


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


def generate(n, seed):
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
            row = customer(rng, base, segment)
            share = rng.uniform(0.3, 0.6)
            for column in rng.sample(OPTIONAL, round(len(OPTIONAL) * share)):
                row[column] = ""
            missing = next(gaps)
            for column in SIGNALS if missing is None else missing:
                row[column] = ""
        else:
            row = customer(rng, archetype, segment)
        row["customer_id"] = f"cust-{index:0{width}d}"
        row["segment"] = segment
        yield row


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1000,
                        help="number of customers (default 1000)")
    parser.add_argument("--out", default="-",
                        help="output file (default: standard output)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    if args.customers < 1:
        parser.error("--customers must be at least 1")

    rows = generate(args.customers, args.seed)
    if args.out == "-":
        writer = csv.DictWriter(sys.stdout, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return 0
    # Written to a temporary file and renamed, so that an interrupted build
    # never leaves a truncated portfolio that looks up to date.
    directory = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".portfolio-")
    try:
        with os.fdopen(fd, "w", newline="") as f:
            writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        os.chmod(tmp, 0o644)
        os.replace(tmp, args.out)
    except BaseException:
        os.unlink(tmp)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
