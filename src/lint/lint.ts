// `nextroot lint PATH...`: unit files, drop-ins and packaging scripts (or a root's whole unit search path)
// checked against the rules that make restarts and soft reboots safe, with systemd-analyze verify's own
// findings merged in. Pure rules over read files; the only side effects are reading and running verify.
import {stat} from 'node:fs/promises'
import {resolve} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {NextrootError} from '../errors.js'
import {survivors} from '../check/survival.js'
import {configIn, applyDisabled, disabledByConfig} from './disable.js'
import type {LintFinding, LintSeverity} from './finding.js'
import {readInputs} from './inputs.js'
import {scriptletRules} from './rules/scriptlets.js'
import {survivalFactsOf, survivalRules} from './rules/survival.js'
import {unitLinkRules} from './rules/unit-links.js'
import {unitBasicsRules} from './rules/units.js'
import {type VerifyOutcome, verifyUnits} from './verify.js'
import type {LintUnit} from './unit.js'

export interface LintOptions {
  paths: string[]
  /** Lint this root's unit search path (an image tree); '/' for --system. */
  root?: string
  /** Run systemd-analyze verify too (default: where installed). */
  verify?: boolean
  /** A config file of disable= lines. */
  config?: string
}

export interface LintResult {
  findings: LintFinding[]
  counts: Record<LintSeverity, number>
  /** Per rule id, how many findings. */
  byRule: Record<string, number>
  units: number
  scripts: number
  /** Findings turned off by comments or the config file. */
  disabled: number
  verify: Omit<VerifyOutcome, 'findings'> & {findings: number}
  /** Time spent by nextroot's own rules (reading and judging), without systemd-analyze. */
  ms: number
}

const ORDER: Record<LintSeverity, number> = {error: 0, warning: 1, note: 2, info: 3}

function unitFindings(units: LintUnit[]): LintFinding[] {
  const facts = survivalFactsOf(units)
  const surviving = new Set(survivors(facts))
  const byName = new Map(units.map((u) => [u.name, u]))
  return units.flatMap((unit) => [
    ...[...unitBasicsRules(unit), ...unitLinkRules(unit, byName)].map((f) => ({
      ...f,
      unit: unit.name,
      origin: 'nextroot' as const,
    })),
    ...survivalRules(unit, facts, surviving),
  ])
}

async function configured(options: LintOptions): Promise<Set<string>> {
  if (options.config) return disabledByConfig(resolve(options.config), false)
  const dirs = [...(options.root ? [options.root] : []), ...options.paths]
  const found = new Set<string>()
  for (const dir of dirs) {
    // a PATH that is a file has no config of its own; any other error is the caller's to see
    if (!(await unlessAbsent(dir, stat(dir)))?.isDirectory()) continue
    for (const id of await disabledByConfig(configIn(resolve(dir)), true)) found.add(id)
  }
  return found
}

function tally(findings: LintFinding[]): Pick<LintResult, 'counts' | 'byRule'> {
  const counts: Record<LintSeverity, number> = {error: 0, warning: 0, note: 0, info: 0}
  const byRule: Record<string, number> = {}
  for (const f of findings) {
    counts[f.severity]++
    byRule[f.rule] = (byRule[f.rule] ?? 0) + 1
  }
  return {counts, byRule}
}

export async function lint(options: LintOptions): Promise<LintResult> {
  if (options.paths.length === 0 && !options.root)
    throw new NextrootError(
      'NR_USAGE',
      'Nothing to lint: give unit files, drop-ins, scripts or directories.',
      {
        hints: [
          'nextroot lint foo.service debian/foo.postinst',
          'nextroot lint --root ./image-tree',
          'nextroot lint --system',
        ],
      },
    )
  const started = performance.now()
  const inputs = await readInputs(options.paths, options.root)
  const own = [
    ...unitFindings(inputs.units),
    ...inputs.scripts.flatMap((s) => scriptletRules(s).map((f) => ({...f, origin: 'nextroot' as const}))),
  ]
  const ms = Math.round(performance.now() - started)
  const verified =
    options.verify === false
      ? {skipped: '--no-verify', findings: [], ms: 0}
      : await verifyUnits(inputs.units, options.root)
  const {kept, disabled} = applyDisabled(
    [...own, ...verified.findings],
    inputs.texts,
    await configured(options),
  )
  const findings = kept.sort(
    (a, b) =>
      a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || ORDER[a.severity] - ORDER[b.severity],
  )
  return {
    findings,
    ...tally(findings),
    units: inputs.units.length,
    scripts: inputs.scripts.length,
    disabled,
    verify: {...verified, findings: verified.findings.length},
    ms,
  }
}
