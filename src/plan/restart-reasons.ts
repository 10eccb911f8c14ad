// The plan's reasons from `nextroot restart`'s analysis (pure): what a restart, a re-exec or a daemon-reload
// refreshes live, and what only a soft reboot refreshes (a service that is never restarted live, a manager
// that could not be asked).
import {describeEvidence, describeUnit, someFiles} from '../restart/describe.js'
import type {Evidence, RestartPlan} from '../restart/policy.js'
import {describeManager} from '../systemd/manager-ref.js'
import type {Reason, ReasonCode} from './reasons.js'

function liveCode(evidence: Evidence[]): ReasonCode {
  if (evidence.some((e) => e.source === 'replaced')) return 'SERVICE_STALE'
  if (evidence.some((e) => e.source === 'marker')) return 'UNIT_MARKED'
  return 'PACKAGE_UPGRADED'
}

/** What restarting units, re-executing managers and reloading them refreshes. */
export function liveReasons(plan: RestartPlan): Reason[] {
  return plan.managers.flatMap((m) => [
    ...(m.reexec
      ? [
          {
            code: 'MANAGER_STALE' as const,
            message: `${describeManager(m.manager)} (PID ${m.reexec.pid}) runs replaced ${someFiles(m.reexec.files)}: daemon-reexec`,
          },
        ]
      : []),
    ...(m.daemonReload
      ? [
          {
            code: 'UNIT_FILES_CHANGED' as const,
            message: `unit files changed on disk since ${describeManager(m.manager)} loaded them: daemon-reload`,
          },
        ]
      : []),
    ...m.actions.map((a) => ({
      code: liveCode(a.evidence),
      message: `${describeUnit(a.unit, m.manager)}: ${a.evidence.map(describeEvidence).join('; ')}`,
    })),
  ])
}

/** What runs old code and is not restarted live: a soft reboot (into the same root) refreshes it. */
export function softRebootReasons(plan: RestartPlan): Reason[] {
  const kept = plan.managers.flatMap((m) =>
    m.kept
      .filter((k) => k.softReboot)
      .map((k) => ({
        code: k.core ? ('CORE_PROCESS_STALE' as const) : ('SERVICE_NOT_RESTARTABLE' as const),
        message: `${describeUnit(k.unit, m.manager)} is not restarted live (${k.why}): ${k.evidence.map(describeEvidence).join('; ')}`,
      })),
  )
  const unreachable = plan.unreachable
    .filter((u) => u.stale.length > 0)
    .map((u) => ({
      code: 'MANAGER_UNREACHABLE' as const,
      message: `${u.manager} could not be asked (${u.why}), and ${u.stale.length} of its processes run replaced code`,
    }))
  return [...kept, ...unreachable]
}
