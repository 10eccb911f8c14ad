// systemd-analyze verify on the same unit files, its findings merged into lint's report: parsed from its
// "FILE:LINE: message" and "UNIT: message" lines, deduplicated, and marked as systemd-analyze's. Where it is
// not installed the report says so; it is never an empty answer taken for "no findings".
import {NextrootError} from '../errors.js'
import {debug} from '../log.js'
import {run} from '../exec/run.js'
import type {LintFinding} from './finding.js'
import type {LintUnit} from './unit.js'

export interface VerifyOutcome {
  /** Why it did not run (not installed, --no-verify); undefined when it ran. */
  skipped?: string
  findings: LintFinding[]
  ms: number
}

const WITH_LINE = /^(\/[^:]+):(\d+): (.*)$/
const WITH_UNIT =
  /^([^\s:]+\.(?:service|socket|device|mount|automount|swap|target|path|timer|slice|scope)): (.*)$/

/** One finding per distinct line of output that names a file and line or a unit of ours. */
export function parseVerify(output: string, units: LintUnit[]): LintFinding[] {
  const byName = new Map(units.map((u) => [u.name, u]))
  const byFile = new Map(
    units.flatMap((u) => [u.fragment, ...u.dropIns].filter(Boolean).map((f) => [f as string, u])),
  )
  const seen = new Set<string>()
  const findings: LintFinding[] = []
  for (const line of output.split('\n')) {
    const numbered = WITH_LINE.exec(line)
    const named = numbered ? undefined : WITH_UNIT.exec(line)
    const unit = numbered ? byFile.get(numbered[1]) : named && byName.get(named[1])
    const file = numbered?.[1] ?? unit?.fragment
    const message = numbered?.[3] ?? named?.[2]
    if (!file || !message || seen.has(`${file}:${numbered?.[2]}:${message}`)) continue
    seen.add(`${file}:${numbered?.[2]}:${message}`)
    findings.push({
      file,
      ...(numbered ? {line: Number(numbered[2])} : {}),
      ...(unit ? {unit: unit.name} : {}),
      rule: 'SYSTEMD_ANALYZE_VERIFY',
      severity: /ignoring|deprecated|obsolete/i.test(message) ? 'note' : 'warning',
      message,
      origin: 'systemd-analyze',
    })
  }
  return findings
}

/** Runs `systemd-analyze verify` on the units that have a unit file (in batches: argv has limits). */
export async function verifyUnits(units: LintUnit[], root: string | undefined): Promise<VerifyOutcome> {
  const started = performance.now()
  const files = units.flatMap((u) => (u.fragment ? [u.fragment] : []))
  if (files.length === 0) return {skipped: 'no unit files', findings: [], ms: 0}
  const options = ['verify', '--man=no', '--generators=no', ...(root ? [`--root=${root}`] : [])]
  let output = ''
  try {
    for (let i = 0; i < files.length; i += 200) {
      const result = await run('systemd-analyze', [...options, ...files.slice(i, i + 200)], {
        okExitCodes: [1],
      })
      output += `${result.stderr}\n${result.stdout}\n`
    }
  } catch (error) {
    if (error instanceof NextrootError && error.code === 'NR_MISSING_TOOL')
      return {skipped: 'systemd-analyze is not installed', findings: [], ms: 0}
    throw error
  }
  debug(`systemd-analyze verify: ${files.length} units, ${Math.round(performance.now() - started)} ms`)
  return {findings: parseVerify(output, units), ms: Math.round(performance.now() - started)}
}
