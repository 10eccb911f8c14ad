// `nextroot history`: the recorded switches and offline updates, oldest first, and the switch still waiting
// to be checked.
import {type LocationOptions, resolveLocations} from '../locations.js'
import {type OfflineRecord, offlinePaths, readOfflineHistory} from '../offline/record.js'
import {stateLayout} from '../state/layout.js'
import {type HistoryEntry, type PendingSwitch, readHistory, readPending} from './records.js'

export interface HistoryResult {
  entries: HistoryEntry[]
  /** A switch triggered but not yet checked by the new userspace (or whose check never ran). */
  pending?: PendingSwitch
  /** Finished offline updates (offline.jsonl): each phase with its time, and the services' downtime. */
  offline: OfflineRecord[]
}

export async function history(options: LocationOptions = {}): Promise<HistoryResult> {
  const locations = resolveLocations(options)
  const layout = stateLayout(locations)
  const [entries, pending, offline] = await Promise.all([
    readHistory(layout.history),
    readPending(layout.pendingSwitch),
    readOfflineHistory(offlinePaths(locations).history),
  ])
  return {entries, pending, offline}
}
