// The one module that asks systemd to switch or reboot and reads how a switch went: the request is started
// as a transient unit, so it outlives the nextroot process the switch kills.
import {NextrootError} from '../errors.js'
import {run} from '../exec/run.js'
import {swallowed} from '../log.js'
import {parseShow, prop} from './units.js'

export type SwitchKind = 'soft-reboot' | 'reboot'

export interface SwitchRequest {
  kind: SwitchKind
  /** Unit name of the transient service that asks for it. */
  unit: string
  /** systemctl's --when= (a schedule logind keeps; then no transient unit is needed). */
  when?: string
}

/**
 * The exact command that asks for the switch. A full reboot sets SYSTEMCTL_SKIP_AUTO_SOFT_REBOOT=1, so a
 * root still mounted at /run/nextroot cannot turn it into a soft reboot.
 */
export function switchCommand(request: SwitchRequest): string[] {
  const verb = ['systemctl', request.kind, ...(request.when ? [`--when=${request.when}`] : [])]
  const env = request.kind === 'reboot' ? ['--setenv=SYSTEMCTL_SKIP_AUTO_SOFT_REBOOT=1'] : []
  if (request.when) return env.length > 0 ? ['env', 'SYSTEMCTL_SKIP_AUTO_SOFT_REBOOT=1', ...verb] : verb
  return [
    'systemd-run',
    '--quiet',
    '--no-block',
    '--collect',
    `--unit=${request.unit}`,
    ...env,
    '--',
    ...verb,
  ]
}

export async function requestSwitch(request: SwitchRequest): Promise<void> {
  const [file, ...args] = switchCommand(request)
  await run(file, args)
}

/** Cancels a shutdown logind has scheduled (`--when=`), whichever verb scheduled it. */
export async function cancelScheduledSwitch(): Promise<void> {
  await run('systemctl', ['reboot', '--when=cancel'])
}

/** What `systemctl is-system-running --wait` said, or why it could not be asked, and how often it was tried. */
export interface SystemState {
  /** running, degraded, maintenance, ... (undefined: no answer within the time). */
  state?: string
  /** The last failure to ask (a bus timeout, say); neither this nor a state: startup did not finish in time. */
  error?: string
  attempts: number
}

/** States systemctl prints when it did get an answer; "unknown" is what it prints when it did not. */
const ANSWERS = ['initializing', 'starting', 'running', 'degraded', 'maintenance', 'stopping', 'offline']

/** One `systemctl is-system-running --wait`: the state, or the reason it could not be had. */
async function askOnce(timeoutMs: number): Promise<{state: string} | {error: string; timedOut?: boolean}> {
  try {
    const {stdout, stderr} = await run('systemctl', ['is-system-running', '--wait'], {
      okExitCodes: [1],
      timeoutMs,
    })
    const state = stdout.trim()
    if (ANSWERS.includes(state)) return {state}
    return {error: stderr.trim() || `systemctl answered '${state || 'nothing'}'`}
  } catch (error) {
    const timedOut = error instanceof NextrootError && /timed out/.test(error.message)
    return {error: error instanceof Error ? error.message : String(error), timedOut}
  }
}

/**
 * The system state once systemd settled, asking again (every `retryMs`) while it cannot be asked, until
 * `timeoutMs` are over: "could not ask" (a bus timeout) is not "not running".
 */
export async function systemState(timeoutMs: number, retryMs = 2000): Promise<SystemState> {
  const deadline = performance.now() + timeoutMs
  let attempts = 0
  let error: string | undefined
  while (performance.now() < deadline) {
    attempts++
    const answer = await askOnce(Math.max(1, Math.round(deadline - performance.now())))
    if ('state' in answer) return {state: answer.state, attempts}
    swallowed('systemctl is-system-running --wait', answer.error)
    // Still waiting when time ran out: startup did not finish, unless asking had failed before.
    if (answer.timedOut) return error === undefined ? {attempts} : {error, attempts}
    error = answer.error
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(retryMs, Math.max(0, deadline - performance.now()))),
    )
  }

  return {error, attempts}
}

/** The manager's switch counters and timestamps (CLOCK_MONOTONIC, microseconds). */
export interface ManagerTimes {
  softRebootsCount: number
  /** When the last soft reboot began (0 when systemd does not say). */
  softRebootStartUs: number
  /** When this manager finished starting up (the default target reached). */
  finishUs: number
}

/** Where systemd keeps the start of the last soft reboot: its own property, or the shutdown start it carried over. */
const SOFT_REBOOT_START = ['SoftRebootStartTimestampMonotonic', 'ShutdownStartTimestampMonotonic']

export async function managerTimes(): Promise<ManagerTimes> {
  const keys = ['SoftRebootsCount', 'FinishTimestampMonotonic', ...SOFT_REBOOT_START]
  const {stdout} = await run('systemctl', ['show', `--property=${keys.join(',')}`])
  const shown = parseShow(stdout)[0] ?? {}
  const start = SOFT_REBOOT_START.map((key) => Number(prop(shown, key) || 0)).find((us) => us > 0)
  return {
    softRebootsCount: Number(prop(shown, 'SoftRebootsCount') || 0),
    softRebootStartUs: start ?? 0,
    finishUs: Number(prop(shown, 'FinishTimestampMonotonic') || 0),
  }
}
