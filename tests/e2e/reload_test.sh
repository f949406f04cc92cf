#!/usr/bin/env bash
# End to end, the way an operator reloads a running server:
#  1. run the real healthscore-server with --watch-config=false, on free
#     loopback ports (public and admin);
#  2. edit the scorecard in place: nothing changes until SIGHUP, then the new
#     version is live; a broken file on SIGHUP is refused and logged, and the
#     server serves on;
#  3. the CLI's admin commands against the admin address: reload (unchanged,
#     refused), plugins, load-plugin and unload-plugin refusals, dry-run;
#  4. SIGTERM, and a graceful exit 0; SIGTERM with --drain-seconds (still
#     serving during the drain, then exit 0); SIGSEGV, logged with the stack
#     by the failure signal handler.
# Usage: reload_test.sh <build dir> <source dir>
set -euo pipefail
build=$(cd "$1" && pwd)
# wait_for_log: events, not sleeps.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/hs-reload-XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/server.log" ] && cat "$work/server.log" >&2; exit 1; }
cli="$build/bin/healthscore"

scorecard() {  # scorecard <version> <product weight> <financial weight>
  cat <<YAML
scorecard: e2e
version: "$1"
bands:
  - {name: green, grade: A, min: 70}
  - {name: yellow, grade: C, min: 40}
  - {name: red, grade: F, min: 0}
dimensions:
  product_adoption: {plugin: product_adoption, weight: $2}
  financial_health: {plugin: financial_health, weight: $3}
YAML
}
scorecard 1 50 50 >"$work/scorecard.yaml"
scorecard draft 10 90 >"$work/draft.yaml"
cat >"$work/customers.csv" <<'CSV'
customer_id,feature_adoption_pct,logins_30d,logins_prev_30d,revenue_growth_pct,late_payments_12m
strong,95,60,55,30,0
adopter,90,50,50,-20,4
payer,15,2,10,25,0
weak,10,1,12,-30,6
CSV

# start_server [flags...]: the real binary on free loopback ports, its log in
# $work/server.log; sets pid, address and admin once it says it is ready.
start_server() {
  "$build/bin/healthscore-server" --listen=127.0.0.1:0 --admin-listen=127.0.0.1:0 --store=none \
    --watch-config=false --config="$work/scorecard.yaml" --plugin-dir="$build/plugins" \
    "$@" >"$work/server.log" 2>&1 &
  pid=$!
  # The admin line comes before the ready line.
  wait_for_log "$work/server.log" 'healthscore-server ready on' "$pid" ||
    fail "the server exited (or hung) before it said it was ready"
  address=$(grep -o 'ready on 127\.0\.0\.1:[0-9]*' "$work/server.log" | head -1 | cut -d' ' -f3)
  admin=$(grep -o 'Registry) on 127\.0\.0\.1:[0-9]*' "$work/server.log" | head -1 | cut -d' ' -f3)
  [ -n "$address" ] && [ -n "$admin" ] || fail "no public or admin address in the log"
}

echo "== start the server (no file watching: SIGHUP is the trigger)"
start_server
echo "server on $address, admin API on $admin"

version() { "$cli" scorecard --target="$address" --format=csv | awk -F, 'NR==2 {print $2}'; }
[ "$(version)" = "1" ] || fail "version 1 is not live at start"

echo "== an edit in place waits for SIGHUP"
! grep -q "watching .* for changes" "$work/server.log" || fail "a file watcher started although --watch-config=false"
scorecard 2 80 20 >"$work/scorecard.yaml"
[ "$(version)" = "1" ] || fail "the edit went live without SIGHUP although --watch-config=false"
kill -HUP "$pid"
# The SIGHUP reload is the one that replaced version 1: nothing had loaded the
# edit before it.
wait_for_log "$work/server.log" \
  'reload \(sighup\): scorecard e2e version 2 \(sha256 [0-9a-f]+\) is live, from .*; it replaces scorecard e2e version 1 ' "$pid" ||
  fail "no log line for the SIGHUP reload of version 2 replacing version 1"
[ "$(version)" = "2" ] || fail "version 2 is not live after its reload was logged (live: $(version))"
! grep -q "reload (file)" "$work/server.log" || fail "a file-triggered reload ran although --watch-config=false"

echo "== a broken file on SIGHUP is refused, logged, and the server serves on"
sed -i 's/weight: 20/weight: -20/' "$work/scorecard.yaml"
kill -HUP "$pid"
wait_for_log "$work/server.log" "reload \(sighup\) of $work/scorecard.yaml failed: $work/scorecard.yaml:9: dimensions.financial_health.weight: -20 is negative; weights must be >= 0; reload refused; scorecard e2e version 2 \(sha256 [0-9a-f]+\) stays live$" "$pid" ||
  fail "no log line naming the trigger, the file, the line, the field and the error"
kill -0 "$pid" 2>/dev/null || fail "the server died on a broken scorecard"
[ "$(version)" = "2" ] || fail "version 2 is no longer live after a refused reload"

echo "== healthscore reload: refused with its message, exit 1"
code=0
"$cli" reload --admin-target="$admin" >"$work/reload.txt" || code=$?
[ "$code" -eq 1 ] || fail "reload of a broken file exited $code, expected 1"
grep -q "^refused: .*dimensions.financial_health.weight: -20 is negative" "$work/reload.txt" ||
  fail "reload did not say why: $(cat "$work/reload.txt")"
grep -q "reloads: 2 succeeded (0 unchanged), 2 failed" "$work/reload.txt" ||
  fail "unexpected counters: $(cat "$work/reload.txt")"

