// nextroot plan: the lightest step that makes pending changes run, and why.
import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {renderPlan} from '../src/cli/render-plan.js'
import {plan, type PlanResult} from '../src/plan/plan.js'

export default class Plan extends BaseCommand {
  static override summary =
    'Say what is needed to run what is pending: nothing, restarts, a soft or a full reboot.'
  static override description = `Compares the running system with what is pending and answers with one action and its reasons:
  none           nothing pending needs a restart
  restart-units  services run replaced code; restarting them is enough (listed)
  soft-reboot    into the staged root, or into the same root after an in-place upgrade of glibc, systemd, dbus...
  reboot         a new kernel, kernel command line, microcode or firmware is pending, or the staged root lacks
                 modules for the running kernel: only a full reboot activates it
\`nextroot apply\` acts on the same decision; \`nextroot needs-reboot\` reads it as an exit code. Exit 0 whatever the action; read it from --json (.result.action).`

  static override examples = [
    {description: 'After an upgrade', command: '<%= config.bin %> plan'},
    {description: 'In automation', command: '<%= config.bin %> plan --json | jq -r .result.action'},
  ]

  static override flags = {...locationFlags}

  async run(): Promise<PlanResult> {
    const {flags} = await this.parse(Plan)
    const result = await plan(locationsFrom(flags))
    this.log(renderPlan(result))
    return result
  }
}
