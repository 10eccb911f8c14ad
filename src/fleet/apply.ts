// `nextroot apply`: the one verb for automation. Plan, cap the step at --max, then do it with the command
// that owns it: `nextroot restart` for restarts, `nextroot reboot` (acting on the plan) for a switch.
import {type RestartResult, restart} from '../act/restart.js'
import {EXIT, type ExitCode, NextrootError} from '../errors.js'
import {type LocationOptions, resolveLocations} from '../locations.js'
import {type ApplyChoice, type MaxStep, chooseStep} from '../plan/cap.js'
import {decide} from '../plan/decide.js'
import {gatherPlanFacts} from '../plan/facts.js'
import type {Action, Reason, SwitchTarget} from '../plan/reasons.js'
import {type RebootResult, reboot} from '../reboot/reboot.js'

export interface ApplyOptions extends LocationOptions {
  max?: MaxStep
  /** systemctl --when= for a soft or full reboot; restarts cannot be scheduled. */
  when?: string
  dryRun?: boolean
  /** Passed to the switch: go ahead despite check warnings, inhibitors (logged). */
  force?: boolean
  signal?: AbortSignal
  /** Called before a switch is triggered (the switch kills this process): print the result there. */
  announce?: (result: ApplyResult) => Promise<void>
}

export interface ApplyResult extends ApplyChoice {
  /** The plan's action and reasons before apply. */
  planned: Action
  target?: SwitchTarget
  reasons: Reason[]
  notes: string[]
  max: MaxStep
  dryRun: boolean
  /** Set when apply restarted (or would restart) units: what `nextroot restart` did. */
  restart?: RestartResult
  /** Set for a switch: what `nextroot reboot` did or would do (its last step is the trigger). */
  reboot?: RebootResult
  exitCode: ExitCode
}

function refuseScheduledRestarts(choice: ApplyChoice, when: string | undefined): void {
  if (when === undefined || choice.does !== 'restart-units') return
  throw new NextrootError(
    'NR_USAGE',
    `--when=${when} schedules a reboot, but restarting services is what is due.`,
    {
      hints: [
        'Run `nextroot apply` itself at that time (a systemd timer, cron, or your automation).',
        'Or allow only restarts now and leave the rest: nextroot apply --max restart.',
      ],
    },
  )
}

async function restartUnits(options: ApplyOptions, choice: ApplyChoice): Promise<Partial<ApplyResult>> {
  const result = await restart(options)
  // the cap left a switch for later: said by the code that means "a reboot is still needed"
  const exitCode = result.exitCode === EXIT.ok && choice.leaves ? EXIT.rebootStillNeeded : result.exitCode
  return {restart: result, exitCode}
}

export async function apply(options: ApplyOptions = {}): Promise<ApplyResult> {
  const locations = resolveLocations(options)
  const max = options.max ?? 'reboot'
  const decision = decide(await gatherPlanFacts(locations))
  const choice = chooseStep(decision, max)
  refuseScheduledRestarts(choice, options.when)
  const result: ApplyResult = {
    ...choice,
    planned: decision.action,
    target: decision.target,
    reasons: decision.reasons,
    notes: decision.notes,
    max,
    dryRun: options.dryRun ?? false,
    exitCode: choice.leaves ? EXIT.rebootStillNeeded : EXIT.ok,
  }
  if (choice.does === 'none') return result
  if (choice.does === 'restart-units') return {...result, ...(await restartUnits(options, choice))}
  const announce = async (switching: RebootResult) => options.announce?.({...result, reboot: switching})
  // reboot plans again under its lock, capped the same way: what it triggers never exceeds --max
  return {...result, reboot: await reboot({...options, max, announce})}
}
