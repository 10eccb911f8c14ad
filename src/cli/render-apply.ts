// Human-readable text for `nextroot apply`: what the plan asked for, what --max allowed, what was done (the
// restart's or the switch's own report), and what is left for a later window.
import type {ApplyResult} from '../fleet/apply.js'
import type {Action} from '../plan/reasons.js'
import {renderReboot} from './render-reboot.js'
import {renderRestart} from './render-restart.js'

const STEP_WORDS: Record<Action, string> = {
  none: 'nothing',
  'restart-units': 'restarting services',
  'soft-reboot': 'a soft reboot',
  reboot: 'a full reboot',
}

function headline(result: ApplyResult): string {
  if (result.planned === 'none') return 'Nothing to do: nothing pending needs a restart or a reboot.'
  const planned = `The plan: ${STEP_WORDS[result.planned]}${result.target === 'same-root' ? ' into the same root' : ''}.`
  if (!result.leaves) return planned
  const does = result.does === 'none' ? 'nothing can be done now' : `only ${STEP_WORDS[result.does]}`
  return `${planned} Under --max ${result.max}: ${does}.`
}

export function renderApply(result: ApplyResult): string {
  const lines = [headline(result), ...result.reasons.map((r) => `  ${r.code}: ${r.message}`)]
  if (result.restart) lines.push('', renderRestart(result.restart))
  if (result.reboot) lines.push('', renderReboot(result.reboot))
  if (result.leaves)
    lines.push(
      '',
      `Still pending: ${STEP_WORDS[result.leaves]} (exit 23). Run \`nextroot apply\` in a window that allows it.`,
    )
  if (result.planned === 'none') lines.push(...result.notes.map((note) => `note: ${note}`))
  return lines.join('\n')
}
