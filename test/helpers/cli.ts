// Runs the built CLI (tsc output started by bin/run.js, as users run it): exit code, output, --json document.
import {rmSync} from 'node:fs'
import {access, copyFile, mkdir, symlink} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {execa, type Options, type ResultPromise} from 'execa'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON when it is a JSON document. */
  json?: JsonEnvelope
}

export interface JsonEnvelope {
  schemaVersion: number
  command: string
  ok: boolean
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  result?: any
  error?: {code: string; message: string; exitCode: number; hints: string[]; details: Record<string, unknown>}
}

export interface CliOptions {
  /** Standard input (a string, a buffer, or a file to read it from). */
  input?: string | Buffer
  inputFile?: string
  /** Run as this user (through setpriv) instead of root. */
  user?: {uid: string; gid: string}
  env?: Record<string, string>
  /** Working directory (default: the repository). */
  cwd?: string
}

/**
 * The CLI as users run it (tsc output + bin/run.js + package.json + units/), built privately for this test process:
 * dist/ in the work tree is rebuilt by other people's `npm run build` at any moment.
 */
const CLI_ROOT = join(tmpdir(), `nextroot-cli-${process.pid}`)
const BIN = join(CLI_ROOT, 'bin/run.js')

let built: Promise<void> | undefined

/** Builds the CLI once per process (emit only: type errors are the type-check's business). */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    process.once('exit', () => rmSync(CLI_ROOT, {recursive: true, force: true}))
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc')
    const emitOnly = ['--noCheck', '--declaration', 'false', '--sourceMap', 'false']
    const outDir = join(CLI_ROOT, 'dist')
    await execa(process.execPath, [tsc, '-p', REPO, ...emitOnly, '--outDir', outDir], {reject: false})
    await access(join(CLI_ROOT, 'dist/commands/stage.js'))
    await mkdir(join(CLI_ROOT, 'bin'))
    await copyFile(join(REPO, 'bin/run.js'), BIN)
    await copyFile(join(REPO, 'package.json'), join(CLI_ROOT, 'package.json'))
    await symlink(join(REPO, 'node_modules'), join(CLI_ROOT, 'node_modules'))
    await symlink(join(REPO, 'units'), join(CLI_ROOT, 'units'))
  })()
  return built
}

function command(args: string[], options: CliOptions): [string, string[]] {
  if (!options.user) return [process.execPath, [BIN, ...args]]
  const {uid, gid} = options.user
  return ['setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', process.execPath, BIN, ...args]]
}

function execaOptions(options: CliOptions): Options {
  return {
    cwd: options.cwd ?? REPO,
    reject: false,
    env: {FORCE_COLOR: '0', ...options.env},
    ...(options.inputFile ? {inputFile: options.inputFile} : {input: options.input ?? ''}),
  }
}

function parseJson(stdout: string): JsonEnvelope | undefined {
  try {
    return JSON.parse(stdout) as JsonEnvelope
  } catch {
    return undefined
  }
}

/** Runs `nextroot ARGS...` to completion. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  await ensureBuilt()
  const [file, argv] = command(args, options)
  const result = await execa(file, argv, execaOptions(options))
  const stdout = String(result.stdout)
  return {exitCode: result.exitCode ?? -1, stdout, stderr: String(result.stderr), json: parseJson(stdout)}
}

type Running = ResultPromise<{stdin: 'pipe'; reject: false; cwd: string; env: Record<string, string>}>

/** A CLI process started by startCli: its stdin is open, `result` settles when it exits. */
export interface StartedCli {
  child: Running
  result(): Promise<CliResult>
}

/**
 * Starts `nextroot ARGS...` with a writable stdin, for tests that feed, interrupt or kill it.
 * (Wrapped in an object: returning the subprocess itself from an async function would wait for its exit.)
 */
export async function startCli(args: string[]): Promise<StartedCli> {
  await ensureBuilt()
  const child: Running = execa(process.execPath, [BIN, ...args], {
    stdin: 'pipe',
    reject: false,
    cwd: REPO,
    env: {FORCE_COLOR: '0'},
  })
  return {
    child,
    async result() {
      const done = await child
      const stdout = String(done.stdout)
      return {exitCode: done.exitCode ?? -1, stdout, stderr: String(done.stderr), json: parseJson(stdout)}
    },
  }
}
