// The digest thread of a plain archive: the SHA-256 of the file, and it never reads far ahead of the copies.
import {createHash} from 'node:crypto'
import {open, truncate, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {fileDigest} from '../../src/stage/file-digest.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'

const MIB = 1024 * 1024

test('hashes the whole file, waiting while the copies are more than 64 MiB behind', async () => {
  const dir = await scratchDir('file-digest')
  const path = join(dir, 'archive.tar')
  await writeFile(path, 'head')
  await truncate(path, 80 * MIB) // sparse: reads as zeros after the first bytes
  const expected = createHash('sha256')
    .update(Buffer.concat([Buffer.from('head'), Buffer.alloc(80 * MIB - 4)]))
    .digest('hex')
  const handle = await open(path, 'r')
  const copiedTo = new SharedArrayBuffer(8)
  const copied = new BigInt64Array(copiedTo)
  const digest = fileDigest(handle.fd, 80 * MIB, copiedTo)
  try {
    let finished = false
    void digest.sha256.then(() => (finished = true))
    await sleep(500)
    assert.not.ok(finished, 'the digest ran more than 64 MiB ahead of the copies')
    Atomics.store(copied, 0, BigInt(20 * MIB))
    Atomics.notify(copied, 0)
    assert.is(await digest.sha256, expected)
  } finally {
    await digest.stop()
    await handle.close()
    await removeScratch(dir)
  }
})

test.run()
