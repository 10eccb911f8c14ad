// What `nextroot lint` reports: a finding per rule broken, at a file and line, with a stable rule id (one of
// LINT_RULE_IDS, so a typo does not compile) and where it came from (nextroot's rules, or systemd-analyze).
import type {FindingCode} from '../check/finding.js'

export type LintSeverity = 'error' | 'warning' | 'note' | 'info'

/** The rules of lint's own (the survival rules share their ids with `nextroot check`'s findings). */
export const LINT_RULE_IDS = [
  // unit files (rules/units.ts)
  'EXEC_START_MISSING',
  'DBUS_WITHOUT_BUSNAME',
  'BUSNAME_WITHOUT_DBUS',
  'TYPE_SIMPLE_DEFAULT',
  'FORKING_WITHOUT_PIDFILE',
  'RELOAD_ASYNC_HUP',
  'INSTALL_RUNLEVEL_TARGET',
  'INSTALL_UNUSUAL_TARGET',
  'NAMES_SETTING',
  'DEPENDENCY_WITHOUT_ORDER',
  'REQUIRES_WHERE_WANTS',
  'OUTPUT_OUTDATED',
  'ENVIRONMENT_FILE_LEGACY',
  'SYSLOG_TARGET',
  'EXEC_PREFIX_DOUBLE_BANG',
  'LEGACY_LOCK_PATH',
  // packaging scriptlets (rules/scriptlets.ts)
  'SCRIPTLET_SYSTEMCTL_DIRECT',
  'SCRIPTLET_RESTART_NOT_TRY',
  'SCRIPTLET_ENABLES_SERVICE',
  'SCRIPTLET_RESTARTS_UNRESTARTABLE',
  'SCRIPTLET_USER_UNIT_MACROS',
  'SCRIPTLET_POSTUN_WITHOUT_RESTART',
  'SCRIPTLET_INVOKE_RC_D',
  // systemd-analyze verify's own findings, merged
  'SYSTEMD_ANALYZE_VERIFY',
] as const

export type LintRuleId = (typeof LINT_RULE_IDS)[number] | FindingCode

export interface LintFinding {
  file: string
  /** From 1; absent for a finding about the whole file. */
  line?: number
  unit?: string
  rule: LintRuleId
  severity: LintSeverity
  message: string
  hint?: string
  origin: 'nextroot' | 'systemd-analyze'
}
