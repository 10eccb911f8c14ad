// nextroot reboot: switch into the staged root (or do what the plan says) safely, after printing the result.
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {renderReboot} from '../src/cli/render-reboot.js'
import {type RebootResult, reboot} from '../src/reboot/reboot.js'

export default class Reboot extends BaseCommand {
  static override summary =
    'Soft-reboot into the staged root, safely (`nextroot apply` does what the plan says).'
  static override description = `Preflight: systemd can soft-reboot, the staged root is the one nextroot staged (and has --sha256, if given), \`nextroot check\` has no blockers, no logind inhibitor blocks, /run/systemd has room, and the plan does not need a full reboot (--force goes ahead anyway and logs it). Then the machine is carried into the staged root (CARRY_DIRS bind-mounted, CARRY_FILES copied, accounts merged; see /etc/nextroot/nextroot.conf), the result is printed, and \`systemctl soft-reboot\` is started as a transient unit, so it survives this process being killed by the switch. In the new userspace, nextroot-after-switch.service checks the switch, records it (nextroot history) and falls back per ON_UNHEALTHY.

--persist (btrfs): nextroot stages archives into a subvolume when its state directory is on btrfs; with --persist that subvolume becomes the default one (btrfs subvolume set-default), so a full reboot that names no subvol= boots it too. Refused unless the boot mounts / without subvol=, the subvolume is on the root file system and /etc/fstab mounts every carried directory itself. A fallback restores the previous default first.

Arming: the new root is assembled at /run/nextroot.armed and /run/nextroot becomes a symlink to it, so even while armed a plain \`systemctl reboot\` stays a full reboot; a failure or Ctrl-C before the trigger disarms.

--full reboots with SYSTEMCTL_SKIP_AUTO_SOFT_REBOOT=1 (after unmounting a mount another tool left at /run/nextroot), so the kernel really restarts.`

  static override examples = [
    {description: 'Switch into the staged root', command: '<%= config.bin %> reboot'},
    {description: 'See every step and command first', command: '<%= config.bin %> reboot --dry-run'},
    {description: 'Do the lightest step the plan names (nextroot apply)', command: '<%= config.bin %> apply'},
    {description: 'A real reboot, even with a root staged', command: '<%= config.bin %> reboot --full'},
    {
      description: 'Switch, and boot the staged root after full reboots too (btrfs)',
      command: '<%= config.bin %> reboot --persist',
    },
  ]

  static override flags = {
    auto: Flags.boolean({
      summary: 'An alias of `nextroot apply` (which see): act on the plan.',
      exclusive: ['full', 'persist', 'sha256'],
    }),
    full: Flags.boolean({summary: 'A full reboot: withdraw the staged root first.', exclusive: ['auto']}),
    force: Flags.boolean({
      summary: 'Go ahead despite check blockers, inhibitors or a plan that says reboot (logged).',
    }),
    'dry-run': Flags.boolean({summary: 'Print the exact steps and commands; change nothing.'}),
    when: Flags.string({
      summary: "Schedule it (systemctl's --when=, e.g. 'tomorrow 03:00'), where systemd supports it.",
    }),
    sha256: Flags.string({summary: 'The digest you verified: refuse unless the staged root has it.'}),
    persist: Flags.boolean({
      summary: 'On btrfs: make the staged subvolume the default, so the next full reboot boots it too.',
      exclusive: ['full'],
    }),
    ...locationFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Reboot)
    if (flags.auto) {
      // kept for scripts written before `apply`: the same command, the same flags (--dry-run, --when, --force)
      this.warning('`nextroot reboot --auto` is `nextroot apply` now; it runs that.')
      await this.config.runCommand(
        'apply',
        this.argv.filter((arg) => arg !== '--auto'),
      )
      return
    }
    const print = (result: RebootResult) =>
      this.printBeforeSwitch(result, renderReboot(result), result.warnings)

    const result = await reboot({
      ...locationsFrom(flags),
      full: flags.full,
      force: flags.force,
      dryRun: flags['dry-run'],
      when: flags.when,
      sha256: flags.sha256,
      persist: flags.persist,
      announce: print,
    })
    if (result.dryRun) await print(result)
  }
}
