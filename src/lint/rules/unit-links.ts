// The rules on how a unit links to others and to the system (../shared/seeds/002): [Install] targets,
// Names=, requirement without ordering, outdated logging and sysconfig forms, and what systemd 258
// removed or deprecated (SysV runlevel targets, the `!!` exec prefix, /run/lock; its release notes).
import type {LintUnit} from '../unit.js'
import {assignmentsOf, wordsOf} from '../unit.js'
import {type Found, at} from './units.js'

const USUAL_TARGETS = new Set(
  [
    'multi-user',
    'graphical',
    'default',
    'sockets',
    'timers',
    'paths',
    'sysinit',
    'basic',
    'local-fs',
    'remote-fs',
    'network',
    'network-online',
    'getty',
    'cryptsetup',
    'swap',
    'printer',
    'bluetooth',
    'sound',
    'smartcard',
    'usb-gadget',
    'ctrl-alt-del',
    'system-update',
    'initrd',
    'initrd-root-fs',
    'rescue',
    'emergency',
    'shutdown',
    'reboot',
    'poweroff',
    'halt',
    'kexec',
    'soft-reboot',
  ].map((t) => `${t}.target`),
)

function install(unit: LintUnit): Found[] {
  return ['WantedBy', 'RequiredBy', 'UpheldBy'].flatMap((key) =>
    wordsOf(unit, 'Install', key).flatMap(([target, a]): Found[] => {
      if (/^runlevel\d\.target$/.test(target))
        return [
          at(
            a,
            'INSTALL_RUNLEVEL_TARGET',
            'error',
            `${key}=${target}: the SysV runlevel targets are gone in systemd 258.`,
            'Use multi-user.target (runlevels 2-4) or graphical.target (5).',
          ),
        ]
      if (!target.endsWith('.target') || USUAL_TARGETS.has(target) || target.includes('@')) return []
      return [
        at(
          a,
          'INSTALL_UNUSUAL_TARGET',
          'note',
          `${key}=${target}: not one of the usual targets, so enabling it may not start it at boot.`,
          'Most services want multi-user.target; a target of the package itself is fine.',
        ),
      ]
    }),
  )
}

function names(unit: LintUnit): Found[] {
  return assignmentsOf(unit, 'Unit', 'Names').map((a) =>
    at(
      a,
      'NAMES_SETTING',
      'error',
      'Names= is not a setting systemd loads units by (and is gone): another name only works as a symlink.',
      'Remove it; give the unit another name with Alias= in [Install] or a symlink.',
    ),
  )
}

const orderWords = (unit: LintUnit) =>
  new Set([...wordsOf(unit, 'Unit', 'After'), ...wordsOf(unit, 'Unit', 'Before')].map(([w]) => w))

/** Ordered either way: by this unit, or by the other one when it was linted too. */
function dependencies(unit: LintUnit, others: ReadonlyMap<string, LintUnit>): Found[] {
  const mine = orderWords(unit)
  const other = (name: string) => others.get(name)
  const ordered = {has: (d: string) => mine.has(d) || orderWords(other(d) ?? unit).has(unit.name)}
  const found: Found[] = []
  for (const key of ['Requires', 'BindsTo', 'Wants']) {
    for (const [dependency, a] of wordsOf(unit, 'Unit', key)) {
      // targets and slices order nothing; a socket is ordered before its services by sockets.target
      if (ordered.has(dependency) || /\.(target|slice|socket)$/.test(dependency)) continue
      found.push(
        at(
          a,
          'DEPENDENCY_WITHOUT_ORDER',
          key === 'Wants' ? 'note' : 'warning',
          `${key}=${dependency} without After= or Before=${dependency}: both start at the same time.`,
          `Add After=${dependency} if this unit needs it running first (requirement and ordering are separate).`,
        ),
      )
    }
  }
  for (const [dependency, a] of wordsOf(unit, 'Unit', 'Requires')) {
    if (unit.type !== 'service' || !dependency.endsWith('.service')) continue
    found.push(
      at(
        a,
        'REQUIRES_WHERE_WANTS',
        'note',
        `Requires=${dependency}: when it fails or is restarted, this unit is stopped with it.`,
        'Use Wants= unless this unit cannot run at all without it (the guidelines prefer Wants=).',
      ),
    )
  }
  return found
}

function outdated(unit: LintUnit): Found[] {
  const found: Found[] = []
  for (const key of ['StandardOutput', 'StandardError']) {
    for (const a of assignmentsOf(unit, 'Service', key).concat(assignmentsOf(unit, 'Socket', key))) {
      if (!/^(kmsg|syslog)(\+console)?$/.test(a.value)) continue
      found.push(
        at(
          a,
          'OUTPUT_OUTDATED',
          'warning',
          `${key}=${a.value} is an outdated form: systemd treats it as journal${a.value.endsWith('+console') ? '+console' : ''}.`,
          `Write ${key}=journal (the default) or leave it out.`,
        ),
      )
    }
  }
  for (const a of assignmentsOf(unit, 'Service', 'EnvironmentFile')) {
    if (!/^-?\/etc\/(sysconfig|default)\//.test(a.value)) continue
    found.push(
      at(
        a,
        'ENVIRONMENT_FILE_LEGACY',
        'note',
        `EnvironmentFile=${a.value}: the guidelines keep sysconfig/default files for compatibility only.`,
        "For new settings use a drop-in (systemctl edit) or the daemon's own configuration file.",
      ),
    )
  }
  for (const [target, a] of ['After', 'Wants', 'Requires'].flatMap((k) => wordsOf(unit, 'Unit', k))) {
    if (target !== 'syslog.target') continue
    found.push(
      at(
        a,
        'SYSLOG_TARGET',
        'note',
        `${a.key}=syslog.target: that target no longer exists.`,
        'Remove it; logging through the journal is always available.',
      ),
    )
  }
  return found
}

const EXEC_LINE = /^Exec[A-Z][a-zA-Z]*$/

function removed(unit: LintUnit): Found[] {
  const found: Found[] = []
  for (const a of unit.assignments) {
    if (EXEC_LINE.test(a.key) && /^[-@:+!]*!!/.test(a.value))
      found.push(
        at(
          a,
          'EXEC_PREFIX_DOUBLE_BANG',
          'warning',
          `${a.key}= uses the "!!" prefix, which systemd 258 removed: it is ignored, so the command runs without it.`,
          'Use "!" or set AmbientCapabilities= directly.',
        ),
      )
    if (/(^|[\s=:])\/(var\/lock|run\/lock)\//.test(a.value))
      found.push(
        at(
          a,
          'LEGACY_LOCK_PATH',
          'warning',
          `${a.key}=${a.value}: the legacy lock directory /run/lock is deprecated since systemd 258.`,
          "Keep locks in the service's own runtime directory: RuntimeDirectory= and /run/NAME/.",
        ),
      )
  }
  return found
}

export function unitLinkRules(unit: LintUnit, others: ReadonlyMap<string, LintUnit>): Found[] {
  return [
    ...install(unit),
    ...names(unit),
    ...dependencies(unit, others),
    ...outdated(unit),
    ...removed(unit),
  ]
}
