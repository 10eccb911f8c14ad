// Gathers what the way in and out of update mode is decided on (offline/decide.ts): the plan for the root
// as installed, the running kernel's files, soft-reboot support and what is at the nextroot path.
import {readFile, stat} from 'node:fs/promises'
import {release} from 'node:os'
import {join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import type {Locations} from '../locations.js'
import {decide} from '../plan/decide.js'
import {gatherPlanFacts} from '../plan/facts.js'
import {systemdFacts} from '../systemd/manager.js'
import {gatherRootBoot} from '../tree/root-boot.js'
import type {BootSnapshot, FileSignature, WayFacts} from './decide.js'

async function signature(path: string): Promise<FileSignature> {
  const stats = await unlessAbsent(path, stat(path))
  return stats ? `${stats.size}:${Math.round(stats.mtimeMs)}:${stats.ino}` : undefined
}

export async function bootSnapshot(hostRoot: string, kernel: string): Promise<BootSnapshot> {
  const [boot, kernelImage, initrd] = await Promise.all([
    gatherRootBoot(hostRoot),
    signature(join(hostRoot, `boot/vmlinuz-${kernel}`)),
    signature(join(hostRoot, `boot/initrd.img-${kernel}`)),
  ])
  return {modules: boot.modules, cmdline: boot.cmdline, kernelImage, initrd}
}

/** The running kernel's release (the machine's own when the root has no /proc, as a test's root). */
export async function runningKernel(hostRoot: string): Promise<string> {
  const path = join(hostRoot, 'proc/sys/kernel/osrelease')
  return (await unlessAbsent(path, readFile(path, 'utf8')))?.trim() || release()
}

/** The plan's facts with the staged root left out: update mode is entered and left in the root installed here. */
export async function gatherWayFacts(locations: Locations, classic: boolean): Promise<WayFacts> {
  const [plan, systemd] = await Promise.all([
    gatherPlanFacts(locations, {restart: false}),
    systemdFacts(locations.hostRoot),
  ])
  const installed = decide({...plan, staged: undefined, next: undefined})
  const occupied =
    plan.staging.state === 'armed'
      ? `a root armed at ${locations.nextroot}`
      : plan.staging.foreign?.softRebootSwitches
        ? `an OS tree nextroot did not stage at ${locations.nextroot}`
        : undefined
  return {
    runningKernel: plan.kernel.running,
    planReboot: installed.action === 'reboot' ? installed.reasons : [],
    softRebootSupported: systemd.softRebootSupported,
    nextrootOccupied: occupied,
    classic,
    now: await bootSnapshot(locations.hostRoot, plan.kernel.running),
  }
}
