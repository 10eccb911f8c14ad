// `nextroot stage --republish`: a root staged before the last full reboot (or power loss) is stale; this checks
// its tree again (OS tree, init and architecture, modules for the kernel that runs now), mounts an image again,
// and stamps the record with this boot, without unpacking anything. It never touches /run/nextroot.
import {release} from 'node:os'

import {pathExists} from '../absent.js'
import {NextrootError} from '../errors.js'
import {type FsType, mountImage} from '../host/mount.js'
import {type LocationOptions, resolveLocations} from '../locations.js'
import {requireRoot} from '../privileges.js'
import {stateLayout} from '../state/layout.js'
import {acquireLock} from '../state/lock.js'
import {type StagedRecord, treeOf, writeRecord} from '../state/record.js'
import {gatherStaging} from '../state/staging-facts.js'
import {gatherTreeFacts} from '../tree/tree-facts.js'
import {reconcile, refuseArmed} from './reconcile.js'
import {judgeRoot} from './root-rules.js'
import {hostIdentity, stagingWarnings} from './stage.js'

export interface RepublishResult {
  record: StagedRecord
  /** False when it was published in this boot already: nothing was done. */
  republished: boolean
  warnings: string[]
  tree: string
}

function nothingToRepublish(): NextrootError {
  return new NextrootError('NR_NOTHING_STAGED', 'Nothing is staged: there is no root to publish again.', {
    hints: ['Stage the new root: nextroot stage SOURCE.'],
  })
}

/** The tree is back: an image mounted again where the record says, an archive's or directory's tree still there. */
async function bringBack(record: StagedRecord, present: boolean): Promise<void> {
  if (present) return
  if (record.kind === 'image' && record.mountPoint)
    return mountImage(record.source, record.fsType as FsType, record.mountPoint)
  throw new NextrootError(
    'NR_STAGED_STALE',
    `The staged tree ${treeOf(record)} is gone; it cannot be published again.`,
    {
      hints: [`Stage it again: nextroot stage ${record.source}`],
    },
  )
}

export async function republish(options: LocationOptions = {}): Promise<RepublishResult> {
  requireRoot('publish a staged root again')
  const locations = resolveLocations(options)
  const layout = stateLayout(locations)
  if (!(await pathExists(layout.record))) throw nothingToRepublish()
  const lock = await acquireLock(locations.stateDir, layout.lockInfo, 'stage --republish')
  try {
    const record = await reconcile(locations)
    const view = await gatherStaging(locations)
    refuseArmed(view, 'publish it again')
    if (!record || view.staging.state === 'none') throw nothingToRepublish()
    if (view.staging.state !== 'stale')
      return {record, republished: false, warnings: [], tree: treeOf(record)}
    await bringBack(record, view.facts.treePresent)
    const facts = await gatherTreeFacts(treeOf(record))
    const {hasModulesForRunningKernel: hasModules} = judgeRoot(facts, await hostIdentity(locations.hostRoot))
    const republished: StagedRecord = {
      ...record,
      osRelease: facts.osRelease ?? {},
      kernel: {running: release(), modulesPresent: hasModules, available: facts.kernelModules},
      bootId: view.facts.bootId,
    }
    await writeRecord(layout.record, republished)
    const warnings = await stagingWarnings(locations.nextroot, hasModules)
    return {record: republished, republished: true, warnings, tree: treeOf(republished)}
  } finally {
    await lock.release()
  }
}
