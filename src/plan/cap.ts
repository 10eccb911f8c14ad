// What `nextroot apply` does under its --max cap (pure): the plan's action when the cap allows it; otherwise
// the restarts that are allowed, with the heavier step left pending and reported.
import type {Decision} from './decide.js'
import type {Action} from './reasons.js'
import {hasWork} from '../restart/policy.js'

/** The heaviest step apply may take. */
export type MaxStep = 'restart' | 'soft-reboot' | 'reboot'
export const MAX_STEPS: readonly MaxStep[] = ['restart', 'soft-reboot', 'reboot']

const ACTION_RANK: Record<Action, number> = {none: 0, 'restart-units': 1, 'soft-reboot': 2, reboot: 3}
const MAX_RANK: Record<MaxStep, number> = {restart: 1, 'soft-reboot': 2, reboot: 3}

export interface ApplyChoice {
  /** What apply does now. */
  does: Action
  /** What the plan asks for beyond the cap, left for a later window; undefined when nothing is left. */
  leaves?: Action
}

export function chooseStep(decision: Decision, max: MaxStep): ApplyChoice {
  if (ACTION_RANK[decision.action] <= MAX_RANK[max]) return {does: decision.action}
  // a switch would have replaced them; under the cap the restarts that are possible still run now
  return {does: hasWork(decision.restart) ? 'restart-units' : 'none', leaves: decision.action}
}
