// `nextroot unstage`: withdraws the staged root so the next reboot is a real one; "nothing staged" is success.
import {rm} from 'node:fs/promises'
import {join} from 'node:path'

import {mountAt} from '../host/mounts.js'
import {type LocationOptions, resolveLocations} from '../locations.js'
import {stateLayout} from '../state/layout.js'
import {pathExists} from '../absent.js'
import {acquireLock} from '../state/lock.js'
import {removeEmptyDir, unmountAll} from '../host/mount.js'
import {removeRecord, type StagedRecord} from '../state/record.js'
import {reconcile} from './reconcile.js'
import {requireRoot} from '../privileges.js'

export interface UnstageResult {
  /** The record that was withdrawn, if anything was staged. */
  removed?: StagedRecord
  warnings: string[]
}

export async function unstage(options: LocationOptions = {}): Promise<UnstageResult> {
  requireRoot('unstage a root')
  const locations = resolveLocations(options)
  const layout = stateLayout(locations)
  if (!(await pathExists(locations.stateDir))) {
    // nothing was ever staged here, so whatever is mounted at the nextroot path is someone else's
    const mounted = await mountAt(locations.nextroot)
    return {warnings: mounted ? [leftAlone(locations.nextroot, mounted.source)] : []}
  }

  const lock = await acquireLock(locations.stateDir, layout.lockInfo, 'unstage')
  try {
    const {record, foreignMount} = await reconcile(locations)
    const warnings: string[] = []
    if (foreignMount) {
      warnings.push(leftAlone(locations.nextroot, foreignMount.source))
    }

    if (record) {
      await unmountAll(record.nextroot)
      await removeEmptyDir(record.nextroot)
      if (record.kind === 'archive') await rm(join(layout.store, record.id), {recursive: true, force: true})
      await removeRecord(layout.record)
    }

    return {removed: record, warnings}
  } finally {
    await lock.release()
  }
}

function leftAlone(nextroot: string, source: string): string {
  return `${nextroot} holds a mount nextroot did not make (${source}); it was left alone.`
}
