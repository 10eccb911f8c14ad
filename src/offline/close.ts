// Ends an offline update's record (pure): which phase it ends in, and the services' downtime from the way
// in to the default target on the way out.
import type {OfflinePhase, OfflineRecord} from './record.js'

const START_FAILED =
  'update mode could not run `nextroot offline execute` (see `journalctl -b -1 -u nextroot-offline-update.service`): nothing was installed; the unit had moved /system-update aside first, so this boot is a normal one; prepare the update again'

/** What normal mode finds, and what it makes of it: the final phase and a note, or nothing to do yet. */
export function closingPhase(
  record: OfflineRecord,
  link: {pointsHere: boolean; claimedHere: boolean},
): {phase: OfflinePhase; note?: string} | undefined {
  switch (record.phase) {
    case 'leaving':
      return {phase: record.updated?.ok ? 'installed' : 'failed'}
    case 'updating':
      return {
        phase: 'interrupted',
        note: 'update mode ended while the update ran (power loss, crash or kill): the package manager may have left packages half-configured; the symlink had been removed first, so this boot is a normal one',
      }
    case 'prepared':
    case 'entering':
      if (link.claimedHere) return {phase: 'failed', note: START_FAILED}
      return link.pointsHere
        ? undefined
        : {phase: 'cancelled', note: '/system-update no longer points at this update: someone removed it'}
    default:
      return {phase: record.phase}
  }
}

/** From the services' stop on the way in to the default target reached on the way out, in ms. */
export function downtimeMs(record: OfflineRecord, leftAt: number): number | undefined {
  const since = record.entered?.downSince
  return since === undefined || since <= 0 ? undefined : Math.round(leftAt - since)
}
