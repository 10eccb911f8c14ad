// Shared behaviour of every command: --json envelope with a schema version, and one exit code per error in both modes.
import {Command} from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'
import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'

import {EXIT, NextrootError, isNextrootError} from '../errors.js'
import {type LogLevel, logLevel, setLogLevel} from '../log.js'

/** Version of every --json document nextroot prints; bumped only on incompatible changes. */
export const SCHEMA_VERSION = 1

export interface ErrorBody {
  code: string
  message: string
  exitCode: number
  hints: string[]
  details: Record<string, unknown>
}

/** oclif rethrows the plain Error of a flag's own parser (e.g. `exists: true`) with this message. */
const FLAG_PARSE_ERROR = /^Parsing --(\S+) \n\t([^\n]*)/

/** Converts anything thrown into the stable error shape (unknown errors become NR_INTERNAL, parse errors NR_USAGE). */
export function toNextrootError(error: unknown): NextrootError {
  if (isNextrootError(error)) return error
  const flagParse = error instanceof Error ? FLAG_PARSE_ERROR.exec(error.message) : null
  if (flagParse) {
    return new NextrootError('NR_USAGE', `--${flagParse[1]}: ${flagParse[2]}`, {
      hints: ['See --help for usage and examples.'],
      cause: error,
    })
  }

  if (error instanceof Errors.CLIError) {
    return new NextrootError('NR_USAGE', error.message.replace(/^Error: /, ''), {
      hints: ['See --help for usage and examples.'],
      cause: error,
    })
  }

  const message = error instanceof Error ? error.message : String(error)
  return new NextrootError('NR_INTERNAL', `Unexpected error: ${message}`, {
    hints: ['This is a bug in nextroot; run again with DEBUG=nextroot for the stack trace and report it.'],
    cause: error,
  })
}

const LEVELS: readonly LogLevel[] = ['quiet', 'info', 'debug']

/** The --log-level value in argv (either form), before oclif parses it; a bad value is left to the parser. */
export function logLevelFromArgv(argv: string[]): LogLevel | undefined {
  const at = argv.findIndex((arg) => arg === '--log-level' || arg.startsWith('--log-level='))
  if (at === -1) return undefined
  const value = argv[at].includes('=') ? argv[at].split('=')[1] : argv[at + 1]
  return LEVELS.find((level) => level === value)
}

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true
  static override baseFlags = {
    'log-level': Flags.option({
      options: ['quiet', 'info', 'debug'] as const,
      default: 'info' as const,
      helpGroup: 'GLOBAL',
      summary: 'How much to print on stderr (progress, warnings).',
    })(),
  }

  /** Exit code of a successful run (commands such as `check` set it from their verdict). */
  protected successExit: number = EXIT.ok

  /** --log-level, read before the command runs: debug traces commands and swallowed errors, quiet hides warnings. */
  override async init(): Promise<void> {
    await super.init()
    const level = logLevelFromArgv(this.argv)
    if (level) setLogLevel(level)
  }

  /** A warning on standard error, unless --log-level quiet. */
  protected warning(message: string): void {
    if (logLevel() !== 'quiet') this.logToStderr(`warning: ${message}`)
  }

  /** Prints a result and waits until stdout has taken it: the switch triggered next kills this process. */
  protected async printBeforeSwitch(result: unknown, text: string, warnings: string[]): Promise<void> {
    for (const warning of warnings) this.warning(warning)
    if (this.jsonEnabled()) this.logJson(this.toSuccessJson(result))
    else this.log(text)
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()))
  }

  protected override toSuccessJson(result: unknown): unknown {
    return {schemaVersion: SCHEMA_VERSION, command: this.id, ok: true, result}
  }

  protected override toErrorJson(error: unknown): unknown {
    const nr = toNextrootError(error)
    const body: ErrorBody = {
      code: nr.code,
      message: nr.message,
      exitCode: nr.exitCode,
      hints: nr.hints,
      details: nr.details,
    }
    return {schemaVersion: SCHEMA_VERSION, command: this.id, ok: false, error: body}
  }

  /** One exit code for both modes: the error's own, from the table (oclif would disagree otherwise). */
  protected override async catch(error: Interfaces.CommandError): Promise<void> {
    const nr = toNextrootError(error)
    process.exitCode = nr.exitCode
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(nr))
      return
    }

    this.logToStderr(`nextroot: error ${nr.code}: ${nr.message}`)
    for (const hint of nr.hints) this.logToStderr(`  hint: ${hint}`)
    if (process.env.DEBUG?.includes('nextroot') && nr.cause instanceof Error)
      this.logToStderr(nr.cause.stack ?? '')
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    if (!error && process.exitCode === undefined) process.exitCode = this.successExit
    await super.finally(error)
  }
}
