// nextroot needs-reboot: exit 0 when a soft or a full reboot is pending, 1 when not; the sentinel for fleets.
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {type NeedsRebootResult, needsReboot} from '../src/fleet/needs-reboot.js'

export default class NeedsReboot extends BaseCommand {
  static override summary =
    'Exit 0 when a reboot (soft or full) is pending, 1 when not: the sentinel for fleets.'
  static override description = `Reads \`nextroot plan\`: pending is a soft reboot (a staged root, or userspace that only a soft reboot refreshes) or a full reboot (a new kernel, microcode, command line); with --level full only a full reboot counts. Restarting services is not a reboot: \`nextroot apply\` and the package hooks do that.

/run/reboot-required is judged, not just seen: /run survives a soft reboot, and a package manager may write the flag again afterwards. A listed package installed before this userspace started (for libc6, systemd, dbus...) or before the kernel booted (for a kernel, firmware, or a package nextroot does not know) is satisfied, so after a soft reboot that took everything in this never answers 0 again.

Quiet: only the exit code, unless --json (the action, its reasons and notes). Errors have their own codes (see the README), never 0.`

  static override examples = [
    {
      description: 'In a script',
      command: 'if <%= config.bin %> needs-reboot; then <%= config.bin %> apply; fi',
    },
    {description: 'Only a kernel-level reboot', command: '<%= config.bin %> needs-reboot --level full'},
    {
      description: 'As kured sentinel',
      command:
        'kured --reboot-sentinel-command="/usr/bin/nextroot needs-reboot" --reboot-command="/usr/bin/nextroot apply"',
    },
    {description: 'Why', command: '<%= config.bin %> needs-reboot --json | jq .result.reasons'},
  ]

  static override flags = {
    level: Flags.option({
      options: ['soft', 'full'] as const,
      default: 'soft' as const,
      summary: 'soft: a soft or a full reboot counts; full: only a full reboot.',
    })(),
    ...locationFlags,
  }

  async run(): Promise<NeedsRebootResult> {
    const {flags} = await this.parse(NeedsReboot)
    const result = await needsReboot({...locationsFrom(flags), level: flags.level})
    this.successExit = result.exitCode
    return result
  }
}
