// `nextroot reboot` into the staged root from somewhere that may have come through a full reboot (update
// mode entered the classic way): a root staged before it is published again first, then switched into.
import type {Locations} from '../locations.js'
import {republish} from '../stage/republish.js'
import {gatherStaging} from '../state/staging-facts.js'
import {reboot} from './reboot.js'

export async function switchIntoStaged(locations: Locations): Promise<void> {
  const {staging} = await gatherStaging(locations)
  if (staging.state === 'stale' && staging.why === 'rebooted') await republish(locations)
  await reboot(locations)
}
