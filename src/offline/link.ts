// The /system-update symlink, the trigger of systemd's update mode: what it points at (ours, someone
// else's, gone), made atomically (a new link renamed over), removed first thing in update mode.
import {lstat, readlink, rename, rm, symlink} from 'node:fs/promises'
import {basename, dirname} from 'node:path'

import {unlessAbsent} from '../absent.js'
import type {OfflinePaths} from './record.js'

export type LinkState =
  | {kind: 'absent'}
  /** Points at one of our payload directories (which may be gone: dangling). */
  | {kind: 'ours'; id: string; target: string; dangling: boolean}
  /** PackageKit's, dnf's, an admin's: never touched. */
  | {kind: 'foreign'; path: string; target?: string}

async function readTrigger(path: string): Promise<{target?: string} | undefined> {
  const stats = await unlessAbsent(path, lstat(path))
  if (!stats) return undefined
  return {target: stats.isSymbolicLink() ? await readlink(path) : undefined}
}

/** What triggers update mode now: /system-update, else /etc/system-update (the generator honours both). */
export async function linkState(paths: OfflinePaths): Promise<LinkState> {
  for (const path of [paths.link, paths.etcLink]) {
    const found = await readTrigger(path)
    if (!found) continue
    const ours = path === paths.link && found.target !== undefined && dirname(found.target) === paths.dir
    if (!ours) return {kind: 'foreign', path, target: found.target}
    const target = found.target as string
    const present = await unlessAbsent(target, lstat(target))
    return {kind: 'ours', id: basename(target), target, dangling: present === undefined}
  }

  return {kind: 'absent'}
}

/** Points /system-update at `target`, replacing ours in one rename: it never points at nothing. */
export async function createLink(paths: OfflinePaths, target: string): Promise<void> {
  const temporary = `${paths.link}.nextroot-${process.pid}`
  await rm(temporary, {force: true})
  await symlink(target, temporary)
  await rename(temporary, paths.link)
}

export async function removeLink(paths: OfflinePaths): Promise<void> {
  await rm(paths.link, {force: true})
}
