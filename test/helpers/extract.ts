// Runs nextroot's extractor on an archive file or buffer, with the compression detected by magic as stage does.
import {createReadStream} from 'node:fs'
import {mkdir, open} from 'node:fs/promises'
import {Readable} from 'node:stream'

import {openArchive} from '../../src/stage/archive-file.js'
import {detectCompression} from '../../src/tar/compression.js'
import {type ExtractSummary, extractArchive, extractPlainFile} from '../../src/tar/extract.js'

export interface ExtractTestOptions {
  keepSelinux?: boolean
  signal?: AbortSignal
  /**
   * How an archive file is read: 'file' opens it as stage does (a plain archive is then read apart: headers
   * by the parser, contents by the tree worker), 'stream' only streams it (as standard input is). Default 'file'.
   */
  via?: 'file' | 'stream'
}

async function headOf(path: string): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const {buffer, bytesRead} = await handle.read(Buffer.alloc(512), 0, 512, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** Extracts `archive` (a file path or the archive's bytes) into `target` (created, must be empty). */
export async function extractInto(
  archive: string | Buffer,
  target: string,
  options: ExtractTestOptions = {},
): Promise<ExtractSummary> {
  const head = typeof archive === 'string' ? await headOf(archive) : archive.subarray(0, 512)
  const compression = detectCompression(head)
  if (!compression) throw new Error('not an archive')
  await mkdir(target, {recursive: true})
  const common = {keepSelinux: options.keepSelinux ?? true, reserveBytes: 0, signal: options.signal}
  if (typeof archive !== 'string' || options.via === 'stream') {
    const input = typeof archive === 'string' ? createReadStream(archive) : Readable.from([archive])
    return await extractArchive(input, target, {...common, compression})
  }

  const opened = await openArchive(archive, compression)
  try {
    return opened.readableApart
      ? await extractPlainFile(
          {fd: opened.fd, size: opened.size, copiedTo: new SharedArrayBuffer(8)},
          target,
          common,
        )
      : await extractArchive(opened.stream(256 * 1024), target, {...common, compression})
  } finally {
    await opened.close()
  }
}
