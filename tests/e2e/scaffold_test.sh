#!/usr/bin/env bash
# The plugin scaffold, end to end, as a plugin author meets it:
#  1. install the SDK package alone (HEALTHSCORE_SDK_ONLY) into a temp prefix;
#  2. run the installed healthscore-plugin-new to write a project;
#  3. build that project against the installed SDK, with no warning from its
#     own files;
#  4. healthscore-plugin-check on the built plugin with the generated
#     cases.yaml: every check PASS (exit 0);
#  5. without the HEALTHSCORE_DIMENSION line the link fails, naming
#     hs_plugin_entry (healthscore_add_dimension's --require-defined);
#  6. a bad NAME exits 2 and writes nothing; an existing DIR is not touched.
# Usage: scaffold_test.sh <build dir> <source dir>
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hs-scaffold-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
checker="$build/bin/healthscore-plugin-check"
[ -x "$checker" ] || fail "no $checker: build the healthscore-plugin-check target first"

echo "== install the SDK alone"
cmake -S "$src" -B "$work/sdk-build" -G Ninja -DHEALTHSCORE_SDK_ONLY=ON >/dev/null
cmake --install "$work/sdk-build" --prefix "$work/sdk" >/dev/null
new="$work/sdk/bin/healthscore-plugin-new"
[ -x "$new" ] || fail "the SDK install has no executable bin/healthscore-plugin-new"
[ -f "$work/sdk/share/healthscore-sdk/scaffold/dimension.h.in" ] ||
  fail "the SDK install has no scaffold templates"

echo "== healthscore-plugin-new writes a project"
name=churn_signals
proj="$work/projects/$name"
# Through PATH, as an author runs it, into a directory whose parent does not
# exist yet.
PATH="$work/sdk/bin:$PATH" healthscore-plugin-new "$name" "$proj" >"$work/new.out" ||
  fail "healthscore-plugin-new $name exited $?: $(cat "$work/new.out")"
files=$(cd "$proj" && ls -A | sort | tr '\n' ' ')
expected="CMakeLists.txt README.md cases.yaml $name.cc $name.h plugin.cc "
[ "$files" = "$expected" ] || fail "generated files: '$files', expected '$expected'"
grep -q "find_package(HealthScoreSdk 2 REQUIRED)" "$proj/CMakeLists.txt" ||
  fail "CMakeLists.txt does not ask for HealthScoreSdk 2"
grep -q "healthscore_add_dimension($name VERSION 0.1.0" "$proj/CMakeLists.txt" ||
  fail "CMakeLists.txt does not build $name 0.1.0"
grep -q "^HEALTHSCORE_DIMENSION(" "$proj/plugin.cc" || fail "plugin.cc exports nothing"
grep -q -- "--plugin-dir" "$proj/README.md" || fail "README.md does not say how to install"
grep -qi "group" "$proj/README.md" || fail "README.md does not mention scorecard groups"
if grep -rn "@[A-Z]*@" "$proj"; then fail "unreplaced template placeholders (above)"; fi
(cd "$proj" && wc -l -- *) | sed 's/^/  /'

# The same project from the source tree's script, by a symlink to it.
mkdir -p "$work/bin"
ln -s "$src/sdk/bin/healthscore-plugin-new" "$work/bin/hs-new"
"$work/bin/hs-new" "$name" "$work/from-source/$name" >/dev/null ||
  fail "the source tree's healthscore-plugin-new, through a symlink, failed"
diff -r "$proj" "$work/from-source/$name" >/dev/null ||
  fail "the installed and the source tree's scaffolds differ"

echo "== the project builds against the installed SDK"
cmake -S "$proj" -B "$proj/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/sdk" >/dev/null
cmake --build "$proj/build" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; fail "the generated project does not build"; }
# Warnings in the generated files fail the test; warnings from elsewhere (the
# SDK's headers, the standard library) are shown.
if grep -E "^$proj/[^:]+:[0-9]+(:[0-9]+)?: warning:" "$work/build.log"; then
  cat "$work/build.log" >&2
  fail "the generated project's own files warn (above)"
fi
if grep -q "warning:" "$work/build.log"; then
  echo "NOTE: the build warned outside the generated files:"
  grep -E "warning:|note:" "$work/build.log" | sed 's/^/  /'
