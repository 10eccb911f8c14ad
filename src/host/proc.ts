// Reading processes from /proc, said once: the file mappings of /proc/PID/maps, the cgroup a process is in and
// the unit that cgroup belongs to, and the list of PIDs.
import {readdir} from 'node:fs/promises'

import {deviceFromHex} from './devices.js'

/** A file mapped into a process ("ADDR PERMS OFFSET DEV INODE PATH"), once per path. */
export interface Mapping {
  path: string
  /** The device the mapped file was on ("major:minor"), and its inode number then. */
  device: string
  inode: number
  /** The kernel marks a mapping whose file was unlinked since with " (deleted)" (not part of `path`). */
  deleted: boolean
  /** Mapped executable (the "x" of PERMS) in any of its mappings: code, not data. */
  executable: boolean
}

const DELETED = ' (deleted)'

/** File-backed mappings of /proc/PID/maps, one per path (anonymous memory, [stack] and the like left out). */
export function parseMaps(text: string): Mapping[] {
  const seen = new Map<string, Mapping>()
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 6 || fields[4] === '0' || !fields[5].startsWith('/')) continue
    // nothing before the path has a '/', and the path may hold spaces
    const raw = line.slice(line.indexOf('/')).trimEnd()
    const deleted = raw.endsWith(DELETED)
    const path = deleted ? raw.slice(0, -DELETED.length) : raw
    const executable = fields[1].includes('x')
    const known = seen.get(path)
    if (known) known.executable ||= executable
    else
      seen.set(path, {path, device: deviceFromHex(fields[3]), inode: Number(fields[4]), deleted, executable})
  }

  return [...seen.values()]
}

const UNIT_SUFFIX = /\.(service|scope|socket|mount|swap|slice)$/

/** The cgroup v2 path of a process from /proc/PID/cgroup ("0::/system.slice/foo.service" -> that path). */
export function cgroupOf(text: string): string {
  return /^0::(.*)$/m.exec(text)?.[1] ?? ''
}

/** The unit of a process from /proc/PID/cgroup ("0::/system.slice/foo.service/sub" -> foo.service). */
export function unitOfCgroup(text: string): string | undefined {
  return cgroupOf(text)
    .split('/')
    .reverse()
    .find((part) => UNIT_SUFFIX.test(part) && !part.endsWith('.slice'))
}

/** The numeric entries of a /proc directory. */
export async function listPids(procRoot: string): Promise<number[]> {
  return (await readdir(procRoot)).filter((name) => /^\d+$/.test(name)).map(Number)
}
