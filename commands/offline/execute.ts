// nextroot offline execute: run by nextroot-offline-update.service in update mode; not for people.
import {BaseCommand} from '../../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../../src/cli/flags.js'
import {renderOfflineRecord} from '../../src/cli/render-offline.js'
import {type ExecuteResult, executeOffline} from '../../src/offline/execute.js'

export default class OfflineExecute extends BaseCommand {
  static override hidden = true
  static override summary =
    'Install the prepared offline update (run by nextroot-offline-update.service in update mode).'
  static override description =
    "Removes /system-update first, snapshots a btrfs root, installs, records the outcome and writes the way out for nextroot-offline-leave.service. Exits 0 without doing anything when /system-update is not nextroot's."
  static override examples = [
    {description: 'What the update unit runs', command: '<%= config.bin %> offline execute'},
  ]

  static override flags = {...locationFlags}

  async run(): Promise<ExecuteResult> {
    const {flags} = await this.parse(OfflineExecute)
    const result = await executeOffline(locationsFrom(flags))
    this.log(
      result.record ? renderOfflineRecord(result.record) : `nextroot: nothing installed: ${result.skipped}`,
    )
    return result
  }
}
