// Gathers everything `nextroot check` judges, from systemd, /proc and the trees, and judges nothing: the rules
// are pure functions of these facts, so recorded facts from a real system replay the same findings.
import {readFile} from 'node:fs/promises'
import {release} from 'node:os'
import {join} from 'node:path'

import {errnoCode} from '../errors.js'
import {type FsSpace, deviceOf, inodeOf, spaceOf} from '../host/devices.js'
import {type MountEntry, mountAt, readMounts} from '../host/mounts.js'
import {type Locations, stateLayout} from '../locations.js'
import {type StagedRecord, readRecord} from '../stage/record.js'
import {type TreeFacts, gatherTreeFacts, isOsTree} from '../stage/tree-facts.js'
import {type SystemdFacts, systemdFacts} from '../systemd/manager.js'
import {
  type PathSetting,
  bindSources,
  unitFilePaths,
  unitList,
  environmentFiles,
  execPaths,
  extensionSources,
  rootSettings,
  workingDirectory,
} from '../systemd/properties.js'
import {type UnitProperties, listPortables, listUnits, prop, showUnits} from '../systemd/units.js'
import {type ProcessFacts, atProcesses, cgroupPids, readProcess} from './processes.js'
import {type UnitAssignment, parseUnitFile} from './unit-file.js'
import {type UnitTree, readUnitTree} from './unit-tree.js'

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
]

/** Where a soft reboot keeps portable services' attachments (/etc is the old root's, /run carries over). */
export const ATTACHED_DIRS = ['/etc/systemd/system.attached/', '/run/systemd/system.attached/']

/** A file system of the running root: after the switch it is the old root, and a survivor may keep it. */
export interface RootFileSystem {
  /** Where it is mounted ('/', '/usr', ...). */
  path: string
  device: string
  source?: string
  fsType?: string
  usedBytes?: number
}

/** A path a unit's settings name, with the device it lies on. */
export interface UnitPath extends PathSetting {
  unit: string
  /** The path on the host (below RootDirectory= for the unit's own binaries). */
  hostPath: string
  device?: string
}

export interface CheckFacts {
  systemd: SystemdFacts
  /** Free space in /run/systemd, where the manager serialises its state for the switch. */
  runSpace?: FsSpace
  /** nextroot's record: what it staged (undefined: nothing, or the state directory is unreadable). */
  staged?: StagedRecord
  stateReadable: boolean
  nextroot: {path: string; mounted: boolean; osTree: boolean; isRunningRoot: boolean; tree?: TreeFacts}
  kernel: {running: string; loadedModules: string[]}
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
async function loadedUnits(): Promise<Record<string, UnitProperties>> {
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

async function unitFilesMentioningSurvival(
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
        files.map((file) => readFile(join(hostRoot, file), 'utf8').catch(() => '')),
      )
      return texts.some((text) => text.includes('SurviveFinalKillSignal'))
        ? texts.flatMap(parseUnitFile)
        : undefined
    }),
  )
  return Object.fromEntries(active.flatMap((name, i) => (parsed[i] ? [[name, parsed[i]]] : [])))
}

async function rootFileSystems(hostRoot: string, procRoot: string): Promise<RootFileSystem[]> {
  const mounts: MountEntry[] = await readMounts('self', procRoot).catch(() => [])
  const systems: RootFileSystem[] = []
  for (const path of ['/', '/usr', '/etc']) {
    const device = await deviceOf(join(hostRoot, path))
    if (!device || systems.some((fs) => fs.device === device)) continue
    const mount = mounts.filter((m) => m.majorMinor === device).at(-1)
    systems.push({
      path,
      device,
      source: mount?.source,
      fsType: mount?.fsType,
      usedBytes: (await spaceOf(join(hostRoot, path)))?.usedBytes,
    })
  }

  return systems
}

/** The paths a unit's settings hold while it runs; binaries and the working directory live below its root. */
function unitPathSettings(unit: UnitProperties): Array<PathSetting & {inUnitRoot: boolean}> {
  const outside = [
    ...bindSources(unit, 'BindPaths'),
    ...bindSources(unit, 'BindReadOnlyPaths'),
    ...rootSettings(unit),
    ...extensionSources(unit),
    ...environmentFiles(unit),
  ].map((setting) => ({...setting, inUnitRoot: false}))
  const inside = [...execPaths(unit), workingDirectory(unit)].filter((s): s is PathSetting => s !== undefined)
  return [...outside, ...inside.map((setting) => ({...setting, inUnitRoot: true}))]
}

