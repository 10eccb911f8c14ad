// nextroot install: put the after-switch unit into a root's /etc for good (reboot arms it in /run anyway).
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {renderInstall} from '../src/cli/render-reboot.js'
import {DEFAULT_HOST_ROOT} from '../src/locations.js'
import {install, type InstallResult} from '../src/shipped/install.js'

export default class Install extends BaseCommand {
  static override summary = 'Install nextroot-after-switch.service into a root, so it is there on every boot.'
  static override description = `The unit checks and records each switch \`nextroot reboot\` makes, and falls back when the new userspace is unhealthy. \`nextroot reboot\` arms a copy in /run/systemd/system before every soft reboot, which the new userspace runs whatever its /etc holds, so installing is optional. Install it when /run/systemd/system is managed by something else, or bake it into an image tree with --root. It runs only while a switch is pending (ConditionPathExists=/var/lib/nextroot/switch.json) and takes effect at the next boot or soft reboot. Idempotent.`

  static override examples = [
    {description: 'Install into the running system', command: '<%= config.bin %> install'},
    {
      description: 'Bake it into an image tree being built',
      command: '<%= config.bin %> install --root /var/tmp/image-tree',
    },
    {description: 'Remove it again', command: '<%= config.bin %> install --remove'},
  ]

  static override flags = {
    root: Flags.directory({
      summary: 'Root to install into.',
      default: DEFAULT_HOST_ROOT,
      exists: true,
      helpGroup: 'PATHS',
    }),
    remove: Flags.boolean({summary: 'Remove the unit and its multi-user.target.wants link instead.'}),
  }

  async run(): Promise<InstallResult> {
    const {flags} = await this.parse(Install)
    const result = await install({root: flags.root, remove: flags.remove})
    this.log(renderInstall(result))
    return result
  }
}
