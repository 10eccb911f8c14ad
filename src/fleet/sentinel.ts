// The sentinel fleet tools poll (pure): whether a soft or a full reboot is pending, read off the plan's
// decision, so `needs-reboot`, `plan`, `apply` and the metrics can never disagree.
import type {Decision} from '../plan/decide.js'
import type {Action, Reason, SwitchTarget} from '../plan/reasons.js'

/** soft: a soft or a full reboot is pending; full: only a full reboot counts. */
export type SentinelLevel = 'soft' | 'full'

export interface SentinelVerdict {
  pending: boolean
  level: SentinelLevel
  /** The plan's action and its reasons, whatever the level. */
  action: Action
  target?: SwitchTarget
  reasons: Reason[]
  notes: string[]
}

/** The reboot level an action amounts to: restarts and nothing are none. */
function rebootLevel(action: Action): SentinelLevel | undefined {
  if (action === 'reboot') return 'full'
  return action === 'soft-reboot' ? 'soft' : undefined
}

export function sentinel(decision: Decision, level: SentinelLevel): SentinelVerdict {
  const pendingLevel = rebootLevel(decision.action)
  const pending = pendingLevel === 'full' || (pendingLevel === 'soft' && level === 'soft')
  return {
    pending,
    level,
    action: decision.action,
    target: decision.target,
    reasons: decision.reasons,
    notes: decision.notes,
  }
}
