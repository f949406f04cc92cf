#!/usr/bin/env bash
# healthscore-plugin-check against plugins with known defects: each broken
# plugin must exit 1 with the FAIL line of the check meant to catch its
# defect, the good plugin must pass everything, a wrong golden case (or one
# whose reasons do not add up to its score) must be named with what differed,
# and what cannot be checked (bad cases files, a file that is not a library, a
# plugin the host refuses at load: a bad template, ABI 1.0) must exit 2
# saying why.
# Usage: plugin_check_test.sh <checker> <test plugin dir> <cases dir>
set -uo pipefail
checker=$1
plugins=$2
cases=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/hs-plugin-check-XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
test_name=""

plugin() { echo "$plugins/$1/1.0.0/lib$1.so"; }

fail() {
  echo "FAIL [$test_name]: $*" >&2
  echo "--- stdout:" >&2
  cat "$work/out" >&2
  echo "--- stderr:" >&2
  cat "$work/err" >&2
  failures=$((failures + 1))
}

# run <test name> <expected exit code> <checker args...>
run() {
  test_name=$1
  local expected=$2
  shift 2
  "$checker" "$@" >"$work/out" 2>"$work/err"
  local code=$?
  [ "$code" -eq "$expected" ] || fail "exit code $code, expected $expected"
}

# stdout has a line matching the extended regex
has_line() { grep -qE -- "$1" "$work/out" || fail "no line matching: $1"; }
# stderr says it
says() { grep -qF -- "$1" "$work/err" || fail "stderr lacks: $1"; }
# The summary is the last line, alone.
summary_is() {
  [ "$(tail -n 1 "$work/out")" = "$1" ] ||
    fail "last line is '$(tail -n 1 "$work/out")', expected '$1'"
}

echo "== a good plugin with its golden cases passes every check"
run good 0 "$(plugin check_good)" "$cases/good.yaml"
for check in load exports declaration create "golden cases" range missing \
             infinite monotonic deterministic concurrent explained wording \
             "rules fire"; do
  has_line "^PASS $check: "
done
grep -q '^FAIL' "$work/out" && fail "a FAIL line for a good plugin"
summary_is "14 passed, 0 failed"
has_line "^PASS golden cases: 6 cases as expected$"
cp "$work/out" "$work/first_run"
run "good, again" 0 "$(plugin check_good)" "$cases/good.yaml"
cmp -s "$work/out" "$work/first_run" || fail "two runs printed different reports"

echo "== each broken plugin fails the check for its defect"
run extra_export 1 "$(plugin check_extra_export)"
has_line "^FAIL exports: also exports hs_debug_dump \\(expected exactly hs_plugin_abi_version and hs_plugin_entry"
has_line "^PASS load: "
summary_is "12 passed, 1 failed"

run out_of_range 1 "$(plugin check_out_of_range)"
has_line "^FAIL range: [0-9]+ of 4000 OK scores are not in 0-100; first: x=.* scored 1[0-4][0-9]"
# The model's reasons add up whatever a variant does to its score.
has_line "^PASS explained: "
has_line "^PASS wording: "
has_line "^PASS rules fire: "

run nan_leak 1 "$(plugin check_nan_leak)"
has_line "^FAIL missing: with y missing, x=[^,]*, y=missing came back OK nan; an OK score must be in 0-100"
has_line "^PASS range: "

run infinite 1 "$(plugin check_infinite)"
has_line "^FAIL infinite: (x|y) = -?inf came back OK with score (nan|-?inf)"
has_line "^PASS missing: "

run non_monotonic 1 "$(plugin check_non_monotonic)"
has_line "^FAIL monotonic: raising y \(higher is better\) from [^ ]+ to [^ ]+ lowered the score from [^ ]+ to [^ ]+ \(other signals: x="
has_line "^PASS range: "

run nondeterministic 1 "$(plugin check_nondeterministic)"
has_line "^FAIL deterministic: the same 1000-row batch scored twice differs: row [0-9]+ score: .* \(first run\) vs .* \(second run\)"

run racy 1 "$(plugin check_racy)"
has_line "^FAIL concurrent: 4 threads scoring the same 1000-row batch disagree: row [0-9]+ status: failed \(thread [0-9] run [0-9]+\) vs ok \(single-threaded\)"
has_line "^PASS deterministic: "

run refuses 1 "$(plugin check_refuses)"
has_line "^FAIL create: with the default parameters: plugin check_refuses@1.0.0 refused its parameters: threshold must be set in the scorecard; the generic checks"
grep -qE '^(PASS|FAIL) range' "$work/out" && fail "generic checks ran without an instance"
summary_is "3 passed, 1 failed"

run "refuses, with params" 0 "$(plugin check_refuses)" "$cases/refuses_with_params.yaml"
has_line "^PASS create: with the params of .*refuses_with_params.yaml and with the parameters of its one case \(the default parameters alone are refused: plugin check_refuses@1.0.0 refused its parameters: threshold must be set in the scorecard\)$"
has_line "^PASS monotonic: "
summary_is "14 passed, 0 failed"

