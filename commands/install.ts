// nextroot install: put the after-switch unit into a root's /etc for good (reboot arms it in /run anyway).
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {renderInstall} from '../src/cli/render-reboot.js'
import {DEFAULT_HOST_ROOT, DEFAULT_NEXTROOT, DEFAULT_STATE_DIR} from '../src/locations.js'
import {type OfflineUnitsResult, placeOfflineUnits, removeOfflineUnits} from '../src/shipped/offline-units.js'
import {type HooksResult, install, installHooks, type InstallResult} from '../src/shipped/install.js'
import {
  DEFAULT_TEXTFILE_DIR,
  type MetricsInstallResult,
  installMetricsUnits,
  removeMetricsUnits,
} from '../src/shipped/metrics-units.js'

const DEFAULTS = {stateDir: DEFAULT_STATE_DIR, nextroot: DEFAULT_NEXTROOT}

export default class Install extends BaseCommand {
  static override summary = 'Install nextroot-after-switch.service into a root, so it is there on every boot.'
  static override description = `The unit checks and records each switch \`nextroot reboot\` makes, and falls back when the new userspace is unhealthy. \`nextroot reboot\` arms a copy in /run/systemd/system before every soft reboot, which the new userspace runs whatever its /etc holds, so installing is optional. Install it when /run/systemd/system is managed by something else, or bake it into an image tree with --root. It runs only while a switch is pending (ConditionPathExists=/var/lib/nextroot/switch.json) and takes effect at the next boot or soft reboot. Idempotent.

With --hooks it installs, for each package manager present, a hook that runs \`nextroot restart --hook\` at the end of every transaction: /etc/apt/apt.conf.d/80nextroot (DPkg::Post-Invoke, and Pre-Install-Pkgs to record the changed packages; both end in \`|| true\`, since apt aborts when a hook fails), /etc/dnf/plugins/post-transaction-actions.d/nextroot.action (dnf 4) and /etc/dnf/libdnf5-plugins/actions.d/nextroot.actions (dnf 5).

With --metrics it installs nextroot-metrics.service and .timer and enables the timer (a link in timers.target.wants): \`nextroot metrics\` then writes nextroot.prom for node_exporter's textfile collector soon after every boot and soft reboot, and every five minutes (--textfile names the collector's directory; Debian's is the default). Start it now with \`systemctl daemon-reload && systemctl start nextroot-metrics.timer\`.

With --offline it installs the offline-update units that \`nextroot offline prepare\` places anyway (linked into system-update.target.wants and multi-user.target.wants): for image trees that should have them before any update is prepared.`

  static override examples = [
    {description: 'Install into the running system', command: '<%= config.bin %> install'},
    {
      description: 'Bake it into an image tree being built',
      command: '<%= config.bin %> install --root /var/tmp/image-tree',
    },
    {description: 'Remove it again', command: '<%= config.bin %> install --remove'},
    {
      description: 'Keep metrics fresh for node_exporter',
      command: 'sudo <%= config.bin %> install --metrics --textfile /var/lib/node_exporter/textfile',
    },
    {
      description: 'Run `nextroot restart` after every apt or dnf transaction',
      command: 'sudo <%= config.bin %> install --hooks',
    },
  ]

  static override flags = {
    root: Flags.directory({
      summary: 'Root to install into.',
      default: DEFAULT_HOST_ROOT,
      exists: true,
      helpGroup: 'PATHS',
    }),
    remove: Flags.boolean({
      summary: 'Remove the unit and its multi-user.target.wants link (or the hooks) instead.',
    }),
    hooks: Flags.boolean({
      summary:
        'Install the apt, dnf 4 and dnf 5 hooks that run `nextroot restart` after each transaction instead.',
    }),
    metrics: Flags.boolean({
      summary: 'Install and enable the timer that keeps the node_exporter metrics file fresh instead.',
      exclusive: ['hooks'],
    }),
    offline: Flags.boolean({
      summary: 'Install the offline-update units (what `nextroot offline prepare` places) instead.',
      exclusive: ['hooks', 'metrics'],
    }),
    textfile: Flags.string({
      summary: `node_exporter's textfile collector directory, for --metrics (default ${DEFAULT_TEXTFILE_DIR}).`,
      dependsOn: ['metrics'],
    }),
    bin: Flags.string({
      summary: 'The nextroot the hooks run (default: this one).',
      dependsOn: ['hooks'],
    }),
  }

  async run(): Promise<HooksResult | InstallResult | MetricsInstallResult | OfflineUnitsResult> {
    const {flags} = await this.parse(Install)
    const result = flags.offline
      ? await (flags.remove ? removeOfflineUnits(flags.root) : placeOfflineUnits(flags.root, DEFAULTS))
      : flags.metrics
        ? await (flags.remove
            ? removeMetricsUnits(flags.root)
            : installMetricsUnits(flags.root, flags.textfile ?? DEFAULT_TEXTFILE_DIR))
        : flags.hooks
          ? await installHooks({root: flags.root, remove: flags.remove, bin: flags.bin ?? process.argv[1]})
          : await install({root: flags.root, remove: flags.remove})
    this.log(renderInstall(result))
    return result
  }
}
