// `nextroot unstage`: withdraws the staged root (disarming a switch armed for it, scheduled or not) and deletes
// its tree from the store; "nothing staged" is success. Whatever another tool put at /run/nextroot stays.
import {pathExists} from '../absent.js'
import {disarm} from '../arming/arming.js'
import {type LocationOptions, resolveLocations} from '../locations.js'
import {requireRoot} from '../privileges.js'
import {stateLayout} from '../state/layout.js'
import {acquireLock} from '../state/lock.js'
import {type StagedRecord, removeRecord} from '../state/record.js'
import {gatherStaging} from '../state/staging-facts.js'
import {cancelScheduledSwitch} from '../systemd/switch.js'
import {scheduleGuardPath} from '../shipped/schedule-guard.js'
import {foreignWarning, reconcile} from './reconcile.js'
import {withdrawTree} from './withdraw.js'

export interface UnstageResult {
  /** The record that was withdrawn, if anything was staged. */
  removed?: StagedRecord
  /** What an armed switch had put in place and was taken back. */
  disarmed: string[]
  warnings: string[]
}

export async function unstage(options: LocationOptions = {}): Promise<UnstageResult> {
  requireRoot('unstage a root')
  const locations = resolveLocations(options)
  const layout = stateLayout(locations)
  if (!(await pathExists(locations.stateDir))) {
    // nothing was ever staged here, so whatever is at the nextroot path is someone else's
    const foreign = foreignWarning(await gatherStaging(locations), locations.nextroot)
    return {disarmed: [], warnings: foreign ? [foreign] : []}
  }

  const lock = await acquireLock(locations.stateDir, layout.lockInfo, 'unstage')
  try {
    const record = await reconcile(locations)
    const view = await gatherStaging(locations)
    const disarmed: string[] = []
    if (view.staging.state === 'armed') {
      // a switch scheduled with --when= is logind's: take the schedule back too
      if (await pathExists(scheduleGuardPath(locations.hostRoot))) {
        await cancelScheduledSwitch()
        disarmed.push('the scheduled soft reboot')
      }

      disarmed.push(...(await disarm(locations, {pending: true})))
    }

    if (record && view.staging.state !== 'switched') {
      await withdrawTree(record, layout)
      await removeRecord(layout.record)
    }

    const foreign = foreignWarning(view, locations.nextroot)
    return {removed: record, disarmed, warnings: foreign ? [foreign] : []}
  } finally {
    await lock.release()
  }
}
