// `nextroot reboot`: plan -> preflight -> steps -> (print) -> trigger, under the state directory's lock until
// the switch is requested. The steps are values (reboot/steps.ts): --dry-run describes the very list applied.
import {mkdir} from 'node:fs/promises'

import {type CheckResult, check} from '../check/check.js'
import {type Config, readConfig} from '../config.js'
import {NextrootError} from '../errors.js'
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {type MaxStep, chooseStep} from '../plan/cap.js'
import {type Decision, decide} from '../plan/decide.js'
import {type PlanFacts, gatherPlanFacts} from '../plan/facts.js'
import type {Action, SwitchTarget} from '../plan/reasons.js'
import {requireRoot} from '../privileges.js'
import {newId} from '../state/ids.js'
import {type Lock, acquireLock} from '../state/lock.js'
import {disarm} from '../arming/arming.js'
import {armedPath, stateLayout} from '../state/layout.js'
import {applySteps} from './apply.js'
import {gatherCarryFacts} from './carry-facts.js'
import {type CarryPlan, planCarryOver} from './carry-over.js'
import {type RebootFacts, gatherRebootFacts} from './facts.js'
import {pendingSwitch} from './pending.js'
import {gatherPersistFacts} from './persist-facts.js'
import {type PersistFacts, persistRefusal} from './persist.js'
import {planSteps} from './plan-steps.js'
import {preflight} from './preflight.js'
import {type RebootStep, describeRebootStep, isTrigger} from './steps.js'

export interface RebootOptions extends LocationOptions {
  /** Act on the plan's decision (none, restart units, soft or full reboot), taking no step heavier than this. */
  max?: MaxStep
  /** A full reboot, whatever is staged. */
  full?: boolean
  /** Go ahead despite check blockers, inhibitors or a plan that says reboot (logged as warnings). */
  force?: boolean
  dryRun?: boolean
  /** systemctl --when= schedule. */
  when?: string
  /** The digest the user verified: the staged record must have it. */
  sha256?: string
  /** Ctrl-C, SIGTERM: stops before the trigger and disarms. */
  signal?: AbortSignal
  /** On btrfs: make the staged subvolume the default, so the next full reboot boots it too. */
  persist?: boolean
  /**
   * Called with the result once everything before the trigger is done (and not for --dry-run): print it
   * here, since the switch kills this process soon after the trigger.
   */
  announce?: (result: RebootResult) => Promise<void>
}

export interface RebootResult {
  mode: Action
  target?: SwitchTarget
  decision: Decision
  /** Every step, as the command it amounts to, in order; the last one is the trigger. */
  steps: string[]
  dryRun: boolean
  warnings: string[]
  /** The id of the switch in the history (soft reboots). */
  switchId?: string
  /** Milliseconds spent on the plan, the check and the other facts, and on carrying the machine over. */
  timings: {gatherMs: number; carryMs: number}
  locations: Locations
}

/** What the steps are planned from. */
interface Gathered {
  mode: Action
  target?: SwitchTarget
  plan: PlanFacts
  decision: Decision
  facts: RebootFacts
  warnings: string[]
  persist?: PersistFacts
}

function modeOf(options: RebootOptions, decision: Decision): {mode: Action; target?: SwitchTarget} {
  if (options.full) return {mode: 'reboot'}
  if (options.max) {
    const does = chooseStep(decision, options.max).does
    return {mode: does, target: does === 'soft-reboot' ? decision.target : undefined}
  }
  return {mode: 'soft-reboot', target: 'staged'}
}

/** --persist: only a soft reboot into a staged tree can last; refused with the reason wherever it cannot. */
async function persistFacts(gathered: Omit<Gathered, 'persist'>, locations: Locations, config: Config) {
  const tree = gathered.plan.staged?.tree
  if (gathered.mode !== 'soft-reboot' || gathered.target !== 'staged' || !tree)
    throw new NextrootError(
      'NR_CANNOT_PERSIST',
      '--persist: only a soft reboot into a staged tree can be made to last.',
      {hints: ['Stage an archive into a state directory on the root btrfs, then nextroot reboot --persist.']},
    )
  const facts = await gatherPersistFacts(tree, locations.hostRoot, config.carryDirs)
  const refusal = persistRefusal(facts)
  if (refusal) throw refusal
  return facts
}

