# Shared by the e2e scripts (sourced): wait on events, never on time.
#
# wait_for_log <file> <extended regex> [pid]
#   Returns 0 as soon as a line of <file> (already there or written later)
#   matches. Returns 1 if <pid> exits without writing one (tail --pid), or
#   after 60 s: that bound only ends a hung test, it is not a time limit the
#   server must meet.
wait_for_log() {
  local - # pipefail off here only: tail dies of SIGPIPE once grep has its line
  set +o pipefail
  local file=$1 pattern=$2 pid=${3:-}
  local follow=(-n +1 -F)
  [ -n "$pid" ] && follow+=(--pid="$pid")
  timeout 60 tail "${follow[@]}" "$file" 2>/dev/null | grep -q -m1 -E -- "$pattern"
}

# wait_for_metric <url> <metric line prefix> <value>
#   Polls a Prometheus /metrics page until the sample `<prefix> <value>` is
#   there (the server's own gauge is the event); 60 s ends a hung test.
wait_for_metric() {
  local url=$1 prefix=$2 value=$3
  local end=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$end" ]; do
    if curl -sf "$url" | grep -qxF -- "$prefix $value"; then return 0; fi
  done
  return 1
}
