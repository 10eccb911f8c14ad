// nextroot lint: unit files and packaging scriptlets checked against the rules for safe restarts and soft reboots.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {renderGithub, renderLint, renderRules, renderSarif} from '../src/cli/render-lint.js'
import {EXIT} from '../src/errors.js'
import {RULE_CATALOG, type RuleInfo} from '../src/lint/catalog.js'
import {type LintResult, lint} from '../src/lint/lint.js'

export default class Lint extends BaseCommand {
  static override summary =
    'Check unit files and packaging scriptlets against the rules for safe restarts and soft reboots.'
  static override description = `PATH is a unit file (.service, .socket, .mount, ...), a drop-in (NAME.d/*.conf), an RPM .spec file, a Debian maintainer script (postinst, prerm, postrm, preinst, or PACKAGE.postinst), or a directory of them. Unit files and drop-ins are merged the way systemd merges them; --root DIR lints an image tree's whole unit search path, --system this machine's.

The rules: the packaging guidelines for unit files (ExecStart=, Type=, BusName=, ExecReload=, [Install] targets, Names=, requirement without ordering, outdated forms), what systemd 258 removed (runlevel targets, the "!!" prefix, /run/lock), the soft-reboot survival rules (the same implementation and ids as \`nextroot check\`), and scriptlets (the systemd macros or deb-systemd-invoke instead of systemctl, try-restart, no enabling against the admin, no live restart of D-Bus, logind and the like, user-unit macros). systemd-analyze verify's findings are merged in where it is installed (--no-verify skips it).

A rule is turned off for one file by a comment "# nextroot-lint: disable=ID[,ID]", and for everything linted by "disable=ID ..." lines in --config FILE or in nextroot-lint.conf at the top of a linted directory or root.

Exit codes: 0 no errors (warnings too under --strict), 24 errors found, 25 warnings found under --strict.`

  static override examples = [
    {description: "A package's units and scripts", command: '<%= config.bin %> lint debian/ foo.service'},
    {
      description: 'An image tree, for CI annotations on GitHub',
      command: '<%= config.bin %> lint --root ./rootfs --format github',
    },
    {
      description: 'SARIF for code scanning',
      command: '<%= config.bin %> lint packaging/ --format sarif > lint.sarif',
    },
    {
      description: 'Every rule, with its rationale and source',
      command: '<%= config.bin %> lint --list-rules',
    },
  ]

  static override strict = false
  static override args = {paths: Args.string({description: 'Unit files, drop-ins, scripts or directories.'})}

  static override flags = {
    root: Flags.directory({
      summary: "Lint this root's unit search path (an image tree).",
      exists: true,
      exclusive: ['system'],
    }),
    system: Flags.boolean({summary: "Lint this machine's installed units (--root /)."}),
    verify: Flags.boolean({
      summary: 'Merge systemd-analyze verify findings (where installed).',
      default: true,
      allowNo: true,
    }),
    strict: Flags.boolean({summary: 'Exit with 25 when warnings are found.'}),
    format: Flags.option({
      options: ['text', 'github', 'sarif'] as const,
      default: 'text' as const,
      summary: 'Report format (--json has its own).',
    })(),
    config: Flags.file({summary: 'A config file of disable=ID lines.', exists: true}),
    'list-rules': Flags.boolean({summary: 'Print every rule with its severity, rationale and source.'}),
  }

  async run(): Promise<LintResult | {rules: RuleInfo[]}> {
    const {argv, flags} = await this.parse(Lint)
    if (flags['list-rules']) {
      this.log(renderRules())
      return {rules: RULE_CATALOG}
    }
    const root = flags.system ? '/' : flags.root
    const result = await lint({paths: argv as string[], root, verify: flags.verify, config: flags.config})
    this.successExit =
      result.counts.error > 0
        ? EXIT.lintErrors
        : flags.strict && result.counts.warning > 0
          ? EXIT.lintWarnings
          : EXIT.ok
    if (flags.format === 'github') this.log(renderGithub(result))
    else if (flags.format === 'sarif') this.log(renderSarif(result, this.config.version))
    else this.log(renderLint(result))
    return result
  }
}
