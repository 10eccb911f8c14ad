// nextroot unstage: withdraw the staged root so the next reboot is a full one.
import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {renderUnstaged} from '../src/cli/render-stage.js'
import {unstage, type UnstageResult} from '../src/stage/unstage.js'

export default class Unstage extends BaseCommand {
  static override summary =
    'Withdraw the staged root (disarming a switch armed for it) and delete its unpacked tree.'
  static override description =
    'Idempotent: when nothing is staged it says so and succeeds. A switch left armed (a --when= schedule) is disarmed and its schedule cancelled. Anything at /run/nextroot that nextroot did not put there is left alone and reported.'
  static override examples = [
    {
      description: 'Forget the staged root (a plain reboot is a full one either way)',
      command: '<%= config.bin %> unstage',
    },
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
