// nextroot status: what is staged, whether systemd sees it, and what the running system supports.
import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {renderStatus} from '../src/cli/render-stage.js'
import {status, type StatusResult} from '../src/status/status.js'

export default class Status extends BaseCommand {
  static override summary =
    'Show the staged root and its state (staged, stale, armed, switched), and what reboots do now.'
  static override description =
    'States: staged (published in this boot, nothing at /run/nextroot), stale (staged before the last full reboot: nextroot stage --republish), armed (nextroot reboot assembled the carried tree and linked /run/nextroot to it), switched (it is the running root). Says what a plain `systemctl reboot` and a raw `systemctl soft-reboot` do now, and names anything another tool put at /run/nextroot (a mounted OS tree there turns every plain reboot into a soft reboot).'

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
