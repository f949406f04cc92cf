# Sourced by scripts/sanitize and scripts/fuzz: the clang sanitizer builds.
# build-asan/: clang, ASan + UBSan + libFuzzer coverage (HEALTHSCORE_FUZZ): the
#              ASan/UBSan test job and the fuzz targets share it.
# build-tsan/: clang, TSan.

CLANG_VERSION=14
SYMBOLIZER=/usr/lib/llvm-${CLANG_VERSION}/bin/llvm-symbolizer
# Builds on this machine take this lock (other builds run beside them on 2
# cores); on a CI machine nobody else holds it.
BUILD_LOCK=${HS_BUILD_LOCK:-/tmp/hs-build.lock}

# configure_san DIR CMAKE_ARGS...: configures DIR once (an existing DIR is
# left to ninja's own re-configure).
configure_san() {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then return; fi
  # -O1 -g1: what the sanitizers recommend (fast enough, line numbers in
  # stacks), and quicker to compile than RelWithDebInfo's -O2 -g. Asserts on.
  mkdir -p "$dir"
  CC=clang-$CLANG_VERSION CXX=clang++-$CLANG_VERSION \
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" "$@" >"$dir/configure.log" 2>&1 ||
    { cat "$dir/configure.log" >&2; return 1; }
}

# build_san DIR TARGET...: builds under the lock; sets BUILD_SECONDS to the
# time spent building (not waiting for the lock).
build_san() {
  local dir=$1
  shift
  local start
  exec 9>"$BUILD_LOCK"
  flock 9
  start=$SECONDS
  cmake --build "$dir" --target "$@" || { flock -u 9; return 1; }
  BUILD_SECONDS=$((SECONDS - start))
  flock -u 9
}
