#!/usr/bin/env bash
# End to end, the way an outside team and an operator would do it:
#  1. install the SDK package and build examples/custom_dimension out of tree
#     with find_package(HealthScoreSdk 2), and check the plugin with
#     healthscore-plugin-check and the example's cases.yaml;
#  2. run the real healthscore-server binary with that plugin beside the
#     built-in ones, on a free loopback port;
#  3. score through the real CLI and check the example's dimension score;
#  4. SIGTERM, and check the server shut down gracefully with exit code 0;
#  5. the same server binary with scorecards/default.yaml: the sample
#     portfolio lands in every grade.
# Usage: example_plugin_test.sh <build dir> <source dir>
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
# wait_for_log: events, not sleeps.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/hs-example-XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/server.log" ] && cat "$work/server.log" >&2; exit 1; }

echo "== install the SDK and build the example out of tree"
# The SDK alone, as a plugin team without the server's dependencies gets it.
cmake -S "$src" -B "$work/sdk-build" -G Ninja -DHEALTHSCORE_SDK_ONLY=ON >/dev/null
cmake --install "$work/sdk-build" --prefix "$work/sdk" >/dev/null
[ -f "$work/sdk/include/healthscore/sdk/abi.h" ] || fail "the SDK install has no abi.h"
cmake -S "$src/examples/custom_dimension" -B "$work/example" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/sdk" >/dev/null
cmake --build "$work/example"
so="$work/example/plugins/web_engagement/0.1.0/libweb_engagement.so"
[ -f "$so" ] || fail "the example did not produce $so"
exported=$(nm -D --defined-only "$so" | awk '{print $3}' | sort | tr '\n' ' ')
[ "$exported" = "hs_plugin_abi_version hs_plugin_entry " ] ||
  fail "the example exports more than the SDK entry points: $exported"
"$build/bin/healthscore-plugin-check" "$so" "$src/examples/custom_dimension/cases.yaml" \
  >"$work/check.txt" 2>&1 || { cat "$work/check.txt" >&2; fail "healthscore-plugin-check failed on the example"; }
tail -1 "$work/check.txt"

echo "== run the server with the example plugin"
mkdir -p "$work/plugins"
ln -s "$build/plugins" "$work/plugins/builtin"
cp -r "$work/example/plugins/web_engagement" "$work/plugins/"
cat > "$work/scorecard.yaml" <<'YAML'
scorecard: with-example
version: "1"
bands:
  - {name: green, grade: A, min: 75}
  - {name: yellow, grade: C, min: 50}
  - {name: red, grade: F, min: 0}
dimensions:
  product_adoption: {plugin: product_adoption, weight: 40}
  financial_health: {plugin: financial_health, weight: 40}
  web_engagement: {plugin: web_engagement@0.1.0, weight: 20, params: {target_visits_7d: 5}}
YAML
# Starts the server on a free loopback port: start_server <scorecard> <plugin
# dir>. Sets pid and address; the log is $work/server.log.
start_server() {
  "$build/bin/healthscore-server" --listen=127.0.0.1:0 --admin-listen=127.0.0.1:0 --store=none \
    --config="$1" --plugin-dir="$2" >"$work/server.log" 2>&1 &
  pid=$!
  wait_for_log "$work/server.log" 'healthscore-server ready on' "$pid" ||
    fail "the server exited (or hung) before it said it was ready"
  address=$(grep -o 'ready on 127\.0\.0\.1:[0-9]*' "$work/server.log" | head -1 | cut -d' ' -f3)
  [ -n "$address" ] || fail "no address in the ready line"
  echo "server ready on $address"
}
# SIGTERM, and check that the server stopped gracefully with exit code 0.
stop_server() {
  kill -TERM "$pid"
  local code=0
  wait "$pid" || code=$?
  pid=""
  [ "$code" -eq 0 ] || fail "the server exited with $code after SIGTERM"
  grep -q "stopped" "$work/server.log" || fail "no 'stopped' line after SIGTERM"
}
start_server "$work/scorecard.yaml" "$work/plugins"

