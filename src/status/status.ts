// `nextroot status`: what is staged, whether systemd can see it, and what the running system can do with it.
import {arch, release} from 'node:os'

import {NextrootError} from '../errors.js'
import {type HistoryEntry, readHistory} from '../history/records.js'
import {mountAt} from '../host/mounts.js'
import {persistenceOf} from '../plan/decide.js'
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {stateLayout} from '../state/layout.js'
import {type SystemdFacts, systemdFacts} from '../systemd/manager.js'
import {type StagedRecord, readStagedRecord} from '../state/record.js'
import {isOsTree} from '../tree/tree-facts.js'

export interface NextrootMount {
  path: string
  /** Something is mounted at the path (systemd >= 256 auto-soft-reboots only into a mount point). */
  mounted: boolean
  mountedByNextroot: boolean
  source?: string
  fsType?: string
  /** It holds etc/os-release or usr/lib/os-release: systemd will switch into it. */
  osTree: boolean
}

export interface StatusResult {
  staged?: StagedRecord
  nextroot: NextrootMount
  /**
   * A plain `systemctl reboot` will become a soft reboot into the staged root (systemd >= 255 with a
   * mounted OS tree at /run/nextroot). `nextroot unstage` or SYSTEMCTL_SKIP_AUTO_SOFT_REBOOT=1 prevents it.
   */
  rebootBecomesSoftReboot: boolean
  system: {kernel: string; arch: string; systemd: SystemdFacts}
  /** What the next full reboot boots after a soft reboot into the staged root. */
  persistence?: string
  /** The last switch `nextroot reboot` made, as the new userspace recorded it. */
  lastSwitch?: HistoryEntry
  locations: Locations
}

export async function status(options: LocationOptions = {}): Promise<StatusResult> {
  const locations = resolveLocations(options)
  const layout = stateLayout(locations)
  const {record: staged, readable} = await readStagedRecord(locations)
  if (!readable)
    throw new NextrootError('NR_NOT_ROOT', `Only root can read ${locations.stateDir}.`, {
      hints: ['Run it with sudo, or as root.'],
    })
  const mount = await mountAt(locations.nextroot)
  const osTree = await isOsTree(locations.nextroot)
  const systemd = await systemdFacts(locations.hostRoot)
  const lastSwitch = (await readHistory(layout.history)).at(-1)
  const nextroot: NextrootMount = {
    path: locations.nextroot,
    mounted: mount !== undefined,
    mountedByNextroot: mount !== undefined && staged?.nextroot === locations.nextroot,
    source: mount?.source,
    fsType: mount?.fsType,
    osTree,
  }
  return {
    staged,
    nextroot,
    rebootBecomesSoftReboot: systemd.autoSoftReboot && nextroot.mounted && osTree,
    system: {kernel: release(), arch: arch(), systemd},
    persistence: staged ? persistenceOf(staged) : undefined,
    lastSwitch,
    locations,
  }
}
