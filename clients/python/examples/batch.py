"""Score a CSV of customers in batches (compact layout), print the red ones."""
import csv
import os
import sys

import healthscore

target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HEALTHSCORE_TARGET", "127.0.0.1:50051")
path = sys.argv[2] if len(sys.argv) > 2 else "build/sample/portfolio.csv"

with open(path, newline="") as f:
    rows = [
        {k: (v if k in ("customer_id", "segment") else float(v) if v else None)
         for k, v in row.items()}
        for row in csv.DictReader(f)
    ]
# With pandas: client.score_batch(pandas.read_csv(path)) does the same.

with healthscore.Client(target, timeout=60) as client:
    results = client.score_batch(rows, explain="summary", batch_size=500)

red = [r for r in results.scores if r.band == "red"]
print(f"{len(results.scores)} scored, {len(results.errors)} not, {len(red)} red")
for s in sorted(red, key=lambda s: s.score)[:5]:
    print(f"  {s.customer_id} {s.score:5.1f}  {s.drivers_down[0].message if s.drivers_down else ''}")
for e in results.errors[:3]:
    print(f"  row {e.index} ({e.customer_id}): {e.code.name}: {e.message[:80]}")
