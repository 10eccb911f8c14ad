// Which managers one `nextroot restart` acts on (--system, --user UID): the plan narrowed to them (pure).
// The verdict of what the machine still needs is always about the whole machine.
import type {RestartPlan} from '../restart/policy.js'

export interface Scope {
  system: boolean
  /** UIDs whose managers are in scope; 'all' for every running user manager. */
  users: number[] | 'all'
}

export const EVERYTHING: Scope = {system: true, users: 'all'}

function inScope(scope: Scope, uid: number | undefined): boolean {
  if (uid === undefined) return scope.system
  return scope.users === 'all' || scope.users.includes(uid)
}

export function narrowPlan(plan: RestartPlan, scope: Scope = EVERYTHING): RestartPlan {
  return {
    managers: plan.managers.filter((m) =>
      inScope(scope, m.manager.kind === 'user' ? m.manager.uid : undefined),
    ),
    sessions: plan.sessions,
    unreachable: plan.unreachable,
  }
}
