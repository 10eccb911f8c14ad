// Gathers everything `nextroot check` judges, from systemd, /proc and the trees, and judges nothing: the rules
// are pure functions of these facts, so recorded facts from a real system replay the same findings.
import {readFile} from 'node:fs/promises'
import {release} from 'node:os'
import {join} from 'node:path'

import {orUnknown, unlessAbsent} from '../absent.js'
import {swallowed} from '../log.js'
import {inodeOf} from '../host/devices.js'
import {mountAt} from '../host/mounts.js'
import {type FsSpace, spaceOf} from '../host/space.js'
import type {Locations} from '../locations.js'
import {type StagedRecord, readStagedRecord} from '../state/record.js'
import {type TreeFacts, gatherTreeFacts, isOsTree} from '../tree/tree-facts.js'
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
import type {UnitAssignment} from './unit-file.js'
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
  nextroot: {path: string; mounted: boolean; osTree: boolean; isRunningRoot: boolean; tree?: TreeFacts}
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

/** The staged tree's identity and unit tree, when the nextroot path holds an OS tree. */
async function stagedTree(nextroot: string, hostRoot: string) {
  if (!(await isOsTree(nextroot))) return {osTree: false}
  const [tree, units] = await Promise.all([gatherTreeFacts(nextroot), readUnitTree(nextroot, hostRoot)])
  return {osTree: true, tree, units}
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
  const {hostRoot, nextroot} = locations
  const systemd = systemdFacts(hostRoot)
  // Everything that does not depend on the units runs while systemd is asked about them.
  const [units, state, mount, next, nextrootId, rootId, current, modules, runSpace, oldRoot] =
    await Promise.all([
      unitsOf(systemd),
      readStagedRecord(locations),
      mountAt(nextroot),
      stagedTree(nextroot, hostRoot),
      inodeOf(nextroot),
      inodeOf(hostRoot),
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
    staged: state.record,
    stateReadable: state.readable,
    nextroot: {
      path: nextroot,
      mounted: mount !== undefined,
      osTree: next.osTree,
      isRunningRoot: nextrootId !== undefined && nextrootId === rootId,
      tree: next.tree,
    },
    kernel: {running: release(), loadedModules: modules},
    units,
    unitFiles,
    portables,
    oldRoot,
    paths,
    processes,
    trees: {current, staged: next.units},
  }
}
