// How to enter and how to leave update mode (pure): a soft reboot wherever the kernel that runs can go on
// running, a full reboot where it cannot (a new kernel, its modules gone, another initrd or command line),
// each with the reasons that decided it.
import type {Reason} from '../plan/reasons.js'

export const WAY_CODES = [
  // a full reboot, because the facts could not be read (the safe way out)
  'WAY_UNKNOWN',
  // a full reboot, because
  'CLASSIC_REQUESTED',
  'PLAN_NEEDS_REBOOT',
  'NO_MODULES_FOR_KERNEL',
  'KERNEL_IMAGE_CHANGED',
  'INITRD_CHANGED',
  'CMDLINE_CHANGED',
  'NO_SOFT_REBOOT',
  'NEXTROOT_OCCUPIED',
  'ROLLED_BACK',
  // a soft reboot, because
  'KERNEL_UNCHANGED',
  // a soft reboot into the staged root (an image payload), by `nextroot reboot`
  'IMAGE_STAGED',
  // a soft reboot of the same root, because `nextroot reboot` refused the switch into the image
  'SWITCH_REFUSED',
] as const

export type WayCode = (typeof WAY_CODES)[number]

export interface WayReason {
  code: WayCode
  message: string
}

/** A file's identity: size, mtime and inode (a package's new file is a rename, so a new inode). */
export type FileSignature = string | undefined

/** What decides the way, read before or after the update. */
export interface BootSnapshot {
  /** Kernel versions with a modules directory in the installed root. */
  modules: string[]
  /** etc/kernel/cmdline of the installed root. */
  cmdline?: string
  kernelImage: FileSignature
  initrd: FileSignature
}

export interface WayFacts {
  runningKernel: string
  /** Reasons the plan gives for a full reboot of the installed root (a newer kernel, a flag naming one). */
  planReboot: Reason[]
  softRebootSupported: boolean
  /** What is at the nextroot path that a soft reboot would switch into instead of the same root. */
  nextrootOccupied?: string
  /** --full at prepare: the classic way, full reboots in and out. */
  classic: boolean
  now: BootSnapshot
}

export interface LeaveFacts extends WayFacts {
  /** Read in update mode before the update ran. */
  before: BootSnapshot
  /** The failed update was rolled back to a btrfs snapshot, which only a full boot mounts. */
  rolledBack: boolean
}

export interface WayDecision {
  how: 'soft-reboot' | 'reboot'
  reasons: WayReason[]
  /** A soft reboot into this staged root (an image payload) instead of the same root. */
  into?: string
}

function commonReasons(facts: WayFacts): WayReason[] {
  const reasons: WayReason[] = []
  if (facts.classic)
    reasons.push({code: 'CLASSIC_REQUESTED', message: '--full asked for full reboots in and out'})
  for (const reason of facts.planReboot)
    reasons.push({code: 'PLAN_NEEDS_REBOOT', message: `${reason.code}: ${reason.message}`})
  if (!facts.now.modules.includes(facts.runningKernel))
    reasons.push({
      code: 'NO_MODULES_FOR_KERNEL',
      message: `usr/lib/modules/${facts.runningKernel}, the running kernel's modules, is gone`,
    })
  if (!facts.softRebootSupported)
    reasons.push({
      code: 'NO_SOFT_REBOOT',
      message: 'the running systemd cannot soft-reboot (254 or later can)',
    })
  if (facts.nextrootOccupied)
    reasons.push({
      code: 'NEXTROOT_OCCUPIED',
      message: `${facts.nextrootOccupied}: a soft reboot would switch into it, not into this root`,
    })
  return reasons
}

function decided(reasons: WayReason[], kernel: string): WayDecision {
  if (reasons.length > 0) return {how: 'reboot', reasons}
  const message = `kernel ${kernel} can go on running: its modules are there, no other kernel, initrd or command line is due`
  return {how: 'soft-reboot', reasons: [{code: 'KERNEL_UNCHANGED', message}]}
}

/** `prepare --reboot`: how to reach update mode. */
export function enterWay(facts: WayFacts): WayDecision {
  return decided(commonReasons(facts), facts.runningKernel)
}

/** After the update: how to get back to normal mode. */
export function leaveWay(facts: LeaveFacts): WayDecision {
  const {before, now, runningKernel} = facts
  const reasons = commonReasons(facts)
  if (facts.rolledBack)
    reasons.push({code: 'ROLLED_BACK', message: 'the failed update was rolled back to the btrfs snapshot'})
  if (before.kernelImage !== now.kernelImage)
    reasons.push({code: 'KERNEL_IMAGE_CHANGED', message: `boot/vmlinuz-${runningKernel} was replaced`})
  if (before.initrd !== now.initrd)
    reasons.push({
      code: 'INITRD_CHANGED',
      message: `boot/initrd.img-${runningKernel} was rebuilt or replaced`,
    })
  if (before.cmdline !== now.cmdline)
    reasons.push({
      code: 'CMDLINE_CHANGED',
      message: `etc/kernel/cmdline changed ("${before.cmdline ?? ''}" -> "${now.cmdline ?? ''}")`,
    })
  return decided(reasons, runningKernel)
}
