// `nextroot check`: gathers the facts once, runs every rule on them and adds the findings up to a verdict.
// `nextroot reboot` runs the same check and refuses on blockers.
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {type CheckFacts, gatherFacts} from './facts.js'
import {type Finding, type Verdict, verdictOf} from './finding.js'
import {kernelRules} from './rules/kernel.js'
import {newRootRules} from './rules/new-root.js'
import {pinRules} from './rules/pins.js'
import {survivorRules} from './rules/survivors.js'
import {systemRules} from './rules/system.js'

export interface CheckResult {
  verdict: Verdict
  findings: Finding[]
  /** What was looked at: unit and process counts, the trees compared. */
  summary: {units: number; survivors: number; processes: number; stagedRoot?: string; defaultTarget?: string}
  timings: {gatherMs: number; judgeMs: number}
  locations: Locations
}

const SEVERITY_ORDER = {blocker: 0, warning: 1, info: 2}

/** Every rule, in report order. Each is a pure function of the facts. */
export const RULES = [systemRules, kernelRules, survivorRules, pinRules, newRootRules]

export function judge(facts: CheckFacts): Finding[] {
  return RULES.flatMap((rule) => rule(facts)).sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.unit ?? '').localeCompare(b.unit ?? ''),
  )
}

export async function check(options: LocationOptions = {}): Promise<CheckResult> {
  const locations = resolveLocations(options)
  const started = performance.now()
  const facts = await gatherFacts(locations)
  const gathered = performance.now()
  const findings = judge(facts)
  const judged = performance.now()
  return {
    verdict: verdictOf(findings),
    findings,
    summary: {
      units: Object.keys(facts.units).length,
      survivors: findings.filter((f) => f.code === 'SURVIVOR').length,
      processes: facts.processes.length,
      stagedRoot: facts.nextroot.tree?.osRelease?.PRETTY_NAME,
      defaultTarget: facts.trees.staged?.defaultTarget,
    },
    timings: {gatherMs: Math.round(gathered - started), judgeMs: Math.round(judged - gathered)},
    locations,
  }
}
