// `nextroot reboot`: plan -> preflight -> carry over -> (print) -> trigger. Everything up to the trigger
// happens here and is returned as steps, so the caller can print the result before the switch kills it.
import {mkdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {check} from '../check/check.js'
import {type Config, readConfig} from '../config.js'
import {NextrootError} from '../errors.js'
import {setDefaultSubvolume} from '../host/btrfs.js'
import {inodeOf} from '../host/devices.js'
import {type PendingSwitch, writePending} from '../history/records.js'
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {stateLayout} from '../state/layout.js'
import {type Decision, decide} from '../plan/decide.js'
import {type PlanFacts, gatherPlanFacts} from '../plan/facts.js'
import {acquireLock} from '../state/lock.js'
import {unmountAll} from '../host/mount.js'
import {describeOs, parseOsRelease} from '../tree/os-release.js'
import {requireRoot} from '../privileges.js'
import {type SwitchRequest, requestSwitch, restartUnits, switchCommand} from '../systemd/switch.js'
import {
  AFTER_SWITCH_UNIT,
  AFTER_SWITCH_WANTED_BY,
  placeUnit,
  unitPaths,
} from '../shipped/after-switch-unit.js'
import {applyCarryOver} from './carry-apply.js'
import {gatherCarryFacts} from './carry-facts.js'
import {type CarryStep, describeStep, planCarryOver} from './carry-over.js'
import {type RebootFacts, gatherRebootFacts} from './facts.js'
import {gatherPersistFacts} from './persist-facts.js'
import {type PersistFacts, persistRefusal, persistStep} from './persist.js'
import {type Mode, preflight} from './preflight.js'
import {placeScheduleGuard, scheduleGuardPath} from '../shipped/schedule-guard.js'

export interface RebootOptions extends LocationOptions {
  /** Act on the plan's decision (none, restart units, soft or full reboot). */
  auto?: boolean
  /** A full reboot, whatever is staged. */
  full?: boolean
  /** Go ahead despite check blockers, inhibitors or a plan that says reboot (logged as warnings). */
  force?: boolean
  dryRun?: boolean
  /** systemctl --when= schedule. */
  when?: string
  /** The digest the user verified: the staged record must have it. */
  sha256?: string
  /** On btrfs: make the staged subvolume the default, so the next full reboot boots it too. */
  persist?: boolean
}

export interface RebootResult {
  mode: Mode
  target?: 'staged' | 'same-root'
  decision: Decision
  /** Every step, as the command it amounts to, in order; the last one is the trigger. */
  steps: string[]
  dryRun: boolean
  warnings: string[]
  /** The id of the switch in the history (soft reboots). */
  switchId?: string
  /** Milliseconds spent on the plan, the check and the other facts, and on carrying the machine over. */
  timings: {gatherMs: number; carryMs: number}
  locations: Locations
}

export interface PreparedReboot {
  result: RebootResult
  /** Starts the switch (after the result was printed); a no-op for --dry-run and for "none". */
  trigger: () => Promise<void>
}

/** --persist: only a soft reboot into a staged tree can last; refused with the reason wherever it cannot. */
async function persistFacts(
  mode: Mode,
  target: 'staged' | 'same-root' | undefined,
  plan: PlanFacts,
  locations: Locations,
  config: Config,
): Promise<PersistFacts> {
  const tree = plan.staged?.tree
  if (mode !== 'soft-reboot' || target !== 'staged' || !tree)
    throw new NextrootError(
      'NR_CANNOT_PERSIST',
      '--persist: only a soft reboot into a staged tree can be made to last.',
      {hints: ['Stage an archive into a state directory on the root btrfs, then nextroot reboot --persist.']},
    )
  const facts = await gatherPersistFacts(tree, locations.hostRoot, config.carryDirs)
  const refusal = persistRefusal(facts)
  if (refusal) throw refusal
  return facts
}

function modeOf(options: RebootOptions, decision: Decision): {mode: Mode; target?: 'staged' | 'same-root'} {
  if (options.full) return {mode: 'reboot'}
  if (options.auto) return {mode: decision.action, target: decision.target}
  return {mode: 'soft-reboot', target: 'staged'}
}

async function hostOs(hostRoot: string): Promise<string> {
  for (const path of ['etc/os-release', 'usr/lib/os-release']) {
    const text = await readFile(join(hostRoot, path), 'utf8').catch(() => undefined)
    if (text !== undefined) return describeOs(parseOsRelease(text))
  }

  return 'unknown OS'
}

function pendingSwitch(
  id: string,
  target: 'staged' | 'same-root',
  plan: PlanFacts,
  decision: Decision,
  facts: RebootFacts,
  config: Config,
  from: string,
): PendingSwitch {
  return {
    id,
    kind: 'soft-reboot',
    target,
    triggeredAt: '',
    triggerUs: 0,
    bootId: facts.bootId,
    softRebootsCount: facts.systemd.softRebootsCount ?? 0,
    from,
    to: target === 'staged' && plan.staged ? describeOs(plan.staged.osRelease) : from,
    stagedId: target === 'staged' ? plan.staged?.id : undefined,
    reasons: decision.reasons,
    expect: {units: [facts.check?.summary.defaultTarget ?? 'multi-user.target'], survivors: facts.survivors},
    // A flag that names only what a soft reboot refreshes is satisfied by it; one naming a kernel is not.
    satisfies:
      plan.rebootRequired && decision.action !== 'reboot'
        ? ['run/reboot-required', 'run/reboot-required.pkgs']
        : [],
    policy: {healthTimeoutS: config.healthTimeoutS, onUnhealthy: config.onUnhealthy},
  }
}

export async function reboot(options: RebootOptions = {}): Promise<PreparedReboot> {
  if (!options.dryRun) requireRoot('switch or reboot the machine')
  const locations = resolveLocations(options)
  const layout = stateLayout(locations)
  const config = await readConfig(locations.hostRoot)
  if (!options.dryRun) await mkdir(locations.stateDir, {recursive: true, mode: 0o755})
  const lock = options.dryRun ? undefined : await acquireLock(locations.stateDir, layout.lockInfo, 'reboot')
  try {
    const started = performance.now()
    // A plain `reboot` is a soft reboot whatever the plan says: its gate, the check, starts with the plan.
    const early = options.full || options.auto ? undefined : check(locations)
    early?.catch(() => undefined)
    const plan = await gatherPlanFacts(locations)
    const decision = decide(plan)
    const {mode, target} = modeOf(options, decision)
    const facts = await gatherRebootFacts(locations, plan, mode, early)
    const usrOnly = plan.nextroot.boot?.usrOnly ?? false
    const checked = preflight({
      mode,
      target,
      explicit: !options.auto,
      decision,
      systemd: facts.systemd,
      staged: plan.staged,
      nextroot: facts.nextroot,
      expectSha256: options.sha256,
      writesEtc: !usrOnly && (config.carryFiles.length > 0 || config.mergeUsers),
      check: facts.check,
      inhibitors: facts.inhibitors,
      force: options.force ?? false,
    })
    if (checked.refusal) throw checked.refusal
    const persist = options.persist ? await persistFacts(mode, target, plan, locations, config) : undefined
    const gathered = performance.now()
    const id = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')
    const carry =
      mode === 'soft-reboot' && target === 'staged'
        ? planCarryOver(
            await gatherCarryFacts(config, {
              nextroot: locations.nextroot,
              hostRoot: locations.hostRoot,
              aside: join(layout.mounts, `usr-${plan.staged?.id ?? id}`),
              usrOnly,
            }),
          )
        : {steps: [] as CarryStep[], warnings: []}
    const request: SwitchRequest | undefined =
      mode === 'soft-reboot' || mode === 'reboot'
        ? {kind: mode, unit: `nextroot-${mode}-${id}`, when: options.when}
        : undefined
    const withdraw = mode === 'reboot' && plan.nextroot.mounted
    const guardSchedule = mode === 'soft-reboot' && options.when !== undefined
    const steps = [
      ...(withdraw
        ? [`umount -R ${locations.nextroot}   # a staged root must not turn the reboot into a soft one`]
        : []),
      ...carry.steps.map(describeStep),
      ...(mode === 'soft-reboot'
        ? [
            `write ${layout.pendingSwitch}`,
            `install ${unitPaths(locations.hostRoot, 'runtime').unit} (${AFTER_SWITCH_UNIT}, wanted by ${AFTER_SWITCH_WANTED_BY})`,
          ]
        : []),
      ...(guardSchedule
        ? [
            `install ${scheduleGuardPath(locations.hostRoot)} (drops logind's schedule once due: no second soft reboot)`,
          ]
        : []),
      ...(persist ? [persistStep(persist)] : []),
      ...(request ? [switchCommand(request).join(' ')] : []),
      ...(mode === 'restart-units' ? [`systemctl try-restart -- ${decision.units.join(' ')}`] : []),
    ]
    const result: RebootResult = {
      mode,
      target,
      decision,
      steps,
      dryRun: options.dryRun ?? false,
      warnings: [...checked.warnings, ...carry.warnings],
      switchId: mode === 'soft-reboot' ? id : undefined,
      timings: {gatherMs: Math.round(gathered - started), carryMs: 0},
      locations,
    }
    if (options.dryRun) return {result, trigger: async () => undefined}
    const carrying = performance.now()
    if (withdraw) await unmountAll(locations.nextroot)
    await applyCarryOver(carry.steps)
    if (mode === 'soft-reboot') await placeUnit(locations.hostRoot, 'runtime')
    if (guardSchedule) await placeScheduleGuard(locations.hostRoot)
    if (persist?.subvolumeId) await setDefaultSubvolume(persist.subvolumeId, locations.hostRoot)
    result.timings.carryMs = Math.round(performance.now() - carrying)
    const pending =
      mode === 'soft-reboot' && target
        ? {
            ...pendingSwitch(id, target, plan, decision, facts, config, await hostOs(locations.hostRoot)),
            rootId:
              target === 'staged' ? await inodeOf(locations.nextroot) : await inodeOf(locations.hostRoot),
            restoreDefaultSubvolume: persist?.previousDefault,
          }
        : undefined
    const trigger = async () => {
      if (pending) {
        await writePending(layout.pendingSwitch, {
          ...pending,
          triggeredAt: new Date().toISOString(),
          triggerUs: Number(process.hrtime.bigint() / 1000n),
        })
      }

      if (request) await requestSwitch(request)
      if (mode === 'restart-units') await restartUnits(decision.units)
    }
    return {result, trigger}
  } finally {
    await lock?.release()
  }
}
