// The service rules of the packaging guidelines (../shared/seeds/002, "Writing unit files"): ExecStart=,
// Type= and BusName=, ExecReload=; each pure over a merged unit, with its rule id and the line it is on.
import type {LintFinding, LintRuleId, LintSeverity} from '../finding.js'
import {type LintUnit, type SourcedAssignment, lastOf, listOf} from '../unit.js'

export type Found = Omit<LintFinding, 'origin' | 'unit'>

export function at(
  a: Pick<SourcedAssignment, 'file' | 'line'>,
  rule: LintRuleId,
  severity: LintSeverity,
  message: string,
  hint: string,
): Found {
  return {file: a.file, line: a.line, rule, severity, message, hint}
}

const EXEC_KEYS = ['ExecStartPre', 'ExecStartPost', 'ExecStop', 'ExecStopPost', 'ExecReload', 'ExecCondition']

/** Without ExecStart=, systemd implies Type=oneshot, which then needs ExecStop= or SuccessAction=. */
function execStart(unit: LintUnit): Found[] {
  if (unit.type !== 'service' || !unit.fragment || listOf(unit, 'Service', 'ExecStart').length > 0) return []
  const type = lastOf(unit, 'Service', 'Type')?.value || 'oneshot'
  const other = EXEC_KEYS.some((key) => listOf(unit, 'Service', key).length > 0)
  if (type === 'oneshot' && (other || lastOf(unit, 'Unit', 'SuccessAction')?.value)) return []
  const why = type === 'oneshot' ? 'nor ExecStop= or SuccessAction=' : `and Type=${type} needs one`
  return [
    at(
      {file: unit.fragment},
      'EXEC_START_MISSING',
      'error',
      `${unit.name} has no ExecStart= ${why}: systemd refuses to load it.`,
      'Add ExecStart= with the command the service runs.',
    ),
  ]
}

function busName(unit: LintUnit): Found[] {
  if (unit.type !== 'service') return []
  const type = lastOf(unit, 'Service', 'Type')
  const name = lastOf(unit, 'Service', 'BusName')
  if (type?.value === 'dbus' && !name?.value)
    return [
      at(
        type,
        'DBUS_WITHOUT_BUSNAME',
        'error',
        'Type=dbus without BusName=: systemd cannot tell when the service is up.',
        'Add BusName= with the name the service takes on the bus.',
      ),
    ]
  // notify and forking services say themselves when they are ready; simple and exec ones cannot
  if (name?.value && ['simple', 'exec', 'idle'].includes(type?.value || 'simple'))
    return [
      at(
        name,
        'BUSNAME_WITHOUT_DBUS',
        'note',
        `BusName=${name.value} without Type=dbus: the name is not what tells systemd the service is ready.`,
        'Use Type=dbus if the service is ready once it holds the name; otherwise this is fine.',
      ),
    ]
  return []
}

function serviceTypes(unit: LintUnit): Found[] {
  if (unit.type !== 'service') return []
  const type = lastOf(unit, 'Service', 'Type')
  const found: Found[] = []
  if (type?.value === 'simple' && type.file === unit.fragment)
    found.push(
      at(
        type,
        'TYPE_SIMPLE_DEFAULT',
        'note',
        'Type=simple is the default: the guidelines ask to leave it out.',
        'Remove the line (or consider Type=exec or notify).',
      ),
    )
  if (type?.value === 'forking' && !lastOf(unit, 'Service', 'PIDFile')?.value)
    found.push(
      at(
        type,
        'FORKING_WITHOUT_PIDFILE',
        'warning',
        'Type=forking without PIDFile=: systemd guesses the main process, and a restart may miss it.',
        'Add PIDFile=/run/NAME.pid, or run the daemon in the foreground (Type=simple/exec/notify).',
      ),
    )
  return found
}

function reload(unit: LintUnit): Found[] {
  return listOf(unit, 'Service', 'ExecReload')
    .filter((a) => /\bkill\b.*(-HUP|-s\s*HUP|-SIGHUP|-1)\b.*\$\{?MAINPID/.test(a.value))
    .map((a) =>
      at(
        a,
        'RELOAD_ASYNC_HUP',
        'note',
        'ExecReload= sends SIGHUP and returns at once: "reloaded" is reported before the service has reloaded.',
        'Reload synchronously (a command that waits), or use Type=notify-reload.',
      ),
    )
}

export function unitBasicsRules(unit: LintUnit): Found[] {
  return [...execStart(unit), ...busName(unit), ...serviceTypes(unit), ...reload(unit)]
}
