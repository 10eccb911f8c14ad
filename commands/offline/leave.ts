// nextroot offline leave: run by nextroot-offline-leave.service in update mode; not for people.
import {BaseCommand} from '../../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../../src/cli/flags.js'
import type {LeaveOrder} from '../../src/offline/execute.js'
import {leaveUpdateMode} from '../../src/offline/leave.js'
import {switchIntoStaged} from '../../src/reboot/into-staged.js'

export default class OfflineLeave extends BaseCommand {
  static override hidden = true
  static override summary =
    'Leave update mode the way the update decided (run by nextroot-offline-leave.service).'
  static override description =
    'Asks for the soft or full reboot `nextroot offline execute` wrote down; with none written down it does nothing.'
  static override examples = [
    {description: 'What the leave unit runs', command: '<%= config.bin %> offline leave'},
  ]

  static override flags = {...locationFlags}

  /** Prints before the switch it requests (which ends this process), so it returns nothing to print then. */
  async run(): Promise<{order?: LeaveOrder} | undefined> {
    const {flags} = await this.parse(OfflineLeave)
    const order = await leaveUpdateMode(locationsFrom(flags), switchIntoStaged)
    this.log(
      order ? `nextroot: leaving update mode by ${order.how}` : 'nextroot: no way out was written down',
    )
    return {order}
  }
}
