// `nextroot metrics`: gathers the plan, the staging, systemd's counter and the history, and writes the
// textfile collector's file atomically (a temporary file in the same directory, then a rename), as
// node_exporter expects: it never reads half a file.
import {mkdir, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {history} from '../history/history.js'
import {type LocationOptions, resolveLocations} from '../locations.js'
import {decide} from '../plan/decide.js'
import {gatherPlanFacts} from '../plan/facts.js'
import {systemdFacts} from '../systemd/manager.js'
import {type MetricsFacts, renderMetrics} from './metrics.js'

export const METRICS_FILE = 'nextroot.prom'

export interface MetricsResult {
  text: string
  /** The file written, with --textfile. */
  path?: string
  facts: Omit<MetricsFacts, 'decision'> & {action: MetricsFacts['decision']['action']}
}

async function gatherMetricsFacts(options: LocationOptions): Promise<MetricsFacts> {
  const locations = resolveLocations(options)
  const [plan, systemd, past] = await Promise.all([
    gatherPlanFacts(locations),
    systemdFacts(locations.hostRoot),
    history(locations),
  ])
  return {
    decision: decide(plan),
    staging: {state: plan.staging.state, record: plan.staged},
    softRebootsCount: systemd.softRebootsCount,
    lastSwitch: past.entries.at(-1),
    now: Date.now(),
  }
}

export async function writeMetrics(write: string, text: string): Promise<string> {
  await mkdir(write, {recursive: true})
  const path = join(write, METRICS_FILE)
  const temporary = join(write, `.${METRICS_FILE}.${process.pid}`)
  try {
    await writeFile(temporary, text, {mode: 0o644})
    await rename(temporary, path)
  } finally {
    await rm(temporary, {force: true})
  }
  return path
}

export async function metrics(options: LocationOptions & {textfile?: string} = {}): Promise<MetricsResult> {
  const facts = await gatherMetricsFacts(options)
  const text = renderMetrics(facts)
  const path = options.textfile === undefined ? undefined : await writeMetrics(options.textfile, text)
  const {decision, ...rest} = facts
  return {text, path, facts: {...rest, action: decision.action}}
}
