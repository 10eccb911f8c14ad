// nextroot unstage: withdraw the staged root so the next reboot is a full one.
import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {renderUnstaged} from '../src/cli/render-stage.js'
import {unstage, type UnstageResult} from '../src/stage/unstage.js'

export default class Unstage extends BaseCommand {
  static override summary = 'Withdraw the staged root from /run/nextroot and delete its unpacked tree.'
  static override description =
    'Idempotent: when nothing is staged it says so and succeeds. A mount at /run/nextroot that nextroot did not make is left alone and reported.'
  static override examples = [
    {description: 'Make sure the next reboot is a full one', command: '<%= config.bin %> unstage'},
  ]

  static override flags = {...locationFlags}

  async run(): Promise<UnstageResult> {
    const {flags} = await this.parse(Unstage)
    const result = await unstage(locationsFrom(flags))
    for (const warning of result.warnings) this.warning(warning)
    this.log(renderUnstaged(result))
    return result
  }
}
