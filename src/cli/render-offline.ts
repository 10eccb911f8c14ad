// Human-readable text for `nextroot offline`: what was prepared and how update mode is entered, where an
// update stands, and one block per finished update for `nextroot history`.
import type {CancelResult} from '../offline/cancel.js'
import type {WayDecision} from '../offline/decide.js'
import type {PrepareResult} from '../offline/prepare.js'
import type {OfflineRecord, Way} from '../offline/record.js'
import type {OfflineStatus} from '../offline/status.js'
import {shellWords} from '../exec/run.js'

const WAY_WORDS = {'soft-reboot': 'a soft reboot', reboot: 'a full reboot'}

/** The packages, or the root image and the root staged for it. */
const packageList = (record: OfflineRecord) =>
  record.image
    ? `root image ${record.image.name ?? record.image.source}${record.image.imageVersion ? ` (IMAGE_VERSION=${record.image.imageVersion})` : ''}, staged as ${record.image.stagedId}`
    : record.packages.map((p) => `${p.name} ${p.version}`).join(', ')
const at = (ms: number | undefined) => (ms === undefined ? '?' : new Date(ms).toISOString())
const secs = (ms: number | undefined) => (ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`)

function wayLines(label: string, way: WayDecision | Way | undefined): string[] {
  if (!way) return []
  return [
    `${label} by ${WAY_WORDS[way.how]}${way.into ? ` into the staged root ${way.into}` : ''}:`,
    ...way.reasons.map((r) => `  ${r.code}: ${r.message}`),
  ]
}

const ACTION_WORDS = {
  prepared: 'Prepared',
  replaced: 'Prepared (replacing the earlier one)',
  unchanged: 'Already prepared, unchanged:',
}

export function renderPrepared(result: PrepareResult): string {
  const {record} = result
  return [
    `${ACTION_WORDS[result.action]} offline update ${record.id}: ${packageList(record)} (verified: ${record.verification})`,
    `  payload ${result.payload}; ${result.link} -> it`,
    `  update mode runs: ${shellWords(result.command)}`,
    ...(result.enter
      ? wayLines('Entering update mode now', result.enter)
      : [
          'The next reboot or soft reboot of any kind enters update mode (`nextroot offline prepare --reboot` does it now).',
        ]),
  ].join('\n')
}

export function renderOfflineRecord(record: OfflineRecord): string {
  const {entered, updated, left} = record
  const versions = updated?.versions
    .map((v) => `${v.name} ${v.before ?? '-'} -> ${v.after ?? '-'}`)
    .join(', ')
  return [
    `${at(record.preparedAt)}  offline ${record.phase.toUpperCase()}  ${packageList(record)}`,
    ...(entered
      ? [
          `  entered ${at(entered.at)} by ${WAY_WORDS[entered.how]}; ${entered.services.length} services running beside the update`,
        ]
      : []),
    ...(updated
      ? [
          `  updated ${at(updated.startedAt)} in ${secs(updated.finishedAt - updated.startedAt)}: ${updated.ok ? versions || shellWords(updated.command) : `FAILED: ${updated.error}`}`,
        ]
      : []),
    ...(updated?.snapshot
      ? [
          `  btrfs snapshot ${updated.snapshot.path}${updated.snapshot.rolledBack ? ' (rolled back to)' : ''}${updated.snapshot.problem ? `: ${updated.snapshot.problem}` : ''}`,
        ]
      : []),
    ...(record.leave
      ? [
          `  left by ${WAY_WORDS[record.leave.how]}${record.leave.into ? ` into ${record.leave.into}` : ''} (${record.leave.reasons.map((r) => r.code).join(', ')})${left ? `, normal mode at ${at(left.at)}` : ''}`,
        ]
      : []),
    ...(record.downMs !== undefined
      ? [`  services down ${secs(record.downMs)} (from ${entered?.downSinceFrom} to the default target)`]
      : []),
    ...(record.note ? [`  note: ${record.note}`] : []),
  ].join('\n')
}

export function renderOfflineStatus(status: OfflineStatus): string {
  const lines = status.current
    ? [renderOfflineRecord(status.current), ...(status.next ? [status.next] : [])]
    : [
        status.link.kind === 'foreign'
          ? `No nextroot offline update; ${status.next}.`
          : 'No offline update is prepared.',
      ]
  if (status.last) lines.push('Last finished:', renderOfflineRecord(status.last))
  return lines.join('\n')
}

export function renderCancelled(result: CancelResult): string {
  if (result.action === 'nothing') return 'No offline update is prepared; nothing to cancel.'
  return `Cancelled: ${result.records.map((r) => `${r.id} (${packageList(r)})`).join(', ') || 'the /system-update symlink'}.`
}
