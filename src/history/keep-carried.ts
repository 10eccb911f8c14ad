// Keeps the carried directories mounted through the next soft reboot. `reboot` binds them into the new root
// with x-initrd.mount, but /run/mount/utab records that option under the armed path: in the new userspace
// /var, /root, /home are ordinary mounts that conflict with umount.target, so the next soft reboot (into the
// same root: kured, apply after an in-place upgrade) unmounted them, and the machine's data, its history and
// root's SSH keys vanished behind the image's own directories (seen in the guest). After the switch each
// carried mount, and every mount below one, is marked again in place; a full reboot applies fstab anew.
import {keepThroughSoftReboot} from '../host/mount.js'
import {type MountEntry, readMounts} from '../host/mounts.js'

/** The mounts at or below a carried directory, the top-most at each point, outermost first (pure). */
export function carriedMounts(carried: string[], mounts: MountEntry[]): MountEntry[] {
  const under = (point: string) => carried.some((dir) => point === dir || point.startsWith(`${dir}/`))
  const topmost = new Map(mounts.filter((m) => under(m.mountPoint)).map((m) => [m.mountPoint, m]))
  return [...topmost.values()].sort((a, b) => a.mountPoint.localeCompare(b.mountPoint))
}

/** Marks them; returns the mount points kept. */
export async function keepCarriedMounts(carried: string[]): Promise<string[]> {
  const mounts = carriedMounts(carried, await readMounts())
  for (const mount of mounts) await keepThroughSoftReboot(mount.mountPoint, mount.options)
  return mounts.map((m) => m.mountPoint)
}
