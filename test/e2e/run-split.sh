#!/usr/bin/env bash
# The e2e phase in two guests at once: the fleet scenario (long, mostly waiting on Ansible and the guest's
# node start) beside all the others, so the whole test command stays under 30 minutes on 2 cores. Each half
# logs to its own file, printed whole when both are done, then one combined uvu-style Total/Passed.
# NEXTROOT_E2E_SERIAL=1 runs them one after the other instead.
set -uo pipefail
cd "$(dirname "$0")/../.."

uvu() { FORCE_COLOR=0 node --import tsx node_modules/uvu/bin.js test/e2e "$@"; }
fleet_log=$(mktemp)
rest_log=$(mktemp)
if [ "${NEXTROOT_E2E_SERIAL:-}" = 1 ]; then
  uvu 'fleet\.test\.ts$' > "$fleet_log" 2>&1
  fleet_rc=$?
  uvu '\.test\.ts$' -i fleet > "$rest_log" 2>&1
  rest_rc=$?
else
  uvu 'fleet\.test\.ts$' > "$fleet_log" 2>&1 &
  fleet_pid=$!
  uvu '\.test\.ts$' -i fleet > "$rest_log" 2>&1
  rest_rc=$?
  wait "$fleet_pid"
  fleet_rc=$?
fi

count() { sed -n "s/^ *$1: *\([0-9]*\).*/\1/p" "$2" | tail -1; }
total=0
passed=0
for log in "$rest_log" "$fleet_log"; do
  cat "$log"
  n=$(count Total "$log")
  p=$(count Passed "$log")
  total=$((total + ${n:-0}))
  passed=$((passed + ${p:-0}))
done
rm -f "$fleet_log" "$rest_log"
echo "e2e (both halves):"
echo "  Total:     $total"
echo "  Passed:    $passed"
[ "$rest_rc" -eq 0 ] && [ "$fleet_rc" -eq 0 ]
