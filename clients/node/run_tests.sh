#!/usr/bin/env bash
# The Node client's tests against the real server:
#   clients/node/run_tests.sh <build dir>
# Installs the npm packages from package-lock.json when node_modules is
# missing (npm ci), generates the TypeScript types from ../../proto into gen/,
# type-checks src/index.d.ts and examples/*.ts against them, and runs the
# node:test tests (which start <build dir>/bin/healthscore-server themselves).
# Needs Node 18 or later and npm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
cd "$here"

command -v node >/dev/null || { echo "run_tests.sh: node is not installed (apt-get install nodejs npm)" >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "run_tests.sh: Node $(node --version) is too old; the client needs Node 18 or later" >&2
  exit 1
fi
[ -x "$build/bin/healthscore-server" ] || { echo "run_tests.sh: no $build/bin/healthscore-server (build it first)" >&2; exit 1; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || { echo "run_tests.sh: npm is not installed (apt-get install npm)" >&2; exit 1; }
  echo "== npm ci"
  npm ci --no-audit --no-fund --prefer-offline --ignore-scripts
fi

echo "== types from the proto (gen/)"
node scripts/gen-types.js
echo "== type-check (tsc)"
node node_modules/typescript/bin/tsc -p tsconfig.json

echo "== node --test"
HEALTHSCORE_BUILD_DIR="$build" node --test test/*.test.js
