// Puts the shipped nextroot-after-switch.service where systemd finds it: for one switch in
// /run/systemd/system (a soft reboot keeps files in /run, so whatever /etc the new root has, it runs there),
// or for good in a root's /etc/systemd/system (`nextroot install`, also into an image tree being built).
// An armed unit also gets a drop-in with the locations `nextroot reboot` ran with (--state-dir, --nextroot).
import {copyFile, lstat, mkdir, readFile, readlink, rm, symlink, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {removeEmptyDir} from '../host/mount.js'
import type {Locations} from '../locations.js'
import {stateLayout} from '../state/layout.js'
import {shippedFile} from './files.js'

export const AFTER_SWITCH_UNIT = 'nextroot-after-switch.service'

/** The target that pulls the unit in; the unit is ordered After= it (see the unit file for why not default.target). */
export const AFTER_SWITCH_WANTED_BY = 'multi-user.target'

/** Where the unit goes: runtime for one switch (`reboot`), persistent for every boot (`install`). */
export type UnitPlacement = 'runtime' | 'persistent'

const UNIT_DIRS: Record<UnitPlacement, string> = {
  runtime: 'run/systemd/system',
  persistent: 'etc/systemd/system',
}
const LINK_TARGET = `../${AFTER_SWITCH_UNIT}`
const LOCATIONS_DROP_IN = '50-nextroot-locations.conf'

export const shippedUnit = () => shippedFile(AFTER_SWITCH_UNIT)

export function unitPaths(root: string, placement: UnitPlacement) {
  const dir = join(root, UNIT_DIRS[placement])
  return {
    unit: join(dir, AFTER_SWITCH_UNIT),
    wants: join(dir, `${AFTER_SWITCH_WANTED_BY}.wants`, AFTER_SWITCH_UNIT),
    dropIn: join(dir, `${AFTER_SWITCH_UNIT}.d`, LOCATIONS_DROP_IN),
  }
}

/** A word of a unit file's value: specifiers ('%') doubled; in a command line, quoted when it must be. */
export function unitWord(word: string, command: boolean): string {
  const escaped = word.replaceAll('%', '%%')
  if (!command || /^[\w@+=:,./-]+$/.test(escaped)) return escaped
  return `"${escaped.replace(/[\\"]/g, '\\$&')}"`
}

/**
 * The drop-in that points the unit at the locations of this switch: its condition (the pending switch in
 * this state directory) and its command line (the same --state-dir and --nextroot). Empty assignments
 * reset the shipped unit's values first, as systemd.unit(5) documents for conditions and ExecStart=.
 */
export function locationsDropIn(locations: Pick<Locations, 'stateDir' | 'nextroot'>): string {
  const pending = stateLayout({...locations, hostRoot: '/'}).pendingSwitch
  const args = [
    'nextroot',
    'after-switch',
    '--state-dir',
    locations.stateDir,
    '--nextroot',
    locations.nextroot,
  ]
  return [
    '# Written by `nextroot reboot` for one switch: the locations it ran with. Removed after the switch.',
    '[Unit]',
    'ConditionPathExists=',
    `ConditionPathExists=${unitWord(pending, false)}`,
    '',
    '[Service]',
    'ExecStart=',
    `ExecStart=${args.map((arg) => unitWord(arg, true)).join(' ')}`,
    '',
  ].join('\n')
}

/** True when the unit file has the shipped content and the wants link points at it. */
export async function isPlaced(root: string, placement: UnitPlacement): Promise<boolean> {
  const {unit, wants} = unitPaths(root, placement)
  const [placed, shipped, link] = await Promise.all([
    unlessAbsent(unit, readFile(unit, 'utf8')),
    shippedUnit().then((path) => readFile(path, 'utf8')),
    unlessAbsent(wants, readlink(wants)),
  ])
  return placed === shipped && link === LINK_TARGET
}

/** Places the unit and its wants link; armed for a switch, with the drop-in naming its locations. */
export async function placeUnit(root: string, placement: UnitPlacement, armedFor?: Locations): Promise<void> {
  const {unit, wants, dropIn} = unitPaths(root, placement)
  await mkdir(dirname(wants), {recursive: true})
  await copyFile(await shippedUnit(), unit)
  await rm(wants, {force: true})
  await symlink(LINK_TARGET, wants)
  if (!armedFor) return
  await mkdir(dirname(dropIn), {recursive: true})
  await writeFile(dropIn, locationsDropIn(armedFor))
}

/** Removes the unit, its link and its drop-in; true when there was something to remove. */
export async function removeUnit(root: string, placement: UnitPlacement): Promise<boolean> {
  const {unit, wants, dropIn} = unitPaths(root, placement)
  const found = await Promise.all([unit, wants, dropIn].map((path) => unlessAbsent(path, lstat(path))))
  await Promise.all([unit, wants, dropIn].map((path) => rm(path, {force: true})))
  await removeEmptyDir(dirname(dropIn))
  return found.some((stats) => stats !== undefined)
}