async function unitPaths(
  units: Record<string, UnitProperties>,
  names: string[],
  hostRoot: string,
): Promise<UnitPath[]> {
  const paths: UnitPath[] = []
  for (const name of names) {
    const unit = units[name]
    const unitRoot = prop(unit, 'RootDirectory') || '/'
    for (const setting of unitPathSettings(unit)) {
      if (prop(unit, 'RootImage') && setting.inUnitRoot) continue // inside the image, not on the host
      const hostPath = join(hostRoot, setting.inUnitRoot ? unitRoot : '/', setting.path)
      paths.push({...setting, unit: name, hostPath, device: await deviceOf(hostPath)})
    }
  }

  return paths
}

async function survivorProcesses(
  units: Record<string, UnitProperties>,
  names: string[],
  hostRoot: string,
): Promise<ProcessFacts[]> {
  const procRoot = join(hostRoot, 'proc')
  const cgroupRoot = join(hostRoot, 'sys/fs/cgroup')
  const pids = new Set<number>(await atProcesses(procRoot).catch(() => []))
  for (const name of names)
    for (const pid of await cgroupPids(cgroupRoot, prop(units[name], 'ControlGroup'))) pids.add(pid)
  const read = await Promise.all([...pids].sort((a, b) => a - b).map((pid) => readProcess(procRoot, pid)))
  return read.filter((p): p is ProcessFacts => p !== undefined)
}

async function loadedModules(hostRoot: string): Promise<string[]> {
  const text = await readFile(join(hostRoot, 'proc/modules'), 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[0])
}

async function readStaged(locations: Locations): Promise<{staged?: StagedRecord; stateReadable: boolean}> {
  try {
    return {staged: await readRecord(stateLayout(locations).record), stateReadable: true}
  } catch (error) {
    if (errnoCode(error) !== 'EACCES') throw error
    return {stateReadable: false}
  }
}

/** The staged tree's identity and unit tree, when the nextroot path holds an OS tree. */
async function stagedTree(nextroot: string, hostRoot: string) {
  if (!(await isOsTree(nextroot))) return {osTree: false}
  const [tree, units] = await Promise.all([gatherTreeFacts(nextroot), readUnitTree(nextroot, hostRoot)])
  return {osTree: true, tree, units}
}

export async function gatherFacts(locations: Locations): Promise<CheckFacts> {
  const {hostRoot, nextroot} = locations
  const procRoot = join(hostRoot, 'proc')
  // Everything that does not depend on the units runs while systemd is asked about them.
  const [
    systemd,
    loaded,
    {staged, stateReadable},
    mount,
    next,
    nextrootId,
    rootId,
    current,
    modules,
    runSpace,
    oldRoot,
  ] = await Promise.all([
    systemdFacts(hostRoot),
    loadedUnits().catch((error: unknown) => error),
    readStaged(locations),
    mountAt(nextroot),
    stagedTree(nextroot, hostRoot),
    inodeOf(nextroot),
    inodeOf(hostRoot),
    readUnitTree(hostRoot, hostRoot),
    loadedModules(hostRoot),
    spaceOf(join(hostRoot, 'run/systemd')),
    rootFileSystems(hostRoot, procRoot),
  ])
  // Without a running systemd, list-units fails: there are no units to judge, and a rule says why.
  if (systemd.running && loaded instanceof Error) throw loaded
  const units = loaded instanceof Error ? {} : (loaded as Record<string, UnitProperties>)
  const candidates = survivalCandidates(units)
  const [unitFiles, portables, paths, processes] = await Promise.all([
    unitFilesMentioningSurvival(units, hostRoot),
    systemd.running ? listPortables() : undefined,
    unitPaths(units, candidates, hostRoot),
    systemd.running ? survivorProcesses(units, candidates, hostRoot) : [],
  ])
  return {
    systemd,
    runSpace,
    staged,
    stateReadable,
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
