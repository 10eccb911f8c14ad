// Which state staging is in (pure): staged, armed and switched are three states, so a staged root never turns
// a plain reboot into a soft one. Staged: the verified tree is in the store (or an image mounted under the
// state directory) and nothing is at /run/nextroot. Armed: `nextroot reboot` assembled the carried tree and
// pointed /run/nextroot at it with a symlink (systemctl only auto-soft-reboots into a mount point). Stale: it
// was staged before the last full reboot, or its tree is gone. Switched: the running root is the staged tree.
import type {StagedRecord} from './record.js'

/** What is at the nextroot path (lstat: a symlink is not followed). */
export type NextrootEntry =
  | {kind: 'absent'}
  | {kind: 'symlink'; target: string; osTree: boolean}
  | {kind: 'mount'; source: string; fsType: string; osTree: boolean}
  | {kind: 'directory'; empty: boolean; osTree: boolean}
  | {kind: 'other'}

export interface StagingFacts {
  record?: StagedRecord
  /** This boot's kernel boot ID (a soft reboot keeps it, a full reboot changes it). */
  bootId: string
  /** The record's tree is there: the store tree or directory exists, an image is mounted at its mount point. */
  treePresent: boolean
  /** The running root is the record's tree: a switch into it happened. */
  isRunningRoot: boolean
  nextroot: NextrootEntry
  /** Where `nextroot reboot` assembles the carried tree, and whether something is mounted there. */
  armed: {path: string; mounted: boolean}
}

/** Something at the nextroot path that nextroot did not put there, and what it does to reboots. */
export interface Foreign {
  entry: Exclude<NextrootEntry, {kind: 'absent'}>
  /** A mounted OS tree: systemd >= 256 turns every plain `systemctl reboot` into a soft reboot into it. */
  hijacksPlainReboot: boolean
  /** An OS tree (mounted or not): `systemctl soft-reboot` switches into it. */
  softRebootSwitches: boolean
  /** An empty directory or a dangling symlink, such as a soft reboot leaves behind: harmless. */
  leftover: boolean
}

export type StaleReason = 'rebooted' | 'tree-missing'

export type Staging =
  | {state: 'none'}
  | {state: 'staged'; record: StagedRecord}
  | {state: 'stale'; record: StagedRecord; why: StaleReason}
  | {state: 'armed'; record: StagedRecord}
  | {state: 'switched'; record: StagedRecord}

export interface StagingView {
  staging: Staging
  foreign?: Foreign
}

function isArmedLink(facts: StagingFacts): boolean {
  return facts.nextroot.kind === 'symlink' && facts.nextroot.target === facts.armed.path
}

function foreignOf(facts: StagingFacts, ours: boolean): Foreign | undefined {
  const entry = facts.nextroot
  if (entry.kind === 'absent' || ours) return undefined
  const osTree = 'osTree' in entry && entry.osTree
  const leftover = (entry.kind === 'directory' && entry.empty) || (entry.kind === 'symlink' && !entry.osTree)
  return {entry, hijacksPlainReboot: entry.kind === 'mount' && osTree, softRebootSwitches: osTree, leftover}
}

function stagingOf(facts: StagingFacts): Staging {
  const {record} = facts
  if (!record) return {state: 'none'}
  if (facts.isRunningRoot) return {state: 'switched', record}
  if (isArmedLink(facts) && facts.armed.mounted) return {state: 'armed', record}
  if (record.bootId !== facts.bootId) return {state: 'stale', record, why: 'rebooted'}
  if (!facts.treePresent) return {state: 'stale', record, why: 'tree-missing'}
  return {state: 'staged', record}
}

export function judgeStaging(facts: StagingFacts): StagingView {
  const staging = stagingOf(facts)
  // the symlink to the armed tree is ours while the record is; once switched, what is left is a leftover
  const ours = isArmedLink(facts) && staging.state === 'armed'
  return {staging, foreign: foreignOf(facts, ours)}
}
