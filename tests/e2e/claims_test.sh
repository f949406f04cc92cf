#!/usr/bin/env bash
# What README.md and docs/ promise about the real binaries, each checked by
# running them (issue #15):
#  1. a scorecard that does not bind stops the start: exit 1 and a log line
#     naming the file, line and field (README "The server");
#  2. a plugin file that is not a valid plugin is refused with a log line
#     naming the file and why, at start and through LoadPlugin, and the
#     server serves on (README "The server");
#  3. SIGTERM and SIGINT: a call in flight finishes and gets its score, the
#     process exits 0 ("stopped"); a call stuck in a plugin past the drain,
#     the grace and the margin makes it exit 1 saying so (README "The
#     server": the --grace-seconds of 5 by default);
#  4. the admin API on a unix: address (docs/admin.md);
#  5. the CLI's exit codes 1, 2 and 3 (docs/cli.md "Exit codes").
# Behaviour is asserted, never timing: the script waits on log lines and on
# the server's /metrics gauges.
# Usage: claims_test.sh <build dir> <source dir>
set -euo pipefail
build=$(cd "$1" && pwd)
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/hs-claims-XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/server.log" ] && cat "$work/server.log" >&2; exit 1; }
cli="$build/bin/healthscore"

# A plugin dir with test_fault (scores x; on x = 13 it first sleeps sleep_ms,
# its longest, 600000, standing for a plugin stuck) and two files that are
# not valid plugins.
plugins="$work/plugins"
mkdir -p "$plugins/test_fault/1.0.0"
cp "$build/test_plugins/test_fault/1.0.0/libtest_fault.so" "$plugins/test_fault/1.0.0/"
cp "$build/test_plugins/test_abi_v1/1.0.0/libtest_abi_v1.so" "$plugins/"
echo "not a shared library" >"$plugins/libnot_a_plugin.so"

scorecard() {  # scorecard <sleep_ms>: x = 13 sleeps that long, then scores 13
  cat <<YAML
scorecard: claims
version: "1"
bands:
  - {name: green, grade: A, min: 70}
  - {name: red, grade: F, min: 0}
dimensions:
  slow: {plugin: test_fault, weight: 1, params: {mode: sleep, trigger: 13, sleep_ms: $1}}
YAML
}
scorecard 1500 >"$work/scorecard.yaml"

# start_server [flags...]: the real binary on free loopback ports; sets pid,
# address and metrics (the /metrics URL) once the log says it is ready.
start_server() {
  "$build/bin/healthscore-server" --listen=127.0.0.1:0 --http-listen=127.0.0.1:0 --store=none --admin-listen= \
    --watch-config=false --config="$work/scorecard.yaml" --plugin-dir="$plugins" \
    "$@" >"$work/server.log" 2>&1 &
  pid=$!
  wait_for_log "$work/server.log" 'healthscore-server ready on' "$pid" ||
    fail "the server exited (or hung) before it said it was ready"
  address=$(grep -o 'ready on 127\.0\.0\.1:[0-9]*' "$work/server.log" | head -1 | cut -d' ' -f3)
  metrics="$(grep -o 'on http://127\.0\.0\.1:[0-9]*/' "$work/server.log" | head -1 | cut -d' ' -f2)metrics"
  [ -n "$address" ] && [ "$metrics" != "metrics" ] || fail "no address or HTTP port in the log"
}
# wait_server <expected exit code>: waits for the server to exit.
wait_server() {
  local code=0
  wait "$pid" || code=$?
  pid=""
  [ "$code" -eq "$1" ] || fail "the server exited with $code, expected $1"
}

echo "== a scorecard that does not bind stops the start: exit 1, file, line and field"
cat >"$work/unbound.yaml" <<'YAML'
scorecard: unbound
version: "1"
bands:
  - {name: red, grade: F, min: 0}
dimensions:
  churn: {plugin: churn_oracle, weight: 1}
YAML
code=0
"$build/bin/healthscore-server" --listen=127.0.0.1:0 --admin-listen= --store=none \
  --config="$work/unbound.yaml" --plugin-dir="$plugins" >"$work/server.log" 2>&1 || code=$?