/** Plan, facts and preflight; throws the preflight's refusal. */
async function gather(options: RebootOptions, locations: Locations, config: Config): Promise<Gathered> {
  // A plain `reboot` is a soft reboot whatever the plan says: its gate, the check, starts with the plan.
  const early: Promise<CheckResult> | undefined = options.full || options.max ? undefined : check(locations)
  // handled below, by gatherRebootFacts; without this a failure before that would be unhandled
  early?.catch(() => undefined)
  // Only `apply` acts on the restart analysis: an explicit soft or full reboot replaces every service anyway.
  const plan = await gatherPlanFacts(locations, {restart: options.max !== undefined})
  const decision = decide(plan)
  const {mode, target} = modeOf(options, decision)
  const facts = await gatherRebootFacts(locations, plan, mode, early)
  const checked = preflight({
    mode,
    target,
    explicit: !options.max,
    decision,
    systemd: facts.systemd,
    staged: plan.staged,
    staging: plan.staging,
    nextrootPath: locations.nextroot,
    etcWritable: facts.etcWritable,
    expectSha256: options.sha256,
    writesEtc: !(plan.next?.boot.usrOnly ?? false) && (config.carryFiles.length > 0 || config.mergeUsers),
    check: facts.check,
    inhibitors: facts.inhibitors,
    force: options.force ?? false,
  })
  if (checked.refusal) throw checked.refusal
  const gathered = {mode, target, plan, decision, facts, warnings: checked.warnings}
  return {...gathered, persist: options.persist ? await persistFacts(gathered, locations, config) : undefined}
}

async function carryPlan(g: Gathered, config: Config, locations: Locations): Promise<CarryPlan> {
  if (g.mode !== 'soft-reboot' || g.target !== 'staged' || !g.plan.next?.ours)
    return {steps: [], warnings: []}
  const facts = await gatherCarryFacts(config, {
    tree: g.plan.next.path,
    armed: armedPath(locations),
    hostRoot: locations.hostRoot,
    usrOnly: g.plan.next.boot.usrOnly,
  })
  return planCarryOver(facts)
}

/** Everything `reboot` would do, as step values, and the result that describes them. */
async function planReboot(options: RebootOptions, locations: Locations, config: Config) {
  const started = performance.now()
  const g = await gather(options, locations, config)
  const id = newId()
  const carry = await carryPlan(g, config, locations)
  const usrOnly = g.plan.next?.boot.usrOnly ?? false
  const soft = g.mode === 'soft-reboot' && g.target !== undefined
  const pending = soft
    ? pendingSwitch({
        ...g,
        target: g.target as SwitchTarget,
        id,
        config,
        usrOnly,
        restoreDefaultSubvolume: g.persist?.previousDefault,
      })
    : undefined
  const steps = planSteps({
    ...g,
    id,
    locations,
    // only a mount there can turn a full reboot into a soft one: someone else's, withdrawn first
    nextrootMounted: g.plan.staging.foreign?.entry.kind === 'mount',
    carry: carry.steps,
    when: options.when,
    pending,
  })
  const result: RebootResult = {
    mode: g.mode,
    target: g.target,
    decision: g.decision,
    steps: steps.map(describeRebootStep),
    dryRun: options.dryRun ?? false,
    warnings: [...g.warnings, ...carry.warnings],
    switchId: soft ? id : undefined,
    timings: {gatherMs: Math.round(performance.now() - started), carryMs: 0},
    locations,
  }
  return {steps, result}
}

/**
 * Applies the steps before the trigger, announces the result, then triggers. If anything fails (or the run
 * is interrupted) before the switch is requested, the switch is disarmed: nothing is left at the nextroot path.
 */
async function carryOut(steps: RebootStep[], result: RebootResult, options: RebootOptions): Promise<void> {
  const carrying = performance.now()
  try {
    await applySteps(
      steps.filter((step) => !isTrigger(step)),
      undefined,
      options.signal,
    )
    result.timings.carryMs = Math.round(performance.now() - carrying)
    await options.announce?.(result)
    await applySteps(steps.filter(isTrigger), undefined, options.signal)
  } catch (error) {
    if (result.mode === 'soft-reboot') await disarm(result.locations, {pending: true})
    throw error
  }
}

export async function reboot(options: RebootOptions = {}): Promise<RebootResult> {
  if (!options.dryRun) requireRoot('switch or reboot the machine')
  const locations = resolveLocations(options)
  const config = await readConfig(locations.hostRoot)
  let lock: Lock | undefined
  if (!options.dryRun) {
    await mkdir(locations.stateDir, {recursive: true, mode: 0o755})
    lock = await acquireLock(locations.stateDir, stateLayout(locations).lockInfo, 'reboot')
  }

  try {
    const {steps, result} = await planReboot(options, locations, config)
    if (!options.dryRun) await carryOut(steps, result, options)
    return result
  } finally {
    await lock?.release()
  }
}
