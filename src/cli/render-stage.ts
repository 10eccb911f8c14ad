// Human-readable text for stage, status and unstage results (the --json output is the result itself).
import {describeOs} from '../tree/os-release.js'
import type {StagedRecord} from '../state/record.js'
import type {StageResult} from '../stage/stage.js'
import type {StatusResult} from '../status/status.js'
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

export function renderStaged(result: StageResult): string {
  const r = result.record
  const size =
    r.bytes === undefined
      ? undefined
      : `${(r.entries ?? 0).toLocaleString('en-US')} entries, ${formatBytes(r.bytes)}`
  return [
    `Staged ${osLine(r)} at ${result.visibleAt}`,
    ...rows([
      ['source', sourceLine(r)],
      ['sha256', r.sha256],
      ['verified', r.verified ? `yes (${r.verification})` : 'no'],
      ['contents', size],
      ['time', `${formatDuration(r.durationMs)}${r.bytes ? `, ${formatRate(r.bytes, r.durationMs)}` : ''}`],
      [
        'kernel',
        r.kernel.modulesPresent
          ? `modules for the running ${r.kernel.running} present`
          : `no modules for the running ${r.kernel.running}`,
      ],
      ['replaced', result.replaced],
    ]),
    '',
    'Next: systemctl soft-reboot switches into it. While it is staged, a plain `systemctl reboot`',
    'on systemd >= 255 also becomes a soft reboot; `nextroot unstage` withdraws it.',
  ].join('\n')
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
        ['sha256', staged.sha256],
        ['verified', staged.verified ? `yes (${staged.verification})` : 'no'],
        ['staged at', staged.stagedAt],
        [
          'kernel',
          staged.kernel.modulesPresent
            ? `has modules for ${staged.kernel.running}`
            : `no modules for the running ${staged.kernel.running}`,
        ],
      ])
    : ['  nothing staged']
  const visible = nextroot.mounted
    ? `mounted${nextroot.mountedByNextroot ? '' : ' (NOT by nextroot)'}${nextroot.osTree ? ', an OS tree' : ', not an OS tree'} (${nextroot.source})`
    : staged
      ? 'not mounted: the staged root is not visible (after a reboot, stage it again)'
      : 'not mounted'
  return [
    'Staged:',
    ...stagedLines,
    `${nextroot.path}: ${visible}`,
    `Plain reboot: ${result.rebootBecomesSoftReboot ? 'becomes a SOFT reboot into the staged root (nextroot unstage to prevent)' : 'a full reboot'}`,
    ...(result.persistence ? [`After a soft reboot into it: ${result.persistence}`] : []),
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
  if (!result.removed) return 'Nothing was staged.'
  return `Withdrew ${osLine(result.removed)} from ${result.removed.nextroot}; the next reboot is a full reboot.`
}
