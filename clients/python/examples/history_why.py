"""Record two points for a customer, read its history and ask why it moved."""
import os
import sys

import healthscore

target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HEALTHSCORE_TARGET", "127.0.0.1:50051")

january = {"feature_adoption_pct": 80, "logins_30d": 50, "logins_prev_30d": 48,
           "revenue_growth_pct": 15, "late_payments_12m": 0, "csat_90d_pct": 88}
february = dict(january, logins_30d=9, late_payments_12m=3, csat_90d_pct=55)

with healthscore.Client(target, timeout=30) as client:
    client.score("globex", january, as_of="2025-01-31", record=True)
    s = client.score("globex", february, as_of="2025-02-28", record=True)
    print(f"now {s.score:.1f} {s.band}, change {s.trend.change:+.1f}")

    for p in client.history("globex"):
        print(f"  {p.as_of:%Y-%m-%d}  {p.score:5.1f} {p.band}")

    change = client.why("globex", "2025-01-31", "2025-02-28")
    print(f"delta {change.delta:+.1f}")
    for line in change.summary[:3]:
        print("  " + line)
