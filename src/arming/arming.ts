// Arming and disarming a switch, the effects: the symlink at the nextroot path that points a soft reboot at the
// carried tree `nextroot reboot` assembled at the armed path, and what goes with it (the runtime unit, the
// schedule guard, the switch record). Disarming undoes all of it, and after a switch removes what is left.
import {lstat, readlink, rename, rm, symlink} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {NextrootError} from '../errors.js'
import {mountAt} from '../host/mounts.js'
import {removeEmptyDir, unmountAll} from '../host/mount.js'
import type {Locations} from '../locations.js'
import {removeUnit} from '../shipped/after-switch-unit.js'
import {removeScheduleGuard} from '../shipped/schedule-guard.js'
import {armedPath, stateLayout} from '../state/layout.js'
import {nextrootEntry} from '../state/staging-facts.js'

/**
 * Points `path` at `target` with a symlink, atomically (a new link renamed over the old one). Only what a
 * switch leaves behind may be replaced: nothing, an empty directory, or a symlink; anything else is someone
 * else's next root.
 */
export async function linkNextroot(path: string, target: string): Promise<void> {
  const entry = await nextrootEntry(path)
  if (entry.kind === 'directory' && entry.empty) await removeEmptyDir(path)
  else if (entry.kind !== 'absent' && entry.kind !== 'symlink')
    throw new NextrootError(
      'NR_NEXTROOT_IN_USE',
      `${path} holds something nextroot did not put there (${entry.kind}).`,
      {
        hints: ['Another tool prepared a soft reboot there; remove it (umount, rm) if it is stale.'],
        details: {entry},
      },
    )
  const temporary = join(dirname(path), `.${process.pid}.nextroot-link`)
  await rm(temporary, {force: true})
  await symlink(target, temporary)
  await rename(temporary, path)
}

/** Removes the nextroot symlink when it points at the armed tree, or the empty directory a switch leaves. */
async function unlinkNextroot(locations: Locations): Promise<string[]> {
  const {nextroot} = locations
  const stats = await unlessAbsent(nextroot, lstat(nextroot))
  if (stats?.isSymbolicLink() && (await readlink(nextroot)) === armedPath(locations)) {
    await rm(nextroot)
    return [`symlink ${nextroot}`]
  }

  if (!stats?.isDirectory() || (await mountAt(nextroot))) return []
  await removeEmptyDir(nextroot)
  return (await unlessAbsent(nextroot, lstat(nextroot))) ? [] : [`empty directory ${nextroot}`]
}

/**
 * Undoes an armed switch, or cleans what a switch left: the symlink, the armed tree (unmounted with the
 * carry-over mounts below it) and its mount point, the runtime unit and its drop-in, the schedule guard,
 * and with `pending` the switch record. Harmless when nothing is armed; says what it removed.
 */
export async function disarm(locations: Locations, options: {pending: boolean}): Promise<string[]> {
  const removed = await unlinkNextroot(locations)
  const armed = armedPath(locations)
  if (await mountAt(armed)) {
    await unmountAll(armed)
    removed.push(`mounts at ${armed}`)
  }

  if (await unlessAbsent(armed, lstat(armed))) {
    await removeEmptyDir(armed)
    if (!(await unlessAbsent(armed, lstat(armed)))) removed.push(`directory ${armed}`)
  }

  if (await removeUnit(locations.hostRoot, 'runtime')) removed.push('the runtime after-switch unit')
  await removeScheduleGuard(locations.hostRoot)
  if (options.pending) await rm(stateLayout(locations).pendingSwitch, {force: true})
  return removed
}
