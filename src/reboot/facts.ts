// Gathers what `nextroot reboot` decides on besides the plan: systemd, the check (only before a soft
// reboot: it is the gate), logind's inhibitors, whether the tree at the nextroot path is the staged one.
import {access, constants, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {type CheckResult, check} from '../check/check.js'
import {inodeOf} from '../host/devices.js'
import type {Locations} from '../locations.js'
import type {PlanFacts} from '../plan/facts.js'
import type {StagedRecord} from '../state/record.js'
import {type Inhibitor, listInhibitors} from '../systemd/logind.js'
import {type SystemdFacts, systemdFacts} from '../systemd/manager.js'
import {prop, showUnits} from '../systemd/units.js'
import type {Mode} from './preflight.js'

export interface RebootFacts {
  systemd: SystemdFacts
  check?: CheckResult
  inhibitors: Inhibitor[]
  nextroot: {path: string; visible: boolean; isStaged: boolean; etcWritable: boolean}
  bootId: string
  /** Survivors the check found, with their PID now. */
  survivors: Record<string, number>
}

/** The tree at the nextroot path is the one in the record: the same directory, or an image nextroot mounted. */
async function isStaged(record: StagedRecord | undefined, path: string, mounted: boolean): Promise<boolean> {
  if (!record || record.nextroot !== path) return false
  if (!record.tree) return mounted
  const [here, there] = await Promise.all([inodeOf(path), inodeOf(record.tree)])
  return here !== undefined && here === there
}

async function survivorPids(result: CheckResult | undefined): Promise<Record<string, number>> {
  const names = [
    ...new Set((result?.findings ?? []).filter((f) => f.code === 'SURVIVOR').map((f) => f.unit as string)),
  ]
  if (names.length === 0) return {}
  const shown = await showUnits(names, ['MainPID'])
  return Object.fromEntries([...shown].map(([name, unit]) => [name, Number(prop(unit, 'MainPID') || 0)]))
}

export async function gatherRebootFacts(
  locations: Locations,
  plan: PlanFacts,
  mode: Mode,
  /** The check, when the caller started it already. */
  started?: Promise<CheckResult>,
): Promise<RebootFacts> {
  const systemd = await systemdFacts(locations.hostRoot)
  const switching = systemd.running && (mode === 'soft-reboot' || mode === 'reboot')
  const [result, inhibitors, staged, etcWritable, bootId] = await Promise.all([
    mode === 'soft-reboot' ? (started ?? check(locations)) : undefined,
    switching ? listInhibitors() : [],
    isStaged(plan.staged, locations.nextroot, plan.nextroot.mounted),
    access(join(locations.nextroot, 'etc'), constants.W_OK).then(
      () => true,
      () => false,
    ),
    readFile(join(locations.hostRoot, 'proc/sys/kernel/random/boot_id'), 'utf8').catch(() => ''),
  ])
  return {
    systemd,
    check: result,
    inhibitors,
    nextroot: {path: locations.nextroot, visible: plan.nextroot.visible, isStaged: staged, etcWritable},
    bootId: bootId.trim(),
    survivors: await survivorPids(result),
  }
}
