// Estimates how many bytes an archive unpacks to, before reading it, for the early free-space check.
import {open} from 'node:fs/promises'

import type {Compression} from '../tar/compression.js'

const FOUR_GIB = 2 ** 32

/** Plain tar: its own size. gzip: the ISIZE trailer when the data fits in 4 GiB. Others: unknown. */
export async function estimateUnpackedBytes(
  path: string,
  compression: Compression,
  size: number,
): Promise<number | undefined> {
  if (compression === 'none') return size
  if (compression !== 'gzip' || size < 4) return undefined
  const handle = await open(path, 'r')
  try {
    const {buffer} = await handle.read(Buffer.alloc(4), 0, 4, size - 4)
    const isize = buffer.readUInt32LE(0)
    return isize >= size && size < FOUR_GIB ? isize : undefined
  } finally {
    await handle.close()
  }
}
