// What `nextroot check` asks systemd about units: every loaded unit's state, the properties the rules read
// for the active services and scopes and what survivors depend on, and the unit files that mention survival.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {unitFilePaths, unitList} from '../systemd/properties.js'
import {type UnitProperties, listUnits, prop, showUnits} from '../systemd/units.js'
import {type UnitAssignment, parseUnitFile} from '../systemd/unit-file.js'

/** Everything `systemctl show` is asked about each loaded unit (one batched call for all of them). */
export const UNIT_PROPERTIES = [
  'Id',
  'LoadState',
  'ActiveState',
  'SubState',
  'FragmentPath',
  'DropInPaths',
  'SurviveFinalKillSignal',
  'DefaultDependencies',
  'IgnoreOnIsolate',
  'Requires',
  'Requisite',
  'BindsTo',
  'Wants',
  'After',
  'Before',
  'Conflicts',
  'ControlGroup',
  'MainPID',
  'RootDirectory',
  'RootImage',
  'BindPaths',
  'BindReadOnlyPaths',
  'ExtensionImages',
  'ExtensionDirectories',
  'WorkingDirectory',
  'ExecStart',
  'EnvironmentFiles',
  'User',
  'FileDescriptorStoreMax',
  'FileDescriptorStorePreserve',
]

/** Where a soft reboot keeps portable services' attachments (/etc is the old root's, /run carries over). */
export const ATTACHED_DIRS = ['/etc/systemd/system.attached/', '/run/systemd/system.attached/']

export function isActive(unit: UnitProperties): boolean {
  return ['active', 'activating', 'reloading', 'deactivating'].includes(prop(unit, 'ActiveState'))
}

export function isAttached(unit: UnitProperties): boolean {
  return unitFilePaths(unit).some((file) => ATTACHED_DIRS.some((dir) => file.startsWith(dir)))
}

/** Units whose processes may outlive the switch: SurviveFinalKillSignal=yes or attached portable services. */
export function survivalCandidates(units: Record<string, UnitProperties>): string[] {
  return Object.keys(units).filter(
    (name) =>
      isActive(units[name]) &&
      (prop(units[name], 'SurviveFinalKillSignal') === 'yes' || isAttached(units[name])),
  )
}

/** Unit types whose processes a soft reboot kills or lets survive, and that a new root brings back. */
const PROCESS_UNIT = /\.(service|scope)$/
const STOP_DEPENDENCIES = ['Requires', 'BindsTo', 'Requisite', 'Wants']

/**
 * Every loaded unit with its state (list-units), and the properties the rules read (show, batched) for the
 * active services and scopes plus what survival candidates depend on: the manager serialises every property
 * of every unit it is asked about, so nothing else is asked.
 */
export async function loadedUnits(): Promise<Record<string, UnitProperties>> {
  const listed = (await listUnits()).filter((unit) => unit.load !== 'not-found')
  const units: Record<string, UnitProperties> = Object.fromEntries(
    listed.map((u) => [
      u.unit,
      {Id: [u.unit], LoadState: [u.load], ActiveState: [u.active], SubState: [u.sub]},
    ]),
  )
  const active = listed.filter((u) => PROCESS_UNIT.test(u.unit) && isActive(units[u.unit])).map((u) => u.unit)
  const shown = await showUnits(active, UNIT_PROPERTIES)
  for (const [name, properties] of shown) units[name] = properties
  const dependencies = survivalCandidates(Object.fromEntries(shown))
    .flatMap((name) => STOP_DEPENDENCIES.flatMap((key) => unitList(units[name], key)))
    .filter((name) => units[name] !== undefined && !shown.has(name))
  for (const [name, properties] of await showUnits([...new Set(dependencies)], UNIT_PROPERTIES)) {
    units[name] = properties
  }

  return units
}

/** Parsed unit files and drop-ins of the active units whose files mention SurviveFinalKillSignal=. */
export async function unitFilesMentioningSurvival(
  units: Record<string, UnitProperties>,
  hostRoot: string,
): Promise<Record<string, UnitAssignment[]>> {
  const active = Object.keys(units).filter(
    (name) => isActive(units[name]) && prop(units[name], 'FragmentPath'),
  )
  const parsed = await Promise.all(
    active.map(async (name) => {
      const files = unitFilePaths(units[name])
      const texts = await Promise.all(
        files.map(async (file) => (await unlessAbsent(file, readFile(join(hostRoot, file), 'utf8'))) ?? ''),
      )
      return texts.some((text) => text.includes('SurviveFinalKillSignal'))
        ? texts.flatMap(parseUnitFile)
        : undefined
    }),
  )
  return Object.fromEntries(active.flatMap((name, i) => (parsed[i] ? [[name, parsed[i]]] : [])))
}
