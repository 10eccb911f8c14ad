#!/usr/bin/env bash
# Installs the host tools that build and boot the e2e guest (Debian/Ubuntu host, as root).
# Idempotent: apt-get runs only when a tool is missing.
set -euo pipefail

declare -A need=(
  [qemu-system-x86_64]=qemu-system-x86
  [qemu-img]=qemu-utils
  [debootstrap]=debootstrap
  [mkfs.ext4]=e2fsprogs
  [flock]=util-linux
  [gcc]=gcc # builds the nr-demo test package (test/e2e/nr-demo.ts)
)
missing=()
for tool in "${!need[@]}"; do
  command -v "$tool" >/dev/null || missing+=("${need[$tool]}")
done
[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "host-deps: all present"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "host-deps: run as root to install: ${missing[*]}" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
# A third-party source that cannot be reached must not stop the install from Debian's archive.
apt-get update -q || echo "host-deps: apt-get update reported errors; trying the install anyway" >&2
apt-get install -y -q --no-install-recommends \
  qemu-system-x86 qemu-utils debootstrap e2fsprogs debian-archive-keyring util-linux gcc libc6-dev
echo "host-deps: installed ${missing[*]}"
