// Reads the mount table (/proc/self/mountinfo): what is mounted where, without calling findmnt.
import {readFile} from 'node:fs/promises'

export interface MountEntry {
  id: number
  majorMinor: string
  /** Path inside the file system that is mounted (not '/' for bind mounts of a subdirectory). */
  root: string
  mountPoint: string
  /** The per-mount options (rw or ro, nosuid, nodev, noexec, relatime...), as mountinfo's field 6 has them. */
  options: string
  fsType: string
  source: string
}

/** Undoes mountinfo's octal escapes (\040 for a space, ...). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
}

export function parseMountInfo(text: string): MountEntry[] {
  const mounts: MountEntry[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const [head, tail = ''] = line.split(' - ')
    const fields = head.split(' ')
    const [fsType = '', source = ''] = tail.split(' ')
    mounts.push({
      id: Number(fields[0]),
      majorMinor: fields[2],
      root: unescape(fields[3]),
      mountPoint: unescape(fields[4]),
      options: fields[5] ?? '',
      fsType,
      source: unescape(source),
    })
  }

  return mounts
}

export async function readMounts(pid: number | 'self' = 'self', procRoot = '/proc'): Promise<MountEntry[]> {
  return parseMountInfo(await readFile(`${procRoot}/${pid}/mountinfo`, 'utf8'))
}

/** The top-most mount at exactly `path`, if `path` is a mount point. */
export async function mountAt(path: string): Promise<MountEntry | undefined> {
  return (await readMounts()).filter((mount) => mount.mountPoint === path).at(-1)
}

/** The mount that holds `path` (the last-mounted of the longest mount points that contain it). */
export async function mountHolding(path: string): Promise<MountEntry | undefined> {
  const holds = (mountPoint: string) =>
    mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`)
  const mounts = (await readMounts()).filter((mount) => holds(mount.mountPoint))
  const longest = Math.max(...mounts.map((mount) => mount.mountPoint.length))
  return mounts.filter((mount) => mount.mountPoint.length === longest).at(-1)
}
