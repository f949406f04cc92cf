#!/usr/bin/env bash
# deploy/ without a cluster or a container engine: what can be checked here.
#  1. `kubectl kustomize` renders deploy/k8s/base and every overlay;
#  2. check_manifests.py checks the rendered objects, and the Helm chart
#     rendered by helm_render.py (a subset of Helm's templates, not helm),
#     against the server's flags, the install prefix and each other;
#  3. check_dockerfile.py checks that deploy/Dockerfile's paths exist in the
#     install prefix and that its runtime packages hold every library the
#     installed binaries and plugins load.
# Not checked: that a cluster accepts the objects (no API server: schemas,
# admission), that the image builds (no container engine), real Helm.
# Usage: manifests_test.sh <build dir> <source dir>
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hs-manifests-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v kubectl >/dev/null || fail "no kubectl on PATH (scripts/setup installs Debian's kubernetes-client)"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || fail "/usr/bin/python3 has no yaml module (Debian's python3-yaml)"

echo "== kubectl kustomize ($(kubectl version --client 2>/dev/null | tr '\n' ' '))"
rendered=()
for dir in "$src"/deploy/k8s/base "$src"/deploy/k8s/overlays/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  kubectl kustomize "$dir" >"$work/$name.yaml" 2>"$work/$name.err" ||
    fail "kubectl kustomize $dir exited $?: $(cat "$work/$name.err")"
  echo "$name: $(grep -c '^kind:' "$work/$name.yaml") objects"
  rendered+=("$name=$work/$name.yaml")
done

echo "== the install prefix (standing in for the image's /opt/healthscore)"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 ||
  fail "cmake --install exited $?: $(tail -5 "$work/install.log")"

echo "== the objects against the server, the prefix and each other"
/usr/bin/python3 "$src/tests/deploy/check_manifests.py" "$src" "$work/prefix" "${rendered[@]}"

echo "== deploy/Dockerfile against the prefix"
/usr/bin/python3 "$src/tests/deploy/check_dockerfile.py" "$src/deploy/Dockerfile" "$work/prefix"
