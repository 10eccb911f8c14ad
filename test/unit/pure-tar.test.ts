// Table-driven tests of the pure parsing and policy helpers behind extraction: names, pax records, ACLs, xattrs.
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {NextrootError} from '../../src/errors.js'
import {aclTextToXattr, parseIdTable} from '../../src/tar/acl-text.js'
import {detectCompression} from '../../src/tar/compression.js'
import {normaliseMemberName, paxSeconds} from '../../src/tar/entry-policy.js'
import {decodePaxRecords} from '../../src/tar/pax-bytes.js'
import {escapeRestorePath, xattrRestoreScript} from '../../src/tar/xattr-restore.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return error instanceof NextrootError ? error.code : `not a NextrootError: ${String(error)}`
  }

  return undefined
}

test('normaliseMemberName keeps relative names and strips ./, // and trailing /', () => {
  const cases: Array<[string, string]> = [
    ['etc/passwd', 'etc/passwd'],
    ['./etc/passwd', 'etc/passwd'],
    ['./', ''],
    ['.', ''],
    ['etc//x/', 'etc/x'],
    ['./usr/./lib/', 'usr/lib'],
    ['a..b/..c', 'a..b/..c'],
  ]
  for (const [name, want] of cases) assert.is(normaliseMemberName(name), want, name)
})

test('normaliseMemberName refuses absolute names, .. components, NUL bytes and absurd depth', () => {
  const cases = [
    '/etc/passwd',
    '//etc',
    '../x',
    'a/../../x',
    'a/..',
    './..',
    'etc/\0x',
    'a/'.repeat(300) + 'x',
  ]
  for (const name of cases)
    assert.is(
      codeOf(() => normaliseMemberName(name)),
      'NR_UNSAFE_PATH',
      name,
    )
})

test('paxSeconds keeps the archive microsecond through a double and falls back on bad values', () => {
  const cases: Array<[string, number]> = [
    ['1700000000.123456789', 123456],
    ['1700000000.5', 500000],
    ['1700000000.000001', 1],
    ['1700000000.999999999', 999999],
    ['1700000000', 0],
  ]
  for (const [value, micros] of cases) {
    const seconds = paxSeconds(value, 0)
    assert.is(Math.floor(seconds), 1700000000, value)
    // libuv turns the double into a timespec with microsecond resolution
    assert.is(Math.floor((seconds - Math.floor(seconds)) * 1e6), micros, value)
  }

  for (const bad of [undefined, '', 'abc', '-5', '1e9', '12.', '1.1234567890'])
    assert.is(paxSeconds(bad, 42), 42)
})

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')])
  let length = body.length + 1
  while (String(length).length + body.length !== length) length++
  return Buffer.concat([Buffer.from(String(length)), body])
}

test('decodePaxRecords keeps xattr values byte-exact and decodes other values as UTF-8', () => {
  const capability = Buffer.from('0100000280200000000000000000000000000000', 'hex')
  const records = Buffer.concat([
    paxRecord('path', Buffer.from('usr/share/caf\u00e9/\u65e5\u672c')),
    paxRecord('SCHILY.xattr.security.capability', capability),
    paxRecord('SCHILY.xattr.user.bytes', Buffer.from([0xff, 0x00, 0x80, 0x0a, 0x3d])),
    paxRecord('mtime', Buffer.from('1700000000.5')),
  ])
  const pax = decodePaxRecords(records)
  assert.is(pax.path, 'usr/share/caf\u00e9/\u65e5\u672c')
  assert.equal(Buffer.from(pax['SCHILY.xattr.security.capability'], 'latin1'), capability)
  assert.equal(
    Buffer.from(pax['SCHILY.xattr.user.bytes'], 'latin1'),
    Buffer.from([0xff, 0x00, 0x80, 0x0a, 0x3d]),
  )
  assert.is(pax.mtime, '1700000000.5')
})

test('decodePaxRecords stops at a malformed record instead of reading past it', () => {
  const good = paxRecord('path', Buffer.from('a'))
  assert.equal(decodePaxRecords(Buffer.concat([good, Buffer.from('999 path=b\n')])), {path: 'a'})
  assert.equal(decodePaxRecords(Buffer.concat([good, Buffer.from('x path=b\n')])), {path: 'a'})
  assert.equal(decodePaxRecords(Buffer.from('5 noequals\n')), {})
  assert.equal(decodePaxRecords(Buffer.alloc(0)), {})
})

