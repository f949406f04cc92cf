#!/usr/bin/env bash
# The Python client's tests against the real server of <build dir>:
# generates the stubs into <build dir>/python, then runs pytest.
# Usage: clients/python/run_tests.sh <build dir> [pytest args...]
# Needs (Debian): python3-grpcio python3-protobuf python3-pytest
# protobuf-compiler protobuf-compiler-grpc libprotobuf-dev; python3-pip for
# the install test; python3-pandas (optional) for the DataFrame test.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 <build dir> [pytest args...]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}
rm -rf "$build/python/healthscore"
PYTHON="$python" "$here/generate.sh" "$build/python"
cd "$here"
export HEALTHSCORE_BUILD_DIR="$build"
export PYTHONPATH="$here:$build/python${PYTHONPATH:+:$PYTHONPATH}"
exec "$python" -m pytest -q -p no:cacheprovider tests "$@"