echo "== the CLI sees the plugin and scores with it"
cli="$build/bin/healthscore"
"$cli" dimensions --target="$address" >"$work/dimensions.txt"
grep -q "web_engagement" "$work/dimensions.txt" || fail "dimensions does not list web_engagement"
grep -q "0.1.0" "$work/dimensions.txt" || fail "dimensions does not show version 0.1.0"

"$cli" score --target="$address" --customer-id=acme --explain=full --format=json \
  site_visits_7d=1 email_open_rate_pct=12 feature_adoption_pct=80 revenue_growth_pct=10 \
  >"$work/score.json"
/usr/bin/python3 - "$work/score.json" <<'PY' || fail "unexpected score: $(cat "$work/score.json")"
import json, sys
doc = json.loads(open(sys.argv[1]).read().splitlines()[0])
score = doc["score"] if isinstance(doc.get("score"), dict) else doc
dims = {d["name"]: d for d in score["dimensions"]}
web = dims["web_engagement"]
assert web["plugin"] == "web_engagement@0.1.0", web
# 1 visit (target 5) and 12% opens (target 40%): sub-scores 20 and 30;
# 0.6 * 20 + 0.4 * 30 = 24 = 50 - 18 (site_visits) - 8 (email_opens).
assert abs(web["score"] - 24) < 1e-9, web
reasons = {r["rule_id"]: r for r in web["reasons"]}
assert set(reasons) == {"site_visits", "email_opens", "low_engagement"}, web["reasons"]
assert abs(reasons["site_visits"].get("impact", 0) + 18) < 1e-9, reasons
assert abs(reasons["email_opens"].get("impact", 0) + 8) < 1e-9, reasons
assert abs(50 + sum(r.get("impact", 0) for r in web["reasons"]) - web["score"]) < 1e-6, web
assert "visited the website only 1 time in the last 7 days" in reasons["site_visits"]["message"], reasons
assert any("re-engagement" in a for a in web.get("actions", [])), web
assert "web_engagement@0.1.0" in score["provenance"]["plugins"], score["provenance"]
total = sum(d.get("contribution", 0) for d in score["dimensions"])
assert abs(total - score["score"]) < 1e-6, (total, score["score"])
print("web_engagement scored", web["score"], "; total", round(score["score"], 2))
PY

echo "== the CLI scores the sample portfolio"
sample="$build/sample/portfolio.csv"
code=0
# stderr notes the sample's columns this scorecard does not read.
"$cli" score --target="$address" --csv="$sample" --format=csv >"$work/portfolio.csv" \
  2>"$work/notes.txt" || code=$?
# This scorecard cannot score a customer that has none of what its three
# dimensions need: feature_adoption_pct (product_adoption), revenue_growth_pct
# (financial_health) and site_visits_7d (web_engagement). In the sample those
# are the 2 customers with every signal empty and 2 sparse customers that lack
# all three (cust-0346, cust-0484): 4 error rows (exit 1); the other 996 are
# scored. (Four more lack the first two but have site visits: they are scored
# on web_engagement alone.)
[ "$code" -eq 1 ] || fail "score --csv exited $code, expected 1 (4 unscorable rows)"
/usr/bin/python3 - "$work/portfolio.csv" <<'PY' || fail "unexpected CSV output"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1000, len(rows)
errors = [r for r in rows if r["error"]]
assert len(errors) == 4, errors
bands = {r["band"] for r in rows if not r["error"]}
assert {"green", "yellow", "red"} <= bands, bands
for r in rows:
    if not r["error"]:
        assert 0 <= float(r["score"]) <= 100, r
print("portfolio: %d scored, %d errors, bands %s" % (len(rows) - len(errors), len(errors), sorted(bands)))
PY
# The 4 error rows make it exit 1 (docs/cli.md); anything else is a failure.
code=0
"$cli" score --target="$address" --csv="$sample" --explain=full >"$work/portfolio.txt" \
  2>"$work/notes.txt" || code=$?
