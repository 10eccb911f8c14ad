// Recognises an archive's compression by its magic bytes (never its name) and decompresses it as a stream.
import type {Readable} from 'node:stream'
import {createGunzip} from 'node:zlib'

import {NextrootError} from '../errors.js'
import {spawnFilter} from '../exec/run.js'
import * as ustar from './ustar.js'

export type Compression = 'none' | 'gzip' | 'zstd' | 'xz'

const MAGIC: Array<[Compression, number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
]

/** The compression of a stream whose first bytes are `head`; 'none' when it starts like a tar header. */
export function detectCompression(head: Buffer): Compression | undefined {
  for (const [kind, magic] of MAGIC) {
    if (magic.every((byte, index) => head[index] === byte)) return kind
  }

  return looksLikeTar(head) ? 'none' : undefined
}

/** ustar/GNU magic ("ustar" then NUL or space), or an old-style header whose checksum adds up. */
export function looksLikeTar(head: Buffer): boolean {
  if (head.length < ustar.BLOCK) return false
  if (ustar.fieldOf(head, ustar.MAGIC).toString('latin1', 0, 5) === 'ustar') return true
  const checksum = ustar.fieldOf(head, ustar.CHECKSUM).toString('latin1')
  const stored = Number.parseInt(checksum.replace(/\0.*$/, '').trim(), 8)
  let sum = 0
  for (let i = 0; i < ustar.BLOCK; i++) sum += ustar.inChecksum(i) ? 0x20 : head[i]
  return Number.isFinite(stored) && stored === sum && sum !== ustar.CHECKSUM.length * 0x20
}

function corrupt(kind: Compression, detail: string, cause?: unknown): NextrootError {
  const truncated = /unexpected end|truncated|premature end/i.test(detail)
  return new NextrootError(
    truncated ? 'NR_ARCHIVE_TRUNCATED' : 'NR_ARCHIVE_CORRUPT',
    `The ${kind} stream is ${truncated ? 'truncated' : 'corrupt'}: ${detail.trim()}`,
    {hints: ['Download the image again and verify it with --sha256 or --checksums.'], cause},
  )
}

export interface Decompressed {
  stream: Readable
  /** Settles when the decompressor is done; rejects with NR_ARCHIVE_CORRUPT/TRUNCATED when it failed. */
  finished: Promise<void>
}

/**
 * zlib's output chunk for gzip: its 16 KiB default costs one thread-pool round trip per 16 KiB (43k for a
 * 650 MiB root; 2.9 s of CPU to inflate it, against 1.9 s with 256 KiB, the size sources are read in).
 */
const GUNZIP_CHUNK = 256 * 1024

/** Decompresses `input`; gzip in-process (zlib), zstd and xz through their own programs. */
export function decompress(kind: Compression, input: Readable): Decompressed {
  if (kind === 'none') return {stream: input, finished: Promise.resolve()}
  if (kind === 'gzip') {
    const gunzip = createGunzip({chunkSize: GUNZIP_CHUNK})
    input.on('error', (error) => gunzip.destroy(error))
    const finished = new Promise<void>((resolve, reject) => {
      gunzip.on('end', resolve)
      gunzip.on('close', resolve) // destroyed by the reader, which stopped early: nothing left to diagnose
      gunzip.on('error', (error) =>
        reject(error instanceof NextrootError ? error : corrupt('gzip', error.message, error)),
      )
    })
    return {stream: input.pipe(gunzip), finished}
  }

  const child = spawnFilter(kind, ['-dcq'])
  input.on('error', (error) => child.stdout.destroy(error))
  child.stdin.on('error', () => undefined) // EPIPE when the decompressor stops early; its exit code tells why
  input.pipe(child.stdin)
  // A reader that stops early (a refused entry) stops the decompressor too, or it waits for input forever.
  let abandoned = false
  child.stdout.on('close', () => {
    if (child.stdout.readableEnded) return
    abandoned = true
    child.kill()
  })
  const finished = child.then((result) => {
    // once abandoned, its failure (killed, or a write error on the closed pipe) is ours, not the archive's
    if (result.exitCode !== 0 && !abandoned)
      throw corrupt(kind, String(result.stderr) || `${kind} exited with ${result.exitCode}`)
  })
  return {stream: child.stdout, finished}
}
