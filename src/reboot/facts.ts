// Gathers what `nextroot reboot` decides on besides the plan: systemd, the check (only before a soft
// reboot: it is the gate), logind's inhibitors, whether the tree at the nextroot path is the staged one,
// and what the pending switch records (boot ID, the OS it leaves, the root it expects).
import {access, constants} from 'node:fs/promises'
import {join} from 'node:path'

import {type CheckResult, check} from '../check/check.js'
import {errnoCode} from '../errors.js'
import {inodeOf} from '../host/devices.js'
import type {Locations} from '../locations.js'
import type {PlanFacts} from '../plan/facts.js'
import type {Action} from '../plan/reasons.js'
import {currentBootId} from '../state/staging-facts.js'
import {type Inhibitor, listInhibitors} from '../systemd/logind.js'
import {type SystemdFacts, systemdFacts} from '../systemd/manager.js'
import {describeOs} from '../tree/os-release.js'
import {osReleaseOf} from '../tree/tree-facts.js'

export interface RebootFacts {
  systemd: SystemdFacts
  check?: CheckResult
  inhibitors: Inhibitor[]
  /** The staged tree's /etc takes the machine's identity files (a read-only image's does not). */
  etcWritable: boolean
  bootId: string
  /** Survivors the check found, with their PID now. */
  survivors: Record<string, number>
  /** The running root's OS, for the history ("from"). */
  hostOs: string
  /** "dev:ino" of the staged tree and of the running root: `/` has one of them after the switch. */
  rootIds: {staged?: string; host?: string}
}

/** The survivors' main PIDs as check saw them (its SURVIVOR findings carry them): no second question. */
function survivorPids(result: CheckResult | undefined): Record<string, number> {
  const survivors = (result?.findings ?? []).filter((f) => f.code === 'SURVIVOR' && f.unit !== undefined)
  return Object.fromEntries(survivors.map((f) => [f.unit as string, Number(f.evidence?.mainPid ?? 0)]))
}

/** Whether files can be written below `path` (a read-only image, or none there, cannot). */
async function isWritable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK)
    return true
  } catch (error) {
    if (['ENOENT', 'ENOTDIR', 'EROFS', 'EACCES', 'EPERM'].includes(errnoCode(error) ?? '')) return false
    throw error
  }
}

export async function gatherRebootFacts(
  locations: Locations,
  plan: PlanFacts,
  mode: Action,
  /** The check, when the caller started it already. */
  started?: Promise<CheckResult>,
): Promise<RebootFacts> {
  const {hostRoot} = locations
  const systemd = await systemdFacts(hostRoot)
  const switching = systemd.running && (mode === 'soft-reboot' || mode === 'reboot')
  const tree = plan.next?.ours ? plan.next.path : undefined
  const [result, inhibitors, etcWritable, bootId, os, stagedId, hostId] = await Promise.all([
    mode === 'soft-reboot' ? (started ?? check(locations)) : undefined,
    switching ? listInhibitors() : [],
    tree ? isWritable(join(tree, 'etc')) : false,
    currentBootId(hostRoot),
    osReleaseOf(hostRoot),
    tree ? inodeOf(tree) : undefined,
    inodeOf(hostRoot),
  ])
  return {
    systemd,
    check: result,
    inhibitors,
    etcWritable,
    bootId,
    survivors: survivorPids(result),
    hostOs: os ? describeOs(os.osRelease) : 'unknown OS',
    rootIds: {staged: stagedId, host: hostId},
  }
}
