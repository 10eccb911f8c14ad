// nextroot after-switch: run by nextroot-after-switch.service in the new userspace; not for people.
import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {renderHistory} from '../src/cli/render-reboot.js'
import {renderOfflineRecord} from '../src/cli/render-offline.js'
import {afterSwitch, type AfterSwitchResult} from '../src/history/after-switch.js'
import {finishOffline} from '../src/offline/finish.js'
import type {OfflineRecord} from '../src/offline/record.js'

export default class AfterSwitch extends BaseCommand {
  static override hidden = true
  static override summary =
    'Check and record the switch nextroot reboot made (run by nextroot-after-switch.service).'
  static override description =
    'nextroot-after-switch.service runs it in the new userspace with the --state-dir and --nextroot that `nextroot reboot` ran with. With no switch pending it does nothing. After a healthy switch out of update mode (an offline update of a root image) it also closes that update, as the new root has no offline units of its own.'

  static override examples = [
    {
      description: 'What the armed unit runs after `nextroot reboot --state-dir /srv/nextroot`',
      command: '<%= config.bin %> after-switch --state-dir /srv/nextroot --nextroot /run/nextroot',
    },
  ]

  static override flags = {...locationFlags}

  async run(): Promise<AfterSwitchResult & {offline: OfflineRecord[]}> {
    const {flags} = await this.parse(AfterSwitch)
    const result = await afterSwitch(locationsFrom(flags))
    this.log(result.entry ? renderHistory([result.entry]) : 'No switch was pending.')
    const healthy = result.entry?.outcome === 'healthy'
    const offline = healthy ? await finishOffline(locationsFrom(flags)) : []
    if (offline.length > 0) this.log(offline.map(renderOfflineRecord).join('\n'))
    return {...result, offline}
  }
}
