// The layout of a tar header block, named once for the code that reads headers itself (the header feed and
// compression sniffing): POSIX.1-1988 ustar, which GNU tar and pax archives share.
export const BLOCK = 512

/** A field of the header: where it starts and how many bytes it has. */
export interface Field {
  offset: number
  length: number
}

export const NAME: Field = {offset: 0, length: 100}
export const SIZE: Field = {offset: 124, length: 12}
export const CHECKSUM: Field = {offset: 148, length: 8}
export const TYPEFLAG = 156
export const MAGIC: Field = {offset: 257, length: 6}
export const PREFIX: Field = {offset: 345, length: 155}

/** The bytes of `field` in `header`. */
export function fieldOf(header: Buffer, field: Field): Buffer {
  return header.subarray(field.offset, field.offset + field.length)
}

/** The byte lies in the checksum field (summed as spaces, and ignored when looking for an empty block). */
export function inChecksum(index: number): boolean {
  return index >= CHECKSUM.offset && index < CHECKSUM.offset + CHECKSUM.length
}
