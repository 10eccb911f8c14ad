// The soft-reboot survival rules on files: a unit's merged settings turned into the properties systemd
// would show for it (defaults and the implicit dependencies of DefaultDependencies=yes included), then
// the very rules `nextroot check` runs on live units (check/rules/survivors.ts), with the same ids.
import {atArgv0Finding, unitSurvivalFindings} from '../../check/rules/survivors.js'
import type {Finding, Severity} from '../../check/finding.js'
import type {UnitSurvivalFacts} from '../../check/rules/survivors.js'
import type {UnitProperties} from '../../systemd/units.js'
import type {LintFinding, LintSeverity} from '../finding.js'
import {type LintUnit, lastOf, listOf, wordsOf} from '../unit.js'

const BOOLEAN_YES = /^(1|yes|y|true|t|on)$/i
const LISTS = ['Requires', 'Requisite', 'BindsTo', 'Wants', 'After', 'Before', 'Conflicts']
/** What DefaultDependencies=yes adds (systemd.service(5), systemd.mount(5) "Implicit Dependencies"). */
const IMPLICIT: Record<string, Record<string, string[]>> = {
  service: {
    Requires: ['sysinit.target'],
    After: ['sysinit.target', 'basic.target'],
    Conflicts: ['shutdown.target'],
    Before: ['shutdown.target'],
  },
  mount: {Conflicts: ['umount.target'], Before: ['umount.target']},
  swap: {Conflicts: ['umount.target'], Before: ['umount.target']},
}
const ENDS_AT_SHUTDOWN = {Conflicts: ['shutdown.target'], Before: ['shutdown.target']}

const yesNo = (value: string | undefined, fallback: 'yes' | 'no') =>
  value === undefined || value === '' ? fallback : BOOLEAN_YES.test(value) ? 'yes' : 'no'

/** The properties `systemctl show` would give for the unit, from its files alone. */
export function propertiesOf(unit: LintUnit): UnitProperties {
  const unitValue = (key: string) => lastOf(unit, 'Unit', key)?.value
  const service = (key: string) => lastOf(unit, 'Service', key)?.value ?? ''
  const defaults = yesNo(unitValue('DefaultDependencies'), 'yes')
  const implicit = defaults === 'yes' ? (IMPLICIT[unit.type] ?? ENDS_AT_SHUTDOWN) : {}
  const lists = Object.fromEntries(
    LISTS.map((key) => {
      const words = [...wordsOf(unit, 'Unit', key).map(([w]) => w), ...(implicit[key] ?? [])]
      return [key, [[...new Set(words)].join(' ')]]
    }),
  )
  return {
    Id: [unit.name],
    ActiveState: ['active'],
    SurviveFinalKillSignal: [yesNo(unitValue('SurviveFinalKillSignal'), 'no')],
    DefaultDependencies: [defaults],
    IgnoreOnIsolate: [yesNo(unitValue('IgnoreOnIsolate'), 'no')],
    User: [service('User')],
    FileDescriptorStoreMax: [service('FileDescriptorStoreMax') || '0'],
    FileDescriptorStorePreserve: [service('FileDescriptorStorePreserve') === 'yes' ? 'yes' : 'no'],
    ...lists,
  }
}

/** The facts the shared rules read, for every unit linted together (dependencies are judged among them). */
export function survivalFactsOf(units: LintUnit[]): UnitSurvivalFacts {
  return {
    units: Object.fromEntries(units.map((u) => [u.name, propertiesOf(u)])),
    unitFiles: Object.fromEntries(units.map((u) => [u.name, u.assignments])),
    systemd: {
      running: false,
      version: Number.MAX_SAFE_INTEGER,
      softRebootSupported: true,
      autoSoftReboot: true,
    },
  }
}

const SEVERITY: Record<Severity, LintSeverity> = {blocker: 'error', warning: 'warning', info: 'info'}

/** The setting a finding is about, to point at its line (else the SurviveFinalKillSignal= line). */
const KEY_OF: Partial<Record<Finding['code'], string>> = {
  SURVIVOR_DEFAULT_DEPENDENCIES: 'DefaultDependencies',
  SURVIVOR_ISOLATE: 'IgnoreOnIsolate',
  SURVIVOR_STOPPED_BY_SWITCH: 'Conflicts',
  SURVIVOR_SHUTDOWN_ORDER: 'Before',
  SURVIVOR_MOUNT_UNMOUNTED: 'Requires',
  SURVIVOR_NEEDS_NON_SURVIVOR: 'Requires',
  SURVIVOR_WANTS_NON_SURVIVOR: 'Wants',
  FDSTORE_PRESERVED: 'FileDescriptorStorePreserve',
}

function located(unit: LintUnit, finding: Finding): Pick<LintFinding, 'file' | 'line'> {
  const evidence = finding.evidence ?? {}
  const exact = unit.assignments.find(
    (a) => a.key === evidence.key && a.section === evidence.section && a.value === evidence.value,
  )
  const key = KEY_OF[finding.code]
  const near =
    exact ??
    (key && (lastOf(unit, 'Unit', key) ?? lastOf(unit, 'Service', key))) ??
    lastOf(unit, 'Unit', 'SurviveFinalKillSignal') ??
    listOf(unit, 'Service', 'ExecStart')[0]
  return near ? {file: near.file, line: near.line} : {file: unit.fragment ?? unit.dropIns[0] ?? unit.name}
}

/** ExecStart=@PATH ARGV0: an argv[0] starting with '@' (the '@' prefix sets it). */
function atArgv0(unit: LintUnit): Finding[] {
  const user = lastOf(unit, 'Service', 'User')?.value ?? ''
  return listOf(unit, 'Service', 'ExecStart').flatMap((a) => {
    const [command, argv0] = a.value.split(/\s+/)
    if (!/^[-:+!]*@/.test(command ?? '') || !argv0?.startsWith('@')) return []
    return [
      {
        ...atArgv0Finding(unit.name, argv0, user, 'ExecStart='),
        evidence: {key: 'ExecStart', section: 'Service', value: a.value},
      },
    ]
  })
}

export function survivalRules(
  unit: LintUnit,
  facts: UnitSurvivalFacts,
  surviving: Set<string>,
): LintFinding[] {
  return [...unitSurvivalFindings(facts, unit.name, surviving), ...atArgv0(unit)].map((finding) => ({
    ...located(unit, finding),
    unit: unit.name,
    rule: finding.code,
    severity: SEVERITY[finding.severity],
    message: finding.message,
    ...(finding.hint ? {hint: finding.hint} : {}),
    origin: 'nextroot' as const,
  }))
}
