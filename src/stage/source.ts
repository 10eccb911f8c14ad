// Works out what the user handed over: a tar archive (plain/gzip/zstd/xz, by magic bytes), standard input,
// a directory holding a root tree, or a file-system image / block device to mount.
import {open, stat} from 'node:fs/promises'
import {resolve} from 'node:path'
import type {Readable} from 'node:stream'

import {NextrootError, errnoCode} from '../errors.js'
import type {FsType} from '../host/mount.js'
import {type Compression, detectCompression} from '../tar/compression.js'

export type Source =
  | {kind: 'archive'; path: string; compression: Compression; sizeBytes?: number}
  | {kind: 'stdin'}
  | {kind: 'directory'; path: string}
  | {kind: 'image'; path: string; fsType: FsType; blockDevice: boolean; sizeBytes?: number}

const HEAD = 4096

/** File-system type from the first 4 KiB of an image (super block magic numbers). */
export function detectFsType(head: Buffer): FsType | undefined {
  if (head.length >= 4 && head.subarray(0, 4).toString('latin1') === 'hsqs') return 'squashfs'
  if (head.length >= 1028 && head.readUInt32LE(1024) === 0xe0f5e1e2) return 'erofs'
  if (head.length >= 1082 && head.readUInt16LE(1080) === 0xef53) return 'ext4'
  return undefined
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const {buffer, bytesRead} = await handle.read(Buffer.alloc(HEAD), 0, HEAD, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

export async function inspectSource(argument: string): Promise<Source> {
  if (argument === '-') return {kind: 'stdin'}
  const path = resolve(argument)
  const stats = await stat(path).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') {
      throw new NextrootError('NR_SOURCE_NOT_FOUND', `The source '${argument}' does not exist.`, {
        hints: [
          'Give a root archive (.tar, .tar.gz, .tar.zst, .tar.xz), a directory, an image file or a block device.',
        ],
      })
    }

    throw error
  })
  if (stats.isDirectory()) return {kind: 'directory', path}
  if (!stats.isFile() && !stats.isBlockDevice())
    throw unknownSource(argument, 'it is neither a file, a directory nor a block device')
  const head = await readHead(path)
  const fsType = detectFsType(head)
  if (fsType) {
    return {
      kind: 'image',
      path,
      fsType,
      blockDevice: stats.isBlockDevice(),
      sizeBytes: stats.isFile() ? stats.size : undefined,
    }
  }

  const compression = stats.isFile() ? detectCompression(head) : undefined
  if (!compression)
    throw unknownSource(
      argument,
      'it is not a tar archive (plain, gzip, zstd or xz) nor an ext4, erofs or squashfs image',
    )
  return {kind: 'archive', path, compression, sizeBytes: stats.size}
}

export function unknownSource(argument: string, why: string): NextrootError {
  return new NextrootError('NR_UNKNOWN_SOURCE', `Cannot stage '${argument}': ${why}.`, {
    hints: ['The type is recognised by content, not by file name; check that the file is complete.'],
  })
}

/** Reads the first bytes of a stream (standard input), puts them back, and tells its compression. */
export async function sniffCompression(input: Readable): Promise<Compression> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of input.iterator({destroyOnReturn: false})) {
    chunks.push(chunk as Buffer)
    length += (chunk as Buffer).length
    if (length >= 512) break
  }

  const head = Buffer.concat(chunks)
  input.unshift(head)
  const compression = detectCompression(head)
  if (!compression) throw unknownSource('-', 'standard input is not a tar archive (plain, gzip, zstd or xz)')
  return compression
}
