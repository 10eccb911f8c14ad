# shellcheck shell=bash
# Root "broken": boots, but multi-user.target fails (it requires a unit that exits 1), so the health check
# after `nextroot reboot` must fall back (a full reboot) or report the failure, per policy.
cat > "$root/etc/systemd/system/nextroot-e2e-broken.service" << 'UNIT'
[Unit]
Description=nextroot e2e: fails, so multi-user.target fails
[Service]
Type=oneshot
ExecStart=/bin/false
UNIT
mkdir -p "$root/etc/systemd/system/multi-user.target.d"
printf '[Unit]\nRequires=nextroot-e2e-broken.service\nAfter=nextroot-e2e-broken.service\n' \
  > "$root/etc/systemd/system/multi-user.target.d/nextroot-e2e-broken.conf"
