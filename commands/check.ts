// nextroot check: can this machine soft-reboot into the staged root, and what survives the switch?
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {renderCheck} from '../src/cli/render-check.js'
import {EXIT} from '../src/errors.js'
import {check, type CheckResult} from '../src/check/check.js'

export default class Check extends BaseCommand {
  static override summary =
    'Check whether this machine can soft-reboot into the staged root, and what survives.'
  static override description = `Reads the running systemd (batched systemctl show), /proc and the staged tree, and reports findings by unit with a severity (blocker, warning, info), a reason and a hint: systemd's soft-reboot support, the staged root, units meant to survive the switch and the rules they must follow, survivors that keep the old root's file system pinned, running services the new root will not bring back, and kernel modules.

Exit codes: 0 ready (also ready with warnings, unless --strict), 20 blocked, 21 ready with warnings under --strict.`

  static override examples = [
    {description: 'Before a soft reboot', command: '<%= config.bin %> check'},
    {
      description: 'In automation: refuse on warnings too',
      command: '<%= config.bin %> check --strict --json',
    },
  ]

  static override flags = {
    strict: Flags.boolean({summary: 'Exit with 21 when the verdict is "ready with warnings".'}),
    ...locationFlags,
  }

  async run(): Promise<CheckResult> {
    const {flags} = await this.parse(Check)
    const result = await check(locationsFrom(flags))
    this.successExit =
      result.verdict === 'blocked'
        ? EXIT.checkBlocked
        : result.verdict === 'ready-with-warnings' && flags.strict
          ? EXIT.checkWarnings
          : EXIT.ok
    this.log(renderCheck(result))
    return result
  }
}
