#!/bin/bash
# Stand-in for the kured DaemonSet pod in the e2e guest: follows kured's rebootAsRequired loop step by step
# (kubereboot/kured@51220cc778a4c8cc5bdd35617697a2844887f8c7, the code of release 1.23.0; a bare "Lnnn" is a
# line of cmd/kured/main.go there) with nextroot as sentinel and reboot command, but without Kubernetes:
# - the lock kured keeps as an annotation on its DaemonSet (pkg/daemonsetlock) is the file $STATE_DIR/lock,
#   in /var, so it survives a soft reboot (CARRY_DIRS bind-mounts /var into the new root) and a full reboot;
# - cordon, drain and uncordon are log lines; reboot windows, blockers, taints, node annotations,
#   notifications and the metrics goroutine (L289, L482-L491: the sentinel every minute) are left out.
# A systemd unit starts it in every userspace, as the kubelet restarts kured's container after a reboot.
# Every line goes to stdout and, timestamped, to $STATE_DIR/log (the history across boots);
# $STATE_DIR/reboot-commands gets one line per reboot command, written before it runs, to count switches.
# Env: STATE_DIR, KURED_NODE_ID, KURED_PERIOD (s), MAX_PERIODS, KURED_WAIT (s), MAX_WAITS,
# KURED_SENTINEL_COMMAND, KURED_REBOOT_COMMAND, KURED_MNT_NS.
# Exit: 0 when the last check found no reboot required; 1 on a fatal error, when the reboot did not happen,
# or when another node kept the lock; killed by SIGTERM when the reboot does happen.
set -u

STATE_DIR=${STATE_DIR:-/var/lib/kured-driver}
NODE_ID=${KURED_NODE_ID:-$(cat /proc/sys/kernel/hostname)}
PERIOD=${KURED_PERIOD:-5}
MAX_PERIODS=${MAX_PERIODS:-6}
WAIT=${KURED_WAIT:-5}
MAX_WAITS=${MAX_WAITS:-120}
SENTINEL_COMMAND=${KURED_SENTINEL_COMMAND:-/usr/local/bin/nextroot needs-reboot}
REBOOT_COMMAND=${KURED_REBOOT_COMMAND:-/usr/local/bin/nextroot apply}
MNT_NS=${KURED_MNT_NS:-/proc/1/ns/mnt}
LOCK=$STATE_DIR/lock
OUT=$STATE_DIR/out.tmp

ts() { date +%Y-%m-%dT%H:%M:%S.%3N%:z; }
log() {
  local line
  line="$(ts) $*"
  printf '%s\n' "$line"
  printf '%s\n' "$line" >> "$STATE_DIR/log"
}
log_output() { # $1: label. Logs what the last host command printed (kured drops it when a sentinel exits 1)
  local l
  while IFS= read -r l || [ -n "$l" ]; do log "$1: $l"; done < "$OUT"
}
die() {
  log "fatal: $*"
  exit 1
}

# kured splits a command with shlex (pkg/checkers/checker.go#L107, pkg/reboot/command.go#L43): quotes and
# backslashes group words, nothing else is interpreted. xargs splits words the same way, without a shell.
split() { mapfile -d '' -t argv < <(printf '%s' "$1" | xargs -r printf '%s\0'); }

# Both commands run in PID 1's mount namespace: checker.go#L104-L106 (the sentinel command is always
# "privileged", internal/validators.go#L35-L37) and command.go#L42 (the reboot command, always).
# KURED_MNT_NS is only for dry runs outside the guest, where /proc/1/ns/mnt may not be enterable.
run_host() { /usr/bin/nsenter "-m$MNT_NS" -- "$@" > "$OUT" 2>&1; }

# The lock annotation's value (pkg/daemonsetlock/daemonsetlock.go#L77-L82): holder, whether the node was
# unschedulable before kured cordoned it, creation time. boot_id and soft_reboots are extra, for the test.
lock_field() { sed -n "s/^$1=//p" "$LOCK" 2> /dev/null; }
holding() { [ "$(lock_field nodeID)" = "$NODE_ID" ]; } # daemonsetlock.go#L190-L210 (no --lock-ttl)
acquire() { # daemonsetlock.go#L139-L187, called when no node holds the lock
  printf 'nodeID=%s\nunschedulable=false\ncreated=%s\nboot_id=%s\nsoft_reboots=%s\n' \
    "$NODE_ID" "$(ts)" "$boot_id" "$soft_reboots" > "$LOCK.tmp" &&
    sync "$LOCK.tmp" && mv "$LOCK.tmp" "$LOCK" && sync "$STATE_DIR"
}
release() { rm -f "$LOCK" && sync "$STATE_DIR"; } # daemonsetlock.go#L213-L251 (no --lock-release-delay)

