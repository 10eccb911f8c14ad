// Rules for units meant to outlive the switch (systemd-soft-reboot.service(8)): the [Unit] settings a survivor
// needs, what stops it anyway, portable services, '@' processes that escape the killing spree, and a kept
// file descriptor store. unitSurvivalFindings is the one implementation `nextroot lint` runs on files too.
import {isYes, unitList} from '../../systemd/properties.js'
import {type UnitProperties, prop} from '../../systemd/units.js'
import type {CheckFacts} from '../facts.js'
import {ATTACHED_DIRS, isActive, isAttached} from '../unit-facts.js'
import type {Finding, FindingCode} from '../finding.js'
import {type SurvivalFacts, staysAcrossSwitch, survivors, switchConflicts} from '../survival.js'

/** What the per-unit survival rules read: properties, the unit files that mention survival, the version. */
export type UnitSurvivalFacts = SurvivalFacts & Pick<CheckFacts, 'unitFiles'>

/** [Unit] settings a survivor relies on; systemd ignores them in any other section. */
const UNIT_SECTION_KEYS = ['SurviveFinalKillSignal', 'DefaultDependencies', 'IgnoreOnIsolate']
/** The man page's survivor stops cleanly on every other shutdown: Conflicts= and Before= these. */
const SHUTDOWN_CONFLICTS = ['reboot.target', 'kexec.target', 'poweroff.target', 'halt.target']
/** Ordered Before= the shutdown targets themselves, as systemd's own soft-reboot test survivor is. */
const SHUTDOWN_ORDER = ['shutdown.target', SHUTDOWN_CONFLICTS]
const STOP_PROPAGATING = ['Requires', 'BindsTo', 'Requisite']

function sectionFindings(facts: UnitSurvivalFacts, unit: string): Finding[] {
  return (facts.unitFiles[unit] ?? [])
    .filter((a) => UNIT_SECTION_KEYS.includes(a.key) && a.section !== 'Unit')
    .map((a) => {
      const killed = a.key === 'SurviveFinalKillSignal' && prop(facts.units[unit] ?? {}, a.key) !== 'yes'
      return {
        unit,
        severity: 'warning',
        code: 'SURVIVOR_SECTION',
        message: `${a.key}=${a.value} is in [${a.section}], where systemd ignores it${killed ? `: ${unit} will be killed by the soft reboot` : ''}.`,
        hint: `Move ${a.key}= to [Unit].`,
        evidence: {key: a.key, value: a.value, section: a.section, ...(a.line ? {line: a.line} : {})},
      }
    })
}

type Add = (code: FindingCode, message: string, hint: string, evidence?: Record<string, unknown>) => void

/** The [Unit] settings that keep a survivor out of the switch's way and stop it cleanly on other shutdowns. */
function orderingFindings(facts: SurvivalFacts, properties: UnitProperties, unit: string, add: Add): void {
  if (isYes(properties, 'DefaultDependencies'))
    add(
      'SURVIVOR_DEFAULT_DEPENDENCIES',
      'DefaultDependencies=yes adds Conflicts=shutdown.target: the soft reboot stops this unit.',
      'Set DefaultDependencies=no in [Unit] (and After=basic.target if it needs the basic system).',
    )
  if (!isYes(properties, 'IgnoreOnIsolate'))
    add(
      'SURVIVOR_ISOLATE',
      'IgnoreOnIsolate=no: isolating a target (rescue, emergency, a new default) stops this unit.',
      'Set IgnoreOnIsolate=yes in [Unit].',
    )
  const conflicts = switchConflicts(facts, unit)
  if (conflicts.length > 0)
    add(
      'SURVIVOR_STOPPED_BY_SWITCH',
      `Conflicts=${conflicts.join(' ')}: the soft reboot starts ${conflicts.length > 1 ? 'these' : 'it'} and stops this unit.`,
      `Remove ${conflicts.join(' ')} from Conflicts= (list reboot, kexec, poweroff and halt targets instead).`,
      {conflicts},
    )
  const missing = SHUTDOWN_CONFLICTS.filter((target) => !unitList(properties, 'Conflicts').includes(target))
  const ordered = unitList(properties, 'Before')
  const before = SHUTDOWN_ORDER.some((way) =>
    typeof way === 'string' ? ordered.includes(way) : way.every((t) => ordered.includes(t)),
  )
  if (missing.length > 0 || !before)
    add(
      'SURVIVOR_SHUTDOWN_ORDER',
      `Without ${[...missing.map((t) => `Conflicts=${t}`), ...(before ? [] : ['Before=shutdown.target'])].join(', ')} a full reboot or poweroff does not stop it cleanly.`,
      `Add Conflicts=${SHUTDOWN_CONFLICTS.join(' ')} and Before=shutdown.target to [Unit] (not soft-reboot.target).`,
      {missingConflicts: missing, beforeShutdown: before},
    )
}

