// Gathers everything `nextroot check` judges, from systemd, /proc and the trees, and judges nothing: the rules
// are pure functions of these facts, so recorded facts from a real system replay the same findings.
import {readFile} from 'node:fs/promises'
import {release} from 'node:os'
import {join} from 'node:path'

import {orUnknown, unlessAbsent} from '../absent.js'
import {swallowed} from '../log.js'
import {inodeOf} from '../host/devices.js'
import {type FsSpace, spaceOf} from '../host/space.js'
import type {Locations} from '../locations.js'
import {type StagedRecord, treeOf} from '../state/record.js'
import type {Foreign, StaleReason, Staging} from '../state/staging.js'
import {type GatheredStaging, gatherStaging} from '../state/staging-facts.js'
import {type TreeFacts, gatherTreeFacts} from '../tree/tree-facts.js'
import {type SystemdFacts, systemdFacts} from '../systemd/manager.js'
import {type UnitProperties, listPortables} from '../systemd/units.js'
import {
  type RootFileSystem,
  type UnitPath,
  rootFileSystems,
  survivorProcesses,
  unitPaths,
} from './path-facts.js'
import type {ProcessFacts} from './processes.js'
import type {UnitAssignment} from '../systemd/unit-file.js'
import {loadedUnits, survivalCandidates, unitFilesMentioningSurvival} from './unit-facts.js'
import {type UnitTree, readUnitTree} from './unit-tree.js'

export type {RootFileSystem, UnitPath} from './path-facts.js'

export interface CheckFacts {
  systemd: SystemdFacts
  /** Free space in /run/systemd, where the manager serialises its state for the switch. */
  runSpace?: FsSpace
  /** nextroot's record: what it staged (undefined: nothing, or the state directory is unreadable). */
  staged?: StagedRecord
  stateReadable: boolean
  /** The staging's state, and anything at the nextroot path nextroot did not put there. */
  staging: {state: Staging['state']; stale?: StaleReason; foreign?: Foreign}
  /**
   * The tree a soft reboot would switch into (the staged one, or an OS tree someone else put at the nextroot
   * path: `ours` says which), and whether it is the running root already.
   */
  nextroot: {path: string; ours: boolean; isRunningRoot: boolean; tree?: TreeFacts}
  /** Modules loaded now; undefined when /proc/modules could not be read (unknown, not "none"). */
  kernel: {running: string; loadedModules?: string[]}
  /** Loaded units and their properties, keyed by unit name. */
  units: Record<string, UnitProperties>
  /** Parsed unit files and drop-ins of active units that mention SurviveFinalKillSignal=. */
  unitFiles: Record<string, UnitAssignment[]>
  /** `portablectl list` (undefined when portablectl is not installed). */
  portables?: Array<{name: string; state: string}>
  oldRoot: RootFileSystem[]
  paths: UnitPath[]
  processes: ProcessFacts[]
  trees: {current: UnitTree; staged?: UnitTree}
}

/**
 * The modules the kernel has loaded. No /proc/modules is a kernel without loadable modules (none loaded);
 * any other failure to read it is unknown, which the rule treats as "some are loaded".
 */
export async function loadedModules(hostRoot: string): Promise<string[] | undefined> {
  const path = join(hostRoot, 'proc/modules')
  const text = await orUnknown(
    path,
    unlessAbsent(path, readFile(path, 'utf8')).then((t) => t ?? ''),
  )
  return text
    ?.split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[0])
}

/** The tree a soft reboot would switch into: the staged tree, or else an OS tree at the nextroot path. */
function switchTreePath(view: GatheredStaging, nextroot: string): {path: string; ours: boolean} | undefined {
  const {staging, foreign} = view
  if (staging.state === 'staged' || staging.state === 'armed')
    return {path: treeOf(staging.record), ours: true}
  return foreign?.softRebootSwitches ? {path: nextroot, ours: false} : undefined
}

/** That tree's identity and unit tree, and whether it is the running root. */
async function nextTree(view: GatheredStaging, locations: Locations) {
  const next = switchTreePath(view, locations.nextroot)
  const switched = view.staging.state === 'switched'
  if (!next) return {path: locations.nextroot, ours: false, isRunningRoot: switched}
  const [tree, units, id, rootId] = await Promise.all([
    gatherTreeFacts(next.path),
    readUnitTree(next.path, locations.hostRoot),
    inodeOf(next.path),
    inodeOf(locations.hostRoot),
  ])
  return {...next, isRunningRoot: switched || id === rootId, tree, units}
}

/** The loaded units; without a running systemd list-units fails and there are none (a rule says why). */
async function unitsOf(systemd: Promise<SystemdFacts>): Promise<Record<string, UnitProperties>> {
  const loaded = loadedUnits().then(
    (units) => ({units}),
    (error: unknown) => ({error}),
  )
  const [{running}, result] = await Promise.all([systemd, loaded])
  if ('units' in result) return result.units
  if (running) throw result.error
  swallowed('loaded units, with no systemd running', result.error)
  return {}
}

export async function gatherFacts(locations: Locations): Promise<CheckFacts> {
  const {hostRoot} = locations
  const systemd = systemdFacts(hostRoot)
  // Everything that does not depend on the units runs while systemd is asked about them.
  const view = await gatherStaging(locations)
  const [units, next, current, modules, runSpace, oldRoot] = await Promise.all([
    unitsOf(systemd),
    nextTree(view, locations),
    readUnitTree(hostRoot, hostRoot),
    loadedModules(hostRoot),
    unlessAbsent('/run/systemd', spaceOf(join(hostRoot, 'run/systemd'))),
    rootFileSystems(hostRoot, join(hostRoot, 'proc')),
  ])
  const running = (await systemd).running
  const candidates = survivalCandidates(units)
  const [unitFiles, portables, paths, processes] = await Promise.all([
    unitFilesMentioningSurvival(units, hostRoot),
    running ? listPortables() : undefined,
    unitPaths(units, candidates, hostRoot),
    running ? survivorProcesses(units, candidates, hostRoot) : [],
  ])
  return {
    systemd: await systemd,
    runSpace,
    staged: view.staging.state === 'none' ? undefined : view.staging.record,
    stateReadable: view.stateReadable,
    staging: {
      state: view.staging.state,
      stale: view.staging.state === 'stale' ? view.staging.why : undefined,
      foreign: view.foreign,
    },
    nextroot: {
      path: next.path,
      ours: next.ours,
      isRunningRoot: next.isRunningRoot,
      tree: 'tree' in next ? next.tree : undefined,
    },
    kernel: {running: release(), loadedModules: modules},
    units,
    unitFiles,
    portables,
    oldRoot,
    paths,
    processes,
    trees: {current, staged: 'units' in next ? next.units : undefined},
  }
}
