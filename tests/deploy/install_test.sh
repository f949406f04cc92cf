#!/usr/bin/env bash
# The install prefix is what the container image holds (deploy/Dockerfile
# copies it): this runs it the way the image does, as an unprivileged user
# with every installed file read-only (a read-only root filesystem):
#  1. cmake --install into a temp prefix; the expected files are there, no
#     binary or plugin carries an RPATH/RUNPATH into the build tree;
#  2. the prefix is made read-only (as root: owned by root and run as nobody;
#     otherwise: chmod a-w and run as oneself), and the user cannot write it;
#  3. the installed healthscore-server starts from the prefix alone: the
#     installed scorecard and plugins, every plugin isolated in a
#     healthscore-plugin-host child (found next to the installed server), an
#     SQLite store in a writable temp dir; grpc.health.v1 says SERVING;
#  4. the installed CLI scores and records a customer, and reads it back;
#  5. --version names the project's version; SIGTERM ends it with exit 0.
# Usage: install_test.sh <build dir> <source dir>
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hs-install-XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  if [ -f "$work/server.log" ]; then tail -40 "$work/server.log" >&2; fi
  exit 1
}
prefix="$work/prefix"
data="$work/data"

echo "== cmake --install into $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  fail "cmake --install exited $?: $(tail -5 "$work/install.log")"
touch "$work/installed"  # newer than anything installed
for f in bin/healthscore-server bin/healthscore bin/healthscore-plugin-host \
         bin/healthscore-plugin-check bin/healthscore-plugin-new; do
  [ -x "$prefix/$f" ] || fail "the prefix has no executable $f"
done
scorecard="$prefix/share/healthscore/scorecards/default.yaml"
[ -f "$scorecard" ] || fail "the prefix has no share/healthscore/scorecards/default.yaml"
[ -f "$prefix/include/healthscore/sdk/abi.h" ] || fail "the prefix has no SDK headers"
[ -f "$prefix/lib/cmake/HealthScoreSdk/HealthScoreSdkConfig.cmake" ] ||
  fail "the prefix has no HealthScoreSdk CMake package"
