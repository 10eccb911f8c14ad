// Table-driven tests of the pure parsing and policy helpers behind extraction and staging.
import {mkdir, symlink, writeFile, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {NextrootError} from '../../src/errors.js'
import {parseMountInfo} from '../../src/host/mounts.js'
import {parseOsRelease, describeOs} from '../../src/tree/os-release.js'
import {detectFsType} from '../../src/stage/source.js'
import {parseElfIdentity} from '../../src/tree/tree-facts.js'
import {resolveInTree} from '../../src/tree/tree-path.js'
import {digestFromChecksums} from '../../src/stage/verify.js'
import {aclTextToXattr, parseIdTable} from '../../src/tar/acl-text.js'
import {detectCompression} from '../../src/tar/compression.js'
import {normaliseMemberName, paxSeconds} from '../../src/tar/entry-policy.js'
import {decodePaxRecords} from '../../src/tar/pax-bytes.js'
import {escapeRestorePath, xattrRestoreScript} from '../../src/tar/xattr-restore.js'
import {foreignElf} from '../helpers/os-tree.js'
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

test('detectFsType recognises squashfs, erofs and ext4 super blocks', () => {
  const squash = Buffer.alloc(4096)
  squash.write('hsqs', 0, 'latin1')
  const erofs = Buffer.alloc(4096)
  erofs.writeUInt32LE(0xe0f5e1e2, 1024)
  const ext4 = Buffer.alloc(4096)
  ext4.writeUInt16LE(0xef53, 1080)
  assert.is(detectFsType(squash), 'squashfs')
  assert.is(detectFsType(erofs), 'erofs')
  assert.is(detectFsType(ext4), 'ext4')
  assert.is(detectFsType(Buffer.alloc(4096)), undefined)
  assert.is(detectFsType(ext4.subarray(0, 1000)), undefined, 'short read')
})

test('parseOsRelease handles quoting, escapes, comments and junk lines', () => {
  const os = parseOsRelease(
    [
      '# comment',
      'NAME="Debian GNU/Linux"',
      "ID='debian'",
      'VERSION_ID=13',
      'PRETTY_NAME="Say \\"hi\\" \\$HOME"',
      '  IMAGE_VERSION=1.2.3  ',
      'lowercase=ignored',
      'EMPTY=',
      'garbage line',
      '',
    ].join('\n'),
  )
  assert.equal(os, {
    NAME: 'Debian GNU/Linux',
    ID: 'debian',
    VERSION_ID: '13',
    PRETTY_NAME: 'Say "hi" $HOME',
    IMAGE_VERSION: '1.2.3',
    EMPTY: '',
  })
  assert.is(describeOs({NAME: 'Test', VERSION_ID: '1'}), 'Test 1')
  assert.is(describeOs({}), 'unknown OS')
})

test('parseElfIdentity reads class and machine in both byte orders', async () => {
  const host = parseElfIdentity(await readFile('/bin/true'))
  const expected: Record<string, number> = {x64: 62, arm64: 183}
  if (expected[process.arch]) assert.equal(host, {elfClass: 2, machine: expected[process.arch]})
  assert.equal(parseElfIdentity(foreignElf(183)), {elfClass: 2, machine: 183})
  const bigEndian = foreignElf(0)
  bigEndian[5] = 2
  bigEndian.writeUInt16BE(22, 18)
  assert.equal(parseElfIdentity(bigEndian), {elfClass: 2, machine: 22})
  assert.is(parseElfIdentity(Buffer.from('#!/bin/sh\necho not an elf binary\n')), undefined)
  assert.is(parseElfIdentity(foreignElf().subarray(0, 19)), undefined)
})

test('digestFromChecksums finds the source by name in both sha256sum formats', () => {
  const a = 'a'.repeat(64)
  const b = 'B'.repeat(64)
  const c = 'c'.repeat(64)
  const text = [`${a}  os-42.tar.zst`, `${b} *os-42.raw`, `${c}  ./images/os-43.tar.zst\r`, 'junk', ''].join(
    '\n',
  )
  assert.is(digestFromChecksums(text, 'os-42.tar.zst'), a)
  assert.is(digestFromChecksums(text, 'os-42.raw'), 'b'.repeat(64))
  assert.is(digestFromChecksums(text, 'os-43.tar.zst'), c)
  assert.is(digestFromChecksums(text, 'os-42.tar'), undefined)
  assert.is(digestFromChecksums(text, 'os-44.tar.zst'), undefined)
  assert.is(digestFromChecksums(`${a.slice(1)}  short`, 'short'), undefined)
})

test('parseMountInfo reads fields, optional tags and octal escapes', () => {
  const text = [
    '22 1 252:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
    '88 22 252:0 /var/lib/nextroot/store/x/tree /run/nextroot rw,relatime shared:1 master:2 - ext4 /dev/vda rw',
    '90 22 0:45 / /mnt/with\\040space rw - tmpfs my\\040tmpfs rw,size=10k',
    '91 22 7:0 / /run/other ro,relatime - squashfs /dev/loop0 ro',
    '',
  ].join('\n')
  const mounts = parseMountInfo(text)
  assert.is(mounts.length, 4)
  assert.equal(mounts[1], {
    id: 88,
    majorMinor: '252:0',
    root: '/var/lib/nextroot/store/x/tree',
    mountPoint: '/run/nextroot',
    fsType: 'ext4',
    source: '/dev/vda',
  })
  assert.is(mounts[2].mountPoint, '/mnt/with space')
  assert.is(mounts[2].source, 'my tmpfs')
  assert.is(mounts[3].fsType, 'squashfs')
})

test('resolveInTree keeps absolute and .. symlinks inside the tree', async () => {
  const dir = await scratchDir('resolve')
  try {
    const tree = join(dir, 'tree')
    await mkdir(join(tree, 'usr/lib'), {recursive: true})
    await mkdir(join(tree, 'etc'))
    await writeFile(join(tree, 'usr/lib/os-release'), 'ID=inside\n')
    await writeFile(join(dir, 'outside'), 'host file\n')
    await symlink('/usr/lib/os-release', join(tree, 'etc/os-release'))
    await symlink('../../../../../../../outside', join(tree, 'etc/escape'))
    await symlink('/etc/../../../outside', join(tree, 'etc/escape2'))
    await symlink('loop-b', join(tree, 'etc/loop-a'))
    await symlink('loop-a', join(tree, 'etc/loop-b'))
    await symlink('/usr', join(tree, 'usrlink'))
    assert.is(await resolveInTree(tree, 'etc/os-release'), join(tree, 'usr/lib/os-release'))
    assert.is(await resolveInTree(tree, 'usrlink/lib/os-release'), join(tree, 'usr/lib/os-release'))
    // the host's file next to the tree is never reached: the lookups stop at the tree's root
    assert.is(await resolveInTree(tree, 'etc/escape'), undefined)
    assert.is(await resolveInTree(tree, 'etc/escape2'), undefined)
    await writeFile(join(tree, 'outside'), 'inside\n')
    assert.is(await resolveInTree(tree, 'etc/escape'), join(tree, 'outside'))
    assert.is(await resolveInTree(tree, 'etc/escape2'), join(tree, 'outside'))
    assert.is(await resolveInTree(tree, 'etc/loop-a'), undefined)
    assert.is(await resolveInTree(tree, 'etc/missing'), undefined)
    assert.is(await resolveInTree(tree, 'usr/lib/os-release/below-a-file'), undefined)
    assert.is(await resolveInTree(tree, '../../outside'), join(tree, 'outside'))
  } finally {
    await removeScratch(dir)
  }
})

test.run()
