// Staging a root variant from its own disk in the guest: mounted (once), then staged as a directory tree.
// Seconds, where unpacking its archive takes minutes under TCG and hashing its 4 GiB image even longer.

export const mountDisk = (v: string) =>
  `mkdir -p /mnt/root${v} && { mountpoint -q /mnt/root${v} || mount /dev/disk/by-label/ROOT${v} /mnt/root${v}; }`

/** A guest step that stages root V (its disk has the label ROOT<V>, see images/build.sh). */
export const stageDisk = (v: string) => `${mountDisk(v)} && nextroot stage /mnt/root${v} > /dev/null`

/**
 * What an admin does for a raw `systemctl soft-reboot` into root V without nextroot: its disk mounted at
 * /run/nextroot (no carry-over, and every plain reboot now a soft one, until it is unmounted).
 */
export const mountAtNextroot = (v: string) =>
  `${mountDisk(v)} && mkdir -p /run/nextroot && { mountpoint -q /run/nextroot || mount --bind /mnt/root${v} /run/nextroot; }`