echo "== healthscore reload: fixed file goes live; then an unchanged one is a no-op"
scorecard 3 70 30 >"$work/scorecard.yaml"
"$cli" reload --admin-target="$admin" >"$work/reload.txt" || fail "reload failed: $(cat "$work/reload.txt")"
grep -q "^reloaded: scorecard e2e version 3" "$work/reload.txt" || fail "$(cat "$work/reload.txt")"
"$cli" reload --admin-target="$admin" --format=csv >"$work/reload.csv" || fail "second reload failed"
[ "$(awk -F, 'NR==2 {print $1","$2","$4}' "$work/reload.csv")" = "true,false,3" ] ||
  fail "an unchanged file should be ok, not changed, version 3: $(cat "$work/reload.csv")"
[ "$(version)" = "3" ] || fail "version 3 is not live"

echo "== healthscore plugins, load-plugin, unload-plugin"
"$cli" plugins --admin-target="$admin" >"$work/plugins.txt" || fail "plugins failed"
grep -Eq "^product_adoption@2\.0\.0 +READY +2\.0 .* product_adoption$" "$work/plugins.txt" ||
  fail "plugins does not show product_adoption READY and in use: $(cat "$work/plugins.txt")"
code=0
"$cli" unload-plugin product_adoption@2.0.0 --admin-target="$admin" 2>"$work/unload.err" || code=$?
[ "$code" -eq 1 ] || fail "unloading a plugin in use exited $code, expected 1"
grep -q "FAILED_PRECONDITION: plugin product_adoption@2.0.0 is in use by the live scorecard e2e version 3" \
  "$work/unload.err" || fail "unexpected refusal: $(cat "$work/unload.err")"
code=0
"$cli" load-plugin no_such_plugin@1.0 --admin-target="$admin" 2>"$work/load.err" || code=$?
[ "$code" -eq 1 ] || fail "loading a missing plugin exited $code, expected 1"
grep -q "NOT_FOUND: plugin no_such_plugin@1.0: no file at" "$work/load.err" || fail "$(cat "$work/load.err")"
code=0
"$cli" plugins --admin-target="$address" 2>"$work/wrong.err" || code=$?
[ "$code" -eq 3 ] || fail "admin commands on the public address exited $code, expected 3"
grep -q "UNIMPLEMENTED" "$work/wrong.err" || fail "$(cat "$work/wrong.err")"

echo "== healthscore dry-run"
"$cli" dry-run --admin-target="$admin" --scorecard="$work/draft.yaml" --csv="$work/customers.csv" \
  >"$work/dry.txt" || fail "dry-run failed: $(cat "$work/dry.txt")"
cat "$work/dry.txt"
grep -q "^draft   e2e  version draft" "$work/dry.txt" || fail "no draft line"
# A finance-heavy draft: the adopter with bad finances drops out of green,
# the payer with little adoption rises into it.
grep -q "^1 customer would go from green to red$" "$work/dry.txt" || fail "no green -> red move"
grep -q "^1 customer would go from red to green$" "$work/dry.txt" || fail "no red -> green move"
grep -q "^4 compared: 2 keep their band, 2 move; " "$work/dry.txt" || fail "no summary line"
"$cli" dry-run --admin-target="$admin" --scorecard="$work/draft.yaml" --csv="$work/customers.csv" \
  --format=csv >"$work/dry.csv" || fail "dry-run --format=csv failed"
[ "$(head -1 "$work/dry.csv")" = "customer_id,active_score,active_band,draft_score,draft_band,moved" ] ||
  fail "unexpected CSV header: $(head -1 "$work/dry.csv")"
[ "$(wc -l <"$work/dry.csv")" -eq 5 ] || fail "expected 4 customer rows: $(cat "$work/dry.csv")"
grep -Eq "^adopter,[0-9.]+,green,[0-9.]+,red,true$" "$work/dry.csv" || fail "$(cat "$work/dry.csv")"
[ "$(version)" = "3" ] || fail "the dry run changed the live scorecard"

echo "== SIGTERM shuts the server down gracefully"
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=""
[ "$code" -eq 0 ] || fail "the server exited with $code after SIGTERM"
grep -q "stopped" "$work/server.log" || fail "no 'stopped' line after SIGTERM"

echo "== SIGTERM with a drain: NOT_SERVING while still serving, then a clean exit"
start_server --drain-seconds=2
kill -TERM "$pid"
# The drain has begun once it says so.
wait_for_log "$work/server.log" "draining for 2s" "$pid" || fail "no drain line after SIGTERM"
# Still served during the drain.
"$cli" score --target="$address" --csv="$work/customers.csv" >"$work/drain.txt" ||
  fail "a call during the drain failed: $(cat "$work/drain.txt")"
code=0
wait "$pid" || code=$?
pid=""
[ "$code" -eq 0 ] || fail "the server exited with $code after a drain"
grep -q "stopped" "$work/server.log" || fail "no 'stopped' line after the drain"

echo "== a crash logs the signal and the stack before the process dies"
start_server
kill -SEGV "$pid"
code=0
wait "$pid" || code=$?
pid=""
[ "$code" -eq $((128 + 11)) ] || fail "a SIGSEGV ended the server with $code, expected 139"
grep -q "\*\*\* SIGSEGV received at time=" "$work/server.log" ||
  fail "no crash line from the failure signal handler"
grep -Eq "^    @ +0x[0-9a-f]+ " "$work/server.log" || fail "no stack frames after the crash line"
echo "PASS"
