// Streams a tar archive into an empty directory: each member is checked by the entry policy while a worker
// thread writes the members before it (tar parses and writes on one thread); memory stays bounded.
import type {Readable} from 'node:stream'
import {extract as tarExtract} from 'tar-stream'

import {NextrootError, interruptedError} from '../errors.js'
import {type Compression, decompress} from './compression.js'
import {type PlannedEntry, planEntry} from './entry-policy.js'
import {installBinaryPaxDecoder} from './pax-bytes.js'
import {HeaderFeed} from './header-feed.js'
import type {ArchiveFile} from './tree-worker.js'
import {type MemberData, TreeWriter} from './tree-writer.js'
import {BLOCK} from './ustar.js'

installBinaryPaxDecoder()

export interface ExtractProgress {
  /** Bytes of the (decompressed) tar stream consumed so far. */
  archiveBytes: number
  entries: number
}

export interface ExtractOptions {
  compression: Compression
  keepSelinux: boolean
  reserveBytes: number
  signal?: AbortSignal
  onProgress?: (progress: ExtractProgress) => void
}

export interface ExtractSummary {
  entries: number
  /** File content bytes written. */
  bytes: number
  /** Bytes of the uncompressed tar stream. */
  archiveBytes: number
  counts: Record<PlannedEntry['kind'], number>
}

/**
 * Extracts a plain archive from its open file: the parser reads only the headers while the tree worker copies
 * member contents straight from the file. Only for a file nobody but root can change, or the contents written
 * could differ from those the caller verified.
 */
export async function extractPlainFile(
  archive: ArchiveFile & {size: number},
  target: string,
  options: Omit<ExtractOptions, 'compression'>,
): Promise<ExtractSummary> {
  const feed = new HeaderFeed(archive.fd, archive.size)
  return await extractTar(feed, target, options, {feed, archive})
}

/** Extracts `input` (possibly compressed) into `target`, which must exist and be empty. */
export async function extractArchive(
  input: Readable,
  target: string,
  options: ExtractOptions,
): Promise<ExtractSummary> {
  const {stream, finished} = decompress(options.compression, input)
  finished.catch(() => undefined) // awaited below; this only keeps an early failure from being "unhandled"
  try {
    const summary = await extractTar(stream, target, options)
    await finished
    return summary
  } catch (error) {
    input.destroy()
    stream.destroy()
    await finished // a decompressor's own diagnosis beats tar's "unexpected end of data"
    throw error
  }
}

async function extractTar(
  stream: Readable,
  target: string,
  options: Omit<ExtractOptions, 'compression'>,
  apart?: {feed: HeaderFeed; archive: ArchiveFile},
): Promise<ExtractSummary> {
  const feed = apart?.feed
  const writer = new TreeWriter(target, {reserveBytes: options.reserveBytes, archive: apart?.archive})
  const tail = watchTail(stream)
  const extractor = tarExtract()
  // A streamed member sees only "Stream was destroyed" when the archive fails under it; the reason is this.
  let archiveFailure: unknown
  extractor.on('error', (error) => (archiveFailure ??= error))
  stream.on('error', (error) => extractor.destroy(error))
  stream.pipe(extractor)
  const summary: ExtractSummary = {
    entries: 0,
    bytes: 0,
    archiveBytes: 0,
    counts: {file: 0, directory: 0, symlink: 0, hardlink: 0, 'char-device': 0, 'block-device': 0, fifo: 0},
  }
  // Stops the writing at once, also while the parser waits for the worker (a large file being copied).
  const stopWriting = () => void writer.abort()
  options.signal?.addEventListener('abort', stopWriting, {once: true})
  try {
    for await (const member of extractor) {
      if (options.signal?.aborted) throw interruptedError()
      const {header} = member
      if (feed && header.type !== 'directory' && header.size > 0)
        feed.claim(member.offset + BLOCK, header.size)
      const entry = planEntry(header, {keepSelinux: options.keepSelinux})
      summary.entries++
      summary.counts[entry.kind]++
      summary.bytes += entry.size
      if (entry.kind === 'file') {
        await writer.write(entry, member as MemberData)
      } else {
        member.resume()
        await writer.write(entry)
      }

      options.onProgress?.({archiveBytes: tail.total(), entries: summary.entries})
    }

    tail.assertComplete()
    feed?.assertAllClaimed()
    await writer.finish()
  } catch (error) {
    extractor.destroy()
    await writer.abort()
    if (options.signal?.aborted) throw interruptedError()
    throw toArchiveError(error instanceof NextrootError ? error : (archiveFailure ?? error))
  } finally {
    options.signal?.removeEventListener('abort', stopWriting)
  }

  summary.archiveBytes = tail.total()
  return summary
}

/**
 * Counts the tar stream and keeps its last two blocks: a complete archive ends with zero blocks, so a
 * stream cut off between two members (which tar-stream alone would accept) is refused as truncated.
 */
function watchTail(stream: Readable) {
  let total = 0
  let last = Buffer.alloc(0)
  stream.on('data', (chunk: Buffer) => {
    total += chunk.length
    last = Buffer.concat([last, chunk.subarray(-2 * BLOCK)]).subarray(-2 * BLOCK)
  })
  return {
    total: () => total,
    assertComplete() {
      const endsWithZeroBlock =
        total % BLOCK === 0 && last.length >= BLOCK && last.subarray(-BLOCK).every((b) => b === 0)
      if (!endsWithZeroBlock) {
        throw new NextrootError(
          'NR_ARCHIVE_TRUNCATED',
          'The archive ends without its end-of-archive marker.',
          {
            hints: ['The file is incomplete: download it again and verify it with --sha256 or --checksums.'],
            details: {bytesRead: total},
          },
        )
      }
    },
  }
}

/** tar-stream's plain errors (bad checksum, early end) become stable archive errors. */
function toArchiveError(error: unknown): unknown {
  if (error instanceof NextrootError || !(error instanceof Error)) return error
  if (/unexpected end/i.test(error.message)) {
    return new NextrootError('NR_ARCHIVE_TRUNCATED', `The archive is truncated: ${error.message}`, {
      hints: ['Download it again and verify it with --sha256 or --checksums.'],
      cause: error,
    })
  }

  if (/invalid tar header|unknown format/i.test(error.message)) {
    return new NextrootError('NR_ARCHIVE_CORRUPT', `The archive is corrupt: ${error.message}`, {
      hints: ['Download it again and verify it with --sha256 or --checksums.'],
      cause: error,
    })
  }

  return error
}
