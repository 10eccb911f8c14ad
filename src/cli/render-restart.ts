// Human-readable text for `nextroot restart`: what it did (or would do) per manager, how each unit ended up,
// what no restart reached, and what the machine still needs.
import type {RestartResult} from '../act/restart.js'
import {VERB_WORDS, describeActions, describeEvidence, describeUnit} from '../restart/describe.js'
import type {ManagerOutcome} from '../restart/apply.js'
import type {RestartPlan} from '../restart/policy.js'
import {describeManager} from '../systemd/manager-ref.js'

const REMAINING = {
  none: 'Nothing else is needed.',
  'restart-units': 'Some units still run replaced code after their restart.',
  'soft-reboot': 'Still needed: a SOFT REBOOT into the same root (`nextroot apply`).',
  reboot: 'Still needed: a FULL REBOOT (`nextroot apply`).',
}

function keptLines(plan: RestartPlan): string[] {
  return plan.managers.flatMap((m) =>
    m.kept.map(
      (k) =>
        `  ${describeUnit(k.unit, m.manager)}: not restarted (${k.why})${k.softReboot ? ', runs old code: a soft reboot refreshes it' : ''}; ${k.evidence.map(describeEvidence).join('; ')}`,
    ),
  )
}

function outcomeLines(outcomes: ManagerOutcome[]): string[] {
  return outcomes.flatMap((m) => [
    ...m.steps.filter((s) => !s.ok).map((s) => `  FAILED ${s.command}: ${s.error}`),
    ...m.units.map(
      (u) =>
        `  ${u.ok ? 'ok' : 'FAILED'} ${VERB_WORDS[u.verb]} ${describeUnit(u.unit, m.manager)}: ${u.state}${u.mainPid ? `, PID ${u.mainPid}` : ''}`,
    ),
    ...m.units.flatMap((u) => (u.journal ?? []).map((line) => `    | ${line}`)),
  ])
}

function otherLines(plan: RestartPlan): string[] {
  return [
    ...plan.sessions.map(
      (s) => `  ${s.unit} (${s.comm}, PID ${s.pid}) runs replaced code: its user logs out and in`,
    ),
    ...plan.unreachable.map((u) => `  ${u.manager} was not asked: ${u.why}`),
  ]
}

function section(title: string, lines: string[]): string[] {
  return lines.length > 0 ? [title, ...lines] : []
}

export function renderRestart(result: RestartResult): string {
  if (result.skipped) return `Skipped: ${result.skipped}.`
  const actions = describeActions(result.plan)
  const lines = [
    actions.length === 0
      ? 'Nothing to restart.'
      : result.dryRun
        ? 'Would run (nothing was changed):'
        : `Done in ${result.plan.managers
            .filter((m) => m.actions.length > 0 || m.reexec)
            .map((m) => describeManager(m.manager))
            .join(', ')}:`,
    ...(result.dryRun ? result.steps.map((s) => `  ${s}`) : outcomeLines(result.outcomes)),
    ...section('Left alone:', keptLines(result.plan)),
    ...section('Not reached by any restart:', otherLines(result.plan)),
    REMAINING[result.remaining.action],
    ...result.remaining.reasons.map((r) => `  - ${r.message}`),
    ...result.remaining.notes.map((n) => `note: ${n}`),
  ]
  return lines.join('\n')
}
