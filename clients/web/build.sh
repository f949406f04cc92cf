#!/usr/bin/env bash
# Builds the dashboard into OUT_DIR (the `dashboard` CMake target runs it):
#   clients/web/build.sh OUT_DIR
# npm ci from package-lock.json when node_modules is missing or older than the
# lock, then build.mjs (esbuild bundles src/ and uPlot into OUT_DIR).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUT_DIR}
cd "$here"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --prefer-offline --no-audit --no-fund --ignore-scripts
fi
exec node build.mjs "$out"
