// Free space of the file system holding a path, one definition for every command: statfs for the numbers
// (no helper process, any file-system type), and systeminformation's disk list for the mount point's name.
import {realpath, stat, statfs} from 'node:fs/promises'

import si from 'systeminformation'

export interface FsSpace {
  path: string
  /** Mount point of the file system, when systeminformation lists it (disks; not tmpfs or overlays). */
  mount?: string
  sizeBytes: number
  freeBytes: number
  usedBytes: number
}

/** Size, free and used bytes of the file system holding `path`. */
export async function spaceOf(path: string): Promise<FsSpace> {
  const stats = await statfs(path)
  return {
    path,
    sizeBytes: stats.blocks * stats.bsize,
    freeBytes: stats.bavail * stats.bsize,
    usedBytes: (stats.blocks - stats.bfree) * stats.bsize,
  }
}

function isUnder(path: string, mount: string): boolean {
  return mount === '/' || path === mount || path.startsWith(mount + '/')
}

/** spaceOf, with the disk's mount point named, for messages about where space ran out. */
export async function diskSpaceOf(path: string): Promise<FsSpace> {
  const real = await realpath(path)
  const [space, device, disks] = await Promise.all([spaceOf(real), stat(real), si.fsSize()])
  const disk = disks
    .filter((fs) => isUnder(real, fs.mount))
    .sort((a, b) => b.mount.length - a.mount.length)[0]
  const same = disk !== undefined && (await stat(disk.mount)).dev === device.dev
  return {...space, path, mount: same ? disk.mount : undefined}
}