fi
so="$proj/build/plugins/$name/0.1.0/lib$name.so"
[ -f "$so" ] || fail "the project did not produce $so"
exported=$(nm -D --defined-only "$so" | awk '{print $3}' | sort | tr '\n' ' ')
[ "$exported" = "hs_plugin_abi_version hs_plugin_entry " ] ||
  fail "the plugin exports more or less than the SDK entry points: $exported"

echo "== healthscore-plugin-check passes it with its generated cases"
code=0
"$checker" "$so" "$proj/cases.yaml" >"$work/check.txt" 2>&1 || code=$?
sed 's/^/  /' "$work/check.txt"
[ "$code" -eq 0 ] || fail "healthscore-plugin-check exited $code"
if grep -v "^PASS " "$work/check.txt" | grep -vq "^[0-9]* passed, 0 failed$"; then
  fail "a line of the checker's output is neither PASS nor the summary"
fi
grep -q "^PASS golden cases: " "$work/check.txt" || fail "no golden cases were checked"

echo "== without HEALTHSCORE_DIMENSION the link fails, naming hs_plugin_entry"
cp -r "$proj" "$work/noentry"
rm -rf "$work/noentry/build"
sed -i '/^HEALTHSCORE_DIMENSION(/d' "$work/noentry/plugin.cc"
! grep -q "HEALTHSCORE_DIMENSION(" "$work/noentry/plugin.cc" ||
  fail "could not remove the HEALTHSCORE_DIMENSION line"
cmake -S "$work/noentry" -B "$work/noentry/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/sdk" >/dev/null
if cmake --build "$work/noentry/build" >"$work/noentry.log" 2>&1; then
  fail "a plugin without HEALTHSCORE_DIMENSION built: $(ls -R "$work/noentry/build/plugins")"
fi
grep -q "Linking CXX shared module" "$work/noentry.log" ||
  { cat "$work/noentry.log" >&2; fail "the build failed before the link"; }
# The linker's message, not the command line that asked for it: GNU ld says
# "required symbol `hs_plugin_entry' not defined".
grep -v -e "--require-defined" "$work/noentry.log" | grep "hs_plugin_entry" >"$work/noentry.err" ||
  { cat "$work/noentry.log" >&2; fail "the link error does not name hs_plugin_entry"; }
sed 's/^/  /' "$work/noentry.err"

echo "== a bad NAME exits 2 and writes nothing"
cd "$work"
for bad in Churn 1churn churn-risk "churn risk" _churn "" plugin all; do
  code=0
  "$new" "$bad" "$work/bad" >"$work/bad.out" 2>"$work/bad.err" || code=$?
  [ "$code" -eq 2 ] || fail "NAME '$bad' exited $code, expected 2"
  grep -q "invalid plugin name" "$work/bad.err" ||
    fail "NAME '$bad': no clear error: $(cat "$work/bad.err")"
  [ ! -e "$work/bad" ] || fail "NAME '$bad' wrote $work/bad"
done
head -1 "$work/bad.err" | sed 's/^/  /'
code=0
"$new" >/dev/null 2>&1 || code=$?
[ "$code" -eq 2 ] || fail "no NAME exited $code, expected 2"
"$new" --help | grep -q "usage: healthscore-plugin-new NAME \[DIR\]" || fail "--help"

echo "== an existing DIR is not overwritten"
before=$(cat "$proj/$name.cc")
code=0
"$new" "$name" "$proj" >/dev/null 2>"$work/exists.err" || code=$?
[ "$code" -ne 0 ] || fail "writing into an existing directory succeeded"
grep -q "already exists" "$work/exists.err" || fail "no clear error: $(cat "$work/exists.err")"
[ "$(cat "$proj/$name.cc")" = "$before" ] || fail "the existing project was changed"

echo "== DIR defaults to ./NAME"
mkdir "$work/cwd" && cd "$work/cwd"
"$new" churn >/dev/null || fail "healthscore-plugin-new churn (no DIR) failed"
[ -f "$work/cwd/churn/churn.cc" ] || fail "no ./churn/churn.cc"
echo "PASS"
