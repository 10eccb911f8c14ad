#!/usr/bin/env bash
# Installs the host tools the tests use (Debian, as root): promtool checks `nextroot metrics`, ansible-core
# runs the role against the guest over SSH. Idempotent: apt-get runs only when one is missing.
set -euo pipefail

declare -A need=(
  [setfattr]=attr [getfattr]=attr [setfacl]=acl [setcap]=libcap2-bin [zstd]=zstd [xz]=xz-utils
  [mksquashfs]=squashfs-tools [mkfs.erofs]=erofs-utils [mkfs.ext4]=e2fsprogs [gpg]=gnupg [gpgv]=gpgv
  [mkfs.btrfs]=btrfs-progs [btrfs]=btrfs-progs
  [promtool]=prometheus [ansible-playbook]=ansible-core [ssh]=openssh-client [ssh-keygen]=openssh-client
)
missing=()
for tool in "${!need[@]}"; do command -v "$tool" > /dev/null || missing+=("${need[$tool]}"); done
[ "${#missing[@]}" -eq 0 ] && exit 0
[ "$(id -u)" = 0 ] || { echo "test deps: run as root to install: ${missing[*]}" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -q > /dev/null || echo "test deps: apt-get update reported errors; trying the install anyway" >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" > /dev/null
echo "test deps: installed ${missing[*]}"
