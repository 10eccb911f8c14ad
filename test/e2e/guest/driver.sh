#!/bin/bash
# shellcheck disable=SC2016,SC1091 # jq programs are single-quoted on purpose; os-release is the guest's
# Guest side of the e2e harness. nextroot-e2e.service runs it from the /e2e share on every boot and
# every soft reboot, in any root. It reports where it woke up, then resumes the scenario's steps at
# the index kept in /e2e/state, so a scenario carries on across root switches and reboots.
# Records are JSON lines on /dev/ttyS1, which the host reads and stamps with its own clock.
# Step output goes to /e2e/out/step-N.txt; journals to /e2e/out/journal-BOOT.{export,txt}.
set -u
E=/e2e
S=$E/state
O=$E/out
mkdir -p "$S" "$O"

emit() { jq -cnM "$@" > /dev/ttyS1; } # -M: ttyS1 is a tty, keep jq from colouring

boot=$(($(cat "$S/boots" 2> /dev/null || echo 0) + 1))
echo "$boot" > "$S/boots"

staged=absent
if [ -L /run/nextroot ]; then
  staged=symlink
elif mountpoint -q /run/nextroot; then
  staged=mounted
elif [ -d /run/nextroot ]; then
  staged=$([ -z "$(ls -A /run/nextroot)" ] && echo emptydir || echo dir)
fi
emit --argjson n "$boot" \
  --arg root "$(cat /etc/nextroot-marker 2> /dev/null || echo '?')" \
  --arg imageVersion "$(. /etc/os-release && echo "${IMAGE_VERSION:-?}")" \
  --arg bootId "$(cat /proc/sys/kernel/random/boot_id)" \
  --arg softReboots "$(systemctl show -P SoftRebootsCount)" \
  --arg systemd "$(systemctl --version | sed -n '1s/^systemd //p')" \
  --arg kernel "$(uname -r)" \
  --arg rootSource "$(findmnt -no SOURCE /)" \
  --arg uptime "$(cut -d' ' -f1 /proc/uptime)" \
  --arg nextroot "$staged" \
  '{event: "boot", n: $n, root: $root, imageVersion: $imageVersion, bootId: $bootId,
    softReboots: ($softReboots | tonumber), systemd: $systemd, kernel: $kernel, rootSource: $rootSource,
    uptime: ($uptime | tonumber), nextroot: $nextroot}'
{
  echo "== boot $boot"
  cat /etc/os-release
  echo "-- findmnt"; findmnt -rn -o TARGET,SOURCE,FSTYPE,OPTIONS
  echo "-- systemd-analyze"; systemd-analyze
  echo "-- failed units"; systemctl --failed --no-legend
  echo "-- df -m /"; df -m /
} > "$O/boot-$boot.txt" 2>&1

save_journal() {
  journalctl -o export --no-pager > "$O/journal-$boot.export" 2>&1
  journalctl -o short-monotonic --no-pager > "$O/journal-$boot.txt" 2>&1
}

finish() { # $1: true when every step passed
  save_journal
  emit --argjson ok "$1" '{event: "done", ok: $ok}'
  systemctl poweroff
  exit 0
}

while :; do
  i=$(cat "$S/next" 2> /dev/null || echo 0)
  step=$(sed -n "$((i + 1))p" "$E/steps")
  [ -n "$step" ] || finish true
  # Advance first: a step that switches roots must not run again when the driver wakes up.
  echo $((i + 1)) > "$S/next"
  emit --argjson i "$i" --arg step "$step" '{event: "step", i: $i, step: $step}'
  case "$step" in
    soft-reboot | reboot)
      save_journal # a full reboot loses the volatile journal
      systemctl "$step" || finish false
      exit 0
      ;;
    *)
      bash -c "$step" > "$O/step-$i.txt" 2>&1
      rc=$?
      emit --argjson i "$i" --argjson rc "$rc" '{event: "result", i: $i, rc: $rc}'
      [ "$rc" = 0 ] || finish false
      ;;
  esac
done
