// What `nextroot restart` does with what it found (pure): per manager, which units are restarted, reloaded,
// stopped or started, whether the manager is re-executed, and what cannot be done live (a soft reboot does
// it), with the evidence for each. `nextroot plan` decides on this same analysis.
import {type ManagerRef, SYSTEM, describeManager} from '../systemd/manager-ref.js'
import type {ManagerFacts, RestartFacts, UnitState} from './facts.js'
import {type NeverRule, neverRestart} from './never.js'
import type {StaleProcess} from './stale.js'

export type Evidence =
  | {source: 'marker'; marker: string}
  | {source: 'replaced'; pid: number; comm: string; files: string[]}
  | {source: 'package'}

export type Verb = 'try-restart' | 'try-reload-or-restart' | 'stop' | 'start'

export interface UnitAction {
  unit: string
  verb: Verb
  evidence: Evidence[]
}

/**
 * A unit that needs it but is not restarted live; `softReboot`: it runs old code that only a soft reboot
 * refreshes; `core`: it is on the built-in list (the bus, logind, networking...), not the admin's choice.
 */
export interface Kept {
  unit: string
  why: string
  softReboot: boolean
  core: boolean
  evidence: Evidence[]
}

/** The manager's own process runs replaced code. */
export interface Reexec {
  pid: number
  files: string[]
}

export interface ManagerPlan {
  manager: ManagerRef
  /** PID 1 or the user manager itself runs replaced code: `daemon-reexec` (which also reloads units). */
  reexec?: Reexec
  /** Unit files changed on disk: `daemon-reload` before the jobs. */
  daemonReload: boolean
  actions: UnitAction[]
  kept: Kept[]
}

export interface RestartPlan {
  managers: ManagerPlan[]
  /** Sessions and scopes running replaced code: no restart reaches them; their users log out and in. */
  sessions: Array<{unit: string; uid?: number; pid: number; comm: string}>
  /** Managers nextroot did not or could not talk to, and their processes running replaced code. */
  unreachable: Unreachable[]
}

/** A manager that was not asked: its units' states are unknown; its stale processes need a soft reboot. */
export interface Unreachable {
  manager: string
  why: string
  stale: StaleProcess[]
}

const RUNNING = new Set(['active', 'activating', 'reloading'])

type EvidenceMap = Map<string, Evidence[]>

function add(map: EvidenceMap, unit: string, evidence: Evidence): void {
  map.set(unit, [...(map.get(unit) ?? []), evidence])
}

function replaced(p: StaleProcess): Evidence {
  return {source: 'replaced', pid: p.pid, comm: p.comm, files: p.files}
}

/** The evidence for each unit of one manager: its markers, its processes running replaced code, its package. */
function evidenceOf(facts: ManagerFacts, stale: StaleProcess[], packageUnits: string[]): EvidenceMap {
  const map: EvidenceMap = new Map()
  for (const [unit, state] of Object.entries(facts.units))
    for (const marker of state.markers) add(map, unit, {source: 'marker', marker})
  for (const p of stale)
    if ('unit' in p.owner && p.owner.kind.endsWith('unit')) add(map, p.owner.unit, replaced(p))
  for (const unit of packageUnits) {
    const key = facts.units[unit]?.key
    if (key === 'yes' || key === 'reload') add(map, unit, {source: 'package'})
  }

  return map
}

/** The job a unit asks for: stop and start markers as they are; a reload when nothing more is asked. */
function verbOf(state: UnitState | undefined, evidence: Evidence[]): Verb {
  const markers = evidence.flatMap((e) => (e.source === 'marker' ? [e.marker] : []))
  if (markers.includes('needs-stop')) return 'stop'
  if (markers.includes('needs-start')) return 'start'
  const restart =
    markers.includes('needs-restart') ||
    (state?.key !== 'reload' && evidence.some((e) => e.source === 'replaced' || e.source === 'package'))
  return restart ? 'try-restart' : 'try-reload-or-restart'
}

function keptRule(
  unit: string,
  state: UnitState | undefined,
  config: RestartFacts['config'],
): NeverRule | undefined {
  if (state?.key === 'no') return {why: 'X-RestartOnUpgrade=no', builtIn: false}
  if (state?.refuseManualStop) return {why: 'RefuseManualStop=yes', builtIn: false}
  return neverRestart(unit, config.restartNever, config.restartAllow)
}

