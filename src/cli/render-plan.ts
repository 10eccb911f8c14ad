// Human-readable text for `nextroot plan`: the action first, then why, then what else is worth knowing.
import type {Action} from '../plan/reasons.js'
import {describeActions} from '../restart/describe.js'
import type {PlanResult} from '../plan/plan.js'

const ACTION_LINE: Record<Action, string> = {
  none: 'NONE: nothing pending needs a restart.',
  'restart-units': 'RESTART UNITS: restarting services (no reboot) is enough; `nextroot restart` does:',
  'soft-reboot': 'SOFT REBOOT',
  reboot: 'FULL REBOOT: only restarting the kernel activates what is pending.',
}

function headline(result: PlanResult): string {
  if (result.action !== 'soft-reboot') return ACTION_LINE[result.action]
  return result.target === 'staged'
    ? 'SOFT REBOOT into the staged root: the kernel keeps running, all of userspace is replaced.'
    : 'SOFT REBOOT into the same root: userspace was upgraded in place; the kernel keeps running.'
}

export function renderPlan(result: PlanResult): string {
  const lines = [headline(result)]
  if (result.action === 'restart-units') lines.push(...describeActions(result.restart).map((a) => `  ${a}`))
  if (result.reasons.length > 0) lines.push('Because:', ...result.reasons.map((r) => `  - ${r.message}`))
  if (result.persistence) lines.push(`After: ${result.persistence}`)
  for (const note of result.notes) lines.push(`note: ${note}`)
  return lines.join('\n')
}
