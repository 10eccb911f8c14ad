// `nextroot offline execute`, run by nextroot-offline-update.service in update mode: removes the trigger
// (which the unit's ExecStartPre already moved off /system-update, so no crash can loop), snapshots a btrfs root, installs the payload with its
// output in the journal, rolls back a failure, records it all, and writes down the way out for the leave unit.
import {readlink} from 'node:fs/promises'
import {basename, join} from 'node:path'

import {orUnknown, unlessAbsent} from '../absent.js'
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {bootTime} from '../restart/interp.js'
import {acquireLock} from '../state/lock.js'
import {stateLayout} from '../state/layout.js'
import {writeRecord} from '../state/record.js'
import {currentBootId} from '../state/staging-facts.js'
import {managerTimes} from '../systemd/switch.js'
import {listUnits} from '../systemd/units.js'
import {run} from '../exec/run.js'
import {epochMsOfMonotonic} from '../host/clock.js'
import {type WayDecision, leaveWay} from './decide.js'
import {claimedLinkState, removeLink} from './link.js'
import {installedVersions} from './package-manager.js'
import {type OfflineRecord, offlinePaths, readOfflineRecord, writeOfflineRecord} from './record.js'
import {dropSnapshot, rollBack, takeSnapshot} from './snapshot.js'
import {bootSnapshot, gatherWayFacts, runningKernel} from './way-facts.js'
import {runUpdate} from './update.js'
import {checkStagedImage, intoImage} from './image.js'

export interface ExecuteResult {
  /** Why nothing ran: /system-update is not ours, or not there. */
  skipped?: string
  record?: OfflineRecord
}

/** The file the leave unit acts on. */
export interface LeaveOrder {
  id: string
  how: WayDecision['how']
  /** Switch into this staged root (`nextroot reboot`) instead of soft-rebooting the same root. */
  into?: string
}

/** How update mode was reached and since when the services are down. */
async function enteredFacts(
  record: OfflineRecord,
  hostRoot: string,
): Promise<NonNullable<OfflineRecord['entered']>> {
  const generated = join(hostRoot, 'run/systemd/generator.early/default.target')
  const [bootId, times, units, booted, defaultTarget] = await Promise.all([
    currentBootId(hostRoot),
    managerTimes(),
    orUnknown('list-units', listUnits()),
    bootTime(join(hostRoot, 'proc')),
    unlessAbsent(generated, readlink(generated)),
  ])
  const how = bootId === record.preparedIn.bootId ? 'soft-reboot' : 'reboot'
  const triggered = record.enter?.how === how ? record.enter.triggeredAt : undefined
  const since: Pick<NonNullable<OfflineRecord['entered']>, 'downSince' | 'downSinceFrom'> = triggered !==
  undefined
    ? {downSince: triggered, downSinceFrom: 'trigger'}
    : how === 'soft-reboot' && times.softRebootStartUs > 0
      ? {
          downSince: Math.round(epochMsOfMonotonic(times.softRebootStartUs)),
          downSinceFrom: 'soft-reboot-start',
        }
      : {downSince: (booted ?? 0) * 1000, downSinceFrom: 'kernel-boot'}
  const services = (units ?? [])
    .filter((unit) => unit.unit.endsWith('.service') && unit.sub === 'running')
    .map((unit) => unit.unit)
  const target = defaultTarget === undefined ? {} : {defaultTarget: basename(defaultTarget)}
  return {
    at: Date.now(),
    how,
    bootId,
    softRebootsCount: times.softRebootsCount,
    services,
    ...since,
    ...target,
  }
}

/** The way out; when its facts cannot be read, a full reboot (it needs none of them). */
async function wayOut(
  locations: Locations,
  record: OfflineRecord,
  before: Awaited<ReturnType<typeof bootSnapshot>>,
): Promise<WayDecision> {
  if (record.kind === 'image' && record.updated?.ok) return intoImage(record)
  try {
    const facts = await gatherWayFacts(locations, record.classic)
    return leaveWay({...facts, before, rolledBack: record.updated?.snapshot?.rolledBack ?? false})
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return {how: 'reboot' as const, reasons: [{code: 'WAY_UNKNOWN' as const, message}]}
  }
}

async function update(
  record: OfflineRecord,
  locations: Locations,
): Promise<NonNullable<OfflineRecord['updated']>> {
  const {hostRoot} = locations
  const names = record.packages.map((pkg) => pkg.name)
  const startedAt = Date.now()
  if (record.kind === 'image') {
    const outcome = await checkStagedImage(record, locations)
    return {startedAt, finishedAt: Date.now(), ...outcome, versions: []}
  }
  const snapshot = await takeSnapshot(hostRoot, record.id)
  const before = await installedVersions(record.kind, names)
  const outcome = await runUpdate(record, offlinePaths(locations).payload(record.id))
  await orUnknown('sync', run('sync', []))
  const kept = snapshot && (outcome.ok ? await dropSnapshot(snapshot) : await rollBack(snapshot, hostRoot))
  const after = await installedVersions(record.kind, names)
  return {
    startedAt,
    finishedAt: Date.now(),
    ...outcome,
    versions: names.map((name) => ({name, before: before[name], after: after[name]})),
    snapshot: kept,
  }
}

export async function executeOffline(options: LocationOptions = {}): Promise<ExecuteResult> {
  const locations = resolveLocations(options)
  const paths = offlinePaths(locations)
  const link = await claimedLinkState(paths)
  if (link.kind === 'absent') return {skipped: 'no /system-update: no offline update is prepared'}
  if (link.kind === 'foreign')
    return {skipped: `${link.path} is not nextroot's (-> ${link.target ?? 'not a link'})`}
  await removeLink(link)
  const lock = await acquireLock(locations.stateDir, stateLayout(locations).lockInfo, 'offline execute')
  try {
    const record = await readOfflineRecord(paths.manifest(link.id))
    if (!record) {
      await writeRecord<LeaveOrder>(paths.leave, {id: link.id, how: 'reboot'})
      return {skipped: `${link.target} is gone: nothing to install; leaving update mode by a full reboot`}
    }
    const before = await bootSnapshot(locations.hostRoot, await runningKernel(locations.hostRoot))
    record.entered = await enteredFacts(record, locations.hostRoot)
    record.phase = 'updating'
    await writeOfflineRecord(paths.manifest(record.id), record)
    record.updated = await update(record, locations)
    record.leave = await wayOut(locations, record, before)
    record.phase = 'leaving'
    await writeOfflineRecord(paths.manifest(record.id), record)
    const {how, into} = record.leave
    await writeRecord<LeaveOrder>(paths.leave, {id: record.id, how, ...(into ? {into} : {})})
    return {record}
  } finally {
    await lock.release()
  }
}
