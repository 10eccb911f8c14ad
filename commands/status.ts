// nextroot status: what is staged, whether systemd sees it, and what the running system supports.
import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {renderStatus} from '../src/cli/render-stage.js'
import {status, type StatusResult} from '../src/status/status.js'

export default class Status extends BaseCommand {
  static override summary =
    'Show the staged root, whether it is visible at /run/nextroot, and the running system.'
  static override description =
    'Also says whether a plain `systemctl reboot` would now become a soft reboot into the staged root (systemd >= 255 does that while /run/nextroot is a mounted OS tree).'

  static override examples = [
    {description: 'Show the state', command: '<%= config.bin %> status'},
    {
      description: 'For scripts',
      command: '<%= config.bin %> status --json | jq .result.rebootBecomesSoftReboot',
    },
  ]

  static override flags = {...locationFlags}

  async run(): Promise<StatusResult> {
    const {flags} = await this.parse(Status)
    const result = await status(locationsFrom(flags))
    this.log(renderStatus(result))
    return result
  }
}
