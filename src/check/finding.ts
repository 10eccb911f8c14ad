// What `nextroot check` reports: findings with a stable code and severity, and the verdict they add up to.
export type Severity = 'blocker' | 'warning' | 'info'

export type Verdict = 'ready' | 'ready-with-warnings' | 'blocked'

export interface Finding {
  /** The unit the finding is about; none for findings about the whole system. */
  unit?: string
  severity: Severity
  /** Stable identifier (e.g. SURVIVOR_SECTION); never changes meaning once released. */
  code: string
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