echo "== each broken explanation fails exactly the check for its defect"
# only_fail <check>: that check's line is the only FAIL line.
only_fail() {
  has_line "^FAIL $1: "
  [ "$(grep -c '^FAIL' "$work/out")" -eq 1 ] ||
    fail "FAIL lines other than '$1': $(grep '^FAIL' "$work/out" | cut -c1-80 | tr '\n' '|')"
  summary_is "12 passed, 1 failed"
}

run unexplained 1 "$(plugin check_unexplained)"
only_fail explained
has_line "^FAIL explained: x=[^,]*, y=[^ ]* scored [^ ]+ but 50 \+ its reasons' impacts is [^ ]+ \(x [^,]+, y [^)]+\)$"

run "unexplained, golden cases" 1 "$(plugin check_unexplained)" "$cases/unexplained.yaml"
has_line "^FAIL golden cases: 1 of 2 cases differ: case 'x and y do not add up' \(.*unexplained.yaml:8\): its reasons add up to 80 \(50 \+ the impacts\), not its score 65$"
has_line "^FAIL explained: "
summary_is "12 passed, 2 failed"

run wrong_sign 1 "$(plugin check_wrong_sign)"
only_fail wording
has_line "^FAIL wording: rule x: its raises wording 'x is \{observed\}, below \{threshold\}' says 'below' of x, which is higher-is-better: it reads against the sign$"

run raises_only 1 "$(plugin check_raises_only)"
only_fail wording
has_line "^FAIL wording: rule y on x=[^,]*, y=[^:]*: impact -[^ ]+ lowers the score, but the rule declares no lowers wording and no neutral text$"

run dead_rule 1 "$(plugin check_dead_rule)"
only_fail "rules fire"
has_line "^FAIL rules fire: 1 of 3 declared rules never fired in [0-9]+ sweep rows or the golden cases \(dead rules\): x_full$"

run nan_placeholder 1 "$(plugin check_nan_placeholder)"
only_fail wording
has_line "^FAIL wording: rule x on x=[^,]*, y=[^:]*: its wording 'x is \{observed\}, (above|below) \{threshold\}' reads \{threshold\}, which the record leaves NaN"

run bad_record 1 "$(plugin check_bad_record)"
has_line "^PASS load: "
has_line "^FAIL range: score_batch refused a batch of 4000 rows within the declared bounds: reason record [0-9]+ names rule 3; 3 are declared$"
has_line "^FAIL explained: score_batch refused a sweep batch: reason record [0-9]+ names rule 3; 3 are declared$"

echo "== a wrong expectation names the case and what differed"
run wrong_expectation 1 "$(plugin check_good)" "$cases/wrong_expectation.yaml"
has_line "^FAIL golden cases: 1 of 2 cases differ: case 'deliberately wrong' \(.*wrong_expectation.yaml:7\): score 60, expected 75; band yellow \(score 60\), expected green; no reason 'not_a_rule' \(reasons: 'usage'\)$"

echo "== what cannot be checked exits 2 saying why"
run malformed 2 "$(plugin check_good)" "$cases/malformed.yaml"
says "malformed.yaml:"
says "invalid YAML"
[ -s "$work/out" ] && fail "check lines printed for a cases file it cannot read"

run typo_field 2 "$(plugin check_good)" "$cases/typo_field.yaml"
says "typo_field.yaml:5: cases[0].expect.scroe: unknown field; expected one of status, score,"

run unknown_param 2 "$(plugin check_good)" "$cases/unknown_param.yaml"
says "unknown_param.yaml:4: case 'a typo in a parameter': parameter 'low_bellow' is not a parameter of check_good@1.0.0; it takes: features, low_below"

run unknown_signal 2 "$(plugin check_good)" "$cases/unknown_signal.yaml"
says "unknown_signal.yaml:5: case 'a signal nobody reads': signal 'reports_pct' is not read by check_good@1.0.0 with this case's parameters; it reads: usage_pct"

run missing_cases 2 "$(plugin check_good)" "$work/no_such.yaml"
says "cannot read cases file $work/no_such.yaml"

head -c 300 /dev/urandom | base64 >"$work/libnot_a_plugin.so"
run not_a_library 2 "$work/libnot_a_plugin.so"
has_line "^FAIL load: $work/libnot_a_plugin.so: cannot be loaded as a shared library: "
summary_is "0 passed, 1 failed"

run bad_template 2 "$(plugin check_bad_template)"
has_line "^FAIL load: .*libcheck_bad_template.so: rule 'x' text 'x is \{obsrved\}': unknown placeholder \{obsrved\} \(known: observed, threshold\)$"
summary_is "0 passed, 1 failed"

# Built by tests/plugins (target test_abi_v1): a plugin built for ABI 1.0.
run abi_v1 2 "$(plugin test_abi_v1)"
has_line "^FAIL load: .*libtest_abi_v1.so: built for plugin ABI 1.0 .*Rebuild it against SDK 2.0"
summary_is "0 passed, 1 failed"

run no_arguments 2
says "usage: healthscore-plugin-check <lib.so> [cases.yaml]"

if [ "$failures" -gt 0 ]; then
  echo "$failures failed assertion(s)" >&2
  exit 1
fi
echo "all plugin-check assertions passed"
