// Finds processes that still run code an upgrade replaced: file mappings of system files that were deleted
// or whose path now names another inode (the needrestart method), each with the unit that owns it.
import {readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {unlessAbsent, unlessGone} from '../absent.js'
import {errnoCode} from '../errors.js'
import {type Mapping, listPids, parseMaps, unitOfCgroup} from '../host/proc.js'
import {swallowed} from '../log.js'

/** Only code from these trees counts: a deleted file in /tmp, /dev/shm or a memfd is no upgrade. */
const SYSTEM_TREES = ['/usr/', '/lib/', '/lib64/', '/bin/', '/sbin/', '/opt/', '/etc/']

export interface StaleProcess {
  pid: number
  comm: string
  unit?: string
  /** System files it maps that were deleted or replaced since it started. */
  files: string[]
}

export interface StaleScan {
  processes: StaleProcess[]
  /** Processes whose maps were closed to us (other users' processes, when not root): unknown, not clean. */
  unreadable: number
  /** False when the root has no /proc to read (an image tree): nothing is known about its processes. */
  proc: boolean
}

const LISTED_FILES = 3

/** The first replaced files a process maps, for messages. */
export function replacedFiles(process: StaleProcess): string {
  const more = process.files.length > LISTED_FILES ? ', ...' : ''
  return process.files.slice(0, LISTED_FILES).join(', ') + more
}

/** Mappings of system files in /proc/PID/maps. */
export function systemMappings(maps: string): Mapping[] {
  return parseMaps(maps).filter((m) => SYSTEM_TREES.some((tree) => m.path.startsWith(tree)))
}

/** Paths among `mappings` that were deleted, or now name another inode than the one mapped (or nothing). */
async function staleFiles(hostRoot: string, mappings: Mapping[], inodes: Map<string, Promise<number>>) {
  const stale: string[] = []
  for (const mapping of mappings) {
    if (!inodes.has(mapping.path)) {
      const path = join(hostRoot, mapping.path)
      inodes.set(
        mapping.path,
        unlessAbsent(path, stat(path)).then((stats) => stats?.ino ?? -1),
      )
    }

    if (mapping.deleted || (await inodes.get(mapping.path)) !== mapping.inode) stale.push(mapping.path)
  }

  return stale
}

/** A process's maps; 'denied' when another user's process is closed to us, undefined when it is gone. */
async function readMaps(dir: string): Promise<string | 'denied' | undefined> {
  try {
    return await unlessGone(dir, readFile(join(dir, 'maps'), 'utf8'))
  } catch (error) {
    if (errnoCode(error) !== 'EACCES') throw error
    swallowed(`${dir}/maps`, error)
    return 'denied'
  }
}

/** Processes mapping replaced system files, and how many processes could not be read. */
export async function staleProcesses(hostRoot: string): Promise<StaleScan> {
  const procRoot = join(hostRoot, 'proc')
  const pids = await unlessAbsent(procRoot, listPids(procRoot))
  if (pids === undefined) return {processes: [], unreadable: 0, proc: false}
  const inodes = new Map<string, Promise<number>>()
  let unreadable = 0
  const found = await Promise.all(
    pids.map(async (pid): Promise<StaleProcess | undefined> => {
      const dir = join(procRoot, String(pid))
      const maps = await readMaps(dir)
      if (maps === 'denied') unreadable++
      if (maps === undefined || maps === 'denied') return undefined
      const files = await staleFiles(hostRoot, systemMappings(maps), inodes)
      if (files.length === 0) return undefined
      const [comm, cgroup] = await Promise.all(
        ['comm', 'cgroup'].map(
          async (name) => (await unlessGone(dir, readFile(join(dir, name), 'utf8'))) ?? '',
        ),
      )
      return {pid, comm: comm.trim(), unit: unitOfCgroup(cgroup), files}
    }),
  )
  const processes = found.filter((p): p is StaleProcess => p !== undefined).sort((a, b) => a.pid - b.pid)
  return {processes, unreadable, proc: true}
}
