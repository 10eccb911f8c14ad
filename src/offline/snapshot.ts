// The btrfs snapshot an offline update takes of a btrfs root first (systemd.offline-updates(7)), and the
// roll-back after a failure: the snapshot becomes the default subvolume, which only a full boot mounts, and
// only when nothing pins the root to its subvolume (rootflags=subvol= on the command line, subvol= in fstab).
import {mkdir, readFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {defaultSubvolume, isSubvolume, setDefaultSubvolume, subvolumeId} from '../host/btrfs.js'
import {run} from '../exec/run.js'
import type {SnapshotOutcome} from './record.js'

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** A writable snapshot of the root when it is a btrfs subvolume; undefined on any other file system. */
export async function takeSnapshot(hostRoot: string, id: string): Promise<SnapshotOutcome | undefined> {
  if (!(await isSubvolume(hostRoot))) return undefined
  const path = join(hostRoot, '.snapshots', `nextroot-offline-${id}`)
  try {
    await mkdir(dirname(path), {recursive: true, mode: 0o700})
    await run('btrfs', ['-q', 'subvolume', 'snapshot', hostRoot, path])
    return {path}
  } catch (error) {
    return {path, problem: `no snapshot taken: ${message(error)}`}
  }
}

/** What keeps a full boot from mounting the default subvolume as / (undefined: nothing does). */
export function pinnedRoot(cmdline: string, fstab: string): string | undefined {
  if (/(^|\s)rootflags=\S*subvol(id)?=/.test(cmdline))
    return 'the kernel command line names the root subvolume'
  const root = fstab
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
    .find((fields) => fields[1] === '/')
  if (root && /(^|,)subvol(id)?=/.test(root[3] ?? '')) return '/etc/fstab names the root subvolume'
  return undefined
}

export async function rollBack(snapshot: SnapshotOutcome, hostRoot: string): Promise<SnapshotOutcome> {
  if (snapshot.problem) return snapshot
  try {
    const [cmdline, fstab] = await Promise.all(
      ['proc/cmdline', 'etc/fstab'].map(
        async (p) => (await unlessAbsent(p, readFile(join(hostRoot, p), 'utf8'))) ?? '',
      ),
    )
    const pinned = pinnedRoot(cmdline, fstab)
    const [root, fallback] = await Promise.all([subvolumeId(hostRoot), defaultSubvolume(hostRoot)])
    if (pinned || root !== fallback)
      return {...snapshot, problem: `not rolled back: ${pinned ?? 'the root is not the default subvolume'}`}
    await setDefaultSubvolume(await subvolumeId(snapshot.path), hostRoot)
    return {...snapshot, rolledBack: true}
  } catch (error) {
    return {...snapshot, problem: `not rolled back: ${message(error)}`}
  }
}

/** After a good update the snapshot is not needed; failing to delete it is said, not fatal. */
export async function dropSnapshot(snapshot: SnapshotOutcome): Promise<SnapshotOutcome> {
  if (snapshot.problem) return snapshot
  try {
    await run('btrfs', ['-q', 'subvolume', 'delete', snapshot.path])
    return {path: snapshot.path, deleted: true}
  } catch (error) {
    return {...snapshot, problem: `kept: ${message(error)}`}
  }
}
