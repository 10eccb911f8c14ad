// Words for what `nextroot restart` found, shared by its output, `nextroot plan`'s reasons and the journal:
// which manager a unit is in, and the evidence that it needs a restart.
import {type ManagerRef, describeManager} from '../systemd/manager-ref.js'
import type {Evidence, RestartPlan, Verb} from './policy.js'

const LISTED_FILES = 3

/** The first files of a list, for messages. */
export function someFiles(files: string[]): string {
  const more = files.length > LISTED_FILES ? ', ...' : ''
  return files.slice(0, LISTED_FILES).join(', ') + more
}

/** A unit as the admin finds it: `nginx.service`, or `sync.service (user alice)`. */
export function describeUnit(unit: string, manager: ManagerRef): string {
  return manager.kind === 'system' ? unit : `${unit} (user ${manager.user})`
}

export function describeEvidence(evidence: Evidence): string {
  switch (evidence.source) {
    case 'marker':
      return `marked ${evidence.marker}`
    case 'replaced':
      return `${evidence.comm} (PID ${evidence.pid}) runs replaced ${someFiles(evidence.files)}`
    case 'package':
      return 'its package was upgraded and the unit asks for it (X-RestartOnUpgrade=)'
  }
}

export const VERB_WORDS: Record<Verb, string> = {
  'try-restart': 'restart',
  'try-reload-or-restart': 'reload',
  stop: 'stop',
  start: 'start',
}

/** What a plan does, one line each: "re-execute the system manager", "restart sync.service (user alice)". */
export function describeActions(plan: RestartPlan): string[] {
  return plan.managers.flatMap((m) => [
    ...(m.reexec ? [`re-execute ${describeManager(m.manager)}`] : []),
    ...(m.daemonReload ? [`reload the unit files of ${describeManager(m.manager)}`] : []),
    ...m.actions.map((a) => `${VERB_WORDS[a.verb]} ${describeUnit(a.unit, m.manager)}`),
  ])
}
