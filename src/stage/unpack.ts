// Unpacks an archive source (a file or a stream) into an empty tree and digests it in the same pass: a plain
// archive that only root can change is read apart by three threads, anything else is streamed once.
import type {Readable} from 'node:stream'

import {interruptedError} from '../errors.js'
import type {Compression} from '../tar/compression.js'
import {type ExtractSummary, extractArchive, extractPlainFile} from '../tar/extract.js'
import {type OpenArchive, openArchive} from './archive-file.js'
import {DigestTap} from './digest-tap.js'
import {fileDigest} from './file-digest.js'
import {type Source, sniffCompression} from './source.js'

/**
 * Sources are read in chunks large enough that most small members arrive in one piece; not larger, because
 * each chunk is a fresh allocation freed only by a later GC (1 MiB chunks: peak RSS 11 MB higher).
 */
export const READ_CHUNK = 256 * 1024

export interface UnpackOptions {
  keepSelinux?: boolean
  /** The stream read for an archive on standard input (default: process.stdin). */
  input?: Readable
  signal?: AbortSignal
  onProgress?: (progress: {bytesRead: number; totalBytes?: number; entries: number}) => void
}

export interface Unpacked {
  summary: ExtractSummary
  sha256: string
  compression: Compression
}

export async function unpackArchive(
  source: Extract<Source, {kind: 'archive' | 'stdin'}>,
  tree: string,
  reserveBytes: number,
  options: UnpackOptions,
): Promise<Unpacked> {
  if (source.kind === 'stdin')
    return await unpackStream(options.input ?? process.stdin, tree, reserveBytes, options)
  const archive = await openArchive(source.path, source.compression)
  try {
    return archive.readableApart
      ? await unpackApart(archive, tree, reserveBytes, options)
      : await unpackStream(archive.stream(READ_CHUNK), tree, reserveBytes, options, source)
  } finally {
    await archive.close()
  }
}

/** Headers on the main thread, contents by the tree worker, the digest on its own thread: all from the file. */
async function unpackApart(
  archive: OpenArchive,
  tree: string,
  reserveBytes: number,
  options: UnpackOptions,
): Promise<Unpacked> {
  const copiedTo = new SharedArrayBuffer(8)
  const digest = fileDigest(archive.fd, archive.size, copiedTo)
  try {
    const summary = await extractPlainFile({fd: archive.fd, size: archive.size, copiedTo}, tree, {
      keepSelinux: options.keepSelinux ?? true,
      reserveBytes,
      signal: options.signal,
      onProgress: (progress) =>
        options.onProgress?.({
          bytesRead: progress.archiveBytes,
          totalBytes: archive.size,
          entries: progress.entries,
        }),
    })
    // what follows the last member's contents (end blocks, directories) is hashed without waiting
    const copied = new BigInt64Array(copiedTo)
    Atomics.store(copied, 0, BigInt(archive.size))
    Atomics.notify(copied, 0)
    return {summary, sha256: await digest.sha256, compression: 'none'}
  } finally {
    await digest.stop()
  }
}

/** One pass over the stream: hashed on the way into the parser. */
async function unpackStream(
  input: Readable,
  tree: string,
  reserveBytes: number,
  options: UnpackOptions,
  file?: Extract<Source, {kind: 'archive'}>,
): Promise<Unpacked> {
  const tap = new DigestTap()
  const abort = () => input.destroy(interruptedError())
  options.signal?.addEventListener('abort', abort, {once: true})
  try {
    // standard input may be idle: an interrupt must reach the sniffing too
    if (options.signal?.aborted) abort()
    const compression = file?.compression ?? (await sniffCompression(input))
    input.on('error', (error: Error) => tap.destroy(error))
    const summary = await extractArchive(input.pipe(tap), tree, {
      compression,
      keepSelinux: options.keepSelinux ?? true,
      reserveBytes,
      signal: options.signal,
      onProgress: (progress) =>
        options.onProgress?.({bytesRead: tap.bytes, totalBytes: file?.sizeBytes, entries: progress.entries}),
    })
    return {summary, sha256: await tap.sha256(), compression}
  } finally {
    options.signal?.removeEventListener('abort', abort)
  }
}
