// The steps of one `nextroot reboot`, as values (pure): what --dry-run prints and what reboot applies are
// both these, in this order: withdraw, carry over, arm, guard, persist, then the trigger.
import type {PendingSwitch} from '../history/records.js'
import type {Locations} from '../locations.js'
import type {Decision} from '../plan/decide.js'
import type {Action, SwitchTarget} from '../plan/reasons.js'
import {restartSteps} from '../restart/steps.js'
import {armedPath, stateLayout} from '../state/layout.js'
import type {CarryStep} from './carry-over.js'
import type {PersistFacts} from './persist.js'
import type {RebootStep} from './steps.js'

export interface StepInputs {
  mode: Action
  target?: SwitchTarget
  id: string
  locations: Locations
  decision: Decision
  /** Something is mounted at the nextroot path (withdrawn before a full reboot). */
  nextrootMounted: boolean
  carry: CarryStep[]
  persist?: PersistFacts
  when?: string
  /** For a soft reboot: the record the new userspace checks. */
  pending?: PendingSwitch
}

function switchSteps(inputs: StepInputs): RebootStep[] {
  const {mode, id, when, pending, locations} = inputs
  if (mode !== 'soft-reboot' && mode !== 'reboot') return []
  const record: RebootStep[] = pending
    ? [{kind: 'record-switch', path: stateLayout(locations).pendingSwitch, pending}]
    : []
  return [...record, {kind: 'switch', request: {kind: mode, unit: `nextroot-${mode}-${id}`, when}}]
}

export function planSteps(inputs: StepInputs): RebootStep[] {
  const {mode, locations, persist} = inputs
  const soft = mode === 'soft-reboot'
  return [
    ...(mode === 'reboot' && inputs.nextrootMounted
      ? [{kind: 'withdraw' as const, nextroot: locations.nextroot}]
      : []),
    ...inputs.carry.map((step) => ({kind: 'carry' as const, step})),
    ...(soft && inputs.target === 'staged'
      ? [{kind: 'link' as const, path: locations.nextroot, target: armedPath(locations)}]
      : []),
    ...(soft ? [{kind: 'arm-unit' as const, locations}] : []),
    ...(soft && inputs.when !== undefined
      ? [{kind: 'schedule-guard' as const, hostRoot: locations.hostRoot}]
      : []),
    ...(persist?.subvolumeId
      ? [
          {
            kind: 'persist' as const,
            subvolumeId: persist.subvolumeId,
            previousDefault: persist.previousDefault,
            hostRoot: locations.hostRoot,
          },
        ]
      : []),
    ...switchSteps(inputs),
    ...(mode === 'restart-units'
      ? restartSteps(inputs.decision.restart)
          .flat()
          .map((step) => ({kind: 'restart' as const, step}))
      : []),
  ]
}
