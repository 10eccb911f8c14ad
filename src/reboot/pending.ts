// What the new userspace must find after the switch (pure): the record `nextroot reboot` writes to
// switch.json just before it triggers, so after-switch can check, time and record the switch.
import type {Config} from '../config.js'
import type {PendingSwitch} from '../history/records.js'
import type {Decision} from '../plan/decide.js'
import type {PlanFacts} from '../plan/facts.js'
import type {SwitchTarget} from '../plan/reasons.js'
import {describeOs} from '../tree/os-release.js'
import type {RebootFacts} from './facts.js'

export interface PendingInputs {
  id: string
  target: SwitchTarget
  plan: PlanFacts
  decision: Decision
  facts: RebootFacts
  config: Config
  /** A /usr-only image: the new root is the running root with the staged /usr. */
  usrOnly: boolean
  /** --persist: the default subvolume before it, put back before a fallback. */
  restoreDefaultSubvolume?: string
}

export function pendingSwitch(inputs: PendingInputs): PendingSwitch {
  const {id, target, plan, decision, facts, config} = inputs
  const intoStagedTree = target === 'staged' && !inputs.usrOnly
  return {
    id,
    kind: 'soft-reboot',
    target,
    // stamped when it is written, just before the trigger
    triggeredAt: '',
    triggerUs: 0,
    bootId: facts.bootId,
    softRebootsCount: facts.systemd.softRebootsCount ?? 0,
    from: facts.hostOs,
    to: target === 'staged' && plan.staged ? describeOs(plan.staged.osRelease) : facts.hostOs,
    rootId: intoStagedTree ? facts.rootIds.staged : facts.rootIds.host,
    stagedId: target === 'staged' ? plan.staged?.id : undefined,
    reasons: decision.reasons,
    expect: {units: [facts.check?.summary.defaultTarget ?? 'multi-user.target'], survivors: facts.survivors},
    // A flag that names only what a soft reboot refreshes is satisfied by it; one naming a kernel is not.
    satisfies:
      plan.rebootRequired && decision.action !== 'reboot'
        ? ['run/reboot-required', 'run/reboot-required.pkgs']
        : [],
    carried: target === 'staged' ? config.carryDirs.filter((dir) => dir !== '/') : [],
    policy: {healthTimeoutS: config.healthTimeoutS, onUnhealthy: config.onUnhealthy},
    restoreDefaultSubvolume: inputs.restoreDefaultSubvolume,
  }
}
