// Human-readable text for `nextroot reboot` (what it did or would do, step by step), `history` and `install`.
import type {HistoryEntry} from '../history/records.js'
import type {HookAction} from '../shipped/hooks.js'
import type {HooksResult, InstallResult} from '../shipped/install.js'
import type {MetricsInstallResult} from '../shipped/metrics-units.js'
import type {OfflineUnitsResult} from '../shipped/offline-units.js'
import type {RebootResult} from '../reboot/reboot.js'
import {formatDuration} from '../format.js'
import {describeActions} from '../restart/describe.js'

function headline(result: RebootResult): string {
  const verb = result.dryRun ? 'Would' : 'Will'
  switch (result.mode) {
    case 'none':
      return 'Nothing to do: nothing pending needs a restart.'
    case 'restart-units':
      return `${verb} ${describeActions(result.decision.restart).join(', ')}.`
    case 'reboot':
      return `${verb} do a FULL reboot (the kernel restarts; a staged root is withdrawn first).`
    case 'soft-reboot':
      return result.target === 'staged'
        ? `${verb} SOFT-REBOOT into the staged root (same kernel, new userspace).`
        : `${verb} SOFT-REBOOT into the same root (same kernel, userspace restarted).`
  }
}

export function renderReboot(result: RebootResult): string {
  const lines = [headline(result)]
  if (result.decision.reasons.length > 0)
    lines.push('Because:', ...result.decision.reasons.map((r) => `  - ${r.message}`))
  if (result.steps.length > 0) lines.push(result.dryRun ? 'Steps (nothing was changed):' : 'Steps:')
  lines.push(...result.steps.map((step, i) => `  ${i + 1}. ${step}`))
  if (result.mode === 'soft-reboot' && result.decision.persistence)
    lines.push(`After: ${result.decision.persistence}`)
  const {gatherMs, carryMs} = result.timings
  lines.push(
    `Took ${formatDuration(gatherMs)} to plan and check${result.dryRun ? '' : `, ${formatDuration(carryMs)} to carry over`}.`,
  )
  if (result.switchId && !result.dryRun)
    lines.push(
      `The new userspace checks and records the switch: nextroot history (switch ${result.switchId}).`,
    )
  return lines.join('\n')
}

function took(ms: number | undefined): string {
  return ms === undefined ? '-' : formatDuration(ms)
}

export function renderHistory(entries: HistoryEntry[]): string {
  if (entries.length === 0) return 'No switches recorded.'
  return entries
    .map((e) => {
      const units = Object.entries(e.durations.units).map(([unit, ms]) => `${unit} ${took(ms)}`)
      return [
        `${e.triggeredAt}  ${e.kind} ${e.outcome.toUpperCase()}  ${e.from} -> ${e.to}`,
        `  services down ${took(e.durations.switchMs)} (soft reboot start to default target); command to default target ${took(e.durations.fromCommandMs)}, trigger to it ${took(e.durations.fromTriggerMs)}${units.length > 0 ? `; ${units.join(', ')}` : ''}`,
        ...e.problems.map((p) => `  problem: ${p}`),
        ...e.clearedFlags.map((f) => `  cleared ${f} (satisfied by this switch)`),
        ...(e.kept && e.kept.length > 0
          ? [`  kept mounted through later soft reboots: ${e.kept.join(', ')}`]
          : []),
        ...(e.keepFailed
          ? [`  WARNING: carried mounts not kept (${e.keepFailed}): a soft reboot may hide them`]
          : []),
      ].join('\n')
    })
    .join('\n')
}

const INSTALL_WORDS: Record<InstallResult['action'], string> = {
  installed: 'Installed',
  unchanged: 'Already installed, unchanged:',
  removed: 'Removed',
  absent: 'Not installed, nothing to remove:',
}

export function renderInstall(
  result: InstallResult | HooksResult | MetricsInstallResult | OfflineUnitsResult,
): string {
  if (!('unit' in result) && !('hooks' in result) && !('textfileDir' in result))
    return [
      `${INSTALL_WORDS[result.action]} the offline-update units`,
      ...result.files.map((f) => `  ${f}`),
    ].join('\n')
  if ('textfileDir' in result)
    return [
      `${INSTALL_WORDS[result.action]} the metrics timer (writes ${result.textfileDir}/nextroot.prom)`,
      ...result.files.map((file) => `  ${file}`),
    ].join('\n')
  if ('hooks' in result)
    return result.hooks.map((h) => `${HOOK_WORDS[h.action]} ${h.path} (${h.manager})`).join('\n')
  return `${INSTALL_WORDS[result.action]} ${result.unit}\n  link: ${result.wants}`
}

const HOOK_WORDS: Record<HookAction, string> = {
  installed: 'installed',
  unchanged: 'already installed',
  removed: 'removed',
  absent: 'not installed',
  'not-here': 'skipped (no such package manager here):',
}
