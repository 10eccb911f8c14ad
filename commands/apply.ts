// nextroot apply: do what the plan says (nothing, restarts, a soft or a full reboot), capped by --max.
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {renderApply} from '../src/cli/render-apply.js'
import {type ApplyResult, apply} from '../src/fleet/apply.js'
import {MAX_STEPS} from '../src/plan/cap.js'

export default class Apply extends BaseCommand {
  static override summary = 'Do what `nextroot plan` says: nothing, restart services, soft-reboot or reboot.'
  static override description = `The one verb for automation (kured, Ansible, cron). It plans, then takes the step with the command that owns it: \`nextroot restart\` for services (system and users' managers), \`nextroot reboot\` for a soft reboot (into the staged root or the same root, after its preflight) or a full reboot.

--max caps the step: in a window that allows restarts but no reboot, --max restart does the restarts and exits 23 with what is still pending. Idempotent: after a completed apply the plan says nothing, and apply does nothing and says so (exit 0).

Exit codes: 0 done (or nothing to do; a switch is triggered and this process ends with it), 22 some restarts failed, 23 a heavier step than --max is still pending, others as in the README. \`nextroot reboot --auto\` is an alias of this command.`

  static override examples = [
    {description: 'See what it would do', command: '<%= config.bin %> apply --dry-run'},
    {description: 'Do it', command: 'sudo <%= config.bin %> apply'},
    {description: 'A window for restarts only', command: 'sudo <%= config.bin %> apply --max restart'},
    {description: 'Reboot (soft or full) tonight', command: "sudo <%= config.bin %> apply --when '03:00'"},
    {description: 'In automation', command: 'sudo <%= config.bin %> apply --json | jq .result.does'},
  ]

  static override flags = {
    max: Flags.option({
      options: MAX_STEPS,
      default: 'reboot' as const,
      summary: 'The heaviest step allowed: restart, soft-reboot or reboot.',
    })(),
    when: Flags.string({
      summary: "Schedule the soft or full reboot (systemctl's --when=, e.g. 'tomorrow 03:00'); not restarts.",
    }),
    'dry-run': Flags.boolean({summary: 'Print what would be done, step by step; change nothing.'}),
    force: Flags.boolean({
      summary: "Passed to the switch: go ahead despite the check's blockers or inhibitors.",
    }),
    ...locationFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Apply)
    const print = (result: ApplyResult) =>
      this.printBeforeSwitch(result, renderApply(result), result.reboot?.warnings ?? [])
    const result = await apply({
      ...locationsFrom(flags),
      max: flags.max,
      when: flags.when,
      dryRun: flags['dry-run'],
      force: flags.force,
      announce: print,
    })
    this.successExit = result.exitCode
    // a switch was announced before its trigger; everything else is printed here
    if (!result.reboot || result.dryRun) await print(result)
  }
}
