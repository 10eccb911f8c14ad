// Passes a byte stream through unchanged while hashing and counting it: the archive is read once,
// verified and extracted in the same pass.
import {createHash} from 'node:crypto'
import {Transform} from 'node:stream'

export class DigestTap extends Transform {
  private readonly hash = createHash('sha256')
  bytes = 0

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    callback(null, chunk)
  }

  /** Hex SHA-256 of everything that passed; call once, after the stream ended. */
  sha256(): string {
    return this.hash.digest('hex')
  }
}
