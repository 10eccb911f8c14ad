// btrfs facts and actions for persistent switches: a staged tree that is a subvolume can become the default
// subvolume, which is what a full reboot mounts as / when the boot names no subvol= (transactional updates).
import {chmod, mkdir, stat, statfs} from 'node:fs/promises'
import {dirname} from 'node:path'

import {orUnknown, unlessAbsent} from '../absent.js'
import {run} from '../exec/run.js'

const BTRFS_SUPER_MAGIC = 0x9123683e
/** Every btrfs subvolume's top directory has this inode number. */
const SUBVOLUME_TOP_INODE = 256

/** The file system holding `path` is btrfs (false when nothing is there). */
export async function isBtrfs(path: string): Promise<boolean> {
  return (await unlessAbsent(path, statfs(path)))?.type === BTRFS_SUPER_MAGIC
}

export async function isSubvolume(path: string): Promise<boolean> {
  const [btrfs, stats] = await Promise.all([isBtrfs(path), unlessAbsent(path, stat(path))])
  return btrfs && stats?.ino === SUBVOLUME_TOP_INODE
}

/**
 * Creates `path` (mode 0700) as a subvolume where its parent is on btrfs and the btrfs tool is there, so it can
 * later become the default subvolume; elsewhere as a plain directory. True when it made a subvolume.
 */
export async function makeTreeDir(path: string): Promise<boolean> {
  const parent = dirname(path)
  await mkdir(parent, {recursive: true, mode: 0o700})
  if (await isBtrfs(parent)) {
    // No btrfs tool, or no right to make subvolumes here: a plain directory does, without --persist.
    const made = await orUnknown(
      `btrfs subvolume create ${path}`,
      run('btrfs', ['-q', 'subvolume', 'create', path]),
    )
    if (made) {
      await chmod(path, 0o700)
      return true
    }
  }

  await mkdir(path, {mode: 0o700})
  return false
}

/** The id of the subvolume `path` is in. */
export async function subvolumeId(path: string): Promise<string> {
  return (await run('btrfs', ['inspect-internal', 'rootid', path])).stdout.trim()
}

/** The id of the default subvolume of the file system `path` is on ("ID 256 gen 9 top level 5 path @"). */
export async function defaultSubvolume(path: string): Promise<string> {
  const {stdout} = await run('btrfs', ['subvolume', 'get-default', path])
  const id = /^ID (\d+)/.exec(stdout.trim())?.[1]
  if (!id) throw new Error(`unexpected output of btrfs subvolume get-default ${path}: ${stdout}`)
  return id
}

export async function setDefaultSubvolume(id: string, path: string): Promise<void> {
  await run('btrfs', ['subvolume', 'set-default', id, path])
}
