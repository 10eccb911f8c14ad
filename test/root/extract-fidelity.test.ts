// The extractor reproduces what GNU tar itself extracts, attribute by attribute, for every entry kind.
import {mkdir, readFile, writeFile, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {stage} from '../../src/stage/stage.js'
import {unstage} from '../../src/stage/unstage.js'
import {extractInto} from '../helpers/extract.js'
import {FIDELITY_FLAGS, type TarCompression, tarTree} from '../helpers/os-tree.js'
import {buildSampleTree} from '../helpers/sample-tree.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'
import {type EntrySnapshot, diffSnapshots, snapshotTree} from '../helpers/tree-snapshot.js'

let dir = ''
let sample = ''

test.before(async () => {
  dir = await scratchDir('fidelity')
  sample = join(dir, 'sample')
  await mkdir(sample)
  await buildSampleTree(sample)
})

test.after(async () => {
  await removeScratch(dir)
})

/** Extracts `archive` with GNU tar (same flags it was made with) and with nextroot; returns both snapshots. */
async function bothWays(
  archive: string,
  name: string,
  tarFlags: string[] = FIDELITY_FLAGS,
  via: 'file' | 'stream' = 'file',
) {
  const gnu = join(dir, `${name}.gnu`)
  const ours = join(dir, `${name}.nextroot`)
  await mkdir(gnu)
  await execa('tar', [...tarFlags, '-xpf', archive, '-C', gnu])
  const summary = await extractInto(archive, ours, {via})
  return {summary, gnu: await snapshotTree(gnu), ours: await snapshotTree(ours), oursPath: ours}
}

function assertSame(expected: Map<string, EntrySnapshot>, actual: Map<string, EntrySnapshot>): void {
  const diffs = diffSnapshots(expected, actual)
  assert.ok(diffs.length === 0, `trees differ:\n${diffs.join('\n')}`)
}

test('every entry kind comes out as GNU tar extracts it (plain pax archive)', async () => {
  const archive = join(dir, 'sample.tar')
  await tarTree(sample, archive)
  const {summary, gnu, ours} = await bothWays(archive, 'plain')
  assertSame(gnu, ours)
  // the sample really exercises what the acceptance test names
  const has = (path: string, check: (e: EntrySnapshot) => boolean) => {
    const entry = ours.get(path)
    assert.ok(entry && check(entry), `${path}: ${JSON.stringify(entry)}`)
  }

  has('usr/bin/ping', (e) => e.xattrs['security.capability'] !== undefined)
  has('etc/acl-file', (e) => e.xattrs['system.posix_acl_access'] !== undefined)
  has('home/alice', (e) => e.xattrs['system.posix_acl_default'] !== undefined && e.uid === 1000)
  has('usr/bin/su', (e) => e.mode === '4755' && e.uid === 0)
  has('usr/bin/wall', (e) => e.mode === '2755' && e.gid === 5)
  has('var/tmp', (e) => e.mode === '1777')
  has('usr/bin/sh', (e) => e.linkGroup === 'usr/bin/busybox')
  has('usr/bin/ls', (e) => e.linkGroup === 'usr/bin/busybox')
  has('dev/null', (e) => e.type === 'char' && e.mode === '666')
  has('dev/loop9', (e) => e.type === 'block')
  has('dev/initctl', (e) => e.type === 'fifo')
  has('etc/os-release.link', (e) => e.type === 'symlink' && e.link === '/usr/lib/os-release')
  has('etc/os-release', (e) => e.mtimeUs === '1700000000123456' && e.xattrs['user.binary'] === '0x00ff0080')
  has('deep', (e) => e.xattrs['trusted.overlay.opaque'] === '0x79')
  assert.ok(
    [...ours.keys()].some((path) => path.length >= 200),
    'a path of 200+ characters',
  )
  assert.is(summary.counts.hardlink, 2)
  assert.is(summary.counts['char-device'], 1)
  assert.is(summary.counts['block-device'], 1)
  assert.is(summary.counts.fifo, 1)
  // the capability value has bytes >= 0x80 and survives byte for byte
  assert.is(
    ours.get('usr/bin/ping')?.xattrs['security.capability'],
    gnu.get('usr/bin/ping')?.xattrs['security.capability'],
  )
  assert.ok(/0x01000002(80|..)/.test(ours.get('usr/bin/ping')?.xattrs['security.capability'] ?? ''))
})

test('a plain archive read as a stream (as from standard input) comes out the same', async () => {
  const archive = join(dir, 'sample-streamed.tar')
  await tarTree(sample, archive)
  const {gnu, ours} = await bothWays(archive, 'streamed', FIDELITY_FLAGS, 'stream')
  assertSame(gnu, ours)
})

test('the staged tree (stage() of the archive, in the store) equals GNU tar extraction', async () => {
  // the sample's init is a stub; a real ELF for this machine lets the staged root pass the checks
  const bootable = join(dir, 'bootable')
  await execa('cp', ['-a', sample, bootable])
  await execa('cp', ['/bin/true', join(bootable, 'usr/lib/systemd/systemd')])
  const archive = join(dir, 'bootable.tar.zst')
  await tarTree(bootable, archive, 'zstd')
  const gnu = join(dir, 'bootable.gnu')
  await mkdir(gnu)
  await execa('tar', [...FIDELITY_FLAGS, '-xpf', archive, '-C', gnu])
  const locations = {nextroot: join(dir, 'staged-nextroot'), stateDir: join(dir, 'staged-state')}
  try {
    const {record} = await stage({source: archive, ...locations})
    const expected = await snapshotTree(gnu)
    assertSame(expected, await snapshotTree(record.tree as string))
    assert.is(record.entries, expected.size, 'one archive member per entry, the root included')
  } finally {
    await unstage(locations)
  }
})

for (const compression of ['gzip', 'zstd', 'xz'] as TarCompression[]) {
  test(`${compression}: recognised by magic and extracted identically`, async () => {
    const archive = join(dir, `sample.${compression}.bin`) // no telling extension
    await tarTree(sample, archive, compression)
    const {gnu, ours} = await bothWays(archive, compression)
    assertSame(gnu, ours)
  })
}

test('a binary xattr value with bytes >= 0x80 and NUL survives', async () => {
  const tree = join(dir, 'binary-tree')
  await mkdir(tree)
  await writeFile(join(tree, 'f'), 'x')
  const value = Buffer.from([0x80, 0xff, 0x00, 0xc3, 0x28, 0x0a, 0x3d, 0xfe])
  await execa('setfattr', ['-n', 'user.raw', '-v', `0x${value.toString('hex')}`, join(tree, 'f')])
  await execa('setcap', ['cap_sys_admin,cap_net_bind_service=eip', join(tree, 'f')])
  const archive = join(dir, 'binary.tar')
  await tarTree(tree, archive)
  const {gnu, ours} = await bothWays(archive, 'binary')
  assertSame(gnu, ours)
  assert.is(ours.get('f')?.xattrs['user.raw'], `0x${value.toString('hex')}`)
})

test('keepSelinux false drops security.selinux and keeps every other xattr', async () => {
  const tree = join(dir, 'selinux-tree')
  await mkdir(tree)
  await writeFile(join(tree, 'f'), 'x')
  await execa('setfattr', ['-n', 'security.selinux', '-v', 'system_u:object_r:etc_t:s0', join(tree, 'f')])
  await execa('setfattr', ['-n', 'user.keep', '-v', 'kept', join(tree, 'f')])
  await execa('setcap', ['cap_net_raw+ep', join(tree, 'f')])
  const archive = join(dir, 'selinux.tar')
  await tarTree(tree, archive)
  const kept = await snapshotTree(await extracted(archive, 'selinux-keep', true))
  const dropped = await snapshotTree(await extracted(archive, 'selinux-drop', false))
  assert.ok(kept.get('f')?.xattrs['security.selinux'], 'kept by default')
  const after = dropped.get('f')?.xattrs ?? {}
  assert.is(after['security.selinux'], undefined)
  assert.is(after['user.keep'], kept.get('f')?.xattrs['user.keep'])
  assert.is(after['security.capability'], kept.get('f')?.xattrs['security.capability'])
})

async function extracted(archive: string, name: string, keepSelinux: boolean): Promise<string> {
  const target = join(dir, name)
  await extractInto(archive, target, {keepSelinux})
  return target
}

test('an archive made with --acls only: ACL names resolved in the new root', async () => {
  const tree = join(dir, 'acl-tree')
  await mkdir(join(tree, 'etc'), {recursive: true})
  await mkdir(join(tree, 'srv/shared'), {recursive: true})
  // the new root's own users: names the host does not know, ids that differ from the host's
  await writeFile(join(tree, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nappuser:x:4321:4321::/:/bin/false\n')
  await writeFile(join(tree, 'etc/group'), 'root:x:0:\nappgroup:x:4322:\n')
  await writeFile(join(tree, 'srv/data'), 'data')
  await execa('setfacl', ['-m', 'u:4321:rw,g:4322:r', join(tree, 'srv/data')])
  await execa('setfacl', ['-d', '-m', 'u:4321:rwx,g:4322:rx', join(tree, 'srv/shared')])
  const archive = join(dir, 'acl-only.tar')
  const flags = ['--acls', '--numeric-owner']
  await execa('tar', [...flags, '-cpf', archive, '-C', tree, '.'])
  // the archive names the users (GNU tar writes the host's names, here numbers: the host lacks them)
  const {gnu, ours} = await bothWays(archive, 'acl-only', flags)
  assertSame(gnu, ours)
  assert.ok(ours.get('srv/data')?.xattrs['system.posix_acl_access'])
  assert.ok(ours.get('srv/shared')?.xattrs['system.posix_acl_default'])
})

test('an --acls archive naming users of the new root gets their ids from its etc/passwd', async () => {
  // GNU tar writes ACLs with user names; craft one whose names exist only in the new root
  const {pack} = await import('tar-stream')
  const archive = pack()
  archive.entry({name: 'etc/', type: 'directory', mode: 0o755})
  archive.entry(
    {name: 'etc/passwd', mode: 0o644},
    'root:x:0:0::/root:/bin/sh\nappuser:x:4321:4321::/:/bin/false\n',
  )
  archive.entry({name: 'etc/group', mode: 0o644}, 'root:x:0:\napps:x:4322:\n')
  archive.entry(
    {
      name: 'srv-data',
      mode: 0o640,
      pax: {
        'SCHILY.acl.access':
          'user::rw-\nuser:appuser:rw-\ngroup::r--\ngroup:apps:r--\nmask::rw-\nother::---\n',
      },
    },
    'data',
  )
  archive.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of archive) chunks.push(chunk as Buffer)
  const target = join(dir, 'acl-names')
  await extractInto(Buffer.concat(chunks), target)
  const {stdout} = await execa('getfacl', ['-n', '-p', join(target, 'srv-data')])
  assert.match(stdout, /^user:4321:rw-$/m)
  assert.match(stdout, /^group:4322:r--$/m)
})

test('long names: pax and GNU (--format=gnu) long names and long link targets', async () => {
  const tree = join(dir, 'long-tree')
  const long = join('a'.repeat(90), 'b'.repeat(90), 'c'.repeat(90))
  await mkdir(join(tree, long), {recursive: true})
  await writeFile(join(tree, long, `${'f'.repeat(120)}.txt`), 'long\n')
  await execa('ln', ['-s', join(long, `${'f'.repeat(120)}.txt`), join(tree, 'long-link')])
  await execa('ln', [join(tree, long, `${'f'.repeat(120)}.txt`), join(tree, 'hard-to-long')])
  for (const format of ['pax', 'gnu']) {
    const archive = join(dir, `long-${format}.tar`)
    const flags = ['--numeric-owner', `--format=${format}`]
    await execa('tar', [...flags, '-cpf', archive, '-C', tree, '.'])
    const {gnu, ours} = await bothWays(archive, `long-${format}`, flags)
    assertSame(gnu, ours)
    assert.ok(ours.has(join(long, `${'f'.repeat(120)}.txt`)), format)
  }
})

test('a file larger than 1 MiB is streamed intact', async () => {
  const tree = join(dir, 'big-tree')
  await mkdir(tree)
  const content = Buffer.alloc(5 * 1024 * 1024 + 123)
  for (let i = 0; i < content.length; i += 4096) content.writeUInt32LE(i, i)
  await writeFile(join(tree, 'big.bin'), content)
  await writeFile(join(tree, 'small-after'), 'after')
  const archive = join(dir, 'big.tar')
  await tarTree(tree, archive, 'zstd')
  const target = join(dir, 'big.nextroot')
  const summary = await extractInto(archive, target)
  assert.ok((await readFile(join(target, 'big.bin'))).equals(content))
  assert.is(await readFile(join(target, 'small-after'), 'utf8'), 'after')
  assert.is((await stat(join(target, 'big.bin'))).size, content.length)
  assert.is(summary.bytes, content.length + 5)
})

test.run()
