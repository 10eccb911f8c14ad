// Crafts tar archives byte by byte for hostile-input tests: arbitrary names and link targets through
// tar-stream's pack(), then header fields rewritten in place with a recomputed checksum.
import {type Header, pack} from 'tar-stream'

export const BLOCK = 512

export type Member = [Partial<Header> & {name: string}, (string | Buffer)?]

/** A complete archive (with end-of-archive blocks) holding `members` in order. */
export async function packArchive(members: Member[]): Promise<Buffer> {
  const archive = pack()
  for (const [fields, content] of members) {
    const header = {mode: 0o644, mtime: new Date(1_700_000_000_000), ...fields}
    if (content === undefined) archive.entry(header)
    else archive.entry(header, content)
  }

  archive.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of archive) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Recomputes the checksum of the header block at `offset` after its fields were changed. */
export function fixChecksum(archive: Buffer, offset: number): void {
  const header = archive.subarray(offset, offset + BLOCK)
  header.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of header) sum += byte
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
}

/** Offset of the header block of the member named `name` (plain ustar names only). */
export function headerOffset(archive: Buffer, name: string): number {
  for (let offset = 0; offset + BLOCK <= archive.length; offset += BLOCK) {
    const field = archive.subarray(offset, offset + 100)
    const end = field.indexOf(0)
    if (
      field.subarray(0, end === -1 ? 100 : end).toString('latin1') === name &&
      archive[offset + 257] === 0x75
    )
      return offset
  }

  throw new Error(`no header for ${name}`)
}

/** Sets the type flag of a member's header (e.g. 'S' for a GNU sparse file, 'V' for a volume label). */
export function setTypeFlag(archive: Buffer, name: string, flag: string): Buffer {
  const copy = Buffer.from(archive)
  const offset = headerOffset(copy, name)
  copy[offset + 156] = flag.charCodeAt(0)
  fixChecksum(copy, offset)
  return copy
}

/** Sets the size field of a member's header (the content is left as it was). */
export function setSize(archive: Buffer, name: string, size: number): Buffer {
  const copy = Buffer.from(archive)
  const offset = headerOffset(copy, name)
  copy.write(size.toString(8).padStart(11, '0') + '\0', offset + 124, 'latin1')
  fixChecksum(copy, offset)
  return copy
}

/** Rejects when `promise` does not settle within `ms` (a hang is a failure, not a stuck suite). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms (hang)`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
