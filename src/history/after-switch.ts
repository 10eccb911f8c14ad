// `nextroot after-switch`, run by nextroot-after-switch.service in the new userspace: checks the switch,
// records it in the history, clears the reboot-required flags it satisfied, and falls back if unhealthy.
import {readFile, rename, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {orUnknown, unlessAbsent} from '../absent.js'
import {disarm} from '../arming/arming.js'
import {setDefaultSubvolume} from '../host/btrfs.js'
import {inodeOf} from '../host/devices.js'
import {type LocationOptions, resolveLocations} from '../locations.js'
import {type StateLayout, stateLayout} from '../state/layout.js'
import {readRecord} from '../state/record.js'
import {type SystemState, managerTimes, requestSwitch, systemState} from '../systemd/switch.js'
import {SYSTEM, systemctl} from '../systemd/manager-ref.js'
import {listUnits, prop, showUnits} from '../systemd/units.js'
import {type AfterFacts, durations, judgeHealth} from './health.js'
import {keepCarriedMounts} from './keep-carried.js'
import {type HistoryEntry, type PendingSwitch, appendHistory, readPending, removePending} from './records.js'

export interface AfterSwitchResult {
  /** What was recorded; undefined when no switch was pending. */
  entry?: HistoryEntry
}

async function gatherAfter(
  pending: PendingSwitch,
  hostRoot: string,
  system: SystemState,
): Promise<AfterFacts> {
  const names = [...pending.expect.units, ...Object.keys(pending.expect.survivors)]
  const [bootId, rootId, listed, times, shown] = await Promise.all([
    readFile(join(hostRoot, 'proc/sys/kernel/random/boot_id'), 'utf8'),
    inodeOf(hostRoot),
    listUnits(),
    managerTimes(),
    showUnits(names, ['ActiveState', 'MainPID', 'ActiveEnterTimestampMonotonic']),
  ])
  const units = Object.fromEntries(
    [...shown].map(([name, unit]) => [
      name,
      {
        active: prop(unit, 'ActiveState'),
        pid: Number(prop(unit, 'MainPID') || 0),
        enteredUs: Number(prop(unit, 'ActiveEnterTimestampMonotonic') || 0),
      },
    ]),
  )
  const failed = listed.filter((unit) => unit.active === 'failed').map((unit) => unit.unit)
  return {bootId: bootId.trim(), rootId, system, failed, times, units}
}

/** Removes the flags the switch satisfied, unless they were raised again after the trigger. */
export async function clearFlags(pending: PendingSwitch, hostRoot: string): Promise<string[]> {
  const cleared: string[] = []
  for (const flag of pending.satisfies) {
    const path = join(hostRoot, flag)
    const stats = await unlessAbsent(path, stat(path))
    if (!stats || stats.mtime > new Date(pending.triggeredAt)) continue
    await rm(path, {force: true})
    cleared.push(`/${flag}`)
  }

  return cleared
}

/** Keeps the carried mounts through later soft reboots; a failure is recorded, never the history lost. */
async function keepMounts(pending: PendingSwitch): Promise<Pick<HistoryEntry, 'kept' | 'keepFailed'>> {
  try {
    return {kept: await keepCarriedMounts(pending.carried ?? [])}
  } catch (error) {
    return {keepFailed: error instanceof Error ? error.message : String(error)}
  }
}

/** The staged root is the running root now: its record moves to running.json, so nothing deletes its tree. */
async function adoptStaged(pending: PendingSwitch, layout: StateLayout): Promise<void> {
  const record = await readRecord(layout.record)
  if (record && record.id === pending.stagedId) await rename(layout.record, layout.running)
}

export async function afterSwitch(options: LocationOptions = {}): Promise<AfterSwitchResult> {
  const locations = resolveLocations(options)
  const layout = stateLayout(locations)
  const pending = await readPending(layout.pendingSwitch)
  if (!pending) return {}
  const system = await systemState(pending.policy.healthTimeoutS * 1000)
  const after = await gatherAfter(pending, locations.hostRoot, system)
  const health = judgeHealth(pending, after)
  const fallBack = health.outcome === 'unhealthy' && pending.policy.onUnhealthy === 'reboot'
  const entry: HistoryEntry = {
    id: pending.id,
    kind: pending.kind,
    from: pending.from,
    to: pending.to,
    triggeredAt: pending.triggeredAt,
    checkedAt: new Date().toISOString(),
    outcome: fallBack ? 'fell-back' : health.outcome,
    problems: health.problems,
    bootId: after.bootId,
    softRebootsCount: after.times.softRebootsCount,
    durations: durations(pending, after),
    clearedFlags: health.outcome === 'healthy' ? await clearFlags(pending, locations.hostRoot) : [],
    systemState: system,
    // what the switch left of the staging: the symlink, the armed mount point, the runtime unit
    cleaned: await disarm(locations, {pending: false}),
    ...(health.outcome === 'not-switched' ? {} : await keepMounts(pending)),
  }
  await appendHistory(layout.history, entry)
  // the manager still holds the runtime unit just removed, "changed on disk": without a reload every plan
  // after a switch would ask for a daemon-reload (restart-units), and Ansible's second run would change things
  // (only for the running system: a --root elsewhere is not the manager's)
  if (entry.cleaned?.length && locations.hostRoot === '/')
    await orUnknown('daemon-reload', systemctl(SYSTEM, ['daemon-reload']))
  if (health.outcome !== 'not-switched' && pending.stagedId) await adoptStaged(pending, layout)
  await removePending(layout.pendingSwitch)
  if (fallBack && pending.restoreDefaultSubvolume)
    await setDefaultSubvolume(pending.restoreDefaultSubvolume, locations.hostRoot)
  if (fallBack) await requestSwitch({kind: 'reboot', unit: `nextroot-fallback-${pending.id}`})
  return {entry}
}
