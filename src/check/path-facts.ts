// What survivors hold on the old root, as `nextroot check` gathers it: the running root's file systems, the
// paths survivors' settings name (with their devices), and what their processes hold in /proc.
import {join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {errnoCode} from '../errors.js'
import {deviceOf} from '../host/devices.js'
import {readMounts} from '../host/mounts.js'
import {spaceOf} from '../host/space.js'
import {swallowed} from '../log.js'
import {
  type PathSetting,
  bindSources,
  environmentFiles,
  execPaths,
  extensionSources,
  rootSettings,
  workingDirectory,
} from '../systemd/properties.js'
import {type UnitProperties, prop} from '../systemd/units.js'
import {type ProcessFacts, atProcesses, cgroupPids, readProcess} from './processes.js'

/** A file system of the running root: after the switch it is the old root, and a survivor may keep it. */
export interface RootFileSystem {
  /** Where it is mounted ('/', '/usr', ...). */
  path: string
  device: string
  source?: string
  fsType?: string
  usedBytes?: number
}

/** A path a unit's settings name, with the device it lies on (undefined: the path does not exist). */
export interface UnitPath extends PathSetting {
  unit: string
  /** The path on the host (below RootDirectory= for the unit's own binaries). */
  hostPath: string
  device?: string
  /** The path is closed to us (not root): its device, and so what it pins, is unknown. */
  denied?: boolean
}

/** The device of a setting's path: undefined when absent, `denied` when closed to us. */
async function deviceOfSetting(path: string): Promise<{device?: string; denied?: boolean}> {
  try {
    return {device: await deviceOf(path)}
  } catch (error) {
    if (errnoCode(error) !== 'EACCES' && errnoCode(error) !== 'EPERM') throw error
    swallowed(path, error)
    return {denied: true}
  }
}

export async function rootFileSystems(hostRoot: string, procRoot: string): Promise<RootFileSystem[]> {
  // A root without /proc (an image tree, a test's root) has no mount table to name the sources by.
  const mounts = (await unlessAbsent(procRoot, readMounts('self', procRoot))) ?? []
  const systems: RootFileSystem[] = []
  for (const path of ['/', '/usr', '/etc']) {
    const device = await deviceOf(join(hostRoot, path))
    if (!device || systems.some((fs) => fs.device === device)) continue
    const mount = mounts.filter((m) => m.majorMinor === device).at(-1)
    const {usedBytes} = await spaceOf(join(hostRoot, path))
    systems.push({path, device, source: mount?.source, fsType: mount?.fsType, usedBytes})
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

export async function unitPaths(
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
      paths.push({...setting, unit: name, hostPath, ...(await deviceOfSetting(hostPath))})
    }
  }

  return paths
}

/** The processes of the survival candidates' cgroups, and every '@' process. */
export async function survivorProcesses(
  units: Record<string, UnitProperties>,
  names: string[],
  hostRoot: string,
): Promise<ProcessFacts[]> {
  const procRoot = join(hostRoot, 'proc')
  const cgroupRoot = join(hostRoot, 'sys/fs/cgroup')
  const pids = new Set<number>(await atProcesses(procRoot))
  for (const name of names)
    for (const pid of await cgroupPids(cgroupRoot, prop(units[name], 'ControlGroup'))) pids.add(pid)
  const read = await Promise.all([...pids].sort((a, b) => a - b).map((pid) => readProcess(procRoot, pid)))
  return read.filter((p): p is ProcessFacts => p !== undefined)
}
