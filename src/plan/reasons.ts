// The plan's vocabulary: the one Action type every command acts on, and typed reason codes, so a consumer
// that matches on a code (or a typo in one) is checked by the compiler.
export type Action = 'none' | 'restart-units' | 'soft-reboot' | 'reboot'

/** For a soft reboot: into the staged root, or into the same root upgraded in place. */
export type SwitchTarget = 'staged' | 'same-root'

/** Every reason code; codes never change meaning once released. */
export const REASON_CODES = [
  // only a full reboot activates these
  'KERNEL_STAGED',
  'NO_MODULES_FOR_KERNEL',
  'CMDLINE_STAGED',
  'SELINUX_POLICY_STAGED',
  'MICROCODE_STAGED',
  'KERNEL_INSTALLED',
  'REBOOT_REQUIRED',
  'REBOOT_REQUIRED_UNKNOWN',
  // a soft reboot brings these
  'ROOT_STAGED',
  'CORE_PROCESS_STALE',
  'SERVICE_NOT_RESTARTABLE',
  'MANAGER_UNREACHABLE',
  'USERSPACE_UPGRADED',
  // restarting units (or re-executing, reloading a manager) is enough
  'SERVICE_STALE',
  'UNIT_MARKED',
  'PACKAGE_UPGRADED',
  'MANAGER_STALE',
  'UNIT_FILES_CHANGED',
] as const

export type ReasonCode = (typeof REASON_CODES)[number]

export interface Reason {
  code: ReasonCode
  message: string
}
