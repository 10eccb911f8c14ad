// The one place `nextroot reboot` changes the machine: it applies the step values it was given, in order
// (carry-over steps through carry-apply.ts, which runs independent ones together), and nothing else.
import {linkNextroot} from '../arming/arming.js'
import {interruptedError} from '../errors.js'
import {setDefaultSubvolume} from '../host/btrfs.js'
import {unmountAll} from '../host/mount.js'
import {writePending} from '../history/records.js'
import {applyRestartStep} from '../restart/apply.js'
import {placeUnit} from '../shipped/after-switch-unit.js'
import {placeScheduleGuard} from '../shipped/schedule-guard.js'
import {requestSwitch} from '../systemd/switch.js'
import {applyCarryOver} from './carry-apply.js'
import type {CarryStep} from './carry-over.js'
import type {RebootStep} from './steps.js'

/** Applies one step that is not a carry-over step. */
export async function applyRebootStep(step: Exclude<RebootStep, {kind: 'carry'}>): Promise<void> {
  switch (step.kind) {
    case 'withdraw':
      return unmountAll(step.nextroot)
    case 'link':
      return linkNextroot(step.path, step.target)
    case 'arm-unit':
      return placeUnit(step.locations.hostRoot, 'runtime', step.locations)
    case 'schedule-guard':
      return placeScheduleGuard(step.hostRoot)
    case 'persist':
      return setDefaultSubvolume(step.subvolumeId, step.hostRoot)
    case 'record-switch':
      return writePending(step.path, {
        ...step.pending,
        triggeredAt: new Date().toISOString(),
        triggerUs: Number(process.hrtime.bigint() / 1000n),
        commandUs: Number(process.hrtime.bigint() / 1000n) - Math.round(performance.now() * 1000),
      })
    case 'switch':
      return requestSwitch(step.request)
    case 'restart':
      return applyRestartStep(step.step)
  }
}

export interface StepEffects {
  carry(steps: CarryStep[]): Promise<void>
  other(step: Exclude<RebootStep, {kind: 'carry'}>): Promise<void>
}

const EFFECTS: StepEffects = {carry: applyCarryOver, other: applyRebootStep}

/**
 * Applies `steps` in order; a run of carry-over steps goes to the carry-over applier as one list. An abort
 * (Ctrl-C, SIGTERM) stops it before the next step with NR_INTERRUPTED.
 */
export async function applySteps(
  steps: RebootStep[],
  effects: StepEffects = EFFECTS,
  signal?: AbortSignal,
): Promise<void> {
  let carry: CarryStep[] = []
  for (const step of [...steps, undefined]) {
    if (step?.kind === 'carry') {
      carry.push(step.step)
      continue
    }

    if (signal?.aborted) throw interruptedError()
    if (carry.length > 0) await effects.carry(carry)
    carry = []
    if (signal?.aborted) throw interruptedError()
    if (step) await effects.other(step)
  }
}
