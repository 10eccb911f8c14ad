// What `nextroot check` reports: findings with a typed, stable code and a severity, and the verdict they add up
// to. A code is one of FINDING_CODES, so a typo in a rule or in a consumer that matches on one does not compile.
export type Severity = 'blocker' | 'warning' | 'info'

export type Verdict = 'ready' | 'ready-with-warnings' | 'blocked'

/** Every finding code, grouped as the rules are; codes never change meaning once released. */
export const FINDING_CODES = [
  // the system and the staged root (rules/system.ts)
  'NO_SYSTEMD',
  'SYSTEMD_TOO_OLD',
  'NO_SURVIVE_SETTING',
  'RUN_SPACE_LOW',
  'STATE_UNREADABLE',
  'NEXTROOT_IS_RUNNING_ROOT',
  'NOTHING_STAGED',
  'STAGED_NOT_VISIBLE',
  'NEXTROOT_FOREIGN',
  'PLAIN_REBOOT_HIJACKED',
  // the kernel a soft reboot keeps (rules/kernel.ts)
  'NO_MODULES_FOR_KERNEL',
  'NEWER_KERNEL_STAGED',
  // survivors (rules/survivors.ts)
  'SURVIVOR',
  'SURVIVOR_SECTION',
  'SURVIVOR_DEFAULT_DEPENDENCIES',
  'SURVIVOR_ISOLATE',
  'SURVIVOR_STOPPED_BY_SWITCH',
  'SURVIVOR_SHUTDOWN_ORDER',
  'SURVIVOR_MOUNT_UNMOUNTED',
  'SURVIVOR_NEEDS_NON_SURVIVOR',
  'SURVIVOR_WANTS_NON_SURVIVOR',
  'SURVIVOR_AT_PROCESS',
  'SURVIVOR_AT_PROCESS_USER',
  'FDSTORE_PRESERVED',
  'PORTABLE_RESTARTED',
  'PORTABLE_ATTACHMENT_LOST',
  // pins on the old root (rules/pins.ts)
  'PINS_OLD_ROOT',
  'OLD_ROOT_SETTINGS_FILE',
  'SURVIVOR_UNREADABLE',
  // what the new root does to running services (rules/new-root.ts)
  'SERVICE_MASKED_IN_NEW_ROOT',
  'SERVICE_MISSING_IN_NEW_ROOT',
  'SERVICE_DISABLED_IN_NEW_ROOT',
  'SERVICE_NOT_RESTARTED',
  'SERVICE_ENABLED_IN_NEW_ROOT',
  'SERVICE_NEW',
] as const

export type FindingCode = (typeof FINDING_CODES)[number]

export interface Finding {
  /** The unit the finding is about; none for findings about the whole system. */
  unit?: string
  severity: Severity
  code: FindingCode
  message: string
  /** What to do about it, one line. */
  hint?: string
  /** The facts behind the finding (paths, devices, PIDs, sizes). */
  evidence?: Record<string, unknown>
}

export function verdictOf(findings: Finding[]): Verdict {
  if (findings.some((f) => f.severity === 'blocker')) return 'blocked'
  return findings.some((f) => f.severity === 'warning') ? 'ready-with-warnings' : 'ready'
}
