// Reads what a process holds open from /proc (root, cwd, exe, mapped files, descriptors, its mount namespace),
// with device numbers, so pins on the old root can be found after the paths stopped meaning anything.
import {readFile, readdir, readlink, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {unlessGone} from '../absent.js'
import {errnoCode} from '../errors.js'
import {deviceName} from '../host/devices.js'
import {swallowed} from '../log.js'
import {type MountEntry, readMounts} from '../host/mounts.js'
import {listPids, parseMaps, unitOfCgroup} from '../host/proc.js'

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
  /** Entries of /proc/PID that another user's process closes to us (not root): what it holds there is unknown. */
  denied: string[]
}

/** Reads a process's /proc entries: a process that exited is gone, an entry closed to us is noted as denied. */
class ProcReader {
  readonly denied: string[] = []

  constructor(readonly dir: string) {}

  async read<T>(entry: string, read: (path: string) => Promise<T>): Promise<T | undefined> {
    const path = join(this.dir, entry)
    try {
      return await unlessGone(path, read(path))
    } catch (error) {
      if (errnoCode(error) !== 'EACCES' && errnoCode(error) !== 'EPERM') throw error
      swallowed(path, error)
      this.denied.push(entry)
      return undefined
    }
  }
}

/** The files of /proc/PID/maps as held files. */
export function mappedFiles(maps: string): HeldFile[] {
  return parseMaps(maps).map((m) => ({via: 'map', path: m.path, device: m.device}))
}

async function held(proc: ProcReader, via: HoldKind, link: string): Promise<HeldFile[]> {
  const [path, stats] = await Promise.all([
    proc.read(link, (at) => readlink(at)),
    proc.read(link, (at) => stat(at, {bigint: true})),
  ])
  return path !== undefined && stats !== undefined ? [{via, path, device: deviceName(stats.dev)}] : []
}

async function descriptors(proc: ProcReader): Promise<HeldFile[]> {
  const fds = (await proc.read('fd', (dir) => readdir(dir))) ?? []
  const found = await Promise.all(fds.map((fd) => held(proc, 'fd', join('fd', fd))))
  return found.flat().filter((file) => file.path.startsWith('/'))
}

/** Everything `pid` holds; undefined when the process is gone. */
export async function readProcess(procRoot: string, pid: number): Promise<ProcessFacts | undefined> {
  const proc = new ProcReader(join(procRoot, String(pid)))
  const text = (entry: string) => proc.read(entry, (path) => readFile(path, 'utf8'))
  const [comm, cmdline, cgroup, maps] = await Promise.all(['comm', 'cmdline', 'cgroup', 'maps'].map(text))
  if (comm === undefined) return undefined
  const links = await Promise.all([
    held(proc, 'root', 'root'),
    held(proc, 'cwd', 'cwd'),
    held(proc, 'exe', 'exe'),
    descriptors(proc),
  ])
  const own = await proc.read('ns/mnt', (link) => readlink(link))
  const mine = own === undefined ? undefined : await readlink(join(procRoot, 'self/ns/mnt'))
  const ownMounts =
    own !== undefined && own !== mine
      ? await proc.read('mountinfo', () => readMounts(pid, procRoot))
      : undefined
  return {
    pid,
    comm: comm.trim(),
    argv0: (cmdline ?? '').split('\0')[0],
    unit: unitOfCgroup(cgroup ?? ''),
    held: [...links.flat(), ...mappedFiles(maps ?? '')],
    ownMounts,
    denied: proc.denied,
  }
}

/** PIDs whose argv[0] starts with '@': they escape the final killing spree (systemd's root-storage daemons). */
export async function atProcesses(procRoot: string): Promise<number[]> {
  const pids = await listPids(procRoot)
  const firsts = await Promise.all(
    pids.map(async (pid) => {
      const path = join(procRoot, String(pid), 'cmdline')
      return (await unlessGone(path, readFile(path)))?.[0]
    }),
  )
  return pids.filter((_, i) => firsts[i] === 0x40 && pids[i] !== 1)
}

/** PIDs in a unit's cgroup and its sub-cgroups (cgroup v2); none when the cgroup is gone. */
export async function cgroupPids(cgroupRoot: string, controlGroup: string): Promise<number[]> {
  if (!controlGroup) return []
  const dir = join(cgroupRoot, controlGroup)
  const entries = (await unlessGone(dir, readdir(dir, {recursive: true}))) ?? []
  const files = ['cgroup.procs', ...entries.filter((entry) => entry.endsWith('/cgroup.procs'))]
  const texts = await Promise.all(
    files.map(async (file) => (await unlessGone(file, readFile(join(dir, file), 'utf8'))) ?? ''),
  )
  return texts.flatMap((text) => text.split('\n').filter(Boolean).map(Number))
}