[ "$code" -eq 1 ] || fail "score --explain=full with 4 error rows exited $code, expected 1: $(cat "$work/notes.txt")"
grep -q "996 scored, 4 errors" "$work/portfolio.txt" || fail "no summary line in the table output: $(tail -3 "$work/portfolio.txt")"
grep -q "reasons" "$work/portfolio.txt" || fail "--explain=full printed no reasons"

echo "== SIGTERM shuts the server down gracefully"
stop_server

echo "== the default scorecard grades the sample portfolio A to F"
start_server "$src/scorecards/default.yaml" "$build/plugins"
code=0
"$cli" score --target="$address" --csv="$sample" --format=csv --explain=none \
  >"$work/default.csv" || code=$?
# Sparse customers lack what some dimensions need and are scored on the
# others; only the 2 whose signals are all empty give no dimension of the
# default scorecard anything to score: an error row each (exit 1).
[ "$code" -eq 1 ] || fail "score --csv exited $code, expected 1 (2 unscorable rows)"
/usr/bin/python3 - "$work/default.csv" "$sample" <<'PY' || fail "unexpected CSV output with the default scorecard"
import collections, csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1000, len(rows)
errors = [r for r in rows if r["error"]]
assert len(errors) == 2, errors
empty = {r["customer_id"] for r in csv.DictReader(open(sys.argv[2]))
         if not any(v for k, v in r.items() if k not in ("customer_id", "segment"))}
assert {r["customer_id"] for r in errors} == empty, (errors, empty)
scored = [r for r in rows if not r["error"]]
grades = collections.Counter(r["grade"] for r in scored)
assert set("ABCDF") <= set(grades), grades
bands = collections.Counter(r["band"] for r in scored)
assert set(bands) == {"green", "yellow", "red"}, bands
print("default scorecard: %d scored, %d errors, grades %s" % (
    len(scored), len(errors), " ".join("%s %d" % (g, grades[g]) for g in "ABCDF")))
PY

echo "== the compact layout gives the same numbers as the full one"
# Both with drivers (explain=summary), through the CLI, which decodes the
# compact reply back into full results (formatting the drivers' sentences
# from the batch's rule templates, as the server does for the full layout).
for layout in full compact; do
  code=0
  "$cli" score --target="$address" --csv="$sample" --format=json \
    --layout="$layout" >"$work/$layout.json" 2>/dev/null || code=$?
  [ "$code" -eq 1 ] || fail "score --layout=$layout exited $code, expected 1"
done
/usr/bin/python3 - "$work/full.json" "$work/compact.json" <<'PY' || fail "compact and full layouts differ"
import json, sys
full = [json.loads(l) for l in open(sys.argv[1])]
compact = [json.loads(l) for l in open(sys.argv[2])]
assert len(full) == len(compact) == 1000, (len(full), len(compact))
DIM = ("name", "plugin", "score", "status", "status_reason", "effective_weight",
       "contribution", "points_lost")
DRIVER = ("dimension", "rule_id", "signal", "impact", "message", "observed",
          "threshold", "args")
def view(r):
    s = r.get("score")
    if s is None:
        return {"customer_id": r["customer_id"], "error": r.get("error")}
    return {
        "customer_id": r["customer_id"],
        "numbers": [s.get(k) for k in ("score", "band", "grade", "coverage", "variant")],
        "dims": [[d.get(k) for k in DIM] for d in s["dimensions"]],
        "up": [[d.get(k) for k in DRIVER] for d in s.get("top_drivers_up", [])],
        "down": [[d.get(k) for k in DRIVER] for d in s.get("top_drivers_down", [])],
        "warnings": s.get("warnings", []),
        "provenance": s.get("provenance"),
    }
drivers = 0
for f, c in zip(full, compact):
    a, b = view(f), view(c)
    assert a == b, json.dumps({"full": a, "compact": b}, indent=1)[:3000]
    drivers += len(a.get("up", [])) + len(a.get("down", []))
assert drivers > 5000, drivers
print("compact = full for 1000 customers, %d drivers" % drivers)
PY
stop_server
echo "PASS"
