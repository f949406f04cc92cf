"""Score one customer and print why."""
import os
import sys

import healthscore

target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HEALTHSCORE_TARGET", "127.0.0.1:50051")

with healthscore.Client(target, timeout=30) as client:
    s = client.score(
        "acme",
        {"feature_adoption_pct": 35, "logins_30d": 12, "logins_prev_30d": 40,
         "revenue_growth_pct": -12, "late_payments_12m": 2, "csat_90d_pct": 61},
        segment="smb",
    )
    print(f"{s.customer_id}: {s.score:.1f} {s.band} ({s.grade}), coverage {s.coverage:.0%}")
    for d in s.drivers_down:
        print(f"  {d.impact:+.1f}  {d.message}")
    for a in s.actions[:3]:
        print(f"  todo: {a.text}")

    try:
        client.score("acme", {"late_payments_12m": -2})
    except healthscore.InvalidArgument as e:
        print(f"refused ({e.code.name}): {e.message}")
