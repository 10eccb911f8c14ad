// Describes a directory tree attribute by attribute, so two extractions can be compared entry for entry.
import {lstat, readdir, readlink} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'

export interface EntrySnapshot {
  type: string
  mode: string
  uid: number
  gid: number
  size?: number
  /** Modification time in microseconds (Node can set times only to double precision). */
  mtimeUs: string
  link?: string
  rdev?: string
  /** Index of the hardlink group (first path of the inode), for files with more than one link. */
  linkGroup?: string
  xattrs: Record<string, string>
}

function typeOf(mode: bigint): string {
  const kind = Number(mode & 0o170000n)
  return (
    (
      {
        0o100000: 'file',
        0o040000: 'dir',
        0o120000: 'symlink',
        0o020000: 'char',
        0o060000: 'block',
        0o010000: 'fifo',
        0o140000: 'socket',
      } as Record<number, string>
    )[kind] ?? 'unknown'
  )
}

/** All xattrs of a tree in one getfattr call: path -> name -> hex value. */
async function xattrsOf(root: string): Promise<Map<string, Record<string, string>>> {
  const {stdout} = await execa('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '.'], {
    cwd: root,
    reject: false,
  })
  const result = new Map<string, Record<string, string>>()
  let current: Record<string, string> | undefined
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# file: ')) {
      const path = line
        .slice(8)
        .replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)))
      current = {}
      result.set(path === '.' ? '' : path.replace(/^\.\//, ''), current)
    } else if (current && line.includes('=')) {
      const at = line.indexOf('=')
      current[line.slice(0, at)] = line.slice(at + 1)
    }
  }

  return result
}

export async function snapshotTree(root: string): Promise<Map<string, EntrySnapshot>> {
  const entries = new Map<string, EntrySnapshot>()
  const inodes = new Map<string, string>()
  const xattrs = await xattrsOf(root)
  async function visit(rel: string): Promise<void> {
    const abs = rel === '' ? root : join(root, rel)
    const st = await lstat(abs, {bigint: true})
    const type = typeOf(st.mode)
    const snap: EntrySnapshot = {
      type,
      mode: (st.mode & 0o7777n).toString(8),
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtimeUs: (st.mtimeNs / 1000n).toString(),
      xattrs: xattrs.get(rel) ?? {},
    }
    if (type === 'file') snap.size = Number(st.size)
    if (type === 'symlink') snap.link = await readlink(abs)
    if (type === 'char' || type === 'block') snap.rdev = st.rdev.toString()
    if (type !== 'dir' && st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`
      if (!inodes.has(key)) inodes.set(key, rel)
      snap.linkGroup = inodes.get(key)
    }

    entries.set(rel, snap)
    if (type === 'dir') {
      for (const name of (await readdir(abs)).sort()) await visit(rel === '' ? name : `${rel}/${name}`)
    }
  }

  await visit('')
  return entries
}

/** Human-readable differences between two snapshots (empty when they are equal). */
export function diffSnapshots(
  expected: Map<string, EntrySnapshot>,
  actual: Map<string, EntrySnapshot>,
): string[] {
  const diffs: string[] = []
  for (const [path, want] of expected) {
    const got = actual.get(path)
    if (!got) {
      diffs.push(`missing: ${path}`)
      continue
    }

    const a = JSON.stringify(want)
    const b = JSON.stringify(got)
    if (a !== b) diffs.push(`differs: ${path}\n  tar:      ${a}\n  nextroot: ${b}`)
  }

  for (const path of actual.keys()) if (!expected.has(path)) diffs.push(`extra: ${path}`)
  return diffs
}