test('aclTextToXattr produces the bytes the kernel stores for the same ACL (getfattr -e hex)', async () => {
  const dir = await scratchDir('acl')
  try {
    const file = join(dir, 'f')
    const sub = join(dir, 'd')
    await writeFile(file, '')
    await mkdir(sub)
    await execa('setfacl', ['-m', 'u:1234:rx,g:99:r,u:daemon:r', file])
    await execa('setfacl', ['-d', '-m', 'u:1234:rwx,g:bin:rx', sub])
    const ids = {
      users: parseIdTable('root:x:0:0::/root:/bin/sh\ndaemon:x:1:1::/:/bin/false\n'),
      groups: parseIdTable('bin:x:2:\n'),
    }
    const hex = async (path: string, name: string) =>
      /=0x([0-9a-f]+)/.exec((await execa('getfattr', ['-n', name, '-e', 'hex', path])).stdout)?.[1]
    // GNU tar's text (acl_to_text): names where it knows them, one entry per line
    const access =
      'user::rw-\nuser:daemon:r--\nuser:1234:r-x\ngroup::r--\ngroup:99:r--\nmask::r-x\nother::r--\n'
    assert.is(aclTextToXattr(access, ids).toString('hex'), await hex(file, 'system.posix_acl_access'))
    const defaults = 'user::rwx\nuser:1234:rwx\ngroup::r-x\ngroup:bin:r-x\nmask::rwx\nother::r-x\n'
    assert.is(aclTextToXattr(defaults, ids).toString('hex'), await hex(sub, 'system.posix_acl_default'))
    // comma-separated short form, and entries out of order, give the same value
    const short = 'other::r--,mask::r-x,group:99:r--,group::r--,user:1234:r-x,user:1:r--,user::rw-'
    assert.is(aclTextToXattr(short, ids).toString('hex'), await hex(file, 'system.posix_acl_access'))
  } finally {
    await removeScratch(dir)
  }
})

test('aclTextToXattr refuses names unknown in the new root and unreadable entries', () => {
  const ids = {users: new Map<string, number>(), groups: new Map<string, number>()}
  assert.is(
    codeOf(() => aclTextToXattr('user:nobody-here:r--', ids)),
    'NR_ARCHIVE_CORRUPT',
  )
  assert.is(
    codeOf(() => aclTextToXattr('bogus::rwx', ids)),
    'NR_ARCHIVE_CORRUPT',
  )
})

test('escapeRestorePath escapes what getfattr escapes, and setfattr --restore reads it back', async () => {
  const cases: Array<[string, string]> = [
    ['usr/bin/ping', 'usr/bin/ping'],
    ['a b', 'a\\040b'],
    ['back\\slash', 'back\\134slash'],
    ['new\nline', 'new\\012line'],
    ['caf\u00e9', 'caf\\303\\251'],
    ['tab\there', 'tab\\011here'],
  ]
  for (const [path, want] of cases) assert.is(escapeRestorePath(path), want, JSON.stringify(path))

  const dir = await scratchDir('restore')
  try {
    // as the tree writer does: the script next to the tree, setfattr run inside it
    const tree = join(dir, 'tree')
    await mkdir(tree)
    const names = cases.map(([path]) => path.replaceAll('/', '_'))
    for (const name of names) await writeFile(join(tree, name), '')
    const value = (index: number) => Buffer.from([index, 0xff, 0x00, 0x80])
    const xattrs = new Map(names.map((name, index) => [name, new Map([[`user.n${index}`, value(index)]])]))
    xattrs.set('', new Map([['user.empty', Buffer.alloc(0)]]))
    await writeFile(join(dir, 'xattrs.restore'), xattrRestoreScript(xattrs))
    await execa('setfattr', ['-h', `--restore=${join(dir, 'xattrs.restore')}`], {cwd: tree})
    for (const [index, name] of names.entries()) {
      const {stdout} = await execa('getfattr', ['-n', `user.n${index}`, '-e', 'hex', '--', name], {cwd: tree})
      assert.ok(stdout.includes(`=0x${value(index).toString('hex')}`), name)
    }

    const {stdout} = await execa('getfattr', ['-d', '-m', 'user.empty', '.'], {cwd: tree})
    assert.ok(stdout.includes('user.empty'), stdout)
  } finally {
    await removeScratch(dir)
  }
})

function tarHeaderBlock(magic: boolean): Buffer {
  const block = Buffer.alloc(512)
  block.write('etc/os-release', 0)
  block.write('0000644\0', 100)
  block.write('0000000\0', 108)
  block.write('0000000\0', 116)
  block.write('00000000000\0', 124)
  block.write('00000000000\0', 136)
  block[156] = 0x30
  if (magic) block.write('ustar\x0000', 257, 'latin1')
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
  return block
}

test('detectCompression recognises magic bytes and tar headers, nothing else', () => {
  const pad = (bytes: number[]) => Buffer.concat([Buffer.from(bytes), Buffer.alloc(600)])
  assert.is(detectCompression(pad([0x1f, 0x8b, 8])), 'gzip')
  assert.is(detectCompression(pad([0x28, 0xb5, 0x2f, 0xfd])), 'zstd')
  assert.is(detectCompression(pad([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), 'xz')
  assert.is(detectCompression(tarHeaderBlock(true)), 'none')
  assert.is(detectCompression(tarHeaderBlock(false)), 'none', 'v7 header with a valid checksum')
  assert.is(detectCompression(Buffer.alloc(1024)), undefined, 'zero blocks')
  assert.is(
    detectCompression(Buffer.from('BZh91AY&SY' + ' '.repeat(600))),
    undefined,
    'bzip2 is not supported',
  )
  assert.is(detectCompression(Buffer.from([0x1f])), undefined, 'too short')
  const broken = tarHeaderBlock(false)
  broken[0] ^= 1
  assert.is(detectCompression(broken), undefined, 'v7 header with a wrong checksum')
})

test.run()
