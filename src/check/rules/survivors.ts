// Rules for units meant to outlive the switch (systemd-soft-reboot.service(8)): the [Unit] settings a survivor
// needs, what stops it anyway, portable services, and '@' processes that escape the killing spree.
import {isYes, unitList} from '../../systemd/properties.js'
import {type UnitProperties, prop} from '../../systemd/units.js'
import type {CheckFacts} from '../facts.js'
import {ATTACHED_DIRS, isActive, isAttached} from '../unit-facts.js'
import type {Finding, FindingCode} from '../finding.js'
import {staysAcrossSwitch, survivors, switchConflicts} from '../survival.js'

/** [Unit] settings a survivor relies on; systemd ignores them in any other section. */
const UNIT_SECTION_KEYS = ['SurviveFinalKillSignal', 'DefaultDependencies', 'IgnoreOnIsolate']
/** The man page's survivor stops cleanly on every other shutdown: Conflicts= and Before= these. */
const SHUTDOWN_CONFLICTS = ['reboot.target', 'kexec.target', 'poweroff.target', 'halt.target']
const STOP_PROPAGATING = ['Requires', 'BindsTo', 'Requisite']

function sectionFindings(facts: CheckFacts): Finding[] {
  const findings: Finding[] = []
  for (const [unit, assignments] of Object.entries(facts.unitFiles)) {
    for (const a of assignments) {
      if (!UNIT_SECTION_KEYS.includes(a.key) || a.section === 'Unit') continue
      const killed = a.key === 'SurviveFinalKillSignal' && prop(facts.units[unit] ?? {}, a.key) !== 'yes'
      findings.push({
        unit,
        severity: 'warning',
        code: 'SURVIVOR_SECTION',
        message: `${a.key}=${a.value} is in [${a.section}], where systemd ignores it${killed ? `: ${unit} will be killed by the soft reboot` : ''}.`,
        hint: `Move ${a.key}= to [Unit].`,
        evidence: {key: a.key, value: a.value, section: a.section},
      })
    }
  }

  return findings
}

type Add = (code: FindingCode, message: string, hint: string, evidence?: Record<string, unknown>) => void

/** The [Unit] settings that keep a survivor out of the switch's way and stop it cleanly on other shutdowns. */
function orderingFindings(facts: CheckFacts, properties: UnitProperties, unit: string, add: Add): void {
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
  const before = unitList(properties, 'Before').includes('shutdown.target')
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
  facts: CheckFacts,
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
  facts: CheckFacts,
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

function settingFindings(facts: CheckFacts, unit: string, surviving: Set<string>): Finding[] {
  const properties = facts.units[unit]
  const findings: Finding[] = []
  const add: Add = (code, message, hint, evidence) =>
    findings.push({unit, severity: 'warning', code, message, hint, evidence})
  orderingFindings(facts, properties, unit, add)
  stoppedDependencyFindings(facts, properties, surviving, add)
  return [...findings, ...wantedDependencyFindings(facts, properties, unit, surviving)]
}

function survivorFindings(facts: CheckFacts): Finding[] {
  const names = survivors(facts)
  const surviving = new Set(names)
  return names.flatMap((unit) => [
    {
      unit,
      severity: 'info' as const,
      code: 'SURVIVOR',
      message: `SurviveFinalKillSignal=yes: its processes are meant to keep running across the switch (main PID ${prop(facts.units[unit], 'MainPID') || '-'}).`,
      evidence: {mainPid: Number(prop(facts.units[unit], 'MainPID')) || undefined},
    },
    ...settingFindings(facts, unit, surviving),
  ])
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

function atProcessFindings(facts: CheckFacts): Finding[] {
  return facts.processes
    .filter((process) => process.argv0.startsWith('@'))
    .map((process) => ({
      unit: process.unit,
      severity: 'info' as const,
      code: 'SURVIVOR_AT_PROCESS',
      message: `PID ${process.pid} (${process.comm}) has argv[0] '${process.argv0}': it escapes the final killing spree.`,
      hint: 'Such processes are for root-storage daemons; anything else should use SurviveFinalKillSignal=yes.',
      evidence: {pid: process.pid, argv0: process.argv0},
    }))
}

export function survivorRules(facts: CheckFacts): Finding[] {
  return [
    ...sectionFindings(facts),
    ...survivorFindings(facts),
    ...portableFindings(facts),
    ...atProcessFindings(facts),
  ]
}
