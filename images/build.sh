#!/usr/bin/env bash
# Builds the e2e guest from Debian's archive: one debootstrapped trixie tree, configured from guest/,
# turned into one ext4 image and one tar archive per root variant (variants/*.sh) plus a kernel and
# initramfs for direct boot. The result is cached under $NEXTROOT_IMAGE_CACHE/<hash of this recipe>;
# a second run reuses it, a changed recipe rebuilds (the .deb cache is kept across recipes).
#   build.sh        build or reuse; the last stdout line is the build dir (it holds manifest.json)
#   build.sh --dir  print the build dir for the current recipe without building
set -euo pipefail
export LC_ALL=C # the same recipe hash and variant order (A first: it boots as /dev/vda) everywhere

# Everything runs from main, which bash reads whole before running it: editing this file while a build
# runs cannot change that build.
main() {
  here=$(cd "$(dirname "$0")" && pwd)
  cache=${NEXTROOT_IMAGE_CACHE:-/var/tmp/nextroot-images}
  suite=${NEXTROOT_IMAGE_SUITE:-trixie}
  mirror=${NEXTROOT_IMAGE_MIRROR:-http://deb.debian.org/debian}
  img_size=4G # sparse; room to stage root B's archive inside the guest's root A

  log() { printf '[build %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
  die() { log "ERROR: $*"; exit 1; }

  recipe_hash() {
    (cd "$here" && find build.sh packages.txt guest variants -type f -print0 | sort -z |
      xargs -0 sha256sum | sha256sum | cut -c1-16)
  }
  out="$cache/$(recipe_hash)"
  if [ "${1:-}" = --dir ]; then echo "$out"; exit 0; fi

  reuse() {
    [ -f "$out/manifest.json" ] || return 0
    log "reusing $out"
    touch "$out/.used" 2> /dev/null || true # only marks it as in use; a non-root user may not write here
    echo "$out"
    exit 0
  }
  reuse
  mkdir -p "$cache"
  exec 9> "$cache/.lock"
  flock 9 # one build at a time
  reuse   # built while we waited
  [ "$(id -u)" = 0 ] || die "building the guest needs root (debootstrap, chroot, mount): sudo bash $0"
  for tool in debootstrap mkfs.ext4 chroot tar; do
    command -v "$tool" > /dev/null || die "$tool missing: sudo bash $here/host-deps.sh"
  done

  work="$out.tmp"
  tree="$work/tree"
  # Every mount below $work (chroot binds, overlays), deepest first; rm -rf must never cross a bind of /dev.
  unmount_all() { findmnt -rno TARGET | grep -F "$work/" | sort -r | xargs -r -n1 umount -l || true; }
  trap unmount_all EXIT
  unmount_all
  rm -rf --one-file-system "$work"
  mkdir -p "$work" "$cache/debs"
  t_start=$SECONDS
  declare -A took

  stage_done() { took[$1]=$((SECONDS - t)); log "$1 done in ${took[$1]}s"; }

  t=$SECONDS
  packages=$(grep -v '^#' "$here/packages.txt" | paste -sd,)
  log "debootstrap $suite minbase + packages.txt (log: $work/debootstrap.log)"
  debootstrap --variant=minbase --include="$packages" --cache-dir="$cache/debs" \
    "$suite" "$tree" "$mirror" > "$work/debootstrap.log" 2>&1 ||
    { tail -30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  stage_done debootstrap

  t=$SECONDS
  cp -R --preserve=mode "$here/guest/." "$tree/" # owned by root, whoever checked the repo out
  mkdir -p "$tree/e2e" "$tree/opt/nextroot" "$tree/images"
  ln -sf /opt/nextroot/bin/run.js "$tree/usr/local/bin/nextroot" # the CLI comes from the nextroot share
  rm -f "$tree/etc/machine-id" # same machine-id in every root, as in an A/B update
  chroot "$tree" systemd-machine-id-setup > /dev/null 2>&1
  chroot "$tree" systemctl enable nextroot-e2e.service > /dev/null 2>&1
  chroot "$tree" systemctl mask apt-daily.timer apt-daily-upgrade.timer > /dev/null 2>&1
  for fs in proc sys dev; do mount --bind "/$fs" "$tree/$fs"; done
  chroot "$tree" update-initramfs -u -k all > "$work/initramfs.log" 2>&1 ||
    { cat "$work/initramfs.log" >&2; die "update-initramfs failed"; }
  unmount_all
  cp "$(find "$tree/boot" -name 'vmlinuz-*' | sort -V | tail -1)" "$work/vmlinuz"
  cp "$(find "$tree/boot" -name 'initrd.img-*' | sort -V | tail -1)" "$work/initrd.img"
  # shellcheck disable=SC2016 # dpkg-query's format, not a shell expansion
  chroot "$tree" dpkg-query -W -f='${Package} ${Version}\n' > "$work/packages.txt"
  stage_done configure

  # A variant is the tree seen through an overlay, given its identity, then changed by variants/NAME.sh
  # (sourced with $root set). The tree itself stays untouched for the next variant.
  t=$SECONDS
  variants=()
  for script in "$here"/variants/*.sh; do
    v=$(basename "$script" .sh)
    variants+=("$v")
    root="$work/$v/root"
    mkdir -p "$work/$v/upper" "$work/$v/work" "$root"
    mount -t overlay overlay -o "lowerdir=$tree,upperdir=$work/$v/upper,workdir=$work/$v/work" "$root"
    echo "$v" > "$root/etc/nextroot-marker"
    osrel=$(grep -v -e '^IMAGE_ID=' -e '^IMAGE_VERSION=' -e '^PRETTY_NAME=' "$tree/usr/lib/os-release")
    printf '%s\nPRETTY_NAME="Debian GNU/Linux 13 (trixie), nextroot e2e root %s"\nIMAGE_ID=nextroot-e2e\nIMAGE_VERSION=%s\n' \
      "$osrel" "$v" "$v" > "$root/usr/lib/os-release"
    # shellcheck source=/dev/null
    (. "$script")
    truncate -s "$img_size" "$work/root$v.img"
    mkfs.ext4 -q -F -L "ROOT$v" -E lazy_itable_init=0,lazy_journal_init=0 -d "$root" "$work/root$v.img"
    tar --xattrs --xattrs-include='*' --acls --numeric-owner -cpf "$work/root$v.tar" -C "$root" .
    umount "$root"
    rm -rf --one-file-system "${work:?}/$v"
    log "root $v: root$v.img, root$v.tar ($(du -m "$work/root$v.tar" | cut -f1) MB)"
  done
  stage_done variants

  t=$SECONDS
  gzip -c "$work/rootB.tar" > "$work/rootB.tar.gz"
  stage_done gzip

  rm -rf --one-file-system "$tree"
  version() { awk -v p="$1" '$1 == p {print $2}' "$work/packages.txt"; }
  kernel_pkg=$(awk '$1 ~ /^linux-image-[0-9]/ {print $1}' "$work/packages.txt" | head -1)
  json_list() { printf '"%s",' "$@" | sed 's/,$//'; }
  stages=$(for k in "${!took[@]}"; do printf '"%s": %s,' "$k" "${took[$k]}"; done | sed 's/,$//')
  cat > "$work/manifest.json" << JSON
{
  "kernel": "vmlinuz",
  "initrd": "initrd.img",
  "variants": [$(json_list "${variants[@]}")],
  "versions": {"systemd": "$(version systemd)", "linux": "$kernel_pkg $(version "$kernel_pkg")", "node": "$(version nodejs)"},
  "buildSeconds": $((SECONDS - t_start)),
  "stageSeconds": {$stages}
}
JSON
  mv "$work" "$out"
  touch "$out/.used"
  # Other recipes' builds go once unused for two hours (a test run elsewhere may still boot one).
  # The .deb cache stays.
  for old in "$cache"/*; do
    [[ $old =~ /[0-9a-f]{16}(\.tmp)?$ && $old != "$out" ]] || continue
    [ -n "$(find "$old" -maxdepth 1 \( -name .used -o -path "$old" \) -mmin -120)" ] ||
      rm -rf --one-file-system "$old"
  done
  log "built $out in $((SECONDS - t_start))s"
  echo "$out"
}

main "$@"
