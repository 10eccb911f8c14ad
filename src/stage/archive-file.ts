// Opens an archive file once for all its readers: the parser's stream and, for a plain archive that only root
// can change, the tree worker, which then copies member contents from the file the way GNU tar does.
import {open} from 'node:fs/promises'
import type {Readable} from 'node:stream'

import type {Compression} from '../tar/compression.js'

export interface OpenArchive {
  input: Readable
  /**
   * Set for a plain archive owned by root and writable by nobody else: nobody can change what the worker reads
   * after the parser (and the digest) saw it. Any other archive's contents reach the tree only through `input`.
   */
  copyFd?: number
  close(): Promise<void>
}

export async function openArchive(
  path: string,
  compression: Compression,
  readChunk: number,
): Promise<OpenArchive> {
  const handle = await open(path, 'r')
  const stats = await handle.stat()
  const onlyRootWrites = stats.uid === 0 && (stats.mode & 0o022) === 0
  return {
    input: handle.createReadStream({start: 0, highWaterMark: readChunk, autoClose: false}),
    copyFd: compression === 'none' && stats.isFile() && onlyRootWrites ? handle.fd : undefined,
    close: () => handle.close(),
  }
}
