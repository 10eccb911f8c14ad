// Human-readable text for stage, status and unstage results (the --json output is the result itself).
import {describeOs} from '../tree/os-release.js'
import type {StagedRecord} from '../state/record.js'
import type {StageResult} from '../stage/stage.js'
import type {RepublishResult} from '../stage/republish.js'
import type {StatusResult} from '../status/status.js'
import type {NextrootEntry} from '../state/staging.js'
import type {UnstageResult} from '../stage/unstage.js'
import {formatBytes, formatDuration, formatRate} from '../format.js'
import {renderHistory} from './render-reboot.js'

function osLine(record: StagedRecord): string {
  const version = record.osRelease.IMAGE_VERSION ? ` (IMAGE_VERSION ${record.osRelease.IMAGE_VERSION})` : ''
  return `${describeOs(record.osRelease)}${version}`
}

function sourceLine(record: StagedRecord): string {
  const how =
    record.kind === 'archive'
      ? `tar, ${record.compression ?? 'plain'}`
      : record.kind === 'image'
        ? `${record.fsType} image, mounted`
        : 'directory, bind-mounted'
  return `${record.source} (${how})`
}

function rows(pairs: Array<[string, string | undefined]>): string[] {
  return pairs.filter(([, value]) => value !== undefined).map(([key, value]) => `  ${key.padEnd(14)}${value}`)
}

function kernelLine(record: StagedRecord): string {
  const {modulesPresent, running} = record.kernel
  return modulesPresent
    ? `modules for the running ${running} present`
    : `no modules for the running ${running}`
}

/** What to do next, and what plain reboots do meanwhile: the words `stage` and `status` share. */
const NEXT = [
  'Next: nextroot check, then nextroot reboot (which carries the machine over and switches).',
  'A plain reboot stays a full reboot: nothing is at /run/nextroot until nextroot reboot arms the switch.',
]

export function renderStaged(result: StageResult): string {
  const r = result.record
  const size =
    r.bytes === undefined
      ? undefined
      : `${(r.entries ?? 0).toLocaleString('en-US')} entries, ${formatBytes(r.bytes)}`
  return [
    `Staged ${osLine(r)}`,
    ...rows([
      ['source', sourceLine(r)],
      ['tree', result.tree],
      ['sha256', r.sha256],
      ['verified', r.verified ? `yes (${r.verification})` : 'no'],
      ['contents', size],
      ['time', `${formatDuration(r.durationMs)}${r.bytes ? `, ${formatRate(r.bytes, r.durationMs)}` : ''}`],
      ['kernel', kernelLine(r)],
      ['replaced', result.replaced],
    ]),
    '',
    ...NEXT,
  ].join('\n')
}

export function renderRepublished(result: RepublishResult): string {
  const head = result.republished
    ? `Published ${osLine(result.record)} again for this boot (checked again, nothing unpacked)`
    : `${osLine(result.record)} is published in this boot already; nothing to do`
  return [
    head,
    ...rows([
      ['tree', result.tree],
      ['kernel', kernelLine(result.record)],
    ]),
    '',
    ...NEXT,
  ].join('\n')
}

const STATE_LINE: Record<StatusResult['state'], string> = {
  none: 'nothing staged',
  staged: 'staged, published in this boot (not armed)',
  stale: 'staged, not published (a reboot since): nextroot stage --republish',
  armed: 'ARMED: nextroot reboot is switching into it (or waits for its --when= time)',
  switched: 'switched: it is the running root',
}

function entryLine(entry: NextrootEntry): string {
  switch (entry.kind) {
    case 'absent':
      return 'nothing there'
    case 'symlink':
      return `a symlink to ${entry.target}${entry.osTree ? '' : ' (nothing there now)'}`
    case 'mount':
      return `a mount of ${entry.source} (${entry.fsType})${entry.osTree ? ', an OS tree' : ''}`
    case 'directory':
      return entry.empty
        ? 'an empty directory (left by a switch)'
        : `a directory${entry.osTree ? ', an OS tree' : ''}`
    case 'other':
      return 'a file that is not a directory'
  }
}

const SOFT_REBOOT_LINE: Record<StatusResult['softReboot'], string> = {
  'same-root': 'restarts the same root (nothing is armed; nextroot reboot switches)',
  'armed-root': 'switches into the armed root, carried over',
  'foreign-tree': 'switches into the tree at the nextroot path, which nextroot did not put there',
}

export function renderStatus(result: StatusResult): string {
  const {staged, nextroot, system} = result
  const sd = system.systemd
  const systemdLine = sd.version
    ? `${sd.version}${sd.running ? ', running' : ', not running as PID 1'}; soft-reboot ${sd.softRebootSupported ? 'supported' : 'not available'}`
    : 'not found'
  const stagedLines = staged
    ? rows([
        ['root', osLine(staged)],
        ['source', sourceLine(staged)],
        ['tree', result.tree],
        ['sha256', staged.sha256],
        ['verified', staged.verified ? `yes (${staged.verification})` : 'no'],
        ['staged at', staged.stagedAt],
        ['kernel', kernelLine(staged)],
      ])
    : []
  return [
    `State: ${STATE_LINE[result.state]}`,
    ...stagedLines,
    `${nextroot.path}: ${entryLine(nextroot.entry)}${nextroot.foreign && !nextroot.foreign.leftover ? " (NOT nextroot's)" : ''}`,
    `Plain reboot: ${result.rebootBecomesSoftReboot ? 'becomes a SOFT reboot into what is at the nextroot path (nextroot reboot --full withdraws a mount there)' : 'a full reboot'}`,
    `systemctl soft-reboot: ${SOFT_REBOOT_LINE[result.softReboot]}`,
    ...(result.persistence ? [`After a soft reboot into it: ${result.persistence}`] : []),
    ...(result.offline.state === 'none'
      ? []
      : [
          `Offline update: ${result.offline.state} (${result.offline.packages.join(', ')})${result.offline.next ? `: ${result.offline.next}` : ''}`,
        ]),
    'System:',
    ...rows([
      ['kernel', `${system.kernel} (${system.arch})`],
      ['systemd', systemdLine],
      ['soft reboots', sd.softRebootsCount === undefined ? undefined : String(sd.softRebootsCount)],
    ]),
    ...(result.lastSwitch ? ['Last switch:', renderHistory([result.lastSwitch])] : []),
  ].join('\n')
}

export function renderUnstaged(result: UnstageResult): string {
  const disarmed = result.disarmed.length > 0 ? [`Disarmed: ${result.disarmed.join(', ')}.`] : []
  if (!result.removed) return ['Nothing was staged.', ...disarmed].join('\n')
  return [`Withdrew ${osLine(result.removed)}; its tree is gone from the store.`, ...disarmed].join('\n')
}
