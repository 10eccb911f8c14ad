// `nextroot restart` as data: the systemctl calls a plan amounts to, per manager, in order (re-execute or
// reload the manager, then one batch of jobs per verb); --dry-run describes the very steps that are applied.
import {shellWords} from '../exec/run.js'
import {type ManagerRef, systemctlArgv} from '../systemd/manager-ref.js'
import type {RestartPlan, UnitAction, Verb} from './policy.js'

export type RestartStep =
  | {kind: 'reexec'; manager: ManagerRef}
  | {kind: 'daemon-reload'; manager: ManagerRef}
  | {kind: 'jobs'; manager: ManagerRef; verb: Verb; units: string[]}

/** Stops first (a unit leaving), then restarts, reloads, and starts last. */
const VERB_ORDER: Verb[] = ['stop', 'try-restart', 'try-reload-or-restart', 'start']

function jobs(manager: ManagerRef, actions: UnitAction[]): RestartStep[] {
  return VERB_ORDER.flatMap((verb) => {
    const units = actions.filter((a) => a.verb === verb).map((a) => a.unit)
    return units.length > 0 ? [{kind: 'jobs' as const, manager, verb, units}] : []
  })
}

/** The steps of each manager, in order; managers are independent of each other. */
export function restartSteps(plan: RestartPlan): RestartStep[][] {
  return plan.managers
    .map((m) => [
      ...(m.reexec ? [{kind: 'reexec' as const, manager: m.manager}] : []),
      ...(m.daemonReload ? [{kind: 'daemon-reload' as const, manager: m.manager}] : []),
      ...jobs(m.manager, m.actions),
    ])
    .filter((steps) => steps.length > 0)
}

export function stepArgs(step: RestartStep): string[] {
  switch (step.kind) {
    case 'reexec':
      return ['daemon-reexec']
    case 'daemon-reload':
      return ['daemon-reload']
    case 'jobs':
      return [step.verb, '--', ...step.units]
  }
}

/** The command a step runs, as a shell would show it. */
export function describeRestartStep(step: RestartStep): string {
  return shellWords(systemctlArgv(step.manager, stepArgs(step)))
}
