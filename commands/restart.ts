// nextroot restart: after an in-place upgrade, restart what runs replaced code, system and user services.
import * as Flags from '@oclif/core/flags'

import {type RestartResult, restart} from '../src/act/restart.js'
import {EVERYTHING, type Scope} from '../src/act/scope.js'
import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {renderRestart} from '../src/cli/render-restart.js'
import {orUnknown} from '../src/absent.js'
import {journalWrite} from '../src/systemd/journal.js'

export default class Restart extends BaseCommand {
  static override summary = 'Restart the services an upgrade left running old code, in every service manager.'
  static override description = `Finds what needs a restart from three sources, each reported as evidence: systemd's markers (needs-restart, needs-reload; set by package scriptlets), the unit's own X-RestartOnUpgrade=yes|reload|no (a drop-in overrides it), and processes mapping deleted or replaced files or running a changed script. Restarts once, with try-restart semantics (a stopped unit stays stopped), reloads where only a reload is asked, in the system manager first and then in every running user manager at once (as that user, each with RESTART_USER_TIMEOUT). PID 1 and user managers running old code are re-executed. The D-Bus daemon, logind, display managers, getty, networking and anything with RefuseManualStop=yes or RESTART_NEVER= in /etc/nextroot/nextroot.conf are left alone: a soft reboot refreshes them, and the result says so.

\`nextroot plan\` decides on the same analysis, so plan, restart --dry-run and apply agree.

Exit codes: 0 done and nothing else needed, 22 some restarts failed (each with its journal tail), 23 a soft reboot or a reboot is still needed.`

  static override examples = [
    {description: 'After apt upgrade, see what would happen', command: '<%= config.bin %> restart --dry-run'},
    {description: 'Restart system and user services', command: 'sudo <%= config.bin %> restart'},
    {description: "Only one user's services", command: 'sudo <%= config.bin %> restart --user 1000'},
    {
      description: 'In automation',
      command: 'sudo <%= config.bin %> restart --json | jq .result.remaining.action',
    },
  ]

  static override flags = {
    'dry-run': Flags.boolean({summary: 'Print what would be done; change nothing.'}),
    system: Flags.boolean({summary: 'Only the system manager (with --user: that too).'}),
    user: Flags.integer({summary: "Only this user's manager (by UID); repeatable.", multiple: true, min: 0}),
    hook: Flags.option({
      options: ['apt', 'dnf'] as const,
      summary:
        'Run from a package manager hook: step aside while the machine shuts down or another run works.',
      helpGroup: 'HOOKS',
    })(),
    ...locationFlags,
  }

  async run(): Promise<RestartResult> {
    const {flags} = await this.parse(Restart)
    const result = await restart({
      ...locationsFrom(flags),
      dryRun: flags['dry-run'],
      scope: scopeOf(flags.system, flags.user),
      hook: flags.hook,
    })
    this.successExit = result.exitCode
    const text = renderRestart(result)
    this.log(text)
    // apt and dnf show a hook's output once; the journal keeps it (journalctl -t nextroot)
    if (flags.hook) await orUnknown('the journal', journalWrite('nextroot', text))
    return result
  }
}

function scopeOf(system: boolean, users: number[] | undefined): Scope {
  return !system && users === undefined ? EVERYTHING : {system, users: users ?? []}
}