[ "$code" -eq 1 ] || fail "a scorecard that does not bind: exit $code, expected 1"
grep -Eq "\[critical\] cannot start: INVALID_ARGUMENT: $work/unbound.yaml:6: dimensions.churn.plugin: unknown plugin 'churn_oracle'; the registry has test_fault@1.0.0" \
  "$work/server.log" || fail "no 'cannot start' line naming the file, line and field"
! grep -q "ready on" "$work/server.log" || fail "the server said it was ready"

echo "== plugin files that are not plugins: refused with a log line each, the others load"
start_server --admin-listen="unix:$work/admin.sock"
grep -Fxq "refused plugin $plugins/libnot_a_plugin.so: cannot be loaded as a shared library: $plugins/libnot_a_plugin.so: file too short" \
  <(sed 's/^\[[^]]*\] \[error\] //' "$work/server.log") || fail "no log line for the file that is not a shared library"
grep -Fq "[error] refused plugin $plugins/libtest_abi_v1.so: built for plugin ABI 1.0 (SDK 1.x); this server loads ABI 2.x plugins only. Rebuild it against SDK 2.0" \
  "$work/server.log" || fail "no log line for the ABI 1.0 plugin"
grep -Fq "[info] loaded plugin test_fault@1.0.0 from $plugins/test_fault/1.0.0/libtest_fault.so (ABI 2.0)" \
  "$work/server.log" || fail "test_fault did not load"

echo "== the admin API on unix:PATH (docs/admin.md)"
grep -Fq "admin API (healthscore.v1.Registry) on unix:$work/admin.sock" "$work/server.log" ||
  fail "no admin line for the unix: address"
"$cli" plugins --admin-target="unix:$work/admin.sock" --format=csv >"$work/plugins.csv" ||
  fail "plugins over unix: failed"
grep -q "^test_fault,1.0.0,READY," "$work/plugins.csv" || fail "$(cat "$work/plugins.csv")"
# LoadPlugin of a file that is not a plugin: refused, exit 1, logged.
echo "garbage" >"$plugins/libgarbage.so"
code=0
"$cli" load-plugin "$plugins/libgarbage.so" --admin-target="unix:$work/admin.sock" 2>"$work/load.err" || code=$?
[ "$code" -eq 1 ] || fail "load-plugin of a file that is not a plugin exited $code, expected 1"
wait_for_log "$work/server.log" \
  "\[error\] refused plugin $plugins/libgarbage.so: cannot be loaded as a shared library: " "$pid" ||
  fail "no log line for the plugin LoadPlugin refused"
# LoadPlugin of a file outside --plugin-dir: the policy refuses it
# (PERMISSION_DENIED: docs/admin.md), exit 1, logged with the rule.
cp "$plugins/test_fault/1.0.0/libtest_fault.so" "$work/outside.so"
code=0
"$cli" load-plugin "$work/outside.so" --admin-target="unix:$work/admin.sock" 2>"$work/load.err" || code=$?
[ "$code" -eq 1 ] || fail "load-plugin of a file outside --plugin-dir exited $code, expected 1: $(cat "$work/load.err")"
wait_for_log "$work/server.log" \
  "\[warning\] LoadPlugin $work/outside.so refused: " "$pid" ||
  fail "no log line for the file the LoadPlugin policy refused"

echo "== SIGTERM: the call in flight finishes with its score, then exit 0"
in_flight() {  # in_flight <signal>: a call sleeping in the plugin when <signal> arrives
  "$cli" score --target="$address" --customer-id=slow x=13 --format=csv >"$work/call.csv" 2>"$work/call.err" &
  local call=$!
  wait_for_metric "$metrics" healthscore_scoring_calls_running 1 || fail "the call never started scoring"
  kill "-$1" "$pid"
  local code=0
  wait "$call" || code=$?
  [ "$code" -eq 0 ] || fail "the call in flight at SIG$1 exited $code: $(cat "$work/call.err")"
  grep -Eq "^slow,,13(\.0+)?,F,red," "$work/call.csv" || fail "the call in flight got no score: $(cat "$work/call.csv")"
  wait_server 0
  grep -q "received signal .*; shutting down: 0s of drain, then up to 5s for calls in flight" "$work/server.log" ||
    fail "no shutdown line with the default 5 s grace"
  grep -q "\[info\] stopped$" "$work/server.log" || fail "no 'stopped' line"
}
in_flight TERM
grep -q "received signal 15 (Terminated)" "$work/server.log" || fail "SIGTERM not logged"

