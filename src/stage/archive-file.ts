// Opens an archive file once for all its readers: a stream for the parser, or, for a plain archive that only
// root can change, the file itself for the header feed, the tree worker and the digest thread.
import {open} from 'node:fs/promises'
import type {Readable} from 'node:stream'

import type {Compression} from '../tar/compression.js'

export interface OpenArchive {
  fd: number
  size: number
  /**
   * A plain archive owned by root and writable by nobody else: nobody can change the bytes one reader sees
   * after another (the digest) saw them, so each may read the file on its own (see extractPlainFile).
   */
  readableApart: boolean
  stream(readChunk: number): Readable
  close(): Promise<void>
}

export async function openArchive(path: string, compression: Compression): Promise<OpenArchive> {
  const handle = await open(path, 'r')
  const stats = await handle.stat()
  const onlyRootWrites = stats.uid === 0 && (stats.mode & 0o022) === 0
  return {
    fd: handle.fd,
    size: stats.size,
    readableApart: compression === 'none' && stats.isFile() && onlyRootWrites,
    stream: (readChunk) => handle.createReadStream({start: 0, highWaterMark: readChunk, autoClose: false}),
    close: () => handle.close(),
  }
}
