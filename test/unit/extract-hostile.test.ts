// Hostile archives: each is refused with its own error code, and nothing is ever written outside the target.
import {randomBytes} from 'node:crypto'
import {lstat, mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import {basename, join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {NextrootError} from '../../src/errors.js'
import {extractInto} from '../helpers/extract.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'
import {BLOCK, type Member, packArchive, setSize, setTypeFlag, withTimeout} from '../helpers/tar-craft.js'

const file = (name: string, content: string | Buffer = 'x'): Member => [{name, type: 'file'}, content]
const dir = (name: string): Member => [{name, type: 'directory', mode: 0o755}]
const symlink = (name: string, linkname: string): Member => [{name, type: 'symlink', linkname}]
const hardlink = (name: string, linkname: string): Member => [{name, type: 'link', linkname}]

interface Arena {
  root: string
  target: string
  sentinel: string
  outsideFile: string
}

/** A scratch dir holding the (empty) target, a sentinel directory next to it and a file outside it. */
async function arena(): Promise<Arena> {
  const root = await scratchDir('hostile')
  const target = join(root, 'target')
  const sentinel = join(root, 'sentinel')
  await mkdir(sentinel)
  await writeFile(join(sentinel, 'keep'), 'sentinel\n')
  await writeFile(join(root, 'outside-file'), 'outside\n')
  return {root, target, sentinel, outsideFile: join(root, 'outside-file')}
}

/** Nothing next to the target changed: same names, same sentinel, outside file not linked or rewritten. */
async function assertOutsideUntouched(a: Arena, extraNames: string[] = []): Promise<void> {
  assert.equal((await readdir(a.root)).sort(), ['outside-file', 'sentinel', 'target', ...extraNames].sort())
  assert.equal(await readdir(a.sentinel), ['keep'])
  assert.is(await readFile(join(a.sentinel, 'keep'), 'utf8'), 'sentinel\n')
  assert.is(await readFile(a.outsideFile, 'utf8'), 'outside\n')
  assert.is((await lstat(a.outsideFile)).nlink, 1, 'the outside file got a hardlink')
}

async function refusal(archive: Buffer | string, a: Arena, via: Via): Promise<NextrootError> {
  try {
    await withTimeout(extractInto(archive, a.target, {via}), 20_000, 'extraction')
  } catch (error) {
    if (error instanceof NextrootError) return error
    throw error
  }

  throw new Error('the archive was accepted')
}

type Via = 'stream' | 'file'

/**
 * Extracts `members`, expects the refusal `code`, and checks that nothing escaped; twice: streamed (as from
 * standard input) and from a file, whose plain archive's contents the tree worker copies from the file itself.
 */
function refuses(
  title: string,
  code: string,
  make: (a: Arena) => Promise<Buffer | string> | Buffer,
  check?: (a: Arena) => Promise<void>,
) {
  for (const via of ['stream', 'file'] as const) {
    test(`${title} (${via})`, async () => {
      const a = await arena()
      try {
        const made = await make(a)
        const archive = via === 'file' && Buffer.isBuffer(made) ? join(a.root, 'archive') : made
        if (Buffer.isBuffer(made) && typeof archive === 'string') await writeFile(archive, made)
        const error = await refusal(archive, a, via)
        assert.is(error.code, code, error.message)
        await assertOutsideUntouched(a, typeof archive === 'string' ? [basename(archive)] : [])
        await check?.(a)
      } finally {
        await removeScratch(a.root)
      }
    })
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  )
}

refuses('a ../ member name', 'NR_UNSAFE_PATH', () => packArchive([file('ok'), file('../x')]))
refuses('a name that climbs out through a/../../', 'NR_UNSAFE_PATH', () =>
  packArchive([dir('a/'), file('a/../../x')]),
)
refuses('an absolute member name', 'NR_UNSAFE_PATH', (a) => packArchive([file(join(a.sentinel, 'x'))]))
refuses(
  'an absolute name under /etc',
  'NR_UNSAFE_PATH',
  () => packArchive([file(`/etc/nextroot-hostile-${process.pid}`)]),
  async () => {
    assert.not.ok(await exists(`/etc/nextroot-hostile-${process.pid}`))
  },
)

refuses('a symlink to an absolute path, then a file through it (CVE-2025-45582)', 'NR_UNSAFE_PATH', (a) =>
  packArchive([symlink('l', a.sentinel), file('l/x')]),
)
refuses('a symlink to ../.., then a file through it', 'NR_UNSAFE_PATH', () =>
  packArchive([symlink('l', '../..'), file('l/tmp/x')]),
)
refuses('a symlink to ../sentinel, then a directory through it', 'NR_UNSAFE_PATH', () =>
  packArchive([symlink('l', '../sentinel'), dir('l/sub/')]),
)
refuses(
  'a symlink to a directory inside the tree, then a file through it (never written through a symlink)',
  'NR_UNSAFE_PATH',
  () => packArchive([dir('sub/'), symlink('l', 'sub'), file('l/x')]),
  async (a) => assert.not.ok(await exists(join(a.target, 'sub/x'))),
)
refuses('a symlink, then a directory of the same name', 'NR_UNSAFE_PATH', () =>
  packArchive([symlink('l', '../sentinel'), dir('l/'), file('l/x')]),
)
refuses('a hardlink to ../outside-file', 'NR_UNSAFE_LINK', () =>
  packArchive([hardlink('h', '../outside-file')]),
)
refuses('a hardlink to an absolute path', 'NR_UNSAFE_LINK', (a) =>
  packArchive([hardlink('h', a.outsideFile)]),
)
refuses('a hardlink to a path not in the archive', 'NR_UNSAFE_LINK', () =>
  packArchive([file('a'), hardlink('h', 'missing')]),
)
refuses('a hardlink to a file that comes later', 'NR_UNSAFE_LINK', () =>
  packArchive([hardlink('h', 'later'), file('later')]),
)
refuses('a hardlink to a directory', 'NR_UNSAFE_LINK', () => packArchive([dir('d/'), hardlink('h', 'd')]))
refuses('a hardlink through a symlink', 'NR_UNSAFE_LINK', () =>
  packArchive([symlink('l', '..'), hardlink('h', 'l/outside-file')]),
)
refuses('a hardlink to the root itself', 'NR_UNSAFE_LINK', () =>
  packArchive([dir('./'), hardlink('h', './')]),
)
refuses('a hardlink to itself', 'NR_UNSAFE_LINK', () => packArchive([hardlink('h', './h')]))
refuses('the root entry as a symlink', 'NR_UNSAFE_PATH', () => packArchive([symlink('./', '/'), file('x')]))
refuses('a directory replacing an earlier file', 'NR_UNSAFE_PATH', () =>
  packArchive([file('x'), dir('x/'), file('x/y')]),
)
refuses('a file replacing an earlier directory', 'NR_UNSAFE_PATH', () =>
  packArchive([dir('x/'), file('x/y'), file('x')]),
)
refuses('a symlink replacing an earlier directory', 'NR_UNSAFE_PATH', () =>
  packArchive([dir('x/'), symlink('x', '../sentinel'), file('x/y')]),
)

test('a hardlink to a symlink links the symlink itself, not what it points to', async () => {
  const a = await arena()
  try {
    await extractInto(await packArchive([symlink('l', a.outsideFile), hardlink('h', 'l')]), a.target)
    assert.ok((await lstat(join(a.target, 'h'))).isSymbolicLink())
    await assertOutsideUntouched(a)
  } finally {
    await removeScratch(a.root)
  }
})

test('a later file replaces an earlier file or symlink of the same name, as GNU tar does', async () => {
  const a = await arena()
  try {
    const archive = await packArchive([
      file('x', 'first'),
      symlink('l', a.outsideFile),
      file('x', 'second'),
      file('l', 'replaced'),
    ])
    await extractInto(archive, a.target)
    assert.is(await readFile(join(a.target, 'x'), 'utf8'), 'second')
    assert.ok((await lstat(join(a.target, 'l'))).isFile())
    await assertOutsideUntouched(a)
  } finally {
    await removeScratch(a.root)
  }
})

test('devices and FIFOs, made last, still take hardlinks and give way to a later member', async () => {
  const a = await arena()
  try {
    const archive = await packArchive([
      [{name: 'null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666}],
      hardlink('null-too', 'null'),
      [{name: 'pipe', type: 'fifo'}],
      file('pipe', 'now a file'),
      [{name: 'late', type: 'fifo', mode: 0o640}],
    ])
    await extractInto(archive, a.target)
    const [device, link] = await Promise.all([
      lstat(join(a.target, 'null')),
      lstat(join(a.target, 'null-too')),
    ])
    assert.ok(device.isCharacterDevice() && device.rdev === link.rdev && device.ino === link.ino)
    assert.is(device.mode & 0o7777, 0o666)
    assert.is(await readFile(join(a.target, 'pipe'), 'utf8'), 'now a file')
    const late = await lstat(join(a.target, 'late'))
    assert.ok(late.isFIFO() && (late.mode & 0o7777) === 0o640)
    await assertOutsideUntouched(a)
  } finally {
    await removeScratch(a.root)
  }
})

/** A member whose ACL (text form, as `tar --acls` writes it) names users and groups the new root must know. */
const aclNaming = (user: string): Member => [
  {
    name: 'srv-data',
    type: 'file',
    pax: {'SCHILY.acl.access': `user::rw-\nuser:${user}:r--\ngroup::r--\nmask::r--\nother::---\n`},
  },
  'data',
]

for (const [what, passwd] of [
  ['a FIFO', [{name: 'etc/passwd', type: 'fifo'}]],
  ['a symlink to the host /etc/passwd', [{name: 'etc/passwd', type: 'symlink', linkname: '/etc/passwd'}]],
  ['a symlink to /dev/zero', [{name: 'etc/passwd', type: 'symlink', linkname: '/dev/zero'}]],
  ['under an etc symlink to the host /etc', [{name: 'etc', type: 'symlink', linkname: '/etc'}]],
] as Array<[string, Member[0][]]>) {
  // 'daemon' exists on the host: resolving it there would silently give the host's id
  refuses(`ACL names are never resolved through etc/passwd as ${what}`, 'NR_ARCHIVE_CORRUPT', () =>
    packArchive([
      ...(passwd[0].name === 'etc' ? [] : [dir('etc/')]),
      ...passwd.map((h): Member => [h]),
      aclNaming('daemon'),
    ]),
  )
}

async function sampleArchive(): Promise<Buffer> {
  return packArchive([
    dir('etc/'),
    file('etc/a', 'a'.repeat(3000)),
    file('etc/b', 'b'.repeat(100)),
    file('etc/c', 'c'),
  ])
}

refuses('a plain archive cut in the middle of a file', 'NR_ARCHIVE_TRUNCATED', async () => {
  const archive = await sampleArchive()
  return archive.subarray(0, 2 * BLOCK + 1000)
})
refuses(
  'a plain archive cut at a member boundary, without the end-of-archive blocks',
  'NR_ARCHIVE_TRUNCATED',
  async () => {
    const archive = await sampleArchive()
    // etc/ (1 block) + etc/a (1 + 6 blocks): cut right after etc/a's content
    return archive.subarray(0, 8 * BLOCK)
  },
)
refuses(
  'a plain archive whose end-of-archive blocks are cut in the middle',
  'NR_ARCHIVE_TRUNCATED',
  async () => {
    const archive = await sampleArchive()
    return archive.subarray(0, archive.length - 2 * BLOCK + 100)
  },
)
refuses('a header checksum error', 'NR_ARCHIVE_CORRUPT', async () => {
  const archive = await sampleArchive()
  archive[BLOCK + 7 * BLOCK + 3] ^= 0x01 // a name byte of etc/b's header
  return archive
})
refuses('a header whose size claims far more than the archive holds', 'NR_ARCHIVE_TRUNCATED', async () =>
  setSize(await sampleArchive(), 'etc/c', 64 * 1024 * 1024),
)

refuses('a corrupt gzip stream (bytes flipped in the middle)', 'NR_ARCHIVE_CORRUPT', async () => {
  const text = Array.from({length: 20000}, (_, i) => `line ${i} of a configuration file\n`).join('')
  const gz = gzipSync(
    await packArchive([dir('etc/'), file('etc/big.conf', text), file('etc/after', 'after')]),
  )
  for (let i = 0; i < 16; i++) gz[Math.floor(gz.length / 2) + i] ^= 0xa5
  return gz
})
refuses('a truncated gzip stream', 'NR_ARCHIVE_TRUNCATED', async () => {
  const gz = gzipSync(await sampleArchive())
  return gz.subarray(0, gz.length - 20)
})
refuses('a truncated zstd stream', 'NR_ARCHIVE_TRUNCATED', async (a) => {
  const tar = join(a.root, 'archive.tar')
  await writeFile(
    tar,
    await packArchive([dir('etc/'), file('etc/random', randomBytes(256 * 1024)), file('etc/after')]),
  )
  await execa('zstd', ['-q', '--rm', tar, '-o', `${tar}.zst`])
  const zst = await readFile(`${tar}.zst`)
  await execa('rm', [`${tar}.zst`])
  return zst.subarray(0, Math.floor(zst.length / 2))
})

for (const compression of ['gzip', 'zstd', 'xz']) {
  refuses(
    `a ${compression} archive refused on its first member while megabytes are still unread (no hang)`,
    'NR_UNSAFE_PATH',
    async (a) => {
      const tar = join(a.root, 'archive.tar')
      const members: Member[] = [file('../escape')]
      for (let i = 0; i < 4; i++) members.push(file(`f${i}`, randomBytes(1024 * 1024)))
      await writeFile(tar, await packArchive(members))
      await execa(compression, ['-q', '-1', '-c', tar], {stdout: {file: `${tar}.c`}})
      await execa('mv', [`${tar}.c`, tar])
      return tar
    },
  )
}

refuses('a GNU sparse member (tar --sparse --format=gnu)', 'NR_UNSUPPORTED_ENTRY', async (a) => {
  const tree = join(a.root, 'sparse-tree')
  await mkdir(tree)
  await execa('truncate', ['-s', '4M', join(tree, 'holes')])
  await writeFile(join(tree, 'holes'), 'data at the start', {flag: 'r+'})
  const archive = join(a.root, 'archive')
  await execa('tar', ['--sparse', '--format=gnu', '-cf', archive, '-C', tree, 'holes'])
  await execa('rm', ['-r', tree])
  return archive
})
refuses('a pax sparse member (tar --sparse --format=pax)', 'NR_UNSUPPORTED_ENTRY', async (a) => {
  const tree = join(a.root, 'sparse-tree')
  await mkdir(tree)
  await execa('truncate', ['-s', '4M', join(tree, 'holes')])
  await writeFile(join(tree, 'holes'), 'data at the start', {flag: 'r+'})
  const archive = join(a.root, 'archive')
  await execa('tar', ['--sparse', '--format=pax', '-cf', archive, '-C', tree, 'holes'])
  await execa('rm', ['-r', tree])
  return archive
})
for (const flag of ['S', 'V', 'M', 'D', 'X', 'Z']) {
  refuses(`an entry of unknown or unsupported type '${flag}'`, 'NR_UNSUPPORTED_ENTRY', async () =>
    setTypeFlag(await packArchive([file('ok'), file('odd', 'content of an odd member')]), 'odd', flag),
  )
}

test.run()
