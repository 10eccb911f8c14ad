// The /system-update symlink, the trigger of systemd's update mode: what it points at (ours, someone
// else's, gone), made atomically (a new link renamed over), moved aside first thing in update mode.
import {lstat, readlink, rename, rm, symlink} from 'node:fs/promises'
import {basename, dirname} from 'node:path'

import {unlessAbsent} from '../absent.js'
import type {OfflinePaths} from './record.js'

export type LinkState =
  | {kind: 'absent'}
  /** `path` points at one of our payload directories (which may be gone: dangling). */
  | {kind: 'ours'; path: string; id: string; target: string; dangling: boolean}
  /** PackageKit's, dnf's, an admin's: never touched. */
  | {kind: 'foreign'; path: string; target?: string}

async function readTrigger(path: string): Promise<{target?: string} | undefined> {
  const stats = await unlessAbsent(path, lstat(path))
  if (!stats) return undefined
  return {target: stats.isSymbolicLink() ? await readlink(path) : undefined}
}

async function ours(path: string, target: string): Promise<Extract<LinkState, {kind: 'ours'}>> {
  const present = await unlessAbsent(target, lstat(target))
  return {kind: 'ours', path, id: basename(target), target, dangling: present === undefined}
}

/** What triggers update mode now: /system-update, else /etc/system-update (the generator honours both). */
export async function linkState(paths: OfflinePaths): Promise<LinkState> {
  for (const path of [paths.link, paths.etcLink]) {
    const found = await readTrigger(path)
    if (!found) continue
    const isOurs = path === paths.link && found.target !== undefined && dirname(found.target) === paths.dir
    if (!isOurs) return {kind: 'foreign', path, target: found.target}
    return ours(path, found.target as string)
  }

  return {kind: 'absent'}
}

/** The trigger the update unit's ExecStartPre moved aside (it moves only a link into our offline directory). */
export async function claimedTrigger(
  paths: OfflinePaths,
): Promise<Extract<LinkState, {kind: 'ours'}> | undefined> {
  const claimed = await readTrigger(paths.claimed)
  if (claimed?.target === undefined || dirname(claimed.target) !== paths.dir) return undefined
  return ours(paths.claimed, claimed.target)
}

/**
 * In update mode: /system-update as linkState finds it (the command run without the unit, or someone
 * else's link), and only when it is gone the trigger the unit claimed (never a stale one beside a link).
 */
export async function claimedLinkState(paths: OfflinePaths): Promise<LinkState> {
  const link = await linkState(paths)
  return link.kind === 'absent' ? ((await claimedTrigger(paths)) ?? link) : link
}

/** Points /system-update at `target`, replacing ours in one rename: it never points at nothing. */
export async function createLink(paths: OfflinePaths, target: string): Promise<void> {
  const temporary = `${paths.link}.nextroot-${process.pid}`
  await rm(temporary, {force: true})
  await symlink(target, temporary)
  await rename(temporary, paths.link)
}

/** Removes our trigger: /system-update, or where the update unit moved it. */
export async function removeLink(link: Extract<LinkState, {kind: 'ours'}>): Promise<void> {
  await rm(link.path, {force: true})
}
