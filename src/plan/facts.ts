// Gathers what `nextroot plan` decides on: the running kernel and command line, the kernels each root
// ships, the staged record, reboot-required flags and what `nextroot restart` decides on. Judges nothing.
import {readFile} from 'node:fs/promises'
import {release} from 'node:os'
import {join} from 'node:path'

import {pathExists, unlessAbsent} from '../absent.js'
import type {Locations} from '../locations.js'
import {type StagedRecord, treeOf} from '../state/record.js'
import type {Foreign, StaleReason, Staging} from '../state/staging.js'
import {type GatheredStaging, gatherStaging} from '../state/staging-facts.js'
import {type RootBoot, gatherRootBoot} from '../tree/root-boot.js'
import {readConfig} from '../config.js'
import {type RestartFacts, gatherRestartFacts} from '../restart/facts.js'
import {bootTime} from '../restart/interp.js'
import {userspaceStartedAt} from '../systemd/manager.js'
import {type RebootFlag, gatherRebootFlag} from './flag-facts.js'

export interface PlanFacts {
  /** The running kernel and command line; whether SELinux is enabled (its policy was loaded at boot). */
  kernel: {running: string; cmdline: string; selinux: boolean}
  /** The running root as it is on disk now (packages may have been upgraded in place). */
  installed: RootBoot
  /** What nextroot staged (undefined when nothing is), and in which state. */
  staged?: StagedRecord
  /** False when nextroot's state directory is closed to us (not root): what it staged is unknown. */
  stateReadable: boolean
  staging: {state: Staging['state']; stale?: StaleReason; foreign?: Foreign}
  /** The tree a soft reboot would switch into: the staged root, or an OS tree someone else put at the path. */
  next?: {path: string; ours: boolean; boot: RootBoot}
  nextrootPath: string
  /** /run/reboot-required exists: the packages /run/reboot-required.pkgs lists, and when they were installed. */
  rebootRequired?: RebootFlag
  /** When the kernel booted and when this userspace started (a soft reboot starts one), ms since the epoch. */
  clocks: {kernelBootedAt?: number; userspaceStartedAt?: number}
  /**
   * What `nextroot restart` decides on: processes running replaced code, the managers' units. Absent when the
   * caller does not act on it (an explicit `nextroot reboot` replaces every service that does not survive).
   */
  restart?: RestartFacts
}

async function text(path: string): Promise<string | undefined> {
  return unlessAbsent(path, readFile(path, 'utf8'))
}

/** The tree a soft reboot would switch into, when there is one. */
async function nextRoot(view: GatheredStaging, nextroot: string): Promise<PlanFacts['next']> {
  const {staging, foreign} = view
  const ours = staging.state === 'staged' || staging.state === 'armed'
  const path = ours ? treeOf(staging.record) : foreign?.softRebootSwitches ? nextroot : undefined
  return path === undefined ? undefined : {path, ours, boot: await gatherRootBoot(path)}
}

/** The facts; `restart: false` leaves out the restart analysis, the dearest part (every process's maps). */
export async function gatherPlanFacts(
  locations: Locations,
  options: {restart: boolean} = {restart: true},
): Promise<PlanFacts> {
  const {hostRoot} = locations
  const view = await gatherStaging(locations)
  const [running, cmdline, installed, next, selinux, required, booted, userspace, restart] =
    await Promise.all([
      text(join(hostRoot, 'proc/sys/kernel/osrelease')),
      text(join(hostRoot, 'proc/cmdline')),
      gatherRootBoot(hostRoot),
      nextRoot(view, locations.nextroot),
      pathExists(join(hostRoot, 'sys/fs/selinux/enforce')),
      gatherRebootFlag(hostRoot),
      bootTime(join(hostRoot, 'proc')),
      userspaceStartedAt(hostRoot),
      options.restart
        ? readConfig(hostRoot).then((config) => gatherRestartFacts(locations, config))
        : undefined,
    ])
  const {staging} = view
  return {
    kernel: {running: running?.trim() || release(), cmdline: cmdline?.trim() ?? '', selinux},
    installed,
    staged: staging.state === 'none' ? undefined : staging.record,
    stateReadable: view.stateReadable,
    staging: {
      state: staging.state,
      stale: staging.state === 'stale' ? staging.why : undefined,
      foreign: view.foreign,
    },
    next,
    nextrootPath: locations.nextroot,
    rebootRequired: required,
    clocks: {kernelBootedAt: booted === undefined ? undefined : booted * 1000, userspaceStartedAt: userspace},
    restart,
  }
}
