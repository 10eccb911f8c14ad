// `nextroot offline status`: the update prepared or under way (its phase, packages, how the next boot
// enters update mode), what /system-update points at, and how the last finished update went.
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {type LinkState, linkState} from './link.js'
import {
  type OfflinePhase,
  type OfflineRecord,
  currentRecords,
  offlinePaths,
  readOfflineHistory,
} from './record.js'

export interface OfflineStatus {
  /** none: nothing prepared or under way. */
  state: 'none' | OfflinePhase
  current?: OfflineRecord
  link: LinkState
  /** The last update that ended (installed, failed, interrupted, cancelled). */
  last?: OfflineRecord
  /** What the next reboot or soft reboot of any kind does with it. */
  next?: string
  locations: Locations
}

function nextBoot(link: LinkState): string | undefined {
  if (link.kind === 'foreign') return `${link.path} is someone else's: the next boot enters their update mode`
  if (link.kind !== 'ours') return undefined
  if (link.dangling)
    return `${link.target} is gone: update mode would find nothing to install and leave again`
  return 'the next reboot or soft reboot of any kind enters update mode and installs it'
}

export async function offlineStatus(options: LocationOptions = {}): Promise<OfflineStatus> {
  const locations = resolveLocations(options)
  const paths = offlinePaths(locations)
  const [records, link, history] = await Promise.all([
    currentRecords(paths),
    linkState(paths),
    readOfflineHistory(paths.history),
  ])
  const current = records.sort((a, b) => a.preparedAt - b.preparedAt).at(-1)
  return {
    state: current?.phase ?? 'none',
    current,
    link,
    last: history.at(-1),
    next: nextBoot(link),
    locations,
  }
}
