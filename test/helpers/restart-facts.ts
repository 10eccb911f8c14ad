// Recorded facts for `nextroot restart`'s policy and the plan: managers, units and processes of the guest.
import {DEFAULT_CONFIG} from '../../src/config.js'
import type {ManagerFacts, RestartFacts, UnitState} from '../../src/restart/facts.js'
import {ownerOf} from '../../src/restart/owner.js'
import type {RestartPlan} from '../../src/restart/policy.js'
import type {StaleProcess} from '../../src/restart/stale.js'
import {SYSTEM} from '../../src/systemd/manager-ref.js'

export const ALICE = {kind: 'user' as const, uid: 1000, gid: 1000, user: 'alice'}

/** A running service with no markers and no key, `overrides` on top. */
export function unit(overrides: Partial<UnitState> = {}): UnitState {
  return {
    active: 'active',
    canReload: false,
    refuseManualStop: false,
    survives: false,
    needDaemonReload: false,
    markers: [],
    mainPid: 0,
    ...overrides,
  }
}

/** A process in cgroup `cgroup` (as /proc/PID/cgroup names it) mapping the replaced `files`. */
export function staleProcess(pid: number, comm: string, cgroup: string, files: string[]): StaleProcess {
  return {pid, comm, owner: ownerOf(cgroup), files}
}

export function systemFacts(units: Record<string, UnitState> = {}): ManagerFacts {
  return {manager: SYSTEM, units}
}

export function restartFacts(overrides: Partial<RestartFacts> = {}): RestartFacts {
  return {
    system: systemFacts(),
    users: [],
    refusedUsers: [],
    stale: {processes: [], unreadable: 0, proc: true},
    packageUnits: [],
    config: {restartNever: [], restartAllow: [], userTimeoutS: DEFAULT_CONFIG.userTimeoutS},
    asRoot: true,
    ...overrides,
  }
}

/** Stale processes, all of them in the scan. */
export function withStale(processes: StaleProcess[], overrides: Partial<RestartFacts> = {}): RestartFacts {
  return restartFacts({...overrides, stale: {processes, unreadable: 0, proc: true}})
}

/** A plan with nothing in it. */
export const NO_RESTART: RestartPlan = {managers: [], sessions: [], unreachable: []}
