#!/usr/bin/env bash
# Runs the curl examples of docs/clients.md ("## curl" section) against a real
# server and compares each one's output with the block under it:
#   tests/docs/examples_test.sh <build dir> <source dir>
# The server: build/bin/healthscore-server with the default scorecard, the
# built-in plugins, a fresh SQLite store and the HTTP face, all on free
# loopback ports. The examples run in order, in one shell, with HS set to the
# server's HTTP address (the docs' `HS=http://127.0.0.1:8080` line is checked,
# not run). Needs curl and jq.
set -euo pipefail
build=$(cd "${1:?usage: examples_test.sh BUILD_DIR SOURCE_DIR}" && pwd)
src=$(cd "${2:?usage: examples_test.sh BUILD_DIR SOURCE_DIR}" && pwd)
for tool in curl jq; do
  command -v $tool >/dev/null || { echo "examples_test: $tool is not installed (scripts/setup installs it)" >&2; exit 1; }
done

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$build/bin/healthscore-server" --listen=127.0.0.1:0 --admin-listen= \
  --config="$src/scorecards/default.yaml" --plugin-dir="$build/plugins" \
  --store="sqlite:$work/healthscore.db" --http-listen=127.0.0.1:0 \
  >"$work/server.log" 2>&1 &
server_pid=$!
# Ready when it logs "ready on"; the HTTP line comes before it.
for _ in $(seq 1 600); do
  if grep -q "ready on" "$work/server.log"; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "examples_test: the server exited:" >&2; cat "$work/server.log" >&2; exit 1
  fi
  sleep 0.05  # polling the log for the line, not waiting for a time
done
grep -q "ready on" "$work/server.log" || { echo "examples_test: the server did not get ready in 30 s" >&2; cat "$work/server.log" >&2; exit 1; }
hs=$(grep -o 'on http://127.0.0.1:[0-9]*' "$work/server.log" | head -1 | sed 's/^on //')
[ -n "$hs" ] || { echo "examples_test: no HTTP address in the server's log" >&2; cat "$work/server.log" >&2; exit 1; }

HS="$hs" /usr/bin/python3 - "$src/docs/clients.md" "$work" <<'PY'
import os, re, subprocess, sys
doc, work = sys.argv[1], sys.argv[2]
text = open(doc).read()
start = text.index("\n## curl")
end = text.find("\n## ", start + 1)
section = text[start:end if end >= 0 else len(text)]
first_line = text[:start].count("\n") + 2
blocks = []  # (language, body, line)
for m in re.finditer(r"^```(\w*)\n(.*?)^```$", section, re.S | re.M):
    blocks.append((m.group(1), m.group(2), first_line + section[:m.start()].count("\n")))
if not blocks or blocks[0][1].strip() != "HS=http://127.0.0.1:8080":
    sys.exit(f"{doc}:{first_line}: the curl section must open with HS=http://127.0.0.1:8080 (scripts/serve's address)")
failures, ran, i = 0, 0, 1
while i < len(blocks):
    lang, body, line = blocks[i]
    if lang != "sh":
        sys.exit(f"{doc}:{line}: a ```{lang} block with no ```sh block before it")
    expected = None
    if i + 1 < len(blocks) and blocks[i + 1][0] != "sh":
        expected = blocks[i + 1][1]
        i += 1
    i += 1
    run = subprocess.run(["bash", "-c", "set -euo pipefail\n" + body],
                         capture_output=True, text=True, timeout=60)
    ran += 1
    if run.returncode != 0:
        failures += 1
        print(f"{doc}:{line}: the example exited {run.returncode}\n{body}\nstderr: {run.stderr}")
    elif expected is not None and run.stdout.rstrip("\n") != expected.rstrip("\n"):
        failures += 1
        print(f"{doc}:{line}: the output differs from the documented one\n"
              f"--- documented\n{expected}--- got\n{run.stdout}")
    else:
        print(f"{doc}:{line}: ok")
print(f"{ran} examples run, {failures} failed")
sys.exit(1 if failures or ran == 0 else 0)
PY