plugins="$prefix/lib/healthscore/plugins"
# One installed plugin per folder of plugins/ that has a CMakeLists.txt.
expected=$(cd "$src/plugins" && for d in */CMakeLists.txt; do echo "${d%%/*}"; done | sort)
installed=$(cd "$plugins" && for so in */*/lib*.so; do echo "${so%%/*}"; done | sort)
[ "$expected" = "$installed" ] ||
  fail "installed plugins: $(tr '\n' ' ' <<<"$installed"); expected: $(tr '\n' ' ' <<<"$expected")"
if [ -d "$build/web" ]; then
  [ -d "$prefix/share/healthscore/web" ] || fail "build/web exists but share/healthscore/web was not installed"
fi
elfs=$(find "$prefix/bin" "$plugins" -type f \( -name '*.so' -o -perm -u+x \) |
       while read -r f; do head -c4 "$f" | grep -q 'ELF' && echo "$f"; done)
[ -n "$elfs" ] || fail "no ELF files found in the prefix"
for f in $elfs; do
  if readelf -d "$f" | grep -E 'RPATH|RUNPATH' | grep -qF "$build"; then
    fail "$f has an RPATH into the build tree: $(readelf -d "$f" | grep -E 'RPATH|RUNPATH')"
  fi
done
echo "$(echo "$elfs" | wc -l) ELF files, none with a path into $build"

echo "== the prefix read-only, an unprivileged user"
mkdir -p "$data"
chmod -R a-w "$prefix"
chmod 755 "$work"
if [ "$(id -u)" = 0 ]; then
  run_uid=$(id -u nobody)
  run_gid=$(id -g nobody)
  chown "$run_uid:$run_gid" "$data"
  as_user=(setpriv --reuid="$run_uid" --regid="$run_gid" --clear-groups --)
  echo "running as nobody ($run_uid:$run_gid), the prefix owned by root"
else
  as_user=()
  echo "running as $(id -un) (not root), the prefix chmod a-w"
fi
if "${as_user[@]}" sh -c "touch '$prefix/bin/probe' || touch '$plugins/probe'" 2>/dev/null; then
  fail "the running user can write into the prefix"
fi
"${as_user[@]}" touch "$data/probe" || fail "the running user cannot write $data"
rm -f "$data/probe"

echo "== the installed server, from the prefix alone"
project_version=$(sed -n 's/^project(healthscore VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$project_version" ] || fail "no project(healthscore VERSION ...) in $src/CMakeLists.txt"
version_out=$("${as_user[@]}" "$prefix/bin/healthscore-server" --version 2>&1) ||
  fail "healthscore-server --version exited $?: $version_out"
grep -qF "$project_version" <<<"$version_out" ||
  fail "healthscore-server --version does not name $project_version: $version_out"
echo "--version: $(head -1 <<<"$version_out")"

# From the data directory, so that no default relative path (build/...) of
# the server could land anywhere else.
(cd "$data" && exec "${as_user[@]}" "$prefix/bin/healthscore-server" \
   --listen=127.0.0.1:0 --admin-listen=127.0.0.1:0 \
   --config="$scorecard" --plugin-dir="$plugins" --plugin-isolation=process \
   --store="sqlite:$data/healthscore.db" >"$work/server.log" 2>&1) &
pid=$!
address=""
for _ in $(seq 1 600); do
  address=$(grep -o 'ready on 127\.0\.0\.1:[0-9]*' "$work/server.log" | head -1 | cut -d' ' -f3 || true)
  [ -n "$address" ] && break
  kill -0 "$pid" 2>/dev/null || fail "the server exited before it was ready"
  sleep 0.1
done
[ -n "$address" ] || fail "the server did not say it was ready within 60 s"
echo "server on $address"

# grpc.health.v1.Health/Check with the whole-server name: an empty request;
# SERVING is the reply 08 01 (field 1, varint 1).
health() {
  /usr/bin/python3 - "$1" <<'PY'
import sys, grpc
with grpc.insecure_channel(sys.argv[1]) as channel:
    check = channel.unary_unary("/grpc.health.v1.Health/Check")
    try:
        reply = check(b"", timeout=5)
    except grpc.RpcError as e:
        print(e.code().name)
        sys.exit(0)
    print({b"\x08\x01": "SERVING", b"\x08\x02": "NOT_SERVING"}.get(reply, reply.hex()))
PY
}
status=""
for _ in $(seq 1 300); do
  status=$(health "$address")
  [ "$status" = SERVING ] && break
  kill -0 "$pid" 2>/dev/null || fail "the server exited while starting"
  sleep 0.1
done
[ "$status" = SERVING ] || fail "grpc.health.v1 says $status after 30 s, not SERVING"
echo "grpc.health.v1: SERVING"

echo "== the installed CLI scores and records a customer"
cli="$prefix/bin/healthscore"
"$cli" score --target="$address" --record --format=json --customer-id=acme \
  feature_adoption_pct=72 logins_30d=15 logins_prev_30d=25 revenue_growth_pct=8 \
  late_payments_12m=2 >"$work/score.json" 2>"$work/score.err" ||
  fail "healthscore score exited $?: $(cat "$work/score.err")"
/usr/bin/python3 - "$work/score.json" <<'PY' || fail "the score reply is not what was asked (above)"
import json, sys
text = open(sys.argv[1]).read()
reply = json.loads(text)
score = reply.get("score", reply)
assert score.get("customerId", score.get("customer_id")) == "acme", text[:400]
total = score.get("score")
assert isinstance(total, (int, float)) and 0 <= total <= 100, text[:400]
dims = score.get("dimensions", [])
failed = [d.get("name") for d in dims if d.get("status") == "FAILED"]
assert dims and not failed, "dimensions failed: %s" % failed
print("acme: %.1f, %d dimensions" % (total, len(dims)))
PY
"$cli" history acme --target="$address" --format=csv >"$work/history.csv" ||
  fail "healthscore history acme exited $?"
[ "$(grep -c '^acme,' "$work/history.csv")" = 1 ] ||
  fail "history acme has not exactly one recorded point: $(cat "$work/history.csv")"
[ -s "$data/healthscore.db" ] || fail "no SQLite file in $data"
# Isolation: the children are the installed healthscore-plugin-host.
hosts=0
for child in $(pgrep -P "$pid" || true); do
  exe=$(readlink "/proc/$child/exe" || true)
  [ "$exe" = "$prefix/bin/healthscore-plugin-host" ] ||
    fail "a child of the server runs $exe, not the installed plugin host"
  hosts=$((hosts + 1))
done
[ "$hosts" -gt 0 ] || fail "no healthscore-plugin-host child under --plugin-isolation=process"
echo "$hosts plugin host children, all $prefix/bin/healthscore-plugin-host"

echo "== SIGTERM"
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=""
[ "$code" = 0 ] || fail "the server exited $code after SIGTERM, not 0"
grep -q "stopped" "$work/server.log" || fail "no 'stopped' line after SIGTERM"
if find "$prefix" -newer "$work/installed" -print -quit | grep -q .; then
  fail "something in the prefix changed while the server ran: $(find "$prefix" -newer "$work/installed")"
fi
echo "PASS"
