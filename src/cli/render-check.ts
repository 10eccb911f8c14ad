// Human-readable text for `nextroot check`: the verdict first, then the findings grouped by unit.
import type {CheckResult} from '../check/check.js'
import type {Finding, Verdict} from '../check/finding.js'
import {formatDuration} from '../format.js'

const VERDICT_LINE: Record<Verdict, string> = {
  ready: 'READY: nothing stands in the way of a soft reboot into the staged root.',
  'ready-with-warnings': 'READY WITH WARNINGS: a soft reboot works; read the warnings first.',
  blocked: 'BLOCKED: a soft reboot into the staged root would not do what you want.',
}

const SYSTEM = '(system)'

function group(findings: Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>()
  for (const finding of findings) {
    const key = finding.unit ?? SYSTEM
    groups.set(key, [...(groups.get(key) ?? []), finding])
  }

  return groups
}

export function renderCheck(result: CheckResult): string {
  const {findings, summary, timings} = result
  const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length
  const lines = [
    VERDICT_LINE[result.verdict],
    `  ${count('blocker')} blockers, ${count('warning')} warnings, ${count('info')} notes; ${summary.units} units, ${summary.survivors} survivors, checked in ${formatDuration(timings.gatherMs + timings.judgeMs)}`,
  ]
  if (summary.stagedRoot) lines.push(`  staged root: ${summary.stagedRoot}`)
  const width = Math.max(0, ...findings.map((f) => f.code.length))
  for (const [unit, unitFindings] of group(findings)) {
    lines.push('', unit)
    for (const finding of unitFindings) {
      lines.push(`  ${finding.severity.padEnd(7)} ${finding.code.padEnd(width)}  ${finding.message}`)
      if (finding.hint) lines.push(`  ${''.padEnd(7 + width + 1)}  hint: ${finding.hint}`)
    }
  }

  return lines.join('\n')
}
