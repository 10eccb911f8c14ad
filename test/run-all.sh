#!/usr/bin/env bash
# The whole test command (`npm test`, and what .ci/run runs): installs host tools, builds, then typecheck,
# lint, format, unit tests (test/unit, any user; test/root, root only) and the real-systemd scenarios in the
# VM. Prints where the time went and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
timings=()

# phase NAME COMMAND...: runs one phase, counts uvu's tests (or the phase itself as one check).
phase() {
  local name=$1 start=$SECONDS log rc total pass
  shift
  log=$(mktemp)
  echo "=== $name"
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  total=$(sed -n 's/^ *Total: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  pass=$(sed -n 's/^ *Passed: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  if [ -n "$total" ] && [ -n "$pass" ]; then
    passed=$((passed + pass))
    failed=$((failed + total - pass))
    [ "$rc" -ne 0 ] && [ "$total" = "$pass" ] && failed=$((failed + 1)) # the runner itself failed
  elif [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
  timings+=("$(printf '%-10s %5ss  rc=%s' "$name" $((SECONDS - start)) "$rc")")
  rm -f "$log"
}

uvu() { node --import tsx node_modules/uvu/bin.js "$1" '\.test\.ts$'; }

images_pid=
if [ "$(id -u)" = 0 ]; then
  phase deps bash -c 'bash test/host-deps.sh && bash images/host-deps.sh'
  # The guest images build while the phases below run: images/build.sh holds a lock, so the e2e phase's own
  # call waits for this build and reuses it (or builds again, should this one fail).
  images_log=$(mktemp)
  bash images/build.sh > "$images_log" 2>&1 &
  images_pid=$!
fi
phase build npm run --silent build
phase typecheck npm run --silent typecheck
phase lint npx eslint .
phase format npx prettier --check .
phase unit uvu test/unit
if [ "$(id -u)" = 0 ]; then
  phase root uvu test/root # staging, mounts, ownership: root only
else
  echo "=== root: SKIPPED, not root (test/root stages, mounts and chowns; run npm test as root)"
fi
if [ -n "$images_pid" ]; then
  wait "$images_pid"
  echo "=== images (built beside the phases above, exit $?)"
  cat "$images_log"
  rm -f "$images_log"
fi
phase e2e uvu test/e2e

echo "=== where the time went"
printf '%s\n' "${timings[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
