// Rules for packaging scriptlets (../shared/seeds/002 "Packaging", the systemd rpm macros, Debian's
// dh_installsystemd and deb-systemd-invoke/-helper): the macros or helpers instead of bare systemctl,
// try-restart semantics, no enabling against the admin's will, no live restart of what must not restart
// (restart's built-in list), user units with the user macros, and a restart after an upgrade at all.
import {neverRestart} from '../../restart/never.js'
import type {LintFinding, LintRuleId, LintSeverity} from '../finding.js'
import type {ScriptLine, Scriptlets} from '../scriptlet.js'

type Found = Omit<LintFinding, 'origin'>

const SYSTEMCTL = /(^|[\s;&|(`])(\/usr)?(\/s?bin\/)?systemctl\s+((?:--?\S+\s+)*)(\S+)\s*(.*)$/
const INVOKE = /(^|[\s;&|(`])deb-systemd-invoke\s+(?:--\S+\s+)*(\S+)\s*(.*)$/
const SYSV =
  /(^|[\s;&|(`])(?:\/\S*\/)?(invoke-rc\.d|service|chkconfig|update-rc\.d)\s+(\S+)\s*(\S*)|\/etc\/(rc\.d\/)?init\.d\//

const units = (args: string) =>
  args
    .split(/[\s>|&;]+/)
    .filter((w) => /^[\w@.\\:-]+\.(service|socket|timer|path|mount)$/.test(w) || /^[\w@-]+$/.test(w))
    .map((w) => (w.includes('.') ? w : `${w}.service`))

const unrestartable = (unit: string) => neverRestart(unit, [], [])?.builtIn

function at(
  s: Scriptlets,
  l: Pick<ScriptLine, 'line'>,
  rule: LintRuleId,
  severity: LintSeverity,
  message: string,
  hint: string,
): Found {
  return {file: s.file, line: l.line, rule, severity, message, hint}
}

/** What a bare `systemctl VERB` (or `deb-systemd-invoke VERB`) line breaks. */
function verbFindings(s: Scriptlets, l: ScriptLine, verb: string, args: string, via: string): Found[] {
  const found: Found[] = []
  const named = units(args)
  if (verb === 'restart')
    found.push(
      at(
        s,
        l,
        'SCRIPTLET_RESTART_NOT_TRY',
        'warning',
        `\`${via} restart\` starts the service even where the admin stopped it.`,
        'Use try-restart: it restarts only what is running.',
      ),
    )
  if (via === 'systemctl' && ['enable', 'start', 'reenable'].includes(verb))
    found.push(
      at(
        s,
        l,
        'SCRIPTLET_ENABLES_SERVICE',
        'warning',
        `\`${via} ${verb}\` in a ${s.form === 'spec' ? '%' : ''}${l.scriptlet} scriptlet enables or starts the service against the admin's choice.`,
        s.form === 'spec'
          ? 'Leave enabling to presets: %systemd_post runs `systemctl preset` on first install.'
          : "Let dh_installsystemd do it (deb-systemd-helper keeps the admin's choice; deb-systemd-invoke honours policy-rc.d).",
      ),
    )
  if (['restart', 'try-restart', 'reload-or-restart', 'condrestart'].includes(verb))
    for (const unit of named.filter(unrestartable))
      found.push(
        at(
          s,
          l,
          'SCRIPTLET_RESTARTS_UNRESTARTABLE',
          'error',
          `${unit} is restarted by the scriptlet: ${neverRestart(unit, [], [])?.why}.`,
          'Do not restart it live; it is refreshed by a reboot or soft reboot (nextroot plan says which).',
        ),
      )
  return found
}

function directCalls(s: Scriptlets): Found[] {
  return s.lines.flatMap((l) => {
    const systemctl = SYSTEMCTL.exec(l.text)
    if (systemctl) {
      const [, , , , options, verb, args] = systemctl
      const user = /--(user|global)\b/.test(options)
      const found = verbFindings(s, l, verb, args, 'systemctl')
      if (user)
        found.push(
          at(
            s,
            l,
            'SCRIPTLET_USER_UNIT_MACROS',
            'warning',
            `\`systemctl ${options.trim()}\` in a scriptlet handles user units by hand.`,
            s.form === 'spec'
              ? 'Use %systemd_user_post / %systemd_user_preun / %systemd_user_postun_with_restart.'
              : 'Use deb-systemd-helper --user (dh_installsystemduser generates it).',
          ),
        )
      const routine = verb === 'daemon-reload' && s.form === 'debian'
      if (!routine)
        found.push(
          at(
            s,
            l,
            'SCRIPTLET_SYSTEMCTL_DIRECT',
            'warning',
            `\`systemctl ${verb}\` called directly in ${s.form === 'spec' ? `%${l.scriptlet}` : l.scriptlet}.`,
            s.form === 'spec'
              ? 'Use the systemd macros (%systemd_post, %systemd_preun, %systemd_postun_with_restart): they carry try-restart, presets and the offline-update checks.'
              : 'Use deb-systemd-invoke (start/stop/try-restart, honours policy-rc.d) and deb-systemd-helper (enable/disable).',
          ),
        )
      return found
    }
    const invoke = INVOKE.exec(l.text)
    if (invoke && !invoke[2].startsWith('$'))
      return verbFindings(s, l, invoke[2], invoke[3], 'deb-systemd-invoke')
    const sysv = SYSV.exec(l.text)
    if (sysv)
      return [
        at(
          s,
          l,
          'SCRIPTLET_INVOKE_RC_D',
          'note',
          `\`${(sysv[2] ?? 'init.d').trim()}\` is the SysV way; systemd 260 removed the SysV script support.`,
          s.form === 'spec'
            ? 'Use the systemd macros with the unit.'
            : 'Use deb-systemd-invoke with the unit (dh_installsystemd).',
        ),
      ]
    return []
  })
}

function macroFindings(s: Scriptlets): Found[] {
  const found: Found[] = []
  for (const m of s.macros) {
    const line = {line: m.line}
    const userUnits = m.units.filter((u) => s.userUnits.has(u))
    if (!m.macro.startsWith('systemd_user_') && userUnits.length > 0)
      found.push(
        at(
          s,
          line,
          'SCRIPTLET_USER_UNIT_MACROS',
          'warning',
          `%${m.macro} on ${userUnits.join(' ')}, which %files installs as user units.`,
          `Use %${m.macro.replace('systemd_', 'systemd_user_')}.`,
        ),
      )
    if (/^systemd_(user_)?postun_with_restart$/.test(m.macro))
      for (const unit of m.units.filter(unrestartable))
        found.push(
          at(
            s,
            line,
            'SCRIPTLET_RESTARTS_UNRESTARTABLE',
            'error',
            `%${m.macro} restarts ${unit} on upgrade: ${neverRestart(unit, [], [])?.why}.`,
            'Use %systemd_postun: it is refreshed by a reboot or soft reboot instead.',
          ),
        )
    if (/^systemd_(user_)?postun$/.test(m.macro))
      for (const unit of m.units.filter((u) => u.endsWith('.service') && !unrestartable(u)))
        found.push(
          at(
            s,
            line,
            'SCRIPTLET_POSTUN_WITHOUT_RESTART',
            'note',
            `%${m.macro} ${unit}: on upgrade the old code keeps running until the next restart or reboot.`,
            `Use %${m.macro}_with_restart unless ${unit} must not be restarted live.`,
          ),
        )
  }
  return found
}

/** A Debian postinst that starts the service on first install only and never restarts it on upgrade. */
function debianNoRestart(s: Scriptlets): Found[] {
  if (s.form !== 'debian' || s.lines[0]?.scriptlet !== 'postinst') return []
  const firstOnly = s.lines.some((l) => /-z\s+"\$(\{2(:-)?\}|2)"/.test(l.text))
  if (!firstOnly || s.lines.some((l) => /restart/.test(l.text))) return []
  return s.lines
    .filter((l) => /deb-systemd-invoke\s+start\s/.test(l.text))
    .map((l) =>
      at(
        s,
        l,
        'SCRIPTLET_POSTUN_WITHOUT_RESTART',
        'note',
        'The service is started on first install only: on upgrade the old code keeps running.',
        'Let dh_installsystemd restart it after the upgrade (its default), unless it must not be restarted live.',
      ),
    )
}

export function scriptletRules(s: Scriptlets): Found[] {
  return [...directCalls(s), ...macroFindings(s), ...debianNoRestart(s)]
}
