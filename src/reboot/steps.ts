// Every step `nextroot reboot` can take, as a value: one function describes a step (the --dry-run lines and
// the result's steps), reboot/apply.ts applies the same values, so what is printed is what is done.
import type {PendingSwitch} from '../history/records.js'
import type {Locations} from '../locations.js'
import {type RestartStep, describeRestartStep} from '../restart/steps.js'
import {stateLayout} from '../state/layout.js'
import {AFTER_SWITCH_UNIT, AFTER_SWITCH_WANTED_BY, unitPaths} from '../shipped/after-switch-unit.js'
import {scheduleGuardPath} from '../shipped/schedule-guard.js'
import {type SwitchRequest, switchCommand} from '../systemd/switch.js'
import {type CarryStep, describeCarryStep} from './carry-over.js'

export type RebootStep =
  /** A staged root must not turn a full reboot into a soft one: unmount it first. */
  | {kind: 'withdraw'; nextroot: string}
  | {kind: 'carry'; step: CarryStep}
  /** Points the nextroot path at the assembled tree: a symlink, so plain reboots stay full reboots. */
  | {kind: 'link'; path: string; target: string}
  /** The after-switch unit in /run, with a drop-in naming these locations. */
  | {kind: 'arm-unit'; locations: Locations}
  /** --when=: drop logind's schedule once due, so the new userspace does not fire it again. */
  | {kind: 'schedule-guard'; hostRoot: string}
  /** --persist: the staged subvolume becomes the default one. */
  | {kind: 'persist'; subvolumeId: string; previousDefault?: string; hostRoot: string}
  /** The switch the new userspace checks; stamped with the trigger's time when it is written. */
  | {kind: 'record-switch'; path: string; pending: PendingSwitch}
  | {kind: 'switch'; request: SwitchRequest}
  /** `apply`, when restarts are enough: the steps `nextroot restart` takes. */
  | {kind: 'restart'; step: RestartStep}

/** Steps taken after the result is printed: the switch kills this process soon after they start. */
const TRIGGER: ReadonlySet<RebootStep['kind']> = new Set(['record-switch', 'switch', 'restart'])

export function isTrigger(step: RebootStep): boolean {
  return TRIGGER.has(step.kind)
}

/** One line per step, as the command it amounts to. */
export function describeRebootStep(step: RebootStep): string {
  switch (step.kind) {
    case 'withdraw':
      return `umount -R ${step.nextroot}   # a staged root must not turn the reboot into a soft one`
    case 'carry':
      return describeCarryStep(step.step)
    case 'link':
      return `ln -sfn ${step.target} ${step.path}   # soft reboots go there; a plain reboot stays full (not a mount point)`
    case 'arm-unit': {
      const {unit, dropIn} = unitPaths(step.locations.hostRoot, 'runtime')
      return `install ${unit} (${AFTER_SWITCH_UNIT}, wanted by ${AFTER_SWITCH_WANTED_BY}) and ${dropIn} (checks ${stateLayout(step.locations).pendingSwitch})`
    }
    case 'schedule-guard':
      return `install ${scheduleGuardPath(step.hostRoot)} (drops logind's schedule once due: no second soft reboot)`
    case 'persist':
      return `btrfs subvolume set-default ${step.subvolumeId} /   # the next full reboot boots the staged root too (was ${step.previousDefault})`
    case 'record-switch':
      return `write ${step.path}   # switch ${step.pending.id}, checked by the new userspace`
    case 'switch':
      return switchCommand(step.request).join(' ')
    case 'restart':
      return describeRestartStep(step.step)
  }
}
