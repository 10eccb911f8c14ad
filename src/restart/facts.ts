// Gathers what `nextroot restart` decides on, and judges nothing: processes running replaced code, every
// service unit's markers and state in the system manager and in each running user manager (as that user),
// the X-RestartOnUpgrade= key of the units concerned, and the units of packages a package manager just changed.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {pathExists, unlessAbsent} from '../absent.js'
import type {Config} from '../config.js'
import type {RunOptions} from '../exec/run.js'
import type {Locations} from '../locations.js'
import {swallowed} from '../log.js'
import {type ManagerRef, SYSTEM, describeManager} from '../systemd/manager-ref.js'
import {parseUnitFile} from '../systemd/unit-file.js'
import {unitFilePaths} from '../systemd/properties.js'
import {type UnitProperties, prop, showMatching} from '../systemd/units.js'
import {type UserManager, runningUserManagers, userManagers} from '../systemd/user-managers.js'
import {changedPackageUnits} from './packages.js'
import {type StaleScan, staleProcesses} from './stale.js'

/** The unit's own word on restarts after an upgrade (the last assignment in its file and drop-ins wins). */
export type RestartKey = 'yes' | 'reload' | 'no'

export const RESTART_KEY = 'X-RestartOnUpgrade'

export interface UnitState {
  active: string
  canReload: boolean
  refuseManualStop: boolean
  /** SurviveFinalKillSignal=yes: a soft reboot keeps it running, so a soft reboot never refreshes its code. */
  survives: boolean
  needDaemonReload: boolean
  markers: string[]
  mainPid: number
  key?: RestartKey
}

export interface ManagerFacts {
  manager: ManagerRef
  units: Record<string, UnitState>
  /** Set when the manager could not be asked (a user manager that did not answer in time): unknown. */
  error?: string
}

export interface RestartFacts {
  system: ManagerFacts
  users: ManagerFacts[]
  /** User managers not talked to, and why (a private socket that is not what it should be). */
  refusedUsers: Array<{uid: number; user: string; why: string}>
  stale: StaleScan
  /** Unit names (system and user) shipped by the packages the last transaction changed. */
  packageUnits: string[]
  config: Pick<Config, 'restartNever' | 'restartAllow' | 'userTimeoutS'>
  /** Gathered as root: every process's maps were open to us (any still unreadable are unknown, not others'). */
  asRoot: boolean
}

const PROPERTIES = [
  'LoadState',
  'ActiveState',
  'CanReload',
  'RefuseManualStop',
  'SurviveFinalKillSignal',
  'NeedDaemonReload',
  'Markers',
  'MainPID',
  'FragmentPath',
  'DropInPaths',
]

/** X-RestartOnUpgrade= as systemd would merge it: files in load order, the last assignment wins. */
export function restartKey(texts: string[]): RestartKey | undefined {
  const values = texts.flatMap(parseUnitFile).filter((a) => a.key === RESTART_KEY)
  const value = values.at(-1)?.value
  return value === 'yes' || value === 'reload' || value === 'no' ? value : undefined
}

async function keyOf(unit: UnitProperties, hostRoot: string): Promise<RestartKey | undefined> {
  const files = unitFilePaths(unit)
  const texts = await Promise.all(
    files.map(async (file) => (await unlessAbsent(file, readFile(join(hostRoot, file), 'utf8'))) ?? ''),
  )
  return texts.some((text) => text.includes(RESTART_KEY)) ? restartKey(texts) : undefined
}

/** A unit's state as `systemctl show` printed it. */
export function stateOf(unit: UnitProperties, key: RestartKey | undefined): UnitState {
  return {
    active: prop(unit, 'ActiveState'),
    canReload: prop(unit, 'CanReload') === 'yes',
    refuseManualStop: prop(unit, 'RefuseManualStop') === 'yes',
    survives: prop(unit, 'SurviveFinalKillSignal') === 'yes',
    needDaemonReload: prop(unit, 'NeedDaemonReload') === 'yes',
    markers: prop(unit, 'Markers').split(/\s+/).filter(Boolean),
    mainPid: Number(prop(unit, 'MainPID') || 0),
    key,
  }
}

/** Every loaded service unit of `manager`, with its markers, state and restart key: one `systemctl show`. */
async function managerFacts(
  manager: ManagerRef,
  hostRoot: string,
  options?: RunOptions,
): Promise<ManagerFacts> {
  const shown = await showMatching('*.service', PROPERTIES, manager, options)
  const loaded = [...shown].filter(([, unit]) => prop(unit, 'LoadState') === 'loaded')
  const entries = await Promise.all(
    loaded.map(async ([name, unit]) => [name, stateOf(unit, await keyOf(unit, hostRoot))] as const),
  )
  return {manager, units: Object.fromEntries(entries)}
}

/** Facts that could not be had (a user manager's timeout, a failed connection): unknown, and why. */
function unknownManager(manager: ManagerRef, error: unknown): ManagerFacts {
  swallowed(describeManager(manager), error)
  return {manager, units: {}, error: error instanceof Error ? error.message : String(error)}
}

async function askUser(manager: ManagerRef, hostRoot: string, timeoutS: number): Promise<ManagerFacts> {
  const options = {timeoutMs: timeoutS * 1000}
  try {
    return await managerFacts(manager, hostRoot, options)
  } catch (error) {
    return unknownManager(manager, error)
  }
}

const NO_SYSTEMD = 'no systemd runs under this root (no /run/systemd/system)'

/** The system manager's units, and its running user managers (user@UID.service among them). */
async function askSystem(hostRoot: string): Promise<{system: ManagerFacts; managers: UserManager[]}> {
  if (!(await pathExists(join(hostRoot, 'run/systemd/system'))))
    return {system: {manager: SYSTEM, units: {}, error: NO_SYSTEMD}, managers: []}
  try {
    const system = await managerFacts(SYSTEM, hostRoot)
    const active = new Map(Object.entries(system.units).map(([name, unit]) => [name, unit.active]))
    return {system, managers: await userManagers(hostRoot, runningUserManagers(active))}
  } catch (error) {
    return {system: unknownManager(SYSTEM, error), managers: []}
  }
}

export async function gatherRestartFacts(locations: Locations, config: Config): Promise<RestartFacts> {
  const {hostRoot} = locations
  const [{system, managers}, stale, packageUnits] = await Promise.all([
    askSystem(hostRoot),
    staleProcesses(hostRoot),
    changedPackageUnits(locations),
  ])
  const users = await Promise.all(
    managers.flatMap((m) => ('ref' in m ? [askUser(m.ref, hostRoot, config.userTimeoutS)] : [])),
  )
  const refusedUsers = managers.flatMap((m) =>
    'refused' in m ? [{uid: m.uid, user: m.user, why: m.refused}] : [],
  )
  const {restartNever, restartAllow, userTimeoutS} = config
  return {
    system,
    users,
    refusedUsers,
    stale,
    packageUnits,
    config: {restartNever, restartAllow, userTimeoutS},
    asRoot: process.getuid?.() === 0,
  }
}
