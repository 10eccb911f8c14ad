// `nextroot restart`: plan (the same decision `nextroot plan` makes) -> steps -> apply -> look again. Under the
// state directory's lock; from a package manager's hook it steps aside while the machine shuts down.
import {mkdir} from 'node:fs/promises'

import {orUnknown} from '../absent.js'
import {readConfig} from '../config.js'
import {EXIT, type ExitCode, isNextrootError} from '../errors.js'
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {type Decision, decide} from '../plan/decide.js'
import {gatherPlanFacts} from '../plan/facts.js'
import {OFFLINE_UPDATE_ENV} from '../offline/update.js'
import type {Action, Reason} from '../plan/reasons.js'
import {requireRoot} from '../privileges.js'
import {type ManagerOutcome, applyRestart, restartFailed} from '../restart/apply.js'
import {clearChangedPackages} from '../restart/packages.js'
import type {RestartPlan} from '../restart/policy.js'
import {describeRestartStep, restartSteps} from '../restart/steps.js'
import {type Lock, acquireLock} from '../state/lock.js'
import {stateLayout} from '../state/layout.js'
import {preparingForShutdown} from '../systemd/logind.js'
import {type Scope, narrowPlan} from './scope.js'

/** A system job waits for its unit; units that take longer than this to restart are reported as failed. */
export const SYSTEM_TIMEOUT_S = 120

export type Hook = 'apt' | 'dnf'

export interface RestartOptions extends LocationOptions {
  dryRun?: boolean
  scope?: Scope
  /** Run by a package manager's hook: step aside (exit 0) while the machine shuts down or another run works. */
  hook?: Hook
}

export interface RestartResult {
  dryRun: boolean
  /** What was (or would be) done, per manager. */
  plan: RestartPlan
  /** Every step, as the command it amounts to, in order. */
  steps: string[]
  /** How each step and unit ended up (empty for --dry-run). */
  outcomes: ManagerOutcome[]
  /** What the machine still needs afterwards (before, for --dry-run): none, a soft reboot or a reboot. */
  remaining: {action: Action; reasons: Reason[]; notes: string[]}
  /** A hook run that did nothing, and why. */
  skipped?: string
  exitCode: ExitCode
  /** Gathering everything before (all processes, all managers), applying, and looking again. */
  timings: {gatherMs: number; applyMs?: number; verifyMs?: number}
}

function verdict(outcomes: ManagerOutcome[], remaining: Action): ExitCode {
  if (restartFailed(outcomes)) return EXIT.restartFailed
  if (remaining === 'soft-reboot' || remaining === 'reboot') return EXIT.rebootStillNeeded
  return EXIT.ok
}

async function decision(locations: Locations): Promise<Decision> {
  return decide(await gatherPlanFacts(locations))
}

function remainingOf(d: Decision, dryRun: boolean): RestartResult['remaining'] {
  // before the restarts, restart-units is what this run does; nothing else remains of it
  const action = dryRun && d.action === 'restart-units' ? 'none' : d.action
  return {action, reasons: action === 'none' ? [] : d.reasons, notes: d.notes}
}

const since = (start: number) => Math.round(performance.now() - start)

async function run(locations: Locations, options: RestartOptions): Promise<RestartResult> {
  const gathering = performance.now()
  const before = await decision(locations)
  const gatherMs = since(gathering)
  const plan = narrowPlan(before.restart, options.scope)
  const steps = restartSteps(plan)
  const described = steps.flat().map(describeRestartStep)
  const base = {plan, steps: described}
  if (options.dryRun) {
    const remaining = remainingOf(before, true)
    const exitCode = verdict([], remaining.action)
    return {...base, dryRun: true, outcomes: [], remaining, exitCode, timings: {gatherMs}}
  }

  const config = await readConfig(locations.hostRoot)
  const applying = performance.now()
  const limits = {systemTimeoutS: SYSTEM_TIMEOUT_S, userTimeoutS: config.userTimeoutS}
  const outcomes = await applyRestart(steps, limits)
  const applyMs = since(applying)
  const verifying = performance.now()
  const remaining = remainingOf(await decision(locations), false)
  const timings = {gatherMs, applyMs, verifyMs: since(verifying)}
  if (!restartFailed(outcomes)) await clearChangedPackages(locations)
  const exitCode = verdict(outcomes, remaining.action)
  return {...base, dryRun: false, outcomes, remaining, exitCode, timings}
}

function skipped(why: string): RestartResult {
  const plan: RestartPlan = {managers: [], sessions: [], unreachable: []}
  const remaining = {action: 'none' as const, reasons: [], notes: []}
  return {
    dryRun: false,
    plan,
    steps: [],
    outcomes: [],
    remaining,
    skipped: why,
    exitCode: EXIT.ok,
    timings: {gatherMs: 0},
  }
}

/** Under the lock; a hook finding it taken steps aside instead of failing the package manager. */
async function locked(locations: Locations, options: RestartOptions): Promise<Lock | RestartResult> {
  await mkdir(locations.stateDir, {recursive: true, mode: 0o755})
  try {
    return await acquireLock(locations.stateDir, stateLayout(locations).lockInfo, 'restart')
  } catch (error) {
    if (options.hook && isNextrootError(error) && error.code === 'NR_LOCKED') return skipped(error.message)
    throw error
  }
}

export async function restart(options: RestartOptions = {}): Promise<RestartResult> {
  const locations = resolveLocations(options)
  if (options.dryRun) return run(locations, options)
  requireRoot('restart services')
  if (options.hook && process.env[OFFLINE_UPDATE_ENV])
    return skipped('an offline update is being installed in update mode: nothing is restarted now')
  if (options.hook && (await orUnknown('logind PreparingForShutdown', preparingForShutdown())))
    return skipped('the machine is shutting down (logind: PreparingForShutdown): nothing is restarted now')
  const lock = await locked(locations, options)
  if ('exitCode' in lock) return lock
  try {
    return await run(locations, options)
  } finally {
    await lock.release()
  }
}
