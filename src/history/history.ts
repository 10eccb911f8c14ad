// `nextroot history`: the recorded switches, oldest first, and the one still waiting to be checked.
import {type LocationOptions, resolveLocations} from '../locations.js'
import {stateLayout} from '../state/layout.js'
import {type HistoryEntry, type PendingSwitch, readHistory, readPending} from './records.js'

export interface HistoryResult {
  entries: HistoryEntry[]
  /** A switch triggered but not yet checked by the new userspace (or whose check never ran). */
  pending?: PendingSwitch
}

export async function history(options: LocationOptions = {}): Promise<HistoryResult> {
  const layout = stateLayout(resolveLocations(options))
  const [entries, pending] = await Promise.all([
    readHistory(layout.history),
    readPending(layout.pendingSwitch),
  ])
  return {entries, pending}
}
