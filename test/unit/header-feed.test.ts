// The header feed: the parser sees the archive byte for byte except member contents, and any member the feed
// and the parser would read differently is refused.
import {open, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {extract} from 'tar-stream'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {NextrootError} from '../../src/errors.js'
import {HeaderFeed} from '../../src/tar/header-feed.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'
import {BLOCK, type Member, packArchive} from '../helpers/tar-craft.js'

const members: Member[] = [
  [{name: 'etc/', type: 'directory'}],
  [{name: 'etc/hostname', type: 'file'}, 'machine\n'],
  // a name this long is carried by a pax header, whose records the parser must see as they are
  [{name: `usr/${'long-directory-name/'.repeat(8)}file`, type: 'file'}, Buffer.alloc(70_000, 1)],
  [{name: 'usr/empty', type: 'file'}, ''],
  [{name: 'usr/link', type: 'symlink', linkname: 'empty'}],
  [{name: 'usr/big', type: 'file'}, Buffer.alloc(3 * 1024 * 1024 + 7, 2)],
]

/** What the parser makes of `archive`: each member's contents as offset and length. */
async function contentsOf(archive: Buffer): Promise<Array<{start: number; length: number}>> {
  const parser = extract()
  parser.end(archive)
  const found = []
  for await (const member of parser) {
    if (member.header.type !== 'directory' && member.header.size) {
      found.push({start: member.offset + BLOCK, length: member.header.size})
    }

    member.resume()
  }

  return found
}

async function withFeed(archive: Buffer, body: (feed: HeaderFeed) => Promise<void>): Promise<void> {
  const dir = await scratchDir('header-feed')
  const path = join(dir, 'archive.tar')
  await writeFile(path, archive)
  const handle = await open(path, 'r')
  try {
    await body(new HeaderFeed(handle.fd, archive.length))
  } finally {
    await handle.close()
    await removeScratch(dir)
  }
}

test('the parser gets the archive with every member content zeroed, the end blocks kept', async () => {
  const archive = await packArchive(members)
  const contents = await contentsOf(archive)
  assert.is(contents.length, 3)
  await withFeed(archive, async (feed) => {
    const chunks: Buffer[] = []
    for await (const chunk of feed) chunks.push(chunk as Buffer)
    const expected = Buffer.from(archive)
    for (const {start, length} of contents) expected.fill(0, start, start + length)
    assert.ok(Buffer.concat(chunks).equals(expected), 'the feed differs from the archive outside contents')
    for (const {start, length} of contents) feed.claim(start, length)
    feed.assertAllClaimed()
  })
})

test('a member the parser reads differently from the feed is refused', async () => {
  const archive = await packArchive(members)
  const [first] = await contentsOf(archive)
  await withFeed(archive, async (feed) => {
    for await (const chunk of feed) assert.ok(chunk)
    const refusal = (() => {
      try {
        feed.claim(first.start, first.length + 1)
      } catch (error) {
        return error
      }
    })()
    assert.instance(refusal, NextrootError)
    assert.is((refusal as NextrootError).code, 'NR_ARCHIVE_CORRUPT')
  })
})

test('contents the feed zeroed but no member claimed are refused at the end', async () => {
  const archive = await packArchive(members)
  await withFeed(archive, async (feed) => {
    for await (const chunk of feed) assert.ok(chunk)
    assert.throws(
      () => feed.assertAllClaimed(),
      (error: NextrootError) => error.code === 'NR_ARCHIVE_CORRUPT',
    )
  })
})

test.run()
