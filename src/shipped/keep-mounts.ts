// Keeps the carried directories mounted through the next soft reboot. `reboot` binds them into the new root
// with x-initrd.mount, but that option lives in /run/mount/utab under the armed path: in the new userspace
// /var, /root... are ordinary mount units that conflict with umount.target, so the next soft reboot (into
// the same root: kured, apply after an in-place upgrade) unmounted them and the machine's data and SSH
// keys vanished behind the image's own directories (seen in the guest). A runtime drop-in with
// DefaultDependencies=no (what x-initrd.mount amounts to) keeps each one, and its submounts; a full
// reboot empties /run and the root's own fstab applies again.
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {readMounts} from '../host/mounts.js'
import {run} from '../exec/run.js'
import {SYSTEM, systemctl} from '../systemd/manager-ref.js'

export const KEEP_DROP_IN = '50-nextroot-keep.conf'

const DROP_IN = [
  '# Written by nextroot-after-switch.service: this directory was carried into this root by a bind mount;',
  '# keep it mounted through soft reboots (as x-initrd.mount does). /run is emptied by a full reboot.',
  '[Unit]',
  'DefaultDependencies=no',
  '',
].join('\n')

/** Mount points at or below a carried directory, outermost first (pure). */
export function carriedMountPoints(carried: string[], mountPoints: string[]): string[] {
  const under = (point: string) => carried.some((dir) => point === dir || point.startsWith(`${dir}/`))
  return [...new Set(mountPoints.filter(under))].sort()
}

/** Writes the drop-ins and reloads; returns the mount units kept. */
export async function keepCarriedMounts(carried: string[], hostRoot: string): Promise<string[]> {
  const points = carriedMountPoints(
    carried,
    (await readMounts()).map((m) => m.mountPoint),
  )
  if (points.length === 0) return []
  const escaped = await run('systemd-escape', ['--path', '--suffix=mount', '--', ...points])
  // one line, the names separated by spaces (an escaped name has none: systemd writes \x20)
  const units = escaped.stdout.split(/\s+/).filter(Boolean)
  for (const unit of units) {
    const dir = join(hostRoot, 'run/systemd/system', `${unit}.d`)
    await mkdir(dir, {recursive: true})
    await writeFile(join(dir, KEEP_DROP_IN), DROP_IN)
  }
  await systemctl(SYSTEM, ['daemon-reload'])
  return units
}
