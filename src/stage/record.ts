// The staged-root record (staged.json): what is staged, from where, verified how. Written atomically,
// so a reader sees the previous record or the new one, never half of one.
import {open, readFile, rename, rm} from 'node:fs/promises'

import {errnoCode} from '../errors.js'
import type {OsRelease} from './os-release.js'
import type {VerificationMethod} from './verify.js'

export type StagedKind = 'archive' | 'directory' | 'image'

export interface StagedRecord {
  /** Store entry name (archives) or mount name (images); unique per staging. */
  id: string
  kind: StagedKind
  /** Archive, directory, image or device as given ('-' for standard input). */
  source: string
  /** Directory that is bind-mounted at the nextroot path (archive tree, or the source directory). */
  tree?: string
  fsType?: string
  compression?: string
  sha256?: string
  verified: boolean
  verification: VerificationMethod
  osRelease: OsRelease
  /** Running kernel at staging time and whether the tree carries its modules. */
  kernel: {running: string; modulesPresent: boolean; available: string[]}
  entries?: number
  bytes?: number
  stagedAt: string
  durationMs: number
  /** Where it was made visible (the --nextroot path). */
  nextroot: string
}

export async function readRecord(path: string): Promise<StagedRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as StagedRecord
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined
    throw error
  }
}

/** Writes to a temporary file, flushes it, then renames it over the record: the commit point of staging
 * (and of the other records in the state directory). */
export async function writeRecord<T extends object = StagedRecord>(path: string, record: T): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`
  const handle = await open(temporary, 'w', 0o644)
  try {
    await handle.writeFile(JSON.stringify(record, null, 2) + '\n')
    await handle.sync()
  } finally {
    await handle.close()
  }

  await rename(temporary, path)
}

export async function removeRecord(path: string): Promise<void> {
  await rm(path, {force: true})
}
