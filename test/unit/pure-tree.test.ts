// Table-driven tests of the pure helpers behind staging: file systems, os-release, ELF, checksums, mounts, paths.
import {mkdir, symlink, writeFile, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {parseMountInfo} from '../../src/host/mounts.js'
import {parseOsRelease, describeOs} from '../../src/tree/os-release.js'
import {detectFsType} from '../../src/stage/source.js'
import {parseElfIdentity} from '../../src/tree/tree-facts.js'
import {resolveInTree} from '../../src/tree/tree-path.js'
import {digestFromChecksums} from '../../src/stage/verify.js'
import {foreignElf} from '../helpers/os-tree.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'

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
    options: 'rw,relatime',
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
