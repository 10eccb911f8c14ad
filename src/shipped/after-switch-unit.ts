// Puts the shipped nextroot-after-switch.service where systemd finds it: for one switch in
// /run/systemd/system (a soft reboot keeps files in /run, so whatever /etc the new root has, it runs there),
// or for good in a root's /etc/systemd/system (`nextroot install`, also into an image tree being built).
import {copyFile, mkdir, readFile, readlink, rm, symlink} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {pathExists} from '../absent.js'

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

/** A file from units/ of the installed package, found upwards from this module (src/ by tsx, dist/ when built). */
export async function shippedFile(name: string): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    const candidate = join(dir, 'units', name)
    if (await pathExists(candidate)) return candidate
  }

  throw new Error(`units/${name} is missing from the nextroot package`)
}

export const shippedUnit = () => shippedFile(AFTER_SWITCH_UNIT)

export function unitPaths(root: string, placement: UnitPlacement): {unit: string; wants: string} {
  const dir = join(root, UNIT_DIRS[placement])
  return {
    unit: join(dir, AFTER_SWITCH_UNIT),
    wants: join(dir, `${AFTER_SWITCH_WANTED_BY}.wants`, AFTER_SWITCH_UNIT),
  }
}

/** True when the unit file has the shipped content and the wants link points at it. */
export async function isPlaced(root: string, placement: UnitPlacement): Promise<boolean> {
  const {unit, wants} = unitPaths(root, placement)
  const [placed, shipped, link] = await Promise.all([
    readFile(unit, 'utf8').catch(() => undefined),
    shippedUnit().then((path) => readFile(path, 'utf8')),
    readlink(wants).catch(() => undefined),
  ])
  return placed === shipped && link === LINK_TARGET
}

export async function placeUnit(root: string, placement: UnitPlacement): Promise<void> {
  const {unit, wants} = unitPaths(root, placement)
  await mkdir(dirname(wants), {recursive: true})
  await copyFile(await shippedUnit(), unit)
  await rm(wants, {force: true})
  await symlink(LINK_TARGET, wants)
}

/** Removes the unit and its link; true when there was something to remove. */
export async function removeUnit(root: string, placement: UnitPlacement): Promise<boolean> {
  const {unit, wants} = unitPaths(root, placement)
  const present =
    (await pathExists(unit)) ||
    (await readlink(wants).then(
      () => true,
      () => false,
    ))
  await rm(wants, {force: true})
  await rm(unit, {force: true})
  return present
}
