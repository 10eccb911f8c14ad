// Judges the new userspace after a switch (pure): did a soft reboot happen, into the expected root, and is
// the system up with the expected units; and how long it took, by systemd's own monotonic timestamps.
import type {ManagerTimes, SystemState} from '../systemd/switch.js'
import type {HistoryEntry, Outcome, PendingSwitch} from './records.js'

export interface AfterFacts {
  bootId: string
  rootId?: string
  /** `systemctl is-system-running --wait`: its answer, or why none was had within the health timeout. */
  system: SystemState
  failed: string[]
  times: ManagerTimes
  /** Expected units and survivors as they are now. */
  units: Record<string, {active: string; pid: number; enteredUs: number}>
}

export interface Health {
  outcome: Exclude<Outcome, 'fell-back'>
  problems: string[]
}

/** "Could not ask" and "not running" are different problems, and the history says which it was. */
function stateProblems(after: AfterFacts, timeoutS: number): string[] {
  const {state, error, attempts} = after.system
  if (state === 'running') return []
  if (state !== undefined) {
    const failed = after.failed.length > 0 ? `: failed units ${after.failed.join(', ')}` : ''
    return [`the system is ${state}${failed}`]
  }

  if (error !== undefined)
    return [
      `systemd could not be asked for the system state within ${timeoutS} s (${attempts} attempts): ${error}`,
    ]
  return [`the system did not finish starting within ${timeoutS} s`]
}

export function judgeHealth(pending: PendingSwitch, after: AfterFacts): Health {
  if (after.bootId !== pending.bootId)
    return {
      outcome: 'not-switched',
      problems: ['the kernel boot ID changed: a full boot happened, not the soft reboot'],
    }
  const problems: string[] = []
  if (after.times.softRebootsCount <= pending.softRebootsCount)
    problems.push(
      `SoftRebootsCount is ${after.times.softRebootsCount}, as before the switch: no soft reboot happened`,
    )
  if (pending.rootId && after.rootId !== pending.rootId)
    problems.push(`the root is ${after.rootId ?? 'unknown'}, not the staged root (${pending.rootId})`)
  problems.push(...stateProblems(after, pending.policy.healthTimeoutS))
  for (const unit of pending.expect.units)
    if (after.units[unit]?.active !== 'active')
      problems.push(`${unit} is ${after.units[unit]?.active ?? 'unknown'}, not active`)
  for (const [unit, pid] of Object.entries(pending.expect.survivors))
    if (after.units[unit]?.pid !== pid)
      problems.push(`survivor ${unit} has PID ${after.units[unit]?.pid ?? 'none'}, not ${pid}`)
  return {outcome: problems.length === 0 ? 'healthy' : 'unhealthy', problems}
}

const ms = (us: number) => Math.round(us / 1000)

export function durations(pending: PendingSwitch, after: AfterFacts): HistoryEntry['durations'] {
  const {softRebootStartUs, finishUs} = after.times
  const units = Object.fromEntries(
    pending.expect.units
      .filter((unit) => (after.units[unit]?.enteredUs ?? 0) > pending.triggerUs)
      .map((unit) => [unit, ms(after.units[unit].enteredUs - pending.triggerUs)]),
  )
  const {commandUs} = pending
  return {
    fromCommandMs: commandUs !== undefined && finishUs > commandUs ? ms(finishUs - commandUs) : undefined,
    fromTriggerMs: finishUs > pending.triggerUs ? ms(finishUs - pending.triggerUs) : undefined,
    switchMs:
      finishUs > softRebootStartUs && softRebootStartUs > 0 ? ms(finishUs - softRebootStartUs) : undefined,
    units,
  }
}
