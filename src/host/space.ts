// Free space of the file system holding a path: systeminformation's view of the host's disks, checked
// against the path's own device; statfs for file systems it leaves out (tmpfs such as /run, overlays).
import {realpath, stat, statfs} from 'node:fs/promises'

import si from 'systeminformation'

export interface SpaceFacts {
  path: string
  /** Mount point of the file system, when systeminformation lists it. */
  mount?: string
  sizeBytes: number
  freeBytes: number
}

function isUnder(path: string, mount: string): boolean {
  return mount === '/' || path === mount || path.startsWith(mount + '/')
}

export async function freeSpace(path: string): Promise<SpaceFacts> {
  const real = await realpath(path)
  const device = (await stat(real)).dev
  const disks = (await si.fsSize()).filter((fs) => isUnder(real, fs.mount))
  disks.sort((a, b) => b.mount.length - a.mount.length)
  const disk = disks[0]
  if (disk && (await stat(disk.mount)).dev === device) {
    return {path, mount: disk.mount, sizeBytes: disk.size, freeBytes: disk.available}
  }

  const stats = await statfs(real)
  return {path, sizeBytes: stats.blocks * stats.bsize, freeBytes: stats.bavail * stats.bsize}
}
