// tar-stream decodes pax values as UTF-8, which corrupts binary xattr values (file capabilities, ACL blobs).
// This replaces its pax decoder once, keeping xattr values byte-exact as latin1 strings.
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

/** Pax keys whose values are raw bytes (GNU tar / star); libarchive's base64 form is plain text. */
const BINARY_PREFIX = 'SCHILY.xattr.'

interface TarStreamHeaders {
  decodePax(buf: Buffer): Record<string, string>
  __nextrootBinaryPax?: boolean
}

/** Parses "LEN key=value\n" records; values of binary keys stay byte-exact (latin1), others are UTF-8. */
export function decodePaxRecords(buf: Buffer): Record<string, string> {
  const result: Record<string, string> = {}
  let rest = buf
  while (rest.length > 0) {
    const space = rest.indexOf(0x20)
    if (space <= 0) break
    const length = Number.parseInt(rest.subarray(0, space).toString('latin1'), 10)
    if (!Number.isSafeInteger(length) || length <= space + 1 || length > rest.length) break
    const record = rest.subarray(space + 1, length - 1)
    const equals = record.indexOf(0x3d)
    if (equals === -1) break
    const key = record.subarray(0, equals).toString('utf8')
    const value = record.subarray(equals + 1)
    result[key] = key.startsWith(BINARY_PREFIX) ? value.toString('latin1') : value.toString('utf8')
    rest = rest.subarray(length)
  }

  return result
}

/** The bytes of an xattr value as kept by decodePaxRecords. */
export function paxBinaryValue(value: string): Buffer {
  return Buffer.from(value, 'latin1')
}

/** Installs the decoder into tar-stream's own header module (the one its extractor calls). */
export function installBinaryPaxDecoder(): void {
  const require = createRequire(import.meta.url)
  const headers = require(join(dirname(require.resolve('tar-stream')), 'headers.js')) as TarStreamHeaders
  if (headers.__nextrootBinaryPax) return
  headers.decodePax = decodePaxRecords
  headers.__nextrootBinaryPax = true
}
