// `nextroot offline leave`, run by nextroot-offline-leave.service after the update: takes the way out that
// execute wrote down (removing the order first, so no later update mode finds it), stamps its trigger
// time and asks systemd for it, or, for an image, has `nextroot reboot` switch into the staged root.
import {rm} from 'node:fs/promises'

import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {readJsonFile} from '../state/record.js'
import {requestSwitch} from '../systemd/switch.js'
import type {LeaveOrder} from './execute.js'
import {type OfflineRecord, offlinePaths, readOfflineRecord, writeOfflineRecord} from './record.js'

/** `nextroot reboot` into the staged root; the caller passes it in (reboot's domain depends on history's). */
export type SwitchIntoStaged = (locations: Locations) => Promise<void>

/** The switch was refused: the record says so, and update mode is left by a soft reboot of this root. */
function refused(record: OfflineRecord | undefined, error: unknown): LeaveOrder['how'] {
  const message = error instanceof Error ? error.message : String(error)
  console.error(`nextroot: the switch into the staged root was refused: ${message}`)
  if (record?.updated) record.updated = {...record.updated, ok: false, error: message}
  if (record)
    record.leave = {
      how: 'soft-reboot',
      reasons: [{code: 'SWITCH_REFUSED', message: `nextroot reboot refused: ${message}`}],
      triggeredAt: Date.now(),
    }
  return 'soft-reboot'
}

export async function leaveUpdateMode(
  options: LocationOptions,
  switchInto: SwitchIntoStaged,
  announce?: (order: LeaveOrder) => Promise<void>,
): Promise<LeaveOrder | undefined> {
  const locations = resolveLocations(options)
  const paths = offlinePaths(locations)
  const order = await readJsonFile<LeaveOrder>(paths.leave)
  if (!order) return undefined
  await rm(paths.leave, {force: true})
  const record = await readOfflineRecord(paths.manifest(order.id))
  if (record?.leave) {
    record.leave.triggeredAt = Date.now()
    await writeOfflineRecord(paths.manifest(order.id), record)
  }
  await announce?.(order)
  if (order.into) {
    try {
      await switchInto(locations)
      return order
    } catch (error) {
      order.how = refused(record, error)
      delete order.into
      if (record) await writeOfflineRecord(paths.manifest(order.id), record)
    }
  }
  await requestSwitch({kind: order.how, unit: `nextroot-offline-leave-${order.id}`})
  return order
}
