// Every rule `nextroot lint` knows, for --list-rules and the SARIF report: its id, default severity, what it
// checks, why, and where the rule is written down.
import type {LintRuleId, LintSeverity} from './finding.js'

export interface RuleInfo {
  id: LintRuleId
  severity: LintSeverity
  /** unit files, or packaging scriptlets (and in which forms). */
  applies: 'unit' | 'spec, debian'
  summary: string
  source: string
}

const SEED = 'Fedora packaging guidelines for systemd (../shared/seeds/002)'
const SOFT =
  'systemd-soft-reboot.service(8); systemd test/units/TEST-82-SOFTREBOOT; shared with `nextroot check`'
const V258 = 'systemd v258 release notes (CHANGES WITH 258)'
const MACROS = 'systemd rpm macros (macros.systemd); Debian dh_installsystemd(1), deb-systemd-invoke(1p)'

const unit = (id: LintRuleId, severity: LintSeverity, summary: string, source: string): RuleInfo => ({
  id,
  severity,
  applies: 'unit',
  summary,
  source,
})
const script = (id: LintRuleId, severity: LintSeverity, summary: string, source = MACROS): RuleInfo => ({
  id,
  severity,
  applies: 'spec, debian',
  summary,
  source,
})

export const RULE_CATALOG: RuleInfo[] = [
  unit(
    'EXEC_START_MISSING',
    'error',
    'A service needs ExecStart= (a oneshot may use other Exec*= lines instead).',
    'systemd.service(5)',
  ),
  unit(
    'DBUS_WITHOUT_BUSNAME',
    'error',
    'Type=dbus needs BusName=: the name on the bus is what says the service is up.',
    SEED,
  ),
  unit(
    'BUSNAME_WITHOUT_DBUS',
    'note',
    'BusName= without Type=dbus does not tell systemd when the service is ready.',
    SEED,
  ),
  unit(
    'TYPE_SIMPLE_DEFAULT',
    'note',
    'Type=simple is the default; the guidelines ask to leave it out.',
    SEED,
  ),
  unit(
    'FORKING_WITHOUT_PIDFILE',
    'warning',
    'Type=forking without PIDFile= leaves systemd guessing the main process.',
    'systemd.service(5)',
  ),
  unit(
    'RELOAD_ASYNC_HUP',
    'note',
    'ExecReload= that only sends SIGHUP reports "reloaded" before the reload happened.',
    SEED,
  ),
  unit(
    'INSTALL_RUNLEVEL_TARGET',
    'error',
    'WantedBy=runlevelN.target: the SysV runlevel targets are gone.',
    `${SEED}; ${V258}`,
  ),
  unit(
    'INSTALL_UNUSUAL_TARGET',
    'note',
    'WantedBy= a target that is not one of the usual ones may never be started.',
    SEED,
  ),
  unit('NAMES_SETTING', 'error', 'Names= does not give a unit another name; use Alias= or a symlink.', SEED),
  unit(
    'DEPENDENCY_WITHOUT_ORDER',
    'warning',
    'Requires=/Wants= without After=/Before= starts both at once: requirement and ordering are separate.',
    SEED,
  ),
  unit(
    'REQUIRES_WHERE_WANTS',
    'note',
    'Requires= on a service stops this unit with it; Wants= is more robust.',
    SEED,
  ),
  unit(
    'OUTPUT_OUTDATED',
    'warning',
    'StandardOutput=/StandardError= kmsg or syslog are outdated forms of journal.',
    'systemd.exec(5)',
  ),
  unit(
    'ENVIRONMENT_FILE_LEGACY',
    'note',
    'EnvironmentFile= in /etc/sysconfig or /etc/default: only for compatibility.',
    SEED,
  ),
  unit('SYSLOG_TARGET', 'note', 'syslog.target no longer exists.', 'systemd.special(7)'),
  unit('EXEC_PREFIX_DOUBLE_BANG', 'warning', 'The "!!" exec prefix was removed and is ignored.', V258),
  unit('LEGACY_LOCK_PATH', 'warning', '/run/lock (and /var/lock) is deprecated.', V258),
  unit(
    'SURVIVOR_SECTION',
    'warning',
    'SurviveFinalKillSignal=, DefaultDependencies=, IgnoreOnIsolate= outside [Unit] are ignored.',
    SOFT,
  ),
  unit('SURVIVOR', 'info', 'The unit is meant to survive a soft reboot (SurviveFinalKillSignal=yes).', SOFT),
  unit(
    'SURVIVOR_DEFAULT_DEPENDENCIES',
    'warning',
    'A survivor with DefaultDependencies=yes conflicts with shutdown.target and is stopped.',
    SOFT,
  ),
  unit(
    'SURVIVOR_ISOLATE',
    'warning',
    'A survivor without IgnoreOnIsolate=yes is stopped by isolating a target.',
    SOFT,
  ),
  unit(
    'SURVIVOR_STOPPED_BY_SWITCH',
    'warning',
    'A survivor in conflict with a unit the soft reboot starts is stopped.',
    SOFT,
  ),
  unit(
    'SURVIVOR_SHUTDOWN_ORDER',
    'warning',
    'A survivor must still stop cleanly on a real reboot: Conflicts= and Before= the shutdown targets (shutdown.target, or each of reboot, kexec, poweroff and halt).',
    SOFT,
  ),
  unit(
    'SURVIVOR_MOUNT_UNMOUNTED',
    'warning',
    'A survivor that requires a mount unmounted by the switch is stopped with it.',
    SOFT,
  ),
  unit(
    'SURVIVOR_NEEDS_NON_SURVIVOR',
    'warning',
    'A survivor that requires a unit the switch stops is stopped with it.',
    SOFT,
  ),
  unit(
    'SURVIVOR_WANTS_NON_SURVIVOR',
    'info',
    'A survivor that wants a unit the switch stops sees it go away for a while.',
    SOFT,
  ),
  unit(
    'SURVIVOR_AT_PROCESS',
    'info',
    'An "@" argv[0] escapes the final killing spree (meant for root-storage daemons).',
    'systemd: ROOT_STORAGE_DAEMONS; systemd-soft-reboot.service(8)',
  ),
  unit(
    'SURVIVOR_AT_PROCESS_USER',
    'warning',
    'An "@" argv[0] only escapes the killing for root\'s processes, not with User=.',
    'systemd: ROOT_STORAGE_DAEMONS (src/shared/killall.c)',
  ),
  unit(
    'FDSTORE_PRESERVED',
    'info',
    'FileDescriptorStoreMax= with FileDescriptorStorePreserve=yes keeps its sockets across a soft reboot.',
    'systemd.service(5), FileDescriptorStorePreserve=',
  ),
  script(
    'SCRIPTLET_SYSTEMCTL_DIRECT',
    'warning',
    'Scriptlets call the macros (rpm) or deb-systemd-invoke/-helper (Debian), not systemctl.',
  ),
  script(
    'SCRIPTLET_RESTART_NOT_TRY',
    'warning',
    'A restart on upgrade must be a try-restart: never start what the admin stopped.',
  ),
  script(
    'SCRIPTLET_ENABLES_SERVICE',
    'warning',
    'Enabling or starting a service in a scriptlet overrides presets and the admin.',
    `${SEED}; ${MACROS}`,
  ),
  script(
    'SCRIPTLET_RESTARTS_UNRESTARTABLE',
    'error',
    "D-Bus, logind, display managers, networking... must not be restarted live (nextroot restart's list).",
    "src/restart/never.ts (needrestart's list)",
  ),
  script(
    'SCRIPTLET_USER_UNIT_MACROS',
    'warning',
    'User units take the %systemd_user_* macros (deb-systemd-helper --user on Debian).',
  ),
  script(
    'SCRIPTLET_POSTUN_WITHOUT_RESTART',
    'note',
    'Without a restart on upgrade the old code keeps running until a reboot.',
  ),
  script(
    'SCRIPTLET_INVOKE_RC_D',
    'note',
    'invoke-rc.d, service, init.d scripts: the SysV way (SysV support is gone in systemd 260).',
  ),
  {
    id: 'SYSTEMD_ANALYZE_VERIFY',
    severity: 'warning',
    applies: 'unit',
    summary: 'What `systemd-analyze verify` said about the unit (merged, deduplicated).',
    source: 'systemd-analyze(1)',
  },
]
