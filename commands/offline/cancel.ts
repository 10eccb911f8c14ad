// nextroot offline cancel: remove /system-update and the prepared payload.
import {BaseCommand} from '../../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../../src/cli/flags.js'
import {renderCancelled} from '../../src/cli/render-offline.js'
import {type CancelResult, cancelOffline} from '../../src/offline/cancel.js'

export default class OfflineCancel extends BaseCommand {
  static override summary = 'Cancel the prepared offline update: remove /system-update, then the payload.'
  static override description =
    "Idempotent: with nothing prepared it says so and succeeds. Refused while update mode installs the update or records it (NR_OFFLINE_RUNNING), and for someone else's /system-update (NR_OFFLINE_FOREIGN). The cancellation is recorded in the history."
  static override examples = [
    {description: 'Do not install it after all', command: 'sudo <%= config.bin %> offline cancel'},
  ]

  static override flags = {...locationFlags}

  async run(): Promise<CancelResult> {
    const {flags} = await this.parse(OfflineCancel)
    const result = await cancelOffline(locationsFrom(flags))
    this.log(renderCancelled(result))
    return result
  }
}