mkdir -p "$STATE_DIR" || exit 1
boot_id=$(cat /proc/sys/kernel/random/boot_id)
soft_reboots=$(systemctl show -P SoftRebootsCount 2> /dev/null)
soft_reboots=${soft_reboots:-?}
# A soft or full reboot stops the unit, as it stops kured's container. Die of the signal, so systemd sees a
# clean stop rather than exit status 143.
trap 'log "terminated (SIGTERM)"; trap - TERM; kill -TERM $$' TERM
log "start boot_id=$boot_id soft_reboots=$soft_reboots node=$NODE_ID pid=$$"
log "config period=${PERIOD}s max_periods=$MAX_PERIODS sentinel='$SENTINEL_COMMAND' reboot='$REBOOT_COMMAND'"
# A sentinel command that cannot be started (here: no nsenter) is fatal (checker.go#L86-L88); so is an empty
# reboot command (command.go#L39-L41). No sentinel command selects the file checker (validators.go#L39-L40).
[ -x /usr/bin/nsenter ] || die "/usr/bin/nsenter missing"
[ -n "$SENTINEL_COMMAND" ] || die "no sentinel command (the file sentinel is not modelled)"
[ -n "$REBOOT_COMMAND" ] || die "no reboot command specified"

# L570-L617: first, a node that holds the lock tried to reboot in an earlier run. kured gets here on a
# 1-minute jittered tick (L569-L571) and retries failed steps on the next one; this does it at once.
if holding; then
  # L583-L595: uncordon, unless the node was already unschedulable when the lock was taken.
  if [ "$(lock_field unschedulable)" != true ]; then log "uncordon $NODE_ID"; fi
  # L596-L608: the only "did the reboot work?" check (!RebootRequired()) guards the --annotate-nodes
  # annotation alone; not modelled. L610-L614: the lock is released whatever the sentinel says now.
  release || die "cannot remove $LOCK"
  log "lock released"
fi
# L619-L624: the sentinel runs once more at start to lift a PreferNoSchedule taint; no taint here, skipped.

required=false
holder=
checks=0
# L626-L628: one tick per --period (kured's first one comes after a random 0.5-1.5 periods, pkg/delaytick).
while [ "$checks" -lt "$MAX_PERIODS" ]; do
  sleep "$PERIOD"
  checks=$((checks + 1))
  # L629-L633: the reboot window (--reboot-days, --start-time, --end-time) is every day, all day.
  # L635-L639, checker.go#L66-L93: exit 0 means a reboot is required, 1 not; any other exit code is "not
  # required" with a warning and the command's output (logged here for exit 1 too).
  split "$SENTINEL_COMMAND"
  run_host "${argv[@]}"
  rc=$?
  log "sentinel exit=$rc"
  log_output "sentinel output"
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 1 ] || log "warning: sentinel command ended with unexpected exit code: $rc"
    log "reboot not required"
    required=false
    continue
  fi
  required=true
  # L646: the node's current schedulability goes into the lock (always schedulable here).
  # L649-L662: --annotate-nodes; L664-L668: blockers (Prometheus alerts, pod selectors): not modelled.
  log "reboot required"
  # L671-L687: take the lock unless this node holds it; if another node does, try again next period.
  if ! holding; then
    holder=$(lock_field nodeID)
    if [ -n "$holder" ]; then
      log "lock already held: $holder"
      continue
    fi
    acquire || die "cannot write $LOCK"
    log "lock acquired"
  fi
  # L689-L704: cordon and drain (on failure, without --force-reboot: release, uncordon, retry next period).
  log "drain $NODE_ID"
  # L706-L709: --reboot-delay (0). L716-L718: trigger the reboot.
  log "rebooting"
  split "$REBOOT_COMMAND"
  printf '%s boot_id=%s soft_reboots=%s %s\n' "$(ts)" "$boot_id" "$soft_reboots" "$REBOOT_COMMAND" \
    >> "$STATE_DIR/reboot-commands"
  log "reboot-command: /usr/bin/nsenter -m$MNT_NS -- $REBOOT_COMMAND"
  run_host "${argv[@]}"
  rc=$?
  log "reboot-command exit=$rc"
  log_output "reboot-command output"
  # L719-L721: a failed reboot command is fatal. kured exits; its restarted container, still holding the
  # lock, uncordons and releases it (L570-L617) and drains again a period later.
  [ "$rc" -eq 0 ] || die "unable to reboot node: reboot command exit $rc"
  # L722-L725: kured never checks that the reboot happened; it logs every minute until it is killed.
  for ((w = 1; w <= MAX_WAITS; w++)); do
    log "waiting for reboot"
    sleep "$WAIT"
  done
  die "reboot did not happen"
done

if [ "$required" = true ]; then
  log "done: $checks checks, reboot still required, lock held by $holder"
  exit 1
fi
log "done: $checks checks, no reboot required"
exit 0