const wantsStart = (evidence: Evidence[]) =>
  evidence.some((e) => e.source === 'marker' && e.marker === 'needs-start')

function planManager(facts: ManagerFacts, stale: StaleProcess[], all: RestartFacts): ManagerPlan {
  const actions: UnitAction[] = []
  const kept: Kept[] = []
  for (const [unit, evidence] of [...evidenceOf(facts, stale, all.packageUnits)].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const state = facts.units[unit]
    const rule = keptRule(unit, state, all.config)
    // a survivor keeps its old code through a soft reboot: asking for one would never satisfy it
    const softReboot = evidence.some((e) => e.source === 'replaced') && !state?.survives
    const why = rule && state?.survives ? `${rule.why}; it survives soft reboots` : rule?.why
    if (rule && why) kept.push({unit, why, softReboot, core: rule.builtIn, evidence})
    else if (state && !RUNNING.has(state.active) && !wantsStart(evidence))
      kept.push({unit, why: `${state.active}: it stays stopped`, softReboot: false, core: false, evidence})
    else actions.push({unit, verb: verbOf(state, evidence), evidence})
  }

  const itself = stale.find(isManagerItself)
  const reexec = itself && {pid: itself.pid, files: itself.files}
  const daemonReload = Object.values(facts.units).some((u) => u.needDaemonReload)
  return {manager: facts.manager, reexec, daemonReload: daemonReload && !reexec, actions, kept}
}

/**
 * The manager's own process: PID 1, or a user's `systemd --user`. Its helper (sd-pam) lives in the same
 * cgroup and is not re-executed: its user logs out and in, as for a session.
 */
function isManagerItself(p: StaleProcess): boolean {
  return (p.owner.kind === 'init' || p.owner.kind === 'user-manager') && p.comm === 'systemd'
}

/** The processes of one manager: PID 1 and system units, or one user's manager and its units. */
function staleOf(manager: ManagerRef | {kind: 'user'; uid: number}, stale: StaleProcess[]): StaleProcess[] {
  return stale.filter((p) => {
    const {owner} = p
    if (manager.kind === 'system') return owner.kind === 'init' || owner.kind === 'system-unit'
    return (owner.kind === 'user-unit' || owner.kind === 'user-manager') && owner.uid === manager.uid
  })
}

function unreachableOf(facts: RestartFacts): Unreachable[] {
  const {processes} = facts.stale
  const system = facts.system.error
    ? [{manager: describeManager(SYSTEM), why: facts.system.error, stale: []}]
    : []
  const users = facts.users.flatMap((u) =>
    u.error
      ? [{manager: describeManager(u.manager), why: u.error, stale: staleOf(u.manager, processes)}]
      : [],
  )
  const refused = facts.refusedUsers.map((u) => ({
    manager: `the user manager of ${u.user} (${u.uid})`,
    why: u.why,
    stale: staleOf({kind: 'user', uid: u.uid}, processes),
  }))
  return [...system, ...users, ...refused]
}

/**
 * The whole plan. The system manager is planned even when it could not be asked (no systemd runs under the
 * root): its units are then known only by their processes, and it is listed as unreachable too.
 */
export function planRestart(facts: RestartFacts): RestartPlan {
  const reachable = [facts.system, ...facts.users.filter((u) => !u.error)]
  const managers = reachable.map((m) => planManager(m, staleOf(m.manager, facts.stale.processes), facts))
  const sessions = facts.stale.processes.flatMap((p) => {
    if (p.owner.kind === 'session') return [{unit: p.owner.unit, uid: p.owner.uid, pid: p.pid, comm: p.comm}]
    if (p.owner.kind === 'user-manager' && !isManagerItself(p))
      return [{unit: `user@${p.owner.uid}.service`, uid: p.owner.uid, pid: p.pid, comm: p.comm}]
    return []
  })
  return {managers, sessions, unreachable: unreachableOf(facts)}
}

/** Something running old code cannot be refreshed live: only a soft reboot (into the same root) does. */
export function needsSoftReboot(plan: RestartPlan): boolean {
  return (
    plan.managers.some((m) => m.kept.some((k) => k.softReboot)) ||
    plan.unreachable.some((u) => u.stale.length > 0)
  )
}

/** Anything to do: a re-exec, a daemon-reload or a job. */
export function hasWork(plan: RestartPlan): boolean {
  return plan.managers.some((m) => m.reexec || m.daemonReload || m.actions.length > 0)
}
