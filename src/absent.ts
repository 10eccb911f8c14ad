// What "not there" means, said once: a missing path is a fact to act on, any other failure is an error, or
// (where the caller says so by name) an unknown fact. Each swallowed error is traced under --log-level debug.
import {access} from 'node:fs/promises'

import {errnoCode} from './errors.js'
import {swallowed} from './log.js'

/** The path, or a directory on the way to it, does not exist. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR'])
/** Besides absent: a process in /proc that exited while it was read. */
const GONE = new Set([...ABSENT, 'ESRCH'])

export function isAbsent(error: unknown): boolean {
  return ABSENT.has(errnoCode(error) ?? '')
}

async function unless<T>(codes: Set<string>, what: string, promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise
  } catch (error) {
    if (!codes.has(errnoCode(error) ?? '')) throw error
    swallowed(what, error)
    return undefined
  }
}

/** The value, or undefined when the path is not there; any other failure is thrown. */
export function unlessAbsent<T>(what: string, promise: Promise<T>): Promise<T | undefined> {
  return unless(ABSENT, what, promise)
}

/** For /proc/PID/...: undefined when the process is gone (it may exit while it is read). */
export function unlessGone<T>(what: string, promise: Promise<T>): Promise<T | undefined> {
  return unless(GONE, what, promise)
}

/**
 * The value, or undefined when it could not be had for any reason: an unknown fact, which the caller must
 * report as unknown (never as an empty answer). The reason is traced.
 */
export async function orUnknown<T>(what: string, promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise
  } catch (error) {
    swallowed(what, error)
    return undefined
  }
}

/** Whether something is at `path` (following symlinks); a failure other than "absent" is thrown. */
export async function pathExists(path: string): Promise<boolean> {
  return (
    (await unlessAbsent(
      path,
      access(path).then(() => true),
    )) ?? false
  )
}
