// The single place nextroot starts external programs: same environment, same error shape, no shell.
import {execa, type ResultPromise} from 'execa'

import {NextrootError, errnoCode} from '../errors.js'

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

/** Runs a program to completion and returns its output; a non-zero exit not listed as ok is an error. */
export async function run(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  let result
  try {
    result = await execa(file, args, {
      cwd: options.cwd,
      input: options.input,
      env: CHILD_ENV,
      reject: false,
      stripFinalNewline: true,
      timeout: options.timeoutMs,
    })
  } catch (error) {
    throw errnoCode(error) === 'ENOENT' ? missingTool(file, error) : error
  }

  if (result.failed && errnoCode(result.cause) === 'ENOENT') throw missingTool(file, result.cause)
  const exitCode = result.exitCode ?? -1
  if (exitCode !== 0 && !(options.okExitCodes ?? []).includes(exitCode)) {
    const reason = result.timedOut
      ? `timed out after ${options.timeoutMs} ms`
      : result.signal
        ? `was killed by ${result.signal}`
        : `exited with code ${exitCode}`
    throw new NextrootError('NR_COMMAND_FAILED', `'${[file, ...args].join(' ')}' ${reason}.`, {
      details: {command: [file, ...args], exitCode, stderr: String(result.stderr).slice(-STDERR_TAIL)},
      hints: String(result.stderr).trim() ? [String(result.stderr).trim().slice(-STDERR_TAIL)] : [],
    })
  }

  return {stdout: String(result.stdout), stderr: String(result.stderr), exitCode}
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
  return execa(file, args, {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: {stdout: false, stderr: true},
    env: CHILD_ENV,
    reject: false,
  })
}
