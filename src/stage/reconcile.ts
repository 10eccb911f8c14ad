// Brings the state directory back in line with the record before any change: removes what an interrupted
// or killed run left behind (partial trees, temporary mounts). The staged image's mount and the tree a soft
// reboot switched into (running.json, the running root) are kept.
import {readdir, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {NextrootError} from '../errors.js'
import {discardMountPoint} from '../host/mount.js'
import type {Locations} from '../locations.js'
import {stateLayout} from '../state/layout.js'
import {type StagedRecord, readRecord} from '../state/record.js'
import type {StagingView} from '../state/staging.js'

async function entries(dir: string): Promise<string[]> {
  return (await unlessAbsent(dir, readdir(dir))) ?? []
}

/** Cleans leftovers and returns the current record: the root that stays staged if the next step fails. */
export async function reconcile(locations: Locations): Promise<StagedRecord | undefined> {
  const layout = stateLayout(locations)
  const [record, running] = await Promise.all([readRecord(layout.record), readRecord(layout.running)])
  const keep = new Set([record?.id, running?.id].filter(Boolean))
  for (const name of await entries(layout.mounts))
    if (!keep.has(name)) await discardMountPoint(join(layout.mounts, name))
  for (const name of await entries(layout.store))
    if (!keep.has(name)) await rm(join(layout.store, name), {recursive: true, force: true})
  return record
}

/** Staging and unstaging leave an armed switch alone: its tree is mounted, and maybe scheduled. */
export function refuseArmed(view: StagingView, doing: string): void {
  if (view.staging.state !== 'armed') return
  throw new NextrootError(
    'NR_SWITCH_ARMED',
    `A switch into ${view.staging.record.source} is armed; cannot ${doing} now.`,
    {
      hints: [
        'It is armed while `nextroot reboot` runs, or until the time given with --when=.',
        'nextroot unstage disarms it (and cancels a scheduled switch), then stage again.',
      ],
    },
  )
}

/** The warning for a tree at the nextroot path that nextroot did not put there (point 5 of the design). */
export function foreignWarning(view: StagingView, nextroot: string): string | undefined {
  const foreign = view.foreign
  if (!foreign || foreign.leftover) return undefined
  const what =
    foreign.entry.kind === 'mount'
      ? `a mount nextroot did not make (${foreign.entry.source})`
      : `a ${foreign.entry.kind} nextroot did not make`
  const effect = foreign.hijacksPlainReboot
    ? 'every plain `systemctl reboot` is now a soft reboot into it'
    : foreign.softRebootSwitches
      ? '`systemctl soft-reboot` switches into it'
      : 'it is not an OS tree'
  return `${nextroot} holds ${what}: ${effect}. nextroot leaves it alone; \`nextroot reboot --full\` withdraws a mount there.`
}
