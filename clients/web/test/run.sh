#!/usr/bin/env bash
# The dashboard's browser test (ctest dashboard_browser):
#   clients/web/test/run.sh <build dir>
# Installs playwright-core and the rest from package-lock.json when
# node_modules is missing or older than the lock (npm ci), then runs
# test/browser_test.mjs, which needs <build dir>/web (the `dashboard` target),
# the server, the CLI, the sample data and Debian's chromium.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
cd "$here"
command -v node >/dev/null || { echo "run.sh: node is not installed (apt-get install nodejs npm)" >&2; exit 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || { echo "run.sh: npm is not installed (apt-get install npm)" >&2; exit 1; }
  npm ci --prefer-offline --no-audit --no-fund --ignore-scripts
fi
exec node test/browser_test.mjs "$build"
