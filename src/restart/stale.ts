// Finds processes that still run code an upgrade replaced, the needrestart way: executable mappings of files
// that were deleted, or whose path now names another inode (or another real device), each with its owner
// (system unit, user unit, session, PID 1, a user's manager) from its cgroup.
import {readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {unlessAbsent, unlessGone} from '../absent.js'
import {errnoCode} from '../errors.js'
import {deviceName} from '../host/devices.js'
import {type Mapping, cgroupOf, listPids, parseMaps} from '../host/proc.js'
import {swallowed} from '../log.js'
import {bootTime, changedScript} from './interp.js'
import {type Owner, ownerOf} from './owner.js'

/** Mappings of these are never code an upgrade replaced: memory files, devices, runtime and temporary files. */
const NOT_CODE = [
  '/dev/',
  '/run/',
  '/tmp/',
  '/var/tmp/',
  '/proc/',
  '/sys/',
  '/memfd:',
  '/SYSV',
  '/[aio]',
  '/#',
]

export interface StaleProcess {
  pid: number
  comm: string
  owner: Owner
  /** Files it runs that were deleted or replaced since it started (mapped code, or its script). */
  files: string[]
}

export interface StaleScan {
  processes: StaleProcess[]
  /** Processes whose maps were closed to us (other users' processes, when not root): unknown, not clean. */
  unreadable: number
  /** False when the root has no /proc to read (an image tree): nothing is known about its processes. */
  proc: boolean
  /** Why changed scripts were not looked for (when processes started is unknown): unknown, not clean. */
  scriptsUnknown?: string
}

/** Executable mappings of files, leaving out memory files, devices and runtime files. */
export function codeMappings(maps: string): Mapping[] {
  return parseMaps(maps).filter((m) => m.executable && !NOT_CODE.some((prefix) => m.path.startsWith(prefix)))
}

/** What the path names now: its device and inode, or nothing. */
export interface Current {
  device: string
  inode: number
}

const anonymous = (device: string) => device.startsWith('0:')

/**
 * The mapped file is no longer what the path names: deleted, gone, another inode, or another real device.
 * Anonymous devices (major 0: overlayfs, btrfs subvolumes) are numbered differently in maps and in stat, so
 * there only the inode counts.
 */
export function isReplaced(mapping: Mapping, current: Current | undefined): boolean {
  if (mapping.deleted || !current) return true
  if (current.inode !== mapping.inode) return true
  if (current.device === mapping.device || anonymous(current.device) || anonymous(mapping.device))
    return false
  return true
}

async function currentOf(hostRoot: string, path: string): Promise<Current | undefined> {
  const full = join(hostRoot, path)
  const stats = await unlessAbsent(full, stat(full, {bigint: true}))
  return stats && {device: deviceName(stats.dev), inode: Number(stats.ino)}
}

async function staleFiles(
  hostRoot: string,
  mappings: Mapping[],
  cache: Map<string, Promise<Current | undefined>>,
) {
  const stale: string[] = []
  for (const mapping of mappings) {
    if (!cache.has(mapping.path)) cache.set(mapping.path, currentOf(hostRoot, mapping.path))
    if (isReplaced(mapping, await cache.get(mapping.path))) stale.push(mapping.path)
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

async function procText(dir: string, name: string): Promise<string> {
  return (await unlessGone(dir, readFile(join(dir, name), 'utf8'))) ?? ''
}

/** Processes mapping replaced code, and how many processes could not be read. */
export async function staleProcesses(hostRoot: string): Promise<StaleScan> {
  const procRoot = join(hostRoot, 'proc')
  const pids = await unlessAbsent(procRoot, listPids(procRoot))
  if (pids === undefined) return {processes: [], unreadable: 0, proc: false}
  const cache = new Map<string, Promise<Current | undefined>>()
  const boot = await bootTime(procRoot)
  let unreadable = 0
  const found = await Promise.all(
    pids.map(async (pid): Promise<StaleProcess | undefined> => {
      const dir = join(procRoot, String(pid))
      const maps = await readMaps(dir)
      if (maps === 'denied') unreadable++
      if (maps === undefined || maps === 'denied') return undefined
      const mapped = await staleFiles(hostRoot, codeMappings(maps), cache)
      const script =
        mapped.length === 0 && boot !== undefined ? await changedScript(dir, hostRoot, boot) : undefined
      const files = script ? [script] : mapped
      if (files.length === 0) return undefined
      const [comm, cgroup] = await Promise.all([procText(dir, 'comm'), procText(dir, 'cgroup')])
      return {pid, comm: comm.trim(), owner: ownerOf(cgroupOf(cgroup)), files}
    }),
  )
  const processes = found.filter((p): p is StaleProcess => p !== undefined).sort((a, b) => a.pid - b.pid)
  const scriptsUnknown = boot === undefined ? `no btime in ${join(procRoot, 'stat')}` : undefined
  return {processes, unreadable, proc: true, ...(scriptsUnknown ? {scriptsUnknown} : {})}
}
