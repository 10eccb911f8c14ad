// `nextroot offline finish`, run by nextroot-offline-finish.service in normal mode: once the system has
// settled, closes each record update mode left (or one a power loss cut off), times the way out and the
// services' downtime, appends it to offline.jsonl and removes the payload.
import {rm} from 'node:fs/promises'

import {type LocationOptions, resolveLocations} from '../locations.js'
import {acquireLock} from '../state/lock.js'
import {stateLayout} from '../state/layout.js'
import {currentBootId} from '../state/staging-facts.js'
import {managerTimes, systemState} from '../systemd/switch.js'
import {epochMsOfMonotonic} from '../host/clock.js'
import {closingPhase, downtimeMs} from './close.js'
import {claimedTrigger, linkState, removeLink} from './link.js'
import {type OfflineRecord, appendOfflineHistory, currentRecords, offlinePaths} from './record.js'

/** How long `finish` waits for the system to settle before it times the way out anyway. */
const SETTLE_MS = 300_000

export async function finishOffline(options: LocationOptions = {}): Promise<OfflineRecord[]> {
  const locations = resolveLocations(options)
  const paths = offlinePaths(locations)
  if ((await currentRecords(paths)).length === 0 && !(await claimedTrigger(paths))) return []
  const lock = await acquireLock(locations.stateDir, stateLayout(locations).lockInfo, 'offline finish')
  try {
    const [records, link, claimed] = await Promise.all([
      currentRecords(paths),
      linkState(paths),
      claimedTrigger(paths),
    ])
    const closed: OfflineRecord[] = []
    for (const record of records) {
      const closing = closingPhase(record, {
        pointsHere: link.kind === 'ours' && link.id === record.id,
        claimedHere: claimed?.id === record.id,
      })
      if (!closing) continue
      if (record.phase === 'leaving') {
        await systemState(SETTLE_MS)
        const [times, bootId] = await Promise.all([managerTimes(), currentBootId(locations.hostRoot)])
        const at = Math.round(epochMsOfMonotonic(times.finishUs))
        record.left = {at, bootId, softRebootsCount: times.softRebootsCount}
        record.downMs = downtimeMs(record, at)
      }
      const done: OfflineRecord = {
        ...record,
        phase: closing.phase,
        ...(closing.note ? {note: closing.note} : {}),
      }
      await appendOfflineHistory(paths, done)
      await rm(paths.payload(record.id), {recursive: true, force: true})
      closed.push(done)
    }
    // the claim is spent once its record is closed (or gone)
    if (claimed && !records.some((r) => r.id === claimed.id && !closed.some((c) => c.id === r.id))) {
      await removeLink(claimed)
    }
    return closed
  } finally {
    await lock.release()
  }
}
