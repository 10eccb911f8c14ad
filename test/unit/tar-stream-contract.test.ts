// What src/tar/pax-bytes.ts relies on in tar-stream: its extractor decodes pax headers by calling
// headers.decodePax on the module object, which nextroot replaces. If an upgrade renames, inlines or captures
// that function, these tests fail, instead of binary xattr values (file capabilities, ACLs) going quietly wrong.
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {Readable} from 'node:stream'

import {extract} from 'tar-stream'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {installBinaryPaxDecoder, paxBinaryValue} from '../../src/tar/pax-bytes.js'
import {packArchive} from '../helpers/tar-craft.js'

const require = createRequire(import.meta.url)
const packageDir = dirname(require.resolve('tar-stream'))

/** A file capability: bytes that are no valid UTF-8, as GNU tar stores them in a pax header. */
const CAPABILITY = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0x80, 0xc3, 0x28])
const KEY = 'SCHILY.xattr.security.capability'

test("tar-stream's extractor calls headers.decodePax, the function nextroot replaces", () => {
  const headers = require(join(packageDir, 'headers.js')) as {decodePax?: unknown}
  assert.type(headers.decodePax, 'function', 'headers.decodePax is gone')
  const source = readFileSync(join(packageDir, 'extract.js'), 'utf8')
  assert.match(source, /require\('\.\/headers'\)/, 'extract.js no longer uses headers.js')
  assert.ok((source.match(/headers\.decodePax\(/g) ?? []).length >= 2, 'pax and global pax headers')
})

test('through the patched decoder, a binary xattr value arrives byte-exact in the parsed header', async () => {
  installBinaryPaxDecoder()
  // an ASCII stand-in of the same length, then the raw bytes put in its place (as GNU tar writes them)
  const standIn = 'X'.repeat(CAPABILITY.length)
  const archive = await packArchive([[{name: 'bin/ping', type: 'file', pax: {[KEY]: standIn}}, 'x']])
  const at = archive.indexOf(`${KEY}=${standIn}`) + KEY.length + 1
  CAPABILITY.copy(archive, at)
  const parser = extract()
  const seen: Buffer[] = []
  parser.on('entry', (header, stream, next) => {
    const value = (header.pax as Record<string, string> | undefined)?.[KEY]
    if (value !== undefined) seen.push(paxBinaryValue(value))
    stream.on('end', next).resume()
  })
  await new Promise<void>((resolve, reject) => {
    parser.on('finish', () => resolve()).on('error', reject)
    Readable.from([archive]).pipe(parser)
  })
  assert.equal(seen, [CAPABILITY])
})

test.run()
