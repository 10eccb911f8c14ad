// `nextroot offline cancel`: removes /system-update (first, so it never points at nothing) and the payload,
// and records the cancellation. Idempotent; refused while update mode is installing or recording it.
import {mkdir, rm} from 'node:fs/promises'

import {NextrootError} from '../errors.js'
import {type LocationOptions, resolveLocations} from '../locations.js'
import {requireRoot} from '../privileges.js'
import {acquireLock} from '../state/lock.js'
import {stateLayout} from '../state/layout.js'
import {currentBootId} from '../state/staging-facts.js'
import {linkState, removeLink} from './link.js'
import {type OfflineRecord, appendOfflineHistory, currentRecords, offlinePaths} from './record.js'

export interface CancelResult {
  action: 'cancelled' | 'nothing'
  records: OfflineRecord[]
}

/** An update this boot is installing (update mode) or leaving: its record is not ours to end. */
function underWay(record: OfflineRecord, bootId: string): boolean {
  return (record.phase === 'updating' || record.phase === 'leaving') && record.entered?.bootId === bootId
}

export async function cancelOffline(options: LocationOptions = {}): Promise<CancelResult> {
  requireRoot('cancel an offline update')
  const locations = resolveLocations(options)
  const paths = offlinePaths(locations)
  await mkdir(paths.dir, {recursive: true, mode: 0o755})
  const lock = await acquireLock(locations.stateDir, stateLayout(locations).lockInfo, 'offline cancel')
  try {
    const [records, link, bootId] = await Promise.all([
      currentRecords(paths),
      linkState(paths),
      currentBootId(locations.hostRoot),
    ])
    const running = records.find((record) => underWay(record, bootId))
    if (running)
      throw new NextrootError(
        'NR_OFFLINE_RUNNING',
        `The offline update ${running.id} is ${running.phase} in this boot.`,
        {
          hints: [
            'Wait until the machine is back in normal mode; `nextroot offline status` shows how it ended.',
          ],
        },
      )
    if (link.kind === 'foreign')
      throw new NextrootError('NR_OFFLINE_FOREIGN', `${link.path} is not nextroot's; it is left alone.`, {
        hints: ['Cancel it with the tool that prepared it (pkcon offline-cancel, dnf offline clean).'],
      })
    if (link.kind === 'ours') await removeLink(link)
    // a record update mode left in an earlier boot is finish's to close, with its outcome
    const cancelled = records
      .filter((record) => record.phase === 'prepared' || record.phase === 'entering')
      .map((record) => ({
        ...record,
        phase: 'cancelled' as const,
        note: 'cancelled by `nextroot offline cancel`',
      }))
    for (const record of cancelled) {
      await appendOfflineHistory(paths, record)
      await rm(paths.payload(record.id), {recursive: true, force: true})
    }
    const action = cancelled.length > 0 || link.kind === 'ours' ? 'cancelled' : 'nothing'
    return {action, records: cancelled}
  } finally {
    await lock.release()
  }
}