/** Dependencies that the switch stops: a hard one stops the survivor with them. */
function stoppedDependencyFindings(
  facts: SurvivalFacts,
  properties: UnitProperties,
  surviving: Set<string>,
  add: Add,
): void {
  for (const key of STOP_PROPAGATING) {
    for (const dependency of unitList(properties, key)) {
      if (staysAcrossSwitch(facts, dependency, surviving)) continue
      const mount = dependency.endsWith('.mount')
      add(
        mount ? 'SURVIVOR_MOUNT_UNMOUNTED' : 'SURVIVOR_NEEDS_NON_SURVIVOR',
        `${key}=${dependency}, which the soft reboot stops${mount ? ' (Conflicts=umount.target)' : ''}: systemd stops this unit with it.`,
        mount
          ? `Give ${dependency} DefaultDependencies=no and no Conflicts=umount.target.`
          : `Make ${dependency} survive too, or use Wants= instead of ${key}=.`,
        {dependency, kind: key},
      )
    }
  }
}

function wantedDependencyFindings(
  facts: SurvivalFacts,
  properties: UnitProperties,
  unit: string,
  surviving: Set<string>,
): Finding[] {
  const after = new Set(unitList(properties, 'After'))
  const required = new Set(STOP_PROPAGATING.flatMap((key) => unitList(properties, key)))
  return unitList(properties, 'Wants')
    .filter((d) => !required.has(d) && after.has(d) && !staysAcrossSwitch(facts, d, surviving))
    .map((dependency) => ({
      unit,
      severity: 'info' as const,
      code: 'SURVIVOR_WANTS_NON_SURVIVOR' as const,
      message: `Wants= and After=${dependency}, which the soft reboot stops and the new root starts again.`,
      hint: 'Make sure the unit copes with it going away for a while.',
      evidence: {dependency},
    }))
}

function settingFindings(facts: SurvivalFacts, unit: string, surviving: Set<string>): Finding[] {
  const properties = facts.units[unit]
  const findings: Finding[] = []
  const add: Add = (code, message, hint, evidence) =>
    findings.push({unit, severity: 'warning', code, message, hint, evidence})
  orderingFindings(facts, properties, unit, add)
  stoppedDependencyFindings(facts, properties, surviving, add)
  return [...findings, ...wantedDependencyFindings(facts, properties, unit, surviving)]
}

/** A kept file descriptor store: the way for a service that cannot survive but must keep its sockets. */
function fdStoreFindings(facts: SurvivalFacts, unit: string): Finding[] {
  const properties = facts.units[unit] ?? {}
  if (Number(prop(properties, 'FileDescriptorStoreMax') || 0) <= 0) return []
  if (prop(properties, 'FileDescriptorStorePreserve') !== 'yes') return []
  return [
    {
      unit,
      severity: 'info',
      code: 'FDSTORE_PRESERVED',
      message:
        'FileDescriptorStoreMax= with FileDescriptorStorePreserve=yes: its stored sockets and file descriptors are kept across the soft reboot and handed to the new start.',
      evidence: {max: Number(prop(properties, 'FileDescriptorStoreMax'))},
    },
  ]
}

/**
 * Everything about one unit's own survival settings, for `check` (live properties) and `lint` (properties
 * read from its files): the one implementation, so both report the same codes for the same unit.
 */
