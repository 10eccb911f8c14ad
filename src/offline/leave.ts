// `nextroot offline leave`, run by nextroot-offline-leave.service after the update: takes the way out that
// execute wrote down (removing the order first, so no later update mode finds it), stamps its trigger
// time and asks systemd for it.
import {rm} from 'node:fs/promises'

import {type LocationOptions, resolveLocations} from '../locations.js'
import {readJsonFile} from '../state/record.js'
import {requestSwitch} from '../systemd/switch.js'
import type {LeaveOrder} from './execute.js'
import {offlinePaths, readOfflineRecord, writeOfflineRecord} from './record.js'

export async function leaveUpdateMode(
  options: LocationOptions = {},
  announce?: (order: LeaveOrder) => Promise<void>,
): Promise<LeaveOrder | undefined> {
  const paths = offlinePaths(resolveLocations(options))
  const order = await readJsonFile<LeaveOrder>(paths.leave)
  if (!order) return undefined
  await rm(paths.leave, {force: true})
  const record = await readOfflineRecord(paths.manifest(order.id))
  if (record?.leave) {
    record.leave.triggeredAt = Date.now()
    await writeOfflineRecord(paths.manifest(order.id), record)
  }
  await announce?.(order)
  await requestSwitch({kind: order.how, unit: `nextroot-offline-leave-${order.id}`})
  return order
}
