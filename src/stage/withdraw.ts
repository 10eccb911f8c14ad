// Takes a staged root's tree away, whatever kind it is: an image is unmounted from under the state directory,
// an archive's store entry deleted; a source directory is the user's own and is left as it is.
import {rm} from 'node:fs/promises'
import {join} from 'node:path'

import {discardMountPoint} from '../host/mount.js'
import type {StateLayout} from '../state/layout.js'
import type {StagedRecord} from '../state/record.js'

export async function withdrawTree(record: StagedRecord, layout: StateLayout): Promise<void> {
  if (record.mountPoint) await discardMountPoint(record.mountPoint)
  if (record.kind === 'archive') await rm(join(layout.store, record.id), {recursive: true, force: true})
}
