// One error type with stable codes, so people, scripts and --json all see the same reason and exit code.

/** The exit-code table (documented in README.md). Human and --json mode exit with the same code. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  precondition: 3,
  unsupportedHost: 4,
  invalidRoot: 5,
  verification: 6,
  unsafeArchive: 7,
  noSpace: 8,
  busy: 9,
  interrupted: 10,
  commandFailed: 11,
  /** `nextroot reboot` refused: the check found blockers, someone inhibits, or only a full reboot would do. */
  refused: 12,
  /** `nextroot check` verdicts (results, not errors): blocked, and ready with warnings under --strict. */
  checkBlocked: 20,
  checkWarnings: 21,
  /** `nextroot restart` verdicts: some restarts failed; a soft reboot or a reboot is still needed. */
  restartFailed: 22,
  rebootStillNeeded: 23,
  /** `nextroot lint` verdicts: errors found, and warnings found under --strict. */
  lintErrors: 24,
  lintWarnings: 25,
  /** `nextroot needs-reboot`: nothing pending. 1 is what fleet sentinels expect (kured: any non-zero, 1 quietly). */
  notPending: 1,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Stable error codes and the exit code each maps to. Codes never change meaning once released. */
export const ERROR_CODES = {
  NR_INTERNAL: EXIT.internal,
  NR_USAGE: EXIT.usage,
  NR_BAD_CONFIG: EXIT.usage,
  NR_NOT_ROOT: EXIT.precondition,
  NR_MISSING_TOOL: EXIT.precondition,
  NR_SOURCE_NOT_FOUND: EXIT.precondition,
  NR_NOTHING_STAGED: EXIT.precondition,
  NR_NEXTROOT_IN_USE: EXIT.precondition,
  NR_STAGED_STALE: EXIT.precondition,
  NR_SWITCH_ARMED: EXIT.precondition,
  NR_OFFLINE_FOREIGN: EXIT.precondition,
  NR_NO_SYSTEMD: EXIT.unsupportedHost,
  NR_NO_SOFT_REBOOT: EXIT.unsupportedHost,
  NR_NOT_OS_TREE: EXIT.invalidRoot,
  NR_NO_INIT: EXIT.invalidRoot,
  NR_WRONG_ARCH: EXIT.invalidRoot,
  NR_RUNNING_ROOT: EXIT.invalidRoot,
  NR_UNKNOWN_SOURCE: EXIT.invalidRoot,
  NR_DIGEST_MISMATCH: EXIT.verification,
  NR_CHECKSUM_NOT_LISTED: EXIT.verification,
  NR_SIGNATURE_INVALID: EXIT.verification,
  NR_UNSAFE_PATH: EXIT.unsafeArchive,
  NR_UNSAFE_LINK: EXIT.unsafeArchive,
  NR_UNSUPPORTED_ENTRY: EXIT.unsafeArchive,
  NR_ARCHIVE_CORRUPT: EXIT.unsafeArchive,
  NR_ARCHIVE_TRUNCATED: EXIT.unsafeArchive,
  NR_NO_SPACE: EXIT.noSpace,
  NR_LOCKED: EXIT.busy,
  NR_OFFLINE_RUNNING: EXIT.busy,
  NR_INTERRUPTED: EXIT.interrupted,
  NR_COMMAND_FAILED: EXIT.commandFailed,
  NR_MOUNT_FAILED: EXIT.commandFailed,
  NR_NOT_READY: EXIT.refused,
  NR_INHIBITED: EXIT.refused,
  NR_FULL_REBOOT_NEEDED: EXIT.refused,
  NR_STAGED_CHANGED: EXIT.refused,
  NR_CANNOT_PERSIST: EXIT.refused,
  NR_OFFLINE_UNINSTALLABLE: EXIT.refused,
} as const satisfies Record<string, ExitCode>

export type ErrorCode = keyof typeof ERROR_CODES

export interface ErrorOptions {
  /** What the user can do about it; one line each. */
  hints?: string[]
  /** Machine-readable facts behind the error (sizes, paths, digests). */
  details?: Record<string, unknown>
  cause?: unknown
}

/** The only error nextroot throws on purpose. Carries a stable code and the exit code from the table. */
export class NextrootError extends Error {
  readonly code: ErrorCode
  readonly exitCode: ExitCode
  readonly hints: string[]
  readonly details: Record<string, unknown>
  /** oclif reads `oclif.exit` in human mode and `exitCode` in --json mode; both are set so they agree. */
  readonly oclif: {exit: number}

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'NextrootError'
    this.code = code
    this.exitCode = ERROR_CODES[code]
    this.hints = options.hints ?? []
    this.details = options.details ?? {}
    this.oclif = {exit: this.exitCode}
  }
}

export function isNextrootError(error: unknown): error is NextrootError {
  return error instanceof NextrootError
}

/** Staging stopped by Ctrl-C or SIGTERM: the same words wherever it stops. */
export function interruptedError(): NextrootError {
  return new NextrootError(
    'NR_INTERRUPTED',
    'Interrupted; nothing was staged and the previous root is untouched.',
  )
}

/** Node's error code (ENOENT, ENOSPC, ...) of an unknown thrown value, if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code
  }

  return undefined
}

/** A disk-full condition from any layer becomes NR_NO_SPACE with the place it happened. */
export function noSpaceError(where: string, cause?: unknown): NextrootError {
  return new NextrootError('NR_NO_SPACE', `The file system holding ${where} is full.`, {
    hints: ['Free space there, or point --state-dir at a larger file system, then run the command again.'],
    cause,
  })
}