export function unitSurvivalFindings(
  facts: UnitSurvivalFacts,
  unit: string,
  surviving: Set<string>,
): Finding[] {
  const survivor: Finding[] = surviving.has(unit)
    ? [
        {
          unit,
          severity: 'info',
          code: 'SURVIVOR',
          message: `SurviveFinalKillSignal=yes: its processes are meant to keep running across the switch (main PID ${prop(facts.units[unit], 'MainPID') || '-'}).`,
          evidence: {mainPid: Number(prop(facts.units[unit], 'MainPID')) || undefined},
        },
        ...settingFindings(facts, unit, surviving),
      ]
    : []
  return [...sectionFindings(facts, unit), ...survivor, ...fdStoreFindings(facts, unit)]
}

function portableFindings(facts: CheckFacts): Finding[] {
  const surviving = new Set(survivors(facts))
  const findings: Finding[] = []
  for (const [unit, properties] of Object.entries(facts.units)) {
    if (!isActive(properties) || !isAttached(properties)) continue
    const fragment = prop(properties, 'FragmentPath')
    const runtime = fragment.startsWith(ATTACHED_DIRS[1])
    const image = facts.portables?.find((p) => unit.startsWith(`${p.name}.`) || unit.startsWith(`${p.name}-`))
    const evidence = {fragment, rootImage: prop(properties, 'RootImage') || undefined, image}
    if (!surviving.has(unit)) {
      findings.push({
        unit,
        severity: 'info',
        code: 'PORTABLE_RESTARTED',
        message:
          'Portable service without SurviveFinalKillSignal=yes: it is stopped and started again by the new root.',
        hint: 'Add SurviveFinalKillSignal=yes (and the other survivor settings) in a drop-in if it must keep running.',
        evidence,
      })
    }

    if (!runtime && !facts.trees.staged?.present.includes(unit)) {
      findings.push({
        unit,
        severity: 'warning',
        code: 'PORTABLE_ATTACHMENT_LOST',
        message: `Attached under ${ATTACHED_DIRS[0]} of the old root; the staged root's /etc does not have it.`,
        hint: 'Attach it with portablectl attach --runtime (kept in /run across the switch), or ship the attachment in the image.',
        evidence,
      })
    }
  }

  return findings
}

const isRoot = (user: string) => user === '' || user === 'root' || user === '0'

/** An '@' argv[0] escapes the final killing spree, for processes owned by root only. */
export function atArgv0Finding(unit: string | undefined, argv0: string, user: string, what: string): Finding {
  const evidence = {argv0, ...(isRoot(user) ? {} : {user})}
  if (!isRoot(user))
    return {
      unit,
      severity: 'warning',
      code: 'SURVIVOR_AT_PROCESS_USER',
      message: `${what} has argv[0] '${argv0}' but runs as User=${user}: only root's processes escape the final killing spree that way.`,
      hint: 'Use SurviveFinalKillSignal=yes (and the other survivor settings) instead.',
      evidence,
    }
  return {
    unit,
    severity: 'info',
    code: 'SURVIVOR_AT_PROCESS',
    message: `${what} has argv[0] '${argv0}': it escapes the final killing spree.`,
    hint: 'Such processes are for root-storage daemons; anything else should use SurviveFinalKillSignal=yes.',
    evidence,
  }
}

function atProcessFindings(facts: CheckFacts): Finding[] {
  return facts.processes
    .filter((process) => process.argv0.startsWith('@'))
    .map((process) => {
      const user = process.unit ? prop(facts.units[process.unit] ?? {}, 'User') : ''
      const finding = atArgv0Finding(
        process.unit,
        process.argv0,
        user,
        `PID ${process.pid} (${process.comm})`,
      )
      return {...finding, evidence: {pid: process.pid, ...finding.evidence}}
    })
}

export function survivorRules(facts: CheckFacts): Finding[] {
  const surviving = new Set(survivors(facts))
  const active = Object.keys(facts.units).filter((unit) => isActive(facts.units[unit]))
  const units = [...new Set([...Object.keys(facts.unitFiles), ...surviving, ...active])].sort()
  return [
    ...units.flatMap((unit) => unitSurvivalFindings(facts, unit, surviving)),
    ...portableFindings(facts),
    ...atProcessFindings(facts),
  ]
}
