"""Follow the alert stream: record a failing score, see the alert it opens."""
import os
import sys

import healthscore

target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HEALTHSCORE_TARGET", "127.0.0.1:50051")

failing = {"feature_adoption_pct": 5, "logins_30d": 1, "logins_prev_30d": 60,
           "revenue_growth_pct": -40, "late_payments_12m": 6, "csat_90d_pct": 20,
           "support_tickets_90d": 40, "support_escalations_90d": 6}

with healthscore.Client(target) as client:
    s = client.score("initech", failing, record=True)
    print(f"recorded {s.score:.1f} {s.band}")
    # Every event from the start (cursor 0), then new ones as they come;
    # stop at this customer's first alert, or after 30 s (DeadlineExceeded).
    for event in client.watch_alerts(after_cursor=0, timeout=30):
        a = event.alert
        if a.customer_id == "initech":
            print(f"#{event.cursor} {event.kind} {a.severity} {a.rule_id}: {a.message}")
            print(f"  action: {a.action}")
            break
