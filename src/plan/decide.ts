// The planner's decision, a pure function of the facts: the lightest step that makes pending changes run
// (none, restart units, soft reboot, full reboot), with concrete reasons. `nextroot apply` acts on it.
import type {StagedRecord} from '../state/record.js'
import {describeOs} from '../tree/os-release.js'
import {type RootBoot, compareKernels, newestKernel} from '../tree/root-boot.js'
import type {PlanFacts} from './facts.js'
import {planNotes} from './notes.js'
import {flagNotes, flagReasons} from './flags.js'
import type {Action, Reason, SwitchTarget} from './reasons.js'
import {type RestartPlan, hasWork, planRestart} from '../restart/policy.js'
import {liveReasons, softRebootReasons} from './restart-reasons.js'

export interface Decision {
  action: Action
  /** For a soft reboot: into the staged root, or into the same root upgraded in place. */
  target?: SwitchTarget
  reasons: Reason[]
  /** What `nextroot restart` would do: for restart-units, what is done; otherwise what a switch also refreshes. */
  restart: RestartPlan
  /** Things worth knowing that do not change the action. */
  notes: string[]
  /** What the next full reboot boots, after a soft reboot into the staged root. */
  persistence?: string
}

function stagedRootReasons(boot: RootBoot, facts: PlanFacts): Reason[] {
  const {running} = facts.kernel
  const reasons: Reason[] = []
  const kernel = newestKernel(boot.kernels)
  if (kernel && kernel !== running)
    reasons.push({code: 'KERNEL_STAGED', message: `kernel ${kernel} staged, ${running} running`})
  if (!boot.modules.includes(running))
    reasons.push({
      code: 'NO_MODULES_FOR_KERNEL',
      message: `the staged root lacks modules for the running kernel ${running} (usr/lib/modules/${running})`,
    })
  if (boot.cmdline && boot.cmdline !== facts.installed.cmdline)
    reasons.push({
      code: 'CMDLINE_STAGED',
      message: `kernel command line "${boot.cmdline}" staged, "${facts.installed.cmdline ?? facts.kernel.cmdline}" in use`,
    })
  return [...reasons, ...bootLoadedReasons(boot, facts)]
}

/** What only a boot loads: a soft reboot keeps the SELinux policy PID 1 loaded, and the CPU's microcode. */
function bootLoadedReasons(boot: RootBoot, facts: PlanFacts): Reason[] {
  const reasons: Reason[] = []
  // a /usr-only image keeps the machine's /etc, and with it the machine's policy
  if (facts.kernel.selinux && !boot.usrOnly && boot.selinuxPolicy !== facts.installed.selinuxPolicy)
    reasons.push({
      code: 'SELINUX_POLICY_STAGED',
      message: `the staged root brings another SELinux policy than the loaded one; a soft reboot keeps the loaded policy`,
    })
  if (boot.microcode !== undefined && boot.microcode !== facts.installed.microcode)
    reasons.push({
      code: 'MICROCODE_STAGED',
      message: 'the staged root brings other CPU microcode; only a full boot loads it (from the initrd)',
    })
  return reasons
}

function installedReasons(facts: PlanFacts): Reason[] {
  const kernel = newestKernel(facts.installed.kernels)
  const {running} = facts.kernel
  if (!kernel || compareKernels(kernel, running) <= 0) return []
  return [{code: 'KERNEL_INSTALLED', message: `kernel ${kernel} installed, ${running} running`}]
}

/** What the next full reboot boots after a soft reboot into `record` (also said by `nextroot status`). */
export function persistenceOf(record: StagedRecord | undefined): string {
  if (record?.kind === 'image' && record.source.startsWith('/dev/'))
    return `A full reboot boots what the boot loader's entry names: the updater that wrote ${record.source} decides whether that is the new root.`
  return 'The switch lasts until the next full reboot, which boots the installed root again (unless `nextroot reboot --persist` makes it the default btrfs subvolume).'
}

/** The restart plan when the analysis was left out: nothing known to restart (a note says so). */
const NOT_ANALYSED: RestartPlan = {managers: [], sessions: [], unreachable: []}

export function decide(facts: PlanFacts): Decision {
  const boot = facts.next?.boot
  const restart = facts.restart ? planRestart(facts.restart) : NOT_ANALYSED
  const base = {restart, notes: [...planNotes(facts, restart), ...flagNotes(facts)]}
  const full = [
    ...(boot ? stagedRootReasons(boot, facts) : installedReasons(facts)),
    ...flagReasons(facts, 'reboot'),
  ]
  if (full.length > 0) return {...base, action: 'reboot', reasons: full}
  const soft = [...softRebootReasons(restart), ...flagReasons(facts, 'soft-reboot')]
  if (boot) {
    const into: Reason = {
      code: 'ROOT_STAGED',
      message:
        facts.next?.ours && facts.staged
          ? `${describeOs(facts.staged.osRelease)} is staged (${facts.next.path})`
          : `an OS tree nextroot did not stage is at ${facts.nextrootPath}`,
    }
    return {
      ...base,
      action: 'soft-reboot',
      target: 'staged',
      reasons: [into, ...soft],
      persistence: persistenceOf(facts.staged),
    }
  }

  if (soft.length > 0) return {...base, action: 'soft-reboot', target: 'same-root', reasons: soft}
  if (hasWork(restart)) return {...base, action: 'restart-units', reasons: liveReasons(restart)}
  return {...base, action: 'none', reasons: []}
}
