// The switch in flight (switch.json, written before the trigger, read by the new userspace) and the
// history of switches (history.jsonl, one line each, appended).
import {appendFile, readFile, rm} from 'node:fs/promises'

import {unlessAbsent} from '../absent.js'
import type {OnUnhealthy} from '../config.js'
import type {Reason} from '../plan/reasons.js'
import {readJsonFile, writeRecord} from '../state/record.js'
import type {SwitchKind, SystemState} from '../systemd/switch.js'

export interface PendingSwitch {
  id: string
  kind: SwitchKind
  target: 'staged' | 'same-root'
  triggeredAt: string
  /** CLOCK_MONOTONIC at the trigger, in microseconds (systemd's *TimestampMonotonic use the same clock). */
  triggerUs: number
  /** CLOCK_MONOTONIC when the `nextroot reboot` command started (node's own start included), in microseconds. */
  commandUs?: number
  bootId: string
  softRebootsCount: number
  from: string
  to: string
  /** "dev:ino" of the staged root's top directory: `/` has it after the switch. */
  rootId?: string
  /** The staged record's id, when the switch goes into nextroot's staged root. */
  stagedId?: string
  reasons: Reason[]
  /** Units that must be active afterwards; survivors with the PID they must keep. */
  expect: {units: string[]; survivors: Record<string, number>}
  /** Reboot-required flags a healthy switch satisfies (they name only userspace packages), to clear then. */
  satisfies: string[]
  /** Directories bound into the new root (CARRY_DIRS): kept mounted through later soft reboots. */
  carried?: string[]
  policy: {healthTimeoutS: number; onUnhealthy: OnUnhealthy}
  /** `reboot --persist`: the default btrfs subvolume before it, put back before falling back to a full reboot. */
  restoreDefaultSubvolume?: string
}

export type Outcome = 'healthy' | 'unhealthy' | 'fell-back' | 'not-switched'

export interface HistoryEntry {
  id: string
  kind: SwitchKind
  from: string
  to: string
  triggeredAt: string
  checkedAt: string
  outcome: Outcome
  problems: string[]
  bootId: string
  softRebootsCount: number
  /** From the trigger to the new default target, from systemd's start of the soft reboot to it, and per unit. */
  /**
   * fromCommandMs, fromTriggerMs: from the command's start and from the trigger to the new userspace's
   * default target (FinishTimestamp); switchMs: from the soft reboot's start (services begin to stop) to the
   * same point, the time services are down.
   */
  durations: {
    fromCommandMs?: number
    fromTriggerMs?: number
    switchMs?: number
    units: Record<string, number>
  }
  clearedFlags: string[]
  /** What `systemctl is-system-running --wait` answered, or that it could not be asked (and how often it was). */
  systemState?: SystemState
  /** What the switch left of the staging and the after-switch check removed (the symlink, mount points, units). */
  cleaned?: string[]
  /** Carried mounts marked to stay mounted through later soft reboots (their mount points). */
  kept?: string[]
  /** Why they could not be kept: the next soft reboot may unmount them (`nextroot history` says so). */
  keepFailed?: string
}

export function readPending(path: string): Promise<PendingSwitch | undefined> {
  return readJsonFile<PendingSwitch>(path)
}

export async function writePending(path: string, pending: PendingSwitch): Promise<void> {
  await writeRecord(path, pending)
}

export async function removePending(path: string): Promise<void> {
  await rm(path, {force: true})
}

export async function appendHistory(path: string, entry: HistoryEntry): Promise<void> {
  await appendFile(path, JSON.stringify(entry) + '\n', {mode: 0o644})
}

export async function readHistory(path: string): Promise<HistoryEntry[]> {
  const text = (await unlessAbsent(path, readFile(path, 'utf8'))) ?? ''
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as HistoryEntry)
}
