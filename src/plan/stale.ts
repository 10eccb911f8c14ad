// Finds processes that still run code an upgrade replaced: file mappings of system files that were deleted
// or whose path now names another inode (the needrestart method), each with the unit that owns it.
import {readFile, readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {unitOfCgroup} from '../check/processes.js'

/** Only code from these trees counts: a deleted file in /tmp, /dev/shm or a memfd is no upgrade. */
const SYSTEM_TREES = ['/usr/', '/lib/', '/lib64/', '/bin/', '/sbin/', '/opt/', '/etc/']

const DELETED = ' (deleted)'

export interface Mapping {
  path: string
  inode: number
  deleted: boolean
}

export interface StaleProcess {
  pid: number
  comm: string
  unit?: string
  /** System files it maps that were deleted or replaced since it started. */
  files: string[]
}

/** File mappings of system files in /proc/PID/maps ("ADDR PERMS OFFSET DEV INODE PATH"), one per path. */
export function parseSystemMappings(text: string): Mapping[] {
  const seen = new Map<string, Mapping>()
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 6 || fields[4] === '0') continue
    const raw = fields.slice(5).join(' ')
    const deleted = raw.endsWith(DELETED)
    const path = deleted ? raw.slice(0, -DELETED.length) : raw
    if (!SYSTEM_TREES.some((tree) => path.startsWith(tree)) || seen.has(path)) continue
    seen.set(path, {path, inode: Number(fields[4]), deleted})
  }

  return [...seen.values()]
}

/** Paths among `mappings` that were deleted, or now name another inode than the one mapped. */
async function staleFiles(hostRoot: string, mappings: Mapping[], inodes: Map<string, Promise<number>>) {
  const stale: string[] = []
  for (const mapping of mappings) {
    if (!inodes.has(mapping.path))
      inodes.set(
        mapping.path,
        stat(join(hostRoot, mapping.path)).then(
          (stats) => stats.ino,
          () => -1,
        ),
      )
    if (mapping.deleted || (await inodes.get(mapping.path)) !== mapping.inode) stale.push(mapping.path)
  }

  return stale
}

/** Processes mapping replaced system files; `readable` is false when other users' maps could not be read. */
export async function staleProcesses(
  hostRoot: string,
): Promise<{processes: StaleProcess[]; readable: boolean}> {
  const procRoot = join(hostRoot, 'proc')
  const pids = (await readdir(procRoot).catch(() => [] as string[])).filter((name) => /^\d+$/.test(name))
  const inodes = new Map<string, Promise<number>>()
  let readable = true
  const found = await Promise.all(
    pids.map(async (pid): Promise<StaleProcess | undefined> => {
      const dir = join(procRoot, pid)
      const maps = await readFile(join(dir, 'maps'), 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EACCES') readable = false
        return ''
      })
      const files = await staleFiles(hostRoot, parseSystemMappings(maps), inodes)
      if (files.length === 0) return undefined
      const [comm, cgroup] = await Promise.all(
        ['comm', 'cgroup'].map((name) => readFile(join(dir, name), 'utf8').catch(() => '')),
      )
      return {pid: Number(pid), comm: comm.trim(), unit: unitOfCgroup(cgroup), files}
    }),
  )
  const processes = found.filter((p): p is StaleProcess => p !== undefined).sort((a, b) => a.pid - b.pid)
  return {processes, readable}
}
