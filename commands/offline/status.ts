// nextroot offline status: the offline update prepared or under way, and how the last one went.
import {BaseCommand} from '../../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../../src/cli/flags.js'
import {renderOfflineStatus} from '../../src/cli/render-offline.js'
import {type OfflineStatus, offlineStatus} from '../../src/offline/status.js'

export default class OfflineStatusCommand extends BaseCommand {
  static override summary = 'Show the offline update prepared or under way, and how the last one ended.'
  static override description =
    "Phases: prepared (the next boot of any kind enters update mode), entering, updating, leaving; then installed, failed, interrupted (update mode ended while the package manager ran) or cancelled. /system-update is reported as nextroot's, someone else's (PackageKit, dnf) or absent."
  static override examples = [
    {description: 'Where the update stands', command: '<%= config.bin %> offline status'},
    {
      description: 'How the last one ended, for scripts',
      command: '<%= config.bin %> offline status --json | jq .result.last.phase',
    },
  ]

  static override flags = {...locationFlags}

  async run(): Promise<OfflineStatus> {
    const {flags} = await this.parse(OfflineStatusCommand)
    const result = await offlineStatus(locationsFrom(flags))
    this.log(renderOfflineStatus(result))
    return result
  }
}
