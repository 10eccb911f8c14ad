// The metrics for node_exporter's textfile collector (pure): what is pending and at which step, the staged
// root, soft reboots so far and the last switch, in the Prometheus text format (HELP and TYPE for each
// family, escaped label values, units in the names), so dashboards and alerts see what `plan` sees.
import type {Decision} from '../plan/decide.js'
import type {HistoryEntry} from '../history/records.js'
import type {StagedRecord} from '../state/record.js'
import type {Staging} from '../state/staging.js'
import {describeOs} from '../tree/os-release.js'

export interface MetricsFacts {
  decision: Decision
  staging: {state: Staging['state']; record?: StagedRecord}
  /** systemd's SoftRebootsCount; undefined when it could not be asked. */
  softRebootsCount?: number
  lastSwitch?: HistoryEntry
  /** When the facts were read, ms since the epoch. */
  now: number
}

type Labels = Record<string, string>
interface Family {
  name: string
  help: string
  type: 'gauge' | 'counter'
  samples: Array<{labels?: Labels; value: number}>
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')

function sampleLine(name: string, labels: Labels | undefined, value: number): string {
  const pairs = Object.entries(labels ?? {}).map(([key, v]) => `${key}="${escapeLabel(v)}"`)
  return `${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${value}`
}

function familyText(family: Family): string[] {
  return [
    `# HELP ${family.name} ${family.help}`,
    `# TYPE ${family.name} ${family.type}`,
    ...family.samples.map((s) => sampleLine(family.name, s.labels, s.value)),
  ]
}

const STEPS = ['restart-units', 'soft-reboot', 'reboot'] as const

function pendingFamilies(decision: Decision): Family[] {
  return [
    {
      name: 'nextroot_pending',
      help: "The step the plan asks for: 1 for the plan's action (restart-units, soft-reboot, reboot), 0 otherwise.",
      type: 'gauge',
      samples: STEPS.map((step) => ({labels: {step}, value: decision.action === step ? 1 : 0})),
    },
    {
      name: 'nextroot_pending_reasons',
      help: "The plan's reasons, one series per reason code (1 each).",
      type: 'gauge',
      samples: [...new Set(decision.reasons.map((r) => r.code))].map((code) => ({labels: {code}, value: 1})),
    },
  ]
}

function stagedFamily(staging: MetricsFacts['staging']): Family {
  const record = staging.record
  const labels: Labels | undefined = record && {
    state: staging.state,
    os: describeOs(record.osRelease),
    version: record.osRelease.IMAGE_VERSION ?? record.osRelease.VERSION_ID ?? '',
    sha256: record.sha256 ?? '',
    verified: String(record.verified),
  }
  return {
    name: 'nextroot_staged_info',
    help: 'The root nextroot staged, by state (staged, armed, stale, switched), version and digest; 0 when none is.',
    type: 'gauge',
    samples: [{labels, value: record ? 1 : 0}],
  }
}

function switchFamilies(last: HistoryEntry | undefined): Family[] {
  if (!last) return []
  const families: Family[] = [
    {
      name: 'nextroot_last_switch_info',
      help: 'The last switch nextroot made: its outcome (healthy, unhealthy, fell-back, not-switched) and target.',
      type: 'gauge',
      samples: [{labels: {outcome: last.outcome, kind: last.kind, to: last.to}, value: 1}],
    },
    {
      name: 'nextroot_last_switch_timestamp_seconds',
      help: 'When the last switch was triggered, seconds since the epoch.',
      type: 'gauge',
      samples: [{value: Date.parse(last.triggeredAt) / 1000}],
    },
  ]
  const down = last.durations.switchMs
  if (down !== undefined)
    families.push({
      name: 'nextroot_last_switch_downtime_seconds',
      help: "From the soft reboot's start (services stop) to the new default target: the time services were down.",
      type: 'gauge',
      samples: [{value: down / 1000}],
    })
  return families
}

export function renderMetrics(facts: MetricsFacts): string {
  const families: Family[] = [
    ...pendingFamilies(facts.decision),
    stagedFamily(facts.staging),
    ...switchFamilies(facts.lastSwitch),
    {
      name: 'nextroot_metrics_timestamp_seconds',
      help: 'When nextroot read these facts, seconds since the epoch (a stale file shows here).',
      type: 'gauge',
      samples: [{value: Math.round(facts.now / 1000)}],
    },
  ]
  if (facts.softRebootsCount !== undefined)
    families.push({
      name: 'nextroot_soft_reboots_total',
      help: "Soft reboots since the kernel booted (systemd's SoftRebootsCount; a full reboot resets it).",
      type: 'counter',
      samples: [{value: facts.softRebootsCount}],
    })
  return `${families.flatMap(familyText).join('\n')}\n`
}
