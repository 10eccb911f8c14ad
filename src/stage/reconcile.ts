// Brings the state directory back in line with the record before any change: removes what an interrupted
// or killed run left behind (partial trees, temporary mounts) and refuses to touch a foreign /run/nextroot.
// The tree a soft reboot switched into (running.json) is the running root: it is never removed.
import {readdir, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {NextrootError} from '../errors.js'
import {mountAt} from '../host/mounts.js'
import {type Locations} from '../locations.js'
import {stateLayout} from '../state/layout.js'
import {discardMountPoint} from '../host/mount.js'
import {type StagedRecord, readRecord} from '../state/record.js'

async function entries(dir: string): Promise<string[]> {
  return (await unlessAbsent(dir, readdir(dir))) ?? []
}

export interface Reconciled {
  /** The current record: the root that stays staged if the next step fails. */
  record?: StagedRecord
  /** A mount at the nextroot path that nextroot did not make (ostree, bootc, an admin). */
  foreignMount?: {source: string; fsType: string}
}

/** Cleans leftovers and reports what is staged now. */
export async function reconcile(locations: Locations): Promise<Reconciled> {
  const layout = stateLayout(locations)
  const record = await readRecord(layout.record)
  const running = await readRecord(layout.running)
  for (const name of await entries(layout.mounts)) await discardMountPoint(join(layout.mounts, name))
  for (const name of await entries(layout.store)) {
    if (name !== record?.id && name !== running?.id)
      await rm(join(layout.store, name), {recursive: true, force: true})
  }

  const mounted = await mountAt(locations.nextroot)
  const foreign = mounted && record?.nextroot !== locations.nextroot
  return {record, foreignMount: foreign ? {source: mounted.source, fsType: mounted.fsType} : undefined}
}

export function nextrootInUse(nextroot: string, mount: {source: string; fsType: string}): NextrootError {
  return new NextrootError(
    'NR_NEXTROOT_IN_USE',
    `${nextroot} is a mount that nextroot did not make (${mount.source}).`,
    {
      hints: [
        'Another tool (ostree, bootc, an admin) prepared a soft reboot there; nextroot leaves it alone.',
        `If it is stale, remove it with: umount ${nextroot}`,
      ],
      details: mount,
    },
  )
}
