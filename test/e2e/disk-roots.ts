// Staging a root variant from its own disk in the guest: mounted (once), then staged as a directory tree.
// Seconds, where unpacking its archive takes minutes under TCG and hashing its 4 GiB image even longer.

/** A guest step that stages root V (its disk has the label ROOT<V>, see images/build.sh). */
export const stageDisk = (v: string) =>
  `mkdir -p /mnt/root${v} && { mountpoint -q /mnt/root${v} || mount /dev/disk/by-label/ROOT${v} /mnt/root${v}; } && nextroot stage /mnt/root${v} > /dev/null`
