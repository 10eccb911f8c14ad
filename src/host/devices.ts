// Device numbers as "major:minor", the form /proc/PID/mountinfo uses: pinning is judged by device, never by
// path, because a survivor's paths read like the new root's while its files are the old root's.
import {stat} from 'node:fs/promises'

import {unlessAbsent} from '../absent.js'

/** glibc's major()/minor() of a dev_t. */
export function deviceName(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn)
  return `${major}:${minor}`
}

/** /proc/PID/maps writes devices as hex "fe:00"; this is "254:0". */
export function deviceFromHex(field: string): string {
  const [major = '0', minor = '0'] = field.split(':')
  return `${Number.parseInt(major, 16)}:${Number.parseInt(minor, 16)}`
}

/** The device holding `path` (following symlinks), or undefined when nothing is there. */
export async function deviceOf(path: string): Promise<string | undefined> {
  const stats = await unlessAbsent(path, stat(path, {bigint: true}))
  return stats && deviceName(stats.dev)
}

/** "dev:ino" of `path`: two paths with the same identity are the same directory (e.g. the running root). */
export async function identityOf(path: string): Promise<string> {
  const stats = await stat(path)
  return `${stats.dev}:${stats.ino}`
}

/** identityOf, or undefined when nothing is at `path`. */
export async function inodeOf(path: string): Promise<string | undefined> {
  return unlessAbsent(path, identityOf(path))
}
