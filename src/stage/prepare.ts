// Turns a source into a candidate tree, not yet visible: an archive extracted (and hashed in the same pass)
// into a temporary store entry, an image hashed and mounted aside, a directory taken as it is.
import {createReadStream} from 'node:fs'
import {rename, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {Writable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import {NextrootError, interruptedError} from '../errors.js'
import {mib} from '../format.js'
import {makeTreeDir} from '../host/btrfs.js'
import {discardMountPoint, mountImage} from '../host/mount.js'
import {diskSpaceOf} from '../host/space.js'
import type {StateLayout} from '../state/layout.js'
import {DigestTap} from './digest-tap.js'
import {estimateUnpackedBytes} from './size-estimate.js'
import type {Source} from './source.js'
import {READ_CHUNK, type UnpackOptions, unpackArchive} from './unpack.js'
import {type Expectation, assertDigest} from './verify.js'

export interface PrepareOptions extends UnpackOptions {
  onRead?: (progress: {bytesRead: number; totalBytes?: number; entries: number}) => void
}

export interface Prepared {
  tree: string
  /** What to remove when staging fails after preparation. */
  discard: () => Promise<void>
  /** Final place of the tree once committed (archives are renamed into the store). */
  commit: () => Promise<string>
  sha256?: string
  entries?: number
  bytes?: number
  compression?: string
  fsType?: string
}

/** Bytes that must stay free on the store's file system, whatever the image: the host keeps working. */
function reserveFor(sizeBytes: number): number {
  return Math.min(1024 ** 3, Math.floor(sizeBytes * 0.05))
}

export async function prepare(
  source: Source,
  id: string,
  expectation: Expectation,
  options: PrepareOptions,
  layout: StateLayout,
): Promise<Prepared> {
  if (source.kind === 'directory') {
    return {tree: source.path, discard: async () => undefined, commit: async () => source.path}
  }

  if (source.kind === 'image') {
    const sha256 = await hashFile(source.path, source.sizeBytes, options)
    assertDigest(expectation, sha256, source.path)
    const mountPoint = join(layout.mounts, id)
    await mountImage(source.path, source.fsType, mountPoint).catch(async (error: unknown) => {
      await discardMountPoint(mountPoint)
      throw error
    })
    return {
      tree: mountPoint,
      discard: () => discardMountPoint(mountPoint),
      commit: async () => mountPoint,
      sha256,
      fsType: source.fsType,
      bytes: source.sizeBytes,
    }
  }

  return extractToStore(source, id, expectation, options, layout.store)
}

/** Refuses before reading when the archive's unpacked size is known and would not fit above the reserve. */
async function checkRoom(source: Extract<Source, {kind: 'archive' | 'stdin'}>, store: string) {
  const space = await diskSpaceOf(store)
  const reserveBytes = reserveFor(space.sizeBytes)
  if (source.kind !== 'archive') return reserveBytes
  const needed = await estimateUnpackedBytes(source.path, source.compression, source.sizeBytes ?? 0)
  if (needed !== undefined && needed + reserveBytes > space.freeBytes) {
    throw new NextrootError(
      'NR_NO_SPACE',
      `The image needs about ${mib(needed)} MiB but only ${mib(space.freeBytes - reserveBytes)} MiB can be used in ${store}.`,
      {
        hints: ['Free space there, or point --state-dir at a larger file system.'],
        details: {neededBytes: needed, freeBytes: space.freeBytes, reserveBytes, mount: space.mount},
      },
    )
  }

  return reserveBytes
}

async function extractToStore(
  source: Extract<Source, {kind: 'archive' | 'stdin'}>,
  id: string,
  expectation: Expectation,
  options: PrepareOptions,
  store: string,
): Promise<Prepared> {
  const work = join(store, `.tmp-${id}`)
  const tree = join(work, 'tree')
  const discard = () => rm(work, {recursive: true, force: true})
  const reserveBytes = await checkRoom(source, store)
  // On btrfs a subvolume, which `reboot --persist` can make the default root.
  await makeTreeDir(tree)
  try {
    const {summary, sha256, compression} = await unpackArchive(source, tree, reserveBytes, {
      ...options,
      onProgress: options.onRead,
    })
    assertDigest(expectation, sha256, source.kind === 'archive' ? source.path : 'standard input')
    const final = join(store, id)
    return {
      tree,
      discard: async () => {
        await discard()
        await rm(final, {recursive: true, force: true})
      },
      commit: async () => {
        await rename(work, final)
        return join(final, 'tree')
      },
      sha256,
      entries: summary.entries,
      bytes: summary.bytes,
      compression,
    }
  } catch (error) {
    await discard()
    throw error
  }
}

async function hashFile(
  path: string,
  totalBytes: number | undefined,
  options: PrepareOptions,
): Promise<string> {
  const tap = new DigestTap()
  const input = createReadStream(path, {highWaterMark: READ_CHUNK})
  const interrupt = () => input.destroy(interruptedError())
  options.signal?.addEventListener('abort', interrupt, {once: true})
  try {
    // the tap's output must be read (here: reported, then dropped); a Transform nobody reads stops after
    // its first chunk, and the digest would cover only that
    const report = new Writable({
      write(_chunk, _encoding, callback) {
        options.onRead?.({bytesRead: tap.bytes, totalBytes, entries: 0})
        callback()
      },
    })
    await pipeline(input, tap, report)
  } finally {
    options.signal?.removeEventListener('abort', interrupt)
  }

  return await tap.sha256()
}
