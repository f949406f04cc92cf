#!/usr/bin/python3
"""Writes a deterministic sample customer portfolio as CSV for healthscore.

The columns are customer_id, segment and the exact signal names of the two
built-in plugins, so the file feeds `healthscore score --csv` as is:

  product_adoption  feature_adoption_pct (required, percent 0-100),
                    logins_30d, logins_prev_30d (counts >= 0),
                    basic_/intermediate_/advanced_feature_use_pct (0-100)
  financial_health  revenue_growth_pct (required, percent >= -100),
                    avg_transaction_value (usd >= 0),
                    late_payments_12m, failed_payments_12m (counts >= 0,
                    lower is better)

Archetypes (exact shares of --customers, rows in a seeded random order):

  healthy   55%  adoption 50-98%, logins flat to rising (x0.95-1.3 of the
                 previous 30 days), deep tier use, revenue growth around
                 +12%, rarely a late payment, almost never a failed one.
  at_risk   25%  adoption 20-58%, logins falling (x0.5-0.85), little
                 advanced use, revenue growth around -8%, 1-4 late payments,
                 some failed ones.
  churning  10%  adoption 1-25%, logins collapsing (x0-0.3), basic use only,
                 revenue growth -15% to -95%, 3-9 late and 1-5 failed
                 payments.
  sparse    10%  a customer of one of the archetypes above (50/35/15) with
                 2-4 optional cells left empty, and in addition:
                   ~35% of them without feature_adoption_pct (product_adoption
                        has INSUFFICIENT_DATA),
                   ~35% without revenue_growth_pct (financial_health has
                        INSUFFICIENT_DATA),
                   2% (at least one) without both required signals, so the
                        customer cannot be scored at all.

Segments: smb 50%, mid_market 30%, enterprise 20%; the segment scales login
counts (team size) and average transaction value (contract size).

Every value stays inside the plugin's declared bounds. The output is the same
for the same --customers and --seed, on any machine (standard library only).

  /usr/bin/python3 scripts/gen_sample_data.py --customers 1000 --out p.csv
"""

import argparse
import csv
import math
import os
import random
import sys
import tempfile

COLUMNS = [
    "customer_id",
    "segment",
    "feature_adoption_pct",
    "logins_30d",
    "logins_prev_30d",
    "basic_feature_use_pct",
    "intermediate_feature_use_pct",
    "advanced_feature_use_pct",
    "revenue_growth_pct",
    "avg_transaction_value",
    "late_payments_12m",
    "failed_payments_12m",
]
REQUIRED = ["feature_adoption_pct", "revenue_growth_pct"]
OPTIONAL = [c for c in COLUMNS[2:] if c not in REQUIRED]

ARCHETYPE_SHARES = [("healthy", 0.55), ("at_risk", 0.25), ("churning", 0.10),
                    ("sparse", 0.10)]
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


def exact_counts(total, shares):
    """Splits total by shares (largest remainder), so the mix is exact."""
    raw = [total * share for _, share in shares]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i],
                          reverse=True)
    for i in by_remainder[:total - sum(counts)]:
        counts[i] += 1
    return {name: n for (name, _), n in zip(shares, counts)}


def tiers(rng, basic, intermediate, advanced):
    """Tier usage (mean, sd, low, high) each; deeper tiers never exceed
    shallower ones, as nobody uses advanced features without the basics."""
    b = clamp(rng.gauss(*basic[:2]), *basic[2:])
    i = min(b, clamp(rng.gauss(*intermediate[:2]), *intermediate[2:]))
    a = min(i, clamp(rng.gauss(*advanced[:2]), *advanced[2:]))
    return b, i, a


def customer(rng, archetype, segment):
    prev = log_uniform(rng, *SEGMENT_LOGINS[segment])
    atv = log_uniform(rng, *SEGMENT_ATV[segment])
    if archetype == "healthy":
        adoption = clamp(rng.gauss(75, 10), 50, 98)
        current = prev * rng.uniform(0.95, 1.3)
        b, i, a = tiers(rng, (92, 5, 75, 100), (68, 12, 40, 95),
                        (38, 14, 10, 80))
        growth = clamp(rng.gauss(12, 8), -3, 45)
        atv *= rng.uniform(0.9, 1.2)
        late = rng.choices([0, 1, 2], weights=[80, 17, 3])[0]
        failed = rng.choices([0, 1], weights=[92, 8])[0]
    elif archetype == "at_risk":
        adoption = clamp(rng.gauss(40, 8), 20, 58)
        current = prev * rng.uniform(0.5, 0.85)
        b, i, a = tiers(rng, (70, 10, 45, 90), (30, 10, 10, 50),
                        (10, 6, 0, 25))
        growth = clamp(rng.gauss(-8, 7), -30, 5)
        atv *= rng.uniform(0.6, 1.0)
        late = rng.randint(1, 4)
        failed = rng.choices([0, 1, 2], weights=[50, 35, 15])[0]
    elif archetype == "churning":
        adoption = clamp(rng.gauss(12, 6), 1, 25)
        current = prev * rng.uniform(0.0, 0.3)
        b, i, a = tiers(rng, (35, 12, 5, 60), (8, 5, 0, 20), (2, 2, 0, 6))
        growth = clamp(rng.gauss(-45, 15), -95, -15)
        atv *= rng.uniform(0.3, 0.7)
        late = rng.randint(3, 9)
        failed = rng.randint(1, 5)
    else:
        raise ValueError(archetype)
    return {
        "feature_adoption_pct": f"{adoption:.1f}",
        "logins_30d": str(round(current)),
        "logins_prev_30d": str(round(prev)),
        "basic_feature_use_pct": f"{b:.1f}",
        "intermediate_feature_use_pct": f"{i:.1f}",
        "advanced_feature_use_pct": f"{a:.1f}",
        "revenue_growth_pct": f"{growth:.1f}",
        "avg_transaction_value": f"{atv:.2f}",
        "late_payments_12m": str(late),
        "failed_payments_12m": str(failed),
    }


def sparse_gaps(rng, n_sparse):
    """Which required signals each sparse row lacks, in a shuffled order."""
    if n_sparse == 0:
        return []
    n_both = min(n_sparse, max(1, round(n_sparse * 0.02)))
    rest = n_sparse - n_both
    n_adoption = round(rest * 0.35)
    n_growth = round(rest * 0.35)
    gaps = ([REQUIRED] * n_both + [["feature_adoption_pct"]] * n_adoption +
            [["revenue_growth_pct"]] * n_growth +
            [[]] * (rest - n_adoption - n_growth))
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
            for column in rng.sample(OPTIONAL, rng.randint(2, 4)):
                row[column] = ""
            for column in next(gaps):
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
