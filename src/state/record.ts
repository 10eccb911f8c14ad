// The staged-root record (staged.json): what is staged, from where, verified how. Written atomically,
// so a reader sees the previous record or the new one, never half of one.
import {open, readFile, rename, rm} from 'node:fs/promises'

import {unlessAbsent} from '../absent.js'
import {errnoCode} from '../errors.js'
import type {Locations} from '../locations.js'
import {swallowed} from '../log.js'
import type {OsRelease} from '../tree/os-release.js'
import {stateLayout} from './layout.js'

export type StagedKind = 'archive' | 'directory' | 'image'

export type VerificationMethod = 'sha256' | 'checksums' | 'signed-checksums' | 'none'

export interface StagedRecord {
  /** Store entry name (archives) or mount name (images); unique per staging. */
  id: string
  kind: StagedKind
  /** Archive, directory, image or device as given ('-' for standard input). */
  source: string
  /** The staged tree: the store's copy of an archive, or the source directory. */
  tree?: string
  /** Where an image is mounted while staged (under the state directory's mnt/). */
  mountPoint?: string
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
  /** The kernel boot it was staged (or republished) in: after a full reboot it is stale until republished. */
  bootId: string
}

/** Where the staged tree is on this machine: the store tree, the source directory, or the image's mount. */
export function treeOf(record: StagedRecord): string {
  const tree = record.tree ?? record.mountPoint
  if (!tree) throw new Error(`staged record ${record.id} names no tree`)
  return tree
}

/** A JSON record of the state directory; undefined when there is none. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  const text = await unlessAbsent(path, readFile(path, 'utf8'))
  return text === undefined ? undefined : (JSON.parse(text) as T)
}

export function readRecord(path: string): Promise<StagedRecord | undefined> {
  return readJsonFile<StagedRecord>(path)
}

/** The staged record, or `readable: false` when the state directory is closed to us (not root). */
export async function readStagedRecord(
  locations: Locations,
): Promise<{record?: StagedRecord; readable: boolean}> {
  try {
    return {record: await readRecord(stateLayout(locations).record), readable: true}
  } catch (error) {
    if (errnoCode(error) !== 'EACCES') throw error
    swallowed(locations.stateDir, error)
    return {readable: false}
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
