// Feeds the tar parser a plain archive file with member contents replaced by zeros: the tree worker copies the
// contents from the file itself, so the main thread reads only headers (GNU tar reads the archive once, too).
import {readSync} from 'node:fs'
import {Readable} from 'node:stream'

import {NextrootError} from '../errors.js'
import {decodePaxRecords} from './pax-bytes.js'
import {BLOCK, MAGIC, NAME, PREFIX, SIZE, TYPEFLAG, type Field, fieldOf, inChecksum} from './ustar.js'

/** Zeros handed to the parser in place of contents; never written to, so every slice of it can be shared. */
const ZEROS = Buffer.alloc(1024 * 1024)
const WINDOW = 32 * 1024
/** The parser's own limit for pax and GNU long-name records. */
const MAX_META = 4 * 1024 * 1024

/** Typeflags whose contents the parser reads as metadata: pax headers and GNU long names. */
const META = new Set(['x', 'g', 'K', 'L', 'N'].map((flag) => flag.charCodeAt(0)))

interface Region {
  start: number
  length: number
}

/**
 * A byte-for-byte image of the archive except inside the contents of members, which read as zeros. Which
 * bytes are contents is decided here from the headers; the parser decides again, and `claim` makes sure both
 * agree on every member (an archive read two ways is refused, never extracted partly).
 */
export class HeaderFeed extends Readable {
  private position = 0
  /** Contents already replaced by zeros, not yet claimed by a member the parser announced. */
  private readonly regions: Region[] = []
  private zerosUntil = 0
  private paxGlobalSize: string | undefined
  private window: Buffer = Buffer.alloc(0)
  private windowStart = 0
  private paxSize: string | undefined

  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {
    super({highWaterMark: 1024 * 1024})
  }

  /** The parser announced a member whose contents are `length` bytes from `start`. */
  claim(start: number, length: number): void {
    const region = this.regions.shift()
    if (region?.start !== start || region.length !== length) throw ambiguous(start)
  }

  /** Every member this feed found was announced by the parser too. */
  assertAllClaimed(): void {
    if (this.regions.length > 0) throw ambiguous(this.regions[0].start)
  }

  override _read(): void {
    try {
      let more = true
      while (more && this.position < this.size) more = this.step()
      if (this.position >= this.size) this.push(null)
    } catch (error) {
      this.destroy(error as Error)
    }
  }

  /** Pushes the next header, metadata or stretch of zeros; returns whether the stream wants more. */
  private step(): boolean {
    if (this.position < this.zerosUntil) {
      const length = Math.min(this.zerosUntil - this.position, ZEROS.length)
      this.position += length
      return this.push(ZEROS.subarray(0, length))
    }

    const header = this.readAt(BLOCK)
    const contents = this.contentsOf(header)
    const start = this.position + BLOCK
    if (META.has(header[TYPEFLAG])) {
      this.position = start
      const meta = this.readAt(Math.min(padded(contents), MAX_META, Math.max(0, this.size - start)))
      this.notePax(header[TYPEFLAG], meta.subarray(0, contents))
      this.position += meta.length
      const wantsMore = this.push(header)
      return meta.length > 0 ? this.push(meta) : wantsMore
    }

    if (contents > 0) {
      this.regions.push({start, length: contents})
      // The last two blocks stay real: the end-of-archive check reads them.
      this.zerosUntil = Math.min(start + padded(contents), this.size - 2 * BLOCK)
    }

    this.position = start
    return this.push(header)
  }

  /** Bytes of contents the parser skips after this header (tar-stream's rules, see its headers.decode). */
  private contentsOf(header: Buffer): number {
    if (isNullBlock(header)) return 0
    const typeflag = header[TYPEFLAG] === 0 ? 0 : header[TYPEFLAG] - 48
    const paxSize = META.has(header[TYPEFLAG]) ? undefined : this.paxSize
    if (!META.has(header[TYPEFLAG])) this.paxSize = undefined
    if (typeflag === 5 || (typeflag === 0 && nameOf(header).endsWith('/'))) return 0
    const size = paxSize ? parseInt(paxSize, 10) : decodeNumber(fieldOf(header, SIZE))
    return Number.isSafeInteger(size) && size > 0 ? size : 0
  }

  /**
   * A pax header's size= record overrides the next member's size; a global header's, only through a later
   * pax header that has none of its own (the parser merges the global records into each pax header).
   */
  private notePax(flag: number, records: Buffer): void {
    const {size} = decodePaxRecords(records)
    if (flag === 'g'.charCodeAt(0)) this.paxGlobalSize = size
    else if (flag === 'x'.charCodeAt(0)) this.paxSize = size ?? this.paxGlobalSize
  }

  /**
   * `length` bytes at the current position (fewer at the end of the file). Read through a window: the headers
   * of small members lie close together, and one read for several of them saves most calls.
   */
  private readAt(length: number): Buffer {
    const offset = this.position - this.windowStart
    if (offset >= 0 && offset + length <= this.window.length)
      return this.window.subarray(offset, offset + length)
    const read = this.readFile(Math.max(length, WINDOW))
    // A fresh buffer each time: the parser keeps slices of what it was given.
    this.window = read
    this.windowStart = this.position
    return read.subarray(0, length)
  }

  private readFile(length: number): Buffer {
    const buffer = Buffer.allocUnsafe(Math.min(length, Math.max(0, this.size - this.position)))
    let filled = 0
    while (filled < buffer.length) {
      const read = readSync(this.fd, buffer, filled, buffer.length - filled, this.position + filled)
      if (read === 0) break
      filled += read
    }

    return buffer.subarray(0, filled)
  }
}

function isNullBlock(header: Buffer): boolean {
  for (let i = 0; i < header.length; i++) if (header[i] !== 0 && !inChecksum(i)) return false
  return true
}

function padded(length: number): number {
  return Math.ceil(length / BLOCK) * BLOCK
}

/** The member name as the parser reads it: the ustar prefix, when there is one, joined to the name field. */
function nameOf(header: Buffer): string {
  const field = ({offset, length}: Field) => {
    const end = header.indexOf(0, offset)
    return header.toString('utf8', offset, end === -1 || end > offset + length ? offset + length : end)
  }
  const ustar = fieldOf(header, MAGIC).toString('latin1') === 'ustar\0'
  const name = field(NAME)
  return ustar && header[PREFIX.offset] ? `${field(PREFIX)}/${name}` : name
}

/** Octal, or base-256 when the first byte has its high bit set (GNU's large numbers). */
function decodeNumber(field: Buffer): number {
  if (field[0] & 0x80) {
    if (field[0] !== 0x80) return 0
    let value = 0
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]
    return value
  }

  let start = 0
  while (start < field.length && field[start] === 32) start++
  let end = field.indexOf(32, start)
  if (end === -1) end = field.length
  while (start < end && field[start] === 0) start++
  return start === end ? 0 : parseInt(field.toString('latin1', start, end), 8)
}

function ambiguous(offset: number): NextrootError {
  return new NextrootError(
    'NR_ARCHIVE_CORRUPT',
    `The archive's headers can be read two ways near byte ${offset}; refusing to guess which members it holds.`,
    {
      hints: ['Rebuild the archive with GNU tar, or feed it on standard input (nextroot stage - < FILE).'],
      details: {offset},
    },
  )
}
