// The one place `nextroot restart` changes the machine: it runs the step values it was given, the system
// manager's first (user services may need system ones), then every user's manager at once, each call bounded
// by a timeout; then it asks each manager how the units ended up and reads the journal of those that failed.
import {orUnknown} from '../absent.js'
import {isNextrootError} from '../errors.js'
import {journalTail} from '../systemd/journal.js'
import {type ManagerRef, describeManager, systemctl} from '../systemd/manager-ref.js'
import {prop, showUnits} from '../systemd/units.js'
import type {Verb} from './policy.js'
import {type RestartStep, describeRestartStep, stepArgs} from './steps.js'

export interface StepOutcome {
  command: string
  ok: boolean
  seconds: number
  error?: string
}

export interface UnitOutcome {
  unit: string
  verb: Verb
  /** ActiveState after the jobs, or 'unknown' when the manager could not be asked. */
  state: string
  /** The job did what it was for: running after a restart, reload or start; stopped after a stop. */
  ok: boolean
  mainPid?: number
  /** The unit's last journal lines, when it failed. */
  journal?: string[]
}

export interface ManagerOutcome {
  manager: ManagerRef
  steps: StepOutcome[]
  units: UnitOutcome[]
}

const RUNNING = new Set(['active', 'activating', 'reloading'])

/** The managers' answers bound every call: a system job may take its unit's own start timeout. */
export interface ApplyLimits {
  systemTimeoutS: number
  userTimeoutS: number
}

/** Runs one step; throws NR_COMMAND_FAILED (with systemctl's words) when it fails or times out. */
export async function applyRestartStep(step: RestartStep, timeoutS?: number): Promise<void> {
  await systemctl(step.manager, stepArgs(step), timeoutS === undefined ? {} : {timeoutMs: timeoutS * 1000})
}

async function runStep(step: RestartStep, timeoutS: number): Promise<StepOutcome> {
  const started = performance.now()
  const command = describeRestartStep(step)
  const seconds = () => Math.round(performance.now() - started) / 1000
  try {
    await applyRestartStep(step, timeoutS)
    return {command, ok: true, seconds: seconds()}
  } catch (error) {
    if (!isNextrootError(error)) throw error
    return {command, ok: false, seconds: seconds(), error: [error.message, ...error.hints].join(' ')}
  }
}

function unitsOf(steps: RestartStep[]): Array<{unit: string; verb: Verb}> {
  return steps.flatMap((s) => (s.kind === 'jobs' ? s.units.map((unit) => ({unit, verb: s.verb})) : []))
}

/** How each unit the jobs touched ended up; a failed unit's journal tail comes with it. */
async function outcomes(manager: ManagerRef, steps: RestartStep[], timeoutS: number): Promise<UnitOutcome[]> {
  const units = unitsOf(steps)
  if (units.length === 0) return []
  const names = units.map((u) => u.unit)
  const shown = await orUnknown(
    `unit states after the jobs, from ${describeManager(manager)}`,
    showUnits(names, ['ActiveState', 'MainPID'], manager, {timeoutMs: timeoutS * 1000}),
  )
  return Promise.all(
    units.map(async ({unit, verb}): Promise<UnitOutcome> => {
      const record = shown?.get(unit)
      if (!record) return {unit, verb, state: 'unknown', ok: false}
      const state = prop(record, 'ActiveState')
      const ok = verb === 'stop' ? !RUNNING.has(state) : RUNNING.has(state)
      const mainPid = Number(prop(record, 'MainPID') || 0) || undefined
      return {unit, verb, state, ok, mainPid, journal: ok ? undefined : await journalTail(manager, unit)}
    }),
  )
}

async function applyManager(steps: RestartStep[], timeoutS: number): Promise<ManagerOutcome> {
  const {manager} = steps[0]
  const done: StepOutcome[] = []
  // a failed re-exec or reload does not stop the jobs: each restart still refreshes its own unit
  for (const step of steps) done.push(await runStep(step, timeoutS))
  return {manager, steps: done, units: await outcomes(manager, steps, timeoutS)}
}

/** Applies each manager's steps: the system manager's, then all users' together. */
export async function applyRestart(plan: RestartStep[][], limits: ApplyLimits): Promise<ManagerOutcome[]> {
  const system = plan.filter((steps) => steps[0].manager.kind === 'system')
  const users = plan.filter((steps) => steps[0].manager.kind === 'user')
  const first = await Promise.all(system.map((steps) => applyManager(steps, limits.systemTimeoutS)))
  const rest = await Promise.all(users.map((steps) => applyManager(steps, limits.userTimeoutS)))
  return [...first, ...rest]
}

export function restartFailed(outcomes: ManagerOutcome[]): boolean {
  return outcomes.some((m) => m.steps.some((s) => !s.ok) || m.units.some((u) => !u.ok))
}
