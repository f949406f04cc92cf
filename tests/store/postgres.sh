#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: Debian's postgresql package,
# initdb in a temp dir as the `postgres` user (initdb refuses root), on a free
# loopback port, trust authentication, fsync on (the crash test relies on it).
#
#   postgres.sh start STATE_DIR   starts it; writes STATE_DIR/uri
#                                 (postgresql://postgres@127.0.0.1:PORT/healthscore)
#   postgres.sh stop STATE_DIR    stops it and removes it
#
# The cluster itself lives in a fresh directory under /tmp (STATE_DIR/pgdir
# names it): the postgres user must be able to reach it, and a checkout
# under /root is not reachable for it.
#
# ctest runs these as the fixture of the tests that need PostgreSQL.
set -euo pipefail

cmd=${1:?usage: postgres.sh start|stop STATE_DIR}
state=${2:?usage: postgres.sh start|stop STATE_DIR}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "postgres.sh: no PostgreSQL server binaries under /usr/lib/postgresql (scripts/setup installs the postgresql package)" >&2
  exit 1
fi

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  local pgdir=""
  if [ -f "$state/pgdir" ]; then pgdir=$(cat "$state/pgdir"); fi
  if [ -n "$pgdir" ] && [ -f "$pgdir/data/postmaster.pid" ]; then
    as_postgres "$bindir/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$pgdir" ]; then rm -rf "$pgdir"; fi
  rm -rf "$state"
}

case "$cmd" in
  start)
    stop
    mkdir -p "$state"
    pgdir=$(mktemp -d /tmp/hs-postgres.XXXXXX)
    chmod 755 "$pgdir"
    echo "$pgdir" >"$state/pgdir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pgdir"; fi
    as_postgres "$bindir/initdb" -D "$pgdir/data" -U postgres -A trust \
      --no-sync -E UTF8 >"$state/initdb.log" 2>&1 ||
      { cat "$state/initdb.log" >&2; exit 1; }
    # A free loopback port: ask the kernel for one, then hand it to postgres.
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_postgres "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c max_connections=100" \
      start >/dev/null ||
      { cat "$pgdir/server.log" >&2; exit 1; }
    as_postgres "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres healthscore
    echo "postgresql://postgres@127.0.0.1:$port/healthscore" >"$state/uri"
    echo "postgres.sh: PostgreSQL on 127.0.0.1:$port ($pgdir)"
    ;;
  stop)
    stop
    ;;
  *)
    echo "postgres.sh: unknown command '$cmd' (start or stop)" >&2
    exit 2
    ;;
esac