echo "== SIGINT: the same"
start_server
in_flight INT
grep -q "received signal 2 (Interrupt)" "$work/server.log" || fail "SIGINT not logged"

echo "== a call stuck in a plugin: exit 1 after the drain, the grace and 2 s, saying so"
scorecard 600000 >"$work/scorecard.yaml"
start_server --grace-seconds=0
"$cli" score --target="$address" --customer-id=stuck x=13 >/dev/null 2>"$work/stuck.err" &
stuck=$!
wait_for_metric "$metrics" healthscore_scoring_calls_running 1 || fail "the stuck call never started scoring"
kill -TERM "$pid"
wait_server 1
grep -Fq "[error] calls still running 2s after the shutdown began (a plugin stuck? docs/isolation.md); exiting now" \
  "$work/server.log" || fail "no log line for the forced exit"
! grep -q "\[info\] stopped$" "$work/server.log" || fail "a forced exit said 'stopped'"
code=0
wait "$stuck" || code=$?
[ "$code" -eq 3 ] || fail "the client of the stuck call exited $code, expected 3 (the RPC failed)"
scorecard 1500 >"$work/scorecard.yaml"

echo "== the CLI's exit codes (docs/cli.md)"
start_server
printf 'customer_id,x\na,20\nb,abc\n' >"$work/malformed.csv"
printf 'customer_id,x\na,20\nb,150\n' >"$work/out_of_range.csv"
# 2: malformed input, nothing sent.
code=0
"$cli" score --target="$address" --csv="$work/malformed.csv" >"$work/out.txt" 2>"$work/err.txt" || code=$?
[ "$code" -eq 2 ] || fail "a malformed CSV exited $code, expected 2"
[ "$(cat "$work/err.txt")" = "error: $work/malformed.csv:3: column 2 (x): \"abc\" is not a number" ] ||
  fail "unexpected message for a malformed CSV: $(cat "$work/err.txt")"
[ ! -s "$work/out.txt" ] || fail "a malformed CSV printed results: $(cat "$work/out.txt")"
! curl -sf "$metrics" | grep -q 'method="/healthscore.v1.HealthScoring/ScoreBatch"' ||
  fail "a malformed CSV reached the server"
# 1: a row the server refused; the other row scored and printed.
code=0
"$cli" score --target="$address" --csv="$work/out_of_range.csv" --format=csv >"$work/out.csv" 2>"$work/err.txt" || code=$?
[ "$code" -eq 1 ] || fail "a CSV with a refused row exited $code, expected 1"
grep -Eq "^a,,20(\.0+)?,F,red," "$work/out.csv" || fail "the good row is not printed: $(cat "$work/out.csv")"
grep -q "^b,.*x) = 150 is above the maximum 100" "$work/out.csv" || fail "the refused row has no error: $(cat "$work/out.csv")"
# 3: the RPC failed (no server at the address).
code=0
"$cli" score --target="unix:$work/nobody.sock" --csv="$work/out_of_range.csv" >"$work/out.txt" 2>"$work/err.txt" || code=$?
[ "$code" -eq 3 ] || fail "no server: exit $code, expected 3"
grep -q "^error: UNAVAILABLE: .*; is the server running at unix:$work/nobody.sock? (batch 1 of 1: lines 2-3 of $work/out_of_range.csv; this and later rows were not scored)$" \
  "$work/err.txt" || fail "unexpected message with no server: $(cat "$work/err.txt")"
kill -TERM "$pid"
wait_server 0
echo "PASS"
