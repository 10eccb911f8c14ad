// The single place nextroot starts external programs: same environment, same error shape, no shell.
import {execa, type ResultPromise} from 'execa'

import {NextrootError, errnoCode} from '../errors.js'
import {debug} from '../log.js'

/** Debian package that provides each external program, for the "install it" hint. */
const PACKAGE_OF: Record<string, string> = {
  gpgv: 'gpgv',
  mount: 'mount',
  umount: 'mount',
  losetup: 'mount',
  mknod: 'coreutils',
  setfattr: 'attr',
  setfacl: 'acl',
  zstd: 'zstd',
  xz: 'xz-utils',
  blkid: 'util-linux',
  systemctl: 'systemd',
  sync: 'coreutils',
  btrfs: 'btrfs-progs',
}

/** Environment for every child: stable, parseable output. */
const CHILD_ENV = {LC_ALL: 'C', SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '', PAGER: 'cat'}

const STDERR_TAIL = 1024

export interface RunOptions {
  cwd?: string
  input?: string | Buffer
  /** Exit codes that are answers, not failures (e.g. `systemctl is-active` -> 3). */
  okExitCodes?: number[]
  timeoutMs?: number
  /** Added to the stable environment (DEBIAN_FRONTEND=noninteractive, say). */
  env?: Record<string, string>
  /** Also copy the output to ours as it comes (in a unit: to the journal), besides capturing it. */
  passthrough?: boolean
}

export interface RunResult {
  stdout: string
  stderr: string
  exitCode: number
}

function missingTool(file: string, cause: unknown): NextrootError {
  const pkg = PACKAGE_OF[file]
  return new NextrootError('NR_MISSING_TOOL', `The program '${file}' is needed but was not found on PATH.`, {
    hints: [pkg ? `Install it (Debian: apt-get install ${pkg}).` : `Install '${file}'.`],
    cause,
  })
}

/** argv as a shell would need it quoted, for the trace and for messages. */
export function shellWords(argv: string[]): string {
  return argv
    .map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`))
    .join(' ')
}

/** Runs a program to completion and returns its output; a non-zero exit not listed as ok is an error. */
export async function run(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now()
  const result = await spawn(file, args, options)
  const exitCode = result.exitCode ?? -1
  const how = result.timedOut
    ? 'timed out'
    : result.signal
      ? `killed by ${result.signal}`
      : `exit ${exitCode}`
  debug(`ran ${shellWords([file, ...args])}: ${how}, ${Math.round(performance.now() - started)} ms`)
  if (exitCode !== 0 && !(options.okExitCodes ?? []).includes(exitCode))
    throw commandFailed(file, args, result, options)
  return {stdout: String(result.stdout), stderr: String(result.stderr), exitCode}
}

async function spawn(file: string, args: string[], options: RunOptions) {
  let result
  try {
    result = await execa(file, args, {
      cwd: options.cwd,
      input: options.input,
      env: {...CHILD_ENV, ...options.env},
      reject: false,
      stripFinalNewline: true,
      timeout: options.timeoutMs,
      ...(options.passthrough ? {stdout: ['pipe', 'inherit'], stderr: ['pipe', 'inherit']} : {}),
    })
  } catch (error) {
    throw errnoCode(error) === 'ENOENT' ? missingTool(file, error) : error
  }

  if (result.failed && errnoCode(result.cause) === 'ENOENT') {
    debug(`ran ${shellWords([file, ...args])}: not found`)
    throw missingTool(file, result.cause)
  }

  return result
}

type Finished = Awaited<ReturnType<typeof spawn>>

function commandFailed(file: string, args: string[], result: Finished, options: RunOptions): NextrootError {
  const exitCode = result.exitCode ?? -1
  const reason = result.timedOut
    ? `timed out after ${options.timeoutMs} ms`
    : result.signal
      ? `was killed by ${result.signal}`
      : `exited with code ${exitCode}`
  const stderr = String(result.stderr)
  return new NextrootError('NR_COMMAND_FAILED', `'${shellWords([file, ...args])}' ${reason}.`, {
    details: {command: [file, ...args], exitCode, stderr: stderr.slice(-STDERR_TAIL)},
    hints: stderr.trim() ? [stderr.trim().slice(-STDERR_TAIL)] : [],
  })
}

/** Starts a long-running filter (e.g. a decompressor) whose stdin/stdout the caller streams through. */
export function spawnFilter(
  file: string,
  args: string[],
): ResultPromise<{
  stdin: 'pipe'
  stdout: 'pipe'
  stderr: 'pipe'
  buffer: {stdout: false; stderr: true}
  env: typeof CHILD_ENV
  reject: false
}> {
  debug(`started ${shellWords([file, ...args])} (a filter streamed through)`)
  return execa(file, args, {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: {stdout: false, stderr: true},
    env: CHILD_ENV,
    reject: false,
  })
}
