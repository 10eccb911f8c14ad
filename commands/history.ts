// nextroot history: every switch nextroot made, how long it took and whether the new userspace was healthy.
import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {renderOfflineRecord} from '../src/cli/render-offline.js'
import {renderHistory} from '../src/cli/render-reboot.js'
import {history, type HistoryResult} from '../src/history/history.js'

export default class History extends BaseCommand {
  static override summary =
    'List the switches and offline updates nextroot made: when, from what to what, how long, healthy or not.'
  static override description =
    "Durations come from systemd's own monotonic timestamps: from the trigger to the new default target (FinishTimestamp), from the start of the soft reboot (ShutdownStartTimestamp, which systemd carries over the switch) to it, and to each expected unit's ActiveEnterTimestamp. Offline updates (`nextroot offline`) follow, each with how update mode was entered and left, the versions installed, and the services' downtime from the way in to the default target on the way out."

  static override examples = [
    {description: 'Show the history', command: '<%= config.bin %> history'},
    {
      description: 'The last switch, for scripts',
      command: '<%= config.bin %> history --json | jq .result.entries[-1]',
    },
  ]

  static override flags = {...locationFlags}

  async run(): Promise<HistoryResult> {
    const {flags} = await this.parse(History)
    const result = await history(locationsFrom(flags))
    this.log(renderHistory(result.entries))
    if (result.offline.length > 0)
      this.log(['Offline updates:', ...result.offline.map(renderOfflineRecord)].join('\n'))
    return result
  }
}
