// An offline update's record, one per update from `prepare` to back in normal mode: the payload's
// manifest and each phase's facts (entered, updated, left, with their times), then one line of offline.jsonl.
import {appendFile, readFile, readdir} from 'node:fs/promises'
import {join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import type {Locations} from '../locations.js'
import {readJsonFile, writeRecord} from '../state/record.js'
import type {SwitchKind} from '../systemd/switch.js'
import type {WayReason} from './decide.js'

/** Packages installed by their package manager, or a root image staged by `stage` and switched into. */
export type PayloadKind = 'deb' | 'rpm' | 'image'

/** A root image payload: the root `stage` staged for it, switched into from update mode. */
export interface PayloadImage {
  stagedId: string
  source: string
  sha256?: string
  /** The image's os-release PRETTY_NAME (or NAME VERSION_ID), IMAGE_VERSION when it has one. */
  name?: string
  imageVersion?: string
}

export interface PayloadPackage {
  /** The file's name in the payload directory. */
  file: string
  name: string
  version: string
  arch: string
  sha256: string
}

/** Where an offline update is: each phase is written by the step that reaches it. */
export type OfflinePhase =
  'prepared' | 'entering' | 'updating' | 'leaving' | 'installed' | 'failed' | 'interrupted' | 'cancelled'

/** The phases that end an update's record (it then moves to offline.jsonl). */
export const FINAL_PHASES: ReadonlySet<OfflinePhase> = new Set([
  'installed',
  'failed',
  'interrupted',
  'cancelled',
])

/** How update mode was entered or left, and why that way. */
export interface Way {
  how: SwitchKind
  reasons: WayReason[]
  /** When nextroot asked for it (ms since the epoch); undefined when someone else rebooted. */
  triggeredAt?: number
  /** Out of update mode into a staged root (an image payload): its id. */
  into?: string
}

export interface OfflineRecord {
  id: string
  kind: PayloadKind
  /** The packages (none for an image). */
  packages: PayloadPackage[]
  image?: PayloadImage
  /** How the payload was verified: against --sha256 / --checksums, or only hashed. */
  verification: 'sha256' | 'checksums' | 'signed-checksums' | 'none'
  phase: OfflinePhase
  preparedAt: number
  /** The machine when it was prepared: a new boot ID means update mode was entered by a full reboot. */
  preparedIn: {bootId: string; softRebootsCount?: number}
  /** --full: enter and leave update mode by full reboots, the classic way. */
  classic: boolean
  locations: Pick<Locations, 'stateDir' | 'nextroot'>
  enter?: Way
  /** Update mode reached: when, in which boot, and what else ran there. */
  entered?: {
    at: number
    how: SwitchKind
    bootId: string
    softRebootsCount: number
    /** When the services began to stop: the trigger, the soft reboot's start, or (a reboot nextroot did not ask for) the kernel's boot. */
    downSince: number
    downSinceFrom: 'trigger' | 'soft-reboot-start' | 'kernel-boot'
    /** Services running in update mode beside the update. */
    services: string[]
    /** What systemd-system-update-generator made the default target for this start (system-update.target). */
    defaultTarget?: string
  }
  updated?: {
    startedAt: number
    finishedAt: number
    ok: boolean
    /** The command that installed the payload. */
    command: string[]
    error?: string
    /** Each package's version before and after. */
    versions: Array<{name: string; before?: string; after?: string}>
    snapshot?: SnapshotOutcome
  }
  leave?: Way
  left?: {at: number; bootId: string; softRebootsCount: number}
  /** From the services' stop on the way in to the default target on the way out. */
  downMs?: number
  /** Said by `finish` when it found the update cut off (power loss), or by `cancel`. */
  note?: string
}

export interface SnapshotOutcome {
  path: string
  /** Rolled back after a failure: the snapshot is the default subvolume the full reboot out boots. */
  rolledBack?: boolean
  /** Deleted after the update succeeded. */
  deleted?: boolean
  /** Why it could not be rolled back, or taken. */
  problem?: string
}

export function offlinePaths(locations: Pick<Locations, 'stateDir' | 'nextroot' | 'hostRoot'>) {
  const dir = join(locations.stateDir, 'offline')
  return {
    dir,
    /** Finished updates, one JSON line each. */
    history: join(locations.stateDir, 'offline.jsonl'),
    payload: (id: string) => join(dir, id),
    manifest: (id: string) => join(dir, id, 'offline.json'),
    /** The trigger systemd's generator looks for (systemd.offline-updates(7)). */
    link: join(locations.hostRoot, 'system-update'),
    /** The other trigger the generator honours: someone else's when it is there. */
    etcLink: join(locations.hostRoot, 'etc/system-update'),
    /** Where the update unit's ExecStartPre moves our /system-update before anything can fail and loop
     * (kept on disk: after such a failure, normal mode tells a failed start from a cancel by it). */
    claimed: join(locations.stateDir, 'offline.claimed'),
    /** The way out of update mode, for the leave unit (in /run: only this update mode reads it). */
    leave: `${locations.nextroot}.offline-leave`,
  }
}

export type OfflinePaths = ReturnType<typeof offlinePaths>

export const readOfflineRecord = (path: string) => readJsonFile<OfflineRecord>(path)
export const writeOfflineRecord = (path: string, record: OfflineRecord) => writeRecord(path, record)

/** The updates in the offline directory whose records are there (at most one, unless someone copied one in). */
export async function currentRecords(paths: OfflinePaths): Promise<OfflineRecord[]> {
  const ids = ((await unlessAbsent(paths.dir, readdir(paths.dir))) ?? []).filter((id) => !id.startsWith('.'))
  const records = await Promise.all(ids.map((id) => readOfflineRecord(paths.manifest(id))))
  return records.filter((record): record is OfflineRecord => record !== undefined)
}

export async function appendOfflineHistory(paths: OfflinePaths, record: OfflineRecord): Promise<void> {
  await appendFile(paths.history, JSON.stringify(record) + '\n', {mode: 0o644})
}

export async function readOfflineHistory(path: string): Promise<OfflineRecord[]> {
  const text = (await unlessAbsent(path, readFile(path, 'utf8'))) ?? ''
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OfflineRecord)
}
