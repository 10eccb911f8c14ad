// Enters update mode now (`prepare --reboot`): the way is recorded with the time of its trigger, the
// services' downtime starts there, then systemd is asked for the soft or full reboot.
import type {Locations} from '../locations.js'
import {requestSwitch} from '../systemd/switch.js'
import type {PrepareResult} from './prepare.js'
import {offlinePaths, writeOfflineRecord} from './record.js'

export async function enterUpdateMode(
  result: PrepareResult & Required<Pick<PrepareResult, 'enter'>>,
  locations: Locations,
  announce?: (result: PrepareResult) => Promise<void>,
): Promise<PrepareResult> {
  const {record, enter} = result
  await announce?.(result)
  record.phase = 'entering'
  record.enter = {...enter, triggeredAt: Date.now()}
  await writeOfflineRecord(offlinePaths(locations).manifest(record.id), record)
  try {
    await requestSwitch({kind: enter.how, unit: `nextroot-offline-enter-${record.id}`})
  } catch (error) {
    // nothing was switched: the update stays prepared, and the next boot of any kind still enters update mode
    await writeOfflineRecord(offlinePaths(locations).manifest(record.id), {
      ...record,
      phase: 'prepared',
      enter: undefined,
    })
    throw error
  }
  return result
}
