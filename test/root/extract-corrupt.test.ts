// Corrupt, truncated and unsupported archives, and ACLs whose names would resolve outside the new root: each is
// refused with its own error code, streamed and from a file, and nothing is written outside the target.
import {randomBytes} from 'node:crypto'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {execa} from 'execa'
import {test} from 'uvu'

import {dir, file, refuses} from '../helpers/hostile.js'
import {BLOCK, type Member, packArchive, setSize, setTypeFlag} from '../helpers/tar-craft.js'

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

for (const format of ['gnu', 'pax']) {
  refuses(
    `a ${format} sparse member (tar --sparse --format=${format})`,
    'NR_UNSUPPORTED_ENTRY',
    async (a) => {
      const tree = join(a.root, 'sparse-tree')
      await mkdir(tree)
      await execa('truncate', ['-s', '4M', join(tree, 'holes')])
      await writeFile(join(tree, 'holes'), 'data at the start', {flag: 'r+'})
      const archive = join(a.root, 'archive')
      await execa('tar', ['--sparse', `--format=${format}`, '-cf', archive, '-C', tree, 'holes'])
      await execa('rm', ['-r', tree])
      return archive
    },
  )
}
for (const flag of ['S', 'V', 'M', 'D', 'X', 'Z']) {
  refuses(`an entry of unknown or unsupported type '${flag}'`, 'NR_UNSUPPORTED_ENTRY', async () =>
    setTypeFlag(await packArchive([file('ok'), file('odd', 'content of an odd member')]), 'odd', flag),
  )
}

test.run()
