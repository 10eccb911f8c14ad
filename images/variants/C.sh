# shellcheck shell=bash
# Root C: root B with another kernel (modules, image and initrd renamed to 6.99.0-nextroot-c), so it has no
# modules for the running kernel: `nextroot plan` must say reboot, and `nextroot reboot --full` must not soft-reboot.
k=$(basename "$(find "$root/usr/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -1)")
mv "$root/usr/lib/modules/$k" "$root/usr/lib/modules/6.99.0-nextroot-c"
for f in vmlinuz initrd.img config System.map; do
  [ -e "$root/boot/$f-$k" ] && mv "$root/boot/$f-$k" "$root/boot/$f-6.99.0-nextroot-c"
done
true
