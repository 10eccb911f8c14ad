// nextroot offline finish: run by nextroot-offline-finish.service back in normal mode; not for people.
import {BaseCommand} from '../../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../../src/cli/flags.js'
import {renderOfflineRecord} from '../../src/cli/render-offline.js'
import {finishOffline} from '../../src/offline/finish.js'
import type {OfflineRecord} from '../../src/offline/record.js'

export default class OfflineFinish extends BaseCommand {
  static override hidden = true
  static override summary =
    'Record the offline update once back in normal mode (run by nextroot-offline-finish.service).'
  static override description =
    'Waits for the system to settle, times the way out and the downtime, appends the record to the history and removes the payload. Also closes an update a power loss cut off.'
  static override examples = [
    {description: 'What the finish unit runs', command: '<%= config.bin %> offline finish'},
  ]

  static override flags = {...locationFlags}

  async run(): Promise<{closed: OfflineRecord[]}> {
    const {flags} = await this.parse(OfflineFinish)
    const closed = await finishOffline(locationsFrom(flags))
    this.log(
      closed.length > 0
        ? closed.map(renderOfflineRecord).join('\n')
        : 'nextroot: no offline update to record',
    )
    return {closed}
  }
}
