// Runs the built CLI (bin/run.js, what users run) and returns its exit code, output and parsed --json document.
import {readdir, stat} from 'node:fs/promises'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {execa, type Options, type ResultPromise} from 'execa'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const BIN = join(REPO, 'bin/run.js')

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
}

async function newest(dir: string): Promise<number> {
  let latest = 0
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (entry.isFile()) latest = Math.max(latest, (await stat(join(entry.parentPath, entry.name))).mtimeMs)
  }

  return latest
}

let built: Promise<void> | undefined

/** Builds dist/ once per process, when it is missing or older than the sources. */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    const sources = Math.max(await newest(join(REPO, 'src')), await newest(join(REPO, 'commands')))
    const output = await stat(join(REPO, 'dist/commands/stage.js')).then(
      (s) => s.mtimeMs,
      () => 0,
    )
    const outputs = output === 0 ? 0 : await newest(join(REPO, 'dist'))
    if (output === 0 || outputs < sources) await execa('npm', ['run', 'build'], {cwd: REPO})
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
    cwd: REPO,
    reject: false,
    env: {NO_COLOR: '1', ...options.env},
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

/** Starts `nextroot ARGS...` with a writable stdin, for tests that feed, interrupt or kill it. */
export async function startCli(
  args: string[],
): Promise<ResultPromise<{stdin: 'pipe'; reject: false; cwd: string}>> {
  await ensureBuilt()
  return execa(process.execPath, [BIN, ...args], {stdin: 'pipe', reject: false, cwd: REPO})
}

/** The result of a process started by startCli. */
export async function finished(child: Awaited<ReturnType<typeof startCli>>): Promise<CliResult> {
  const result = await child
  const stdout = String(result.stdout)
  return {exitCode: result.exitCode ?? -1, stdout, stderr: String(result.stderr), json: parseJson(stdout)}
}
