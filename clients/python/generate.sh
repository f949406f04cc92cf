#!/usr/bin/env bash
# Generates the Python stubs (healthscore.v1) from proto/ into <out dir>:
# <out dir>/healthscore/v1/*_pb2.py, *_pb2_grpc.py. Put <out dir> on
# PYTHONPATH next to clients/python. Never commit them.
# Usage: clients/python/generate.sh <out dir>
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 <out dir>" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# Loaded by path (not run as a script: healthscore/types.py would shadow the
# standard library's types module).
exec "${PYTHON:-/usr/bin/python3}" -c '
import importlib.util, sys
spec = importlib.util.spec_from_file_location("_hs_generate", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
m.main(sys.argv[2:])' "$here/healthscore/_generate.py" "$1" --proto-dir "$here/../../proto"
