// Reads what a process holds open from /proc (root, cwd, exe, mapped files, descriptors, its mount namespace),
// with device numbers, so pins on the old root can be found after the paths stopped meaning anything.
import {readFile, readdir, readlink} from 'node:fs/promises'
import {join} from 'node:path'

import {deviceFromHex, deviceOf} from '../host/devices.js'
import {type MountEntry, readMounts} from '../host/mounts.js'

export type HoldKind = 'root' | 'cwd' | 'exe' | 'map' | 'fd'

/** A file a process holds, with the device it lives on ("major:minor"). */
export interface HeldFile {
  via: HoldKind
  path: string
  device: string
}

export interface ProcessFacts {
  pid: number
  comm: string
  argv0: string
  /** The unit whose cgroup holds the process. */
  unit?: string
  held: HeldFile[]
  /** Mounts of the process's mount namespace, when it is not the one nextroot runs in. */
  ownMounts?: MountEntry[]
}

const UNIT_SUFFIX = /\.(service|scope|socket|mount|swap|slice)$/

/** File-backed mappings of /proc/PID/maps ("ADDR PERMS OFFSET DEV INODE PATH"), one per file. */
export function parseMaps(text: string): HeldFile[] {
  const seen = new Map<string, HeldFile>()
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 6 || fields[4] === '0' || !fields[5].startsWith('/')) continue
    const path = fields.slice(5).join(' ')
    if (!seen.has(path)) seen.set(path, {via: 'map', path, device: deviceFromHex(fields[3])})
  }

  return [...seen.values()]
}

/** The unit of a process from /proc/PID/cgroup ("0::/system.slice/foo.service/sub" -> foo.service). */
export function unitOfCgroup(text: string): string | undefined {
  const path = /^0::(.*)$/m.exec(text)?.[1] ?? ''
  return path
    .split('/')
    .reverse()
    .find((part) => UNIT_SUFFIX.test(part) && !part.endsWith('.slice'))
}

async function held(procRoot: string, pid: number, via: HoldKind, link: string): Promise<HeldFile[]> {
  const at = join(procRoot, String(pid), link)
  const [path, device] = await Promise.all([readlink(at).catch(() => undefined), deviceOf(at)])
  return path !== undefined && device !== undefined ? [{via, path, device}] : []
}

async function descriptors(procRoot: string, pid: number): Promise<HeldFile[]> {
  const fds = await readdir(join(procRoot, String(pid), 'fd')).catch(() => [] as string[])
  const found = await Promise.all(fds.map((fd) => held(procRoot, pid, 'fd', join('fd', fd))))
  return found.flat().filter((file) => file.path.startsWith('/'))
}

async function mountNamespace(procRoot: string, pid: number | 'self'): Promise<string | undefined> {
  return readlink(join(procRoot, String(pid), 'ns/mnt')).catch(() => undefined)
}

/** Everything `pid` holds; undefined when the process is gone. */
export async function readProcess(procRoot: string, pid: number): Promise<ProcessFacts | undefined> {
  const dir = join(procRoot, String(pid))
  const [comm, cmdline, cgroup, maps] = await Promise.all(
    ['comm', 'cmdline', 'cgroup', 'maps'].map((name) =>
      readFile(join(dir, name), 'utf8').catch(() => undefined),
    ),
  )
  if (comm === undefined) return undefined
  const links = await Promise.all([
    held(procRoot, pid, 'root', 'root'),
    held(procRoot, pid, 'cwd', 'cwd'),
    held(procRoot, pid, 'exe', 'exe'),
    descriptors(procRoot, pid),
  ])
  const [own, mine] = await Promise.all([mountNamespace(procRoot, pid), mountNamespace(procRoot, 'self')])
  const ownMounts =
    own !== undefined && own !== mine ? await readMounts(pid, procRoot).catch(() => undefined) : undefined
  return {
    pid,
    comm: comm.trim(),
    argv0: (cmdline ?? '').split('\0')[0],
    unit: unitOfCgroup(cgroup ?? ''),
    held: [...links.flat(), ...parseMaps(maps ?? '')],
    ownMounts,
  }
}

/** PIDs whose argv[0] starts with '@': they escape the final killing spree (systemd's root-storage daemons). */
export async function atProcesses(procRoot: string): Promise<number[]> {
  const pids = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name)).map(Number)
  const firsts = await Promise.all(
    pids.map((pid) =>
      readFile(join(procRoot, String(pid), 'cmdline')).then(
        (bytes) => bytes[0],
        () => undefined,
      ),
    ),
  )
  return pids.filter((_, i) => firsts[i] === 0x40 && pids[i] !== 1)
}

/** PIDs in a unit's cgroup and its sub-cgroups (cgroup v2). */
export async function cgroupPids(cgroupRoot: string, controlGroup: string): Promise<number[]> {
  if (!controlGroup) return []
  const dir = join(cgroupRoot, controlGroup)
  const entries = await readdir(dir, {recursive: true}).catch(() => [] as string[])
  const files = ['cgroup.procs', ...entries.filter((entry) => entry.endsWith('/cgroup.procs'))]
  const texts = await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8').catch(() => '')))
  return texts.flatMap((text) => text.split('\n').filter(Boolean).map(Number))
}
