// Every kind of source stages into a visible root with a correct record, and unstage withdraws it.
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {mkdir, readFile, stat} from 'node:fs/promises'
import {release} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {NextrootError} from '../../src/errors.js'
import {mountAt} from '../../src/host/mounts.js'
import {stage} from '../../src/stage/stage.js'
import {currentBootId} from '../../src/state/staging-facts.js'
import {status} from '../../src/status/status.js'
import {unstage} from '../../src/stage/unstage.js'
import {runCli} from '../helpers/cli.js'
import {type ImageType, type TarCompression, makeImage, makeOsTree, tarTree} from '../helpers/os-tree.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'
import {
  type TestLocations,
  assertNothingStaged,
  assertStaged,
  entriesOf,
  locationFlags,
  locationsIn,
  readRecordFile,
} from '../helpers/staging.js'

let dir = ''
let tree = ''

test.before(async () => {
  dir = await scratchDir('sources')
  tree = join(dir, 'os')
  await makeOsTree(tree, {modules: [release()], files: {'usr/share/marker': 'from the image\n'}})
})

test.after(async () => {
  await removeScratch(dir)
})

/** The staged root is visible, status() reports the same record, and unstage removes it (twice: idempotent). */
async function checkAndUnstage(locations: TestLocations, id: string): Promise<void> {
  await assertStaged(locations, 'testos')
  const record = await readRecordFile(locations)
  assert.ok(record)
  const now = await status({...locations})
  assert.equal(now.staged, record)
  assert.equal([now.state, now.nextroot.entry.kind, now.rebootBecomesSoftReboot], ['staged', 'absent', false])
  assert.is(now.softReboot, 'same-root', 'a raw soft reboot restarts the same root until reboot arms it')
  assert.is(record?.id, id)
  const first = await unstage({...locations})
  assert.is(first.removed?.id, id)
  assert.equal(first.warnings, [])
  await assertNothingStaged(locations)
  const second = await unstage({...locations})
  assert.is(second.removed, undefined)
  assert.equal(second.warnings, [])
}

for (const compression of ['none', 'gzip', 'zstd', 'xz'] as TarCompression[]) {
  test(`an archive (${compression})`, async () => {
    const archive = join(dir, `os-${compression}.img`)
    await tarTree(tree, archive, compression)
    const locations = locationsIn(dir)
    const result = await stage({source: archive, ...locations})
    const {record} = result
    assert.is(
      record.sha256,
      createHash('sha256')
        .update(await readFile(archive))
        .digest('hex'),
    )
    assert.is(record.kind, 'archive')
    assert.is(record.compression, compression)
    assert.is(record.source, archive)
    assert.is(record.osRelease.IMAGE_VERSION, '42.1')
    assert.is(record.bootId, await currentBootId('/'))
    assert.ok(record.kernel.modulesPresent)
    assert.equal(record.kernel.available, [release()])
    assert.match(record.sha256 ?? '', /^[0-9a-f]{64}$/)
    assert.ok((record.entries ?? 0) >= 8)
    assert.is(record.tree, join(locations.stateDir, 'store', record.id, 'tree'))
    assert.equal(await entriesOf(join(locations.stateDir, 'store')), [record.id])
    assert.is(result.tree, record.tree)
    assert.is(result.replaced, undefined)
    await checkAndUnstage(locations, record.id)
  })
}

test("'-': an archive read from a stream (library input)", async () => {
  const archive = join(dir, 'os-stdin.tar.zst')
  await tarTree(tree, archive, 'zstd')
  const locations = locationsIn(dir)
  const {record} = await stage({source: '-', input: createReadStream(archive), ...locations})
  assert.is(record.source, '-')
  assert.is(record.kind, 'archive')
  assert.is(record.compression, 'zstd')
  await checkAndUnstage(locations, record.id)
})

test("'-': an archive piped into the CLI's standard input", async () => {
  const archive = join(dir, 'os-cli-stdin.tar.gz')
  await tarTree(tree, archive, 'gzip')
  const locations = locationsIn(dir)
  const run = await runCli(['stage', '-', '--json', ...locationFlags(locations)], {inputFile: archive})
  assert.is(run.exitCode, 0, run.stderr)
  assert.is(run.json?.result.record.source, '-')
  assert.is(run.json?.result.record.compression, 'gzip')
  await checkAndUnstage(locations, run.json?.result.record.id)
})

test("'-' that is not an archive: NR_UNKNOWN_SOURCE and nothing left in the store", async () => {
  const locations = locationsIn(dir)
  for (const input of ['', 'just some text, not a tar archive\n'.repeat(40)]) {
    try {
      await stage({source: '-', input: Readable.from([Buffer.from(input)]), ...locations})
      assert.unreachable('accepted')
    } catch (error) {
      assert.is((error as NextrootError).code, 'NR_UNKNOWN_SOURCE')
    }

    await assertNothingStaged(locations)
  }
})

test('--drop-selinux through the CLI: labels dropped, other xattrs kept', async () => {
  const labelled = join(dir, 'labelled')
  await makeOsTree(labelled)
  await execa('setfattr', [
    '-n',
    'security.selinux',
    '-v',
    'system_u:object_r:etc_t:s0',
    join(labelled, 'etc/os-release'),
  ])
  await execa('setfattr', ['-n', 'user.kept', '-v', 'yes', join(labelled, 'etc/os-release')])
  const archive = join(dir, 'labelled.tar')
  await tarTree(labelled, archive)
  const locations = locationsIn(dir)
  const run = await runCli(['stage', archive, '--drop-selinux', ...locationFlags(locations)])
  assert.is(run.exitCode, 0, run.stderr)
  const staged = (await readRecordFile(locations))?.tree as string
  const {stdout} = await execa('getfattr', ['-d', '-m', '-', join(staged, 'etc/os-release')])
  assert.not.match(stdout, /security\.selinux/)
  assert.match(stdout, /user\.kept="yes"/)
  await unstage({...locations})
})

test('a directory is staged as it is, not copied', async () => {
  const locations = locationsIn(dir)
  const {record} = await stage({source: tree, ...locations})
  assert.is(record.kind, 'directory')
  assert.is(record.tree, tree)
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [])
  await checkAndUnstage(locations, record.id)
  assert.ok((await stat(join(tree, 'usr/share/marker'))).isFile(), 'unstage left the source directory alone')
})

for (const type of ['ext4', 'erofs', 'squashfs'] as ImageType[]) {
  test(`an ${type} image is mounted`, async () => {
    const image = join(dir, `os.${type}`)
    const source = join(dir, `os-for-${type}`)
    await makeOsTree(source, {files: {'usr/share/marker': `${type}\n`}})
    await makeImage(source, image, type)
    const digest = createHash('sha256')
      .update(await readFile(image))
      .digest('hex')
    const locations = locationsIn(dir)
    const {record, warnings} = await stage({source: image, ...locations})
    assert.is(record.kind, 'image')
    assert.is(record.fsType, type)
    assert.is(record.sha256, digest, 'the digest covers the whole image')
    assert.is(record.tree, undefined)
    assert.is(record.mountPoint, join(locations.stateDir, 'mnt', record.id))
    assert.is(record.source, image)
    assert.not.ok(record.kernel.modulesPresent)
    assert.ok(warnings.some((w) => w.includes('kernel modules')))
    // the image stays mounted under the state directory while staged; nothing is at the nextroot path
    assert.is((await mountAt(record.mountPoint as string))?.fsType, type)
    assert.equal(await entriesOf(join(locations.stateDir, 'mnt')), [record.id])
    await checkAndUnstage(locations, record.id)
  })
}

test('a block device holding an ext4 file system is mounted', async () => {
  const image = join(dir, 'blockdev.ext4')
  await makeImage(tree, image, 'ext4')
  const device = (await execa('losetup', ['--find', '--show', image])).stdout.trim()
  const locations = locationsIn(dir)
  try {
    const {record} = await stage({source: device, ...locations})
    assert.is(record.kind, 'image')
    assert.is(record.fsType, 'ext4')
    assert.is(record.source, device)
    assert.is(record.bytes, undefined)
    assert.is((await mountAt(record.mountPoint as string))?.source, device)
    await checkAndUnstage(locations, record.id)
  } finally {
    await removeScratch(join(locations.stateDir, 'mnt'))
    await execa('losetup', ['-d', device], {reject: false})
  }
})

test('staging replaces a staged root, and status reports it', async () => {
  const locations = locationsIn(dir)
  const first = await stage({source: tree, ...locations})
  const archive = join(dir, 'os-next.tar')
  const next = join(dir, 'os-next')
  await mkdir(next)
  await makeOsTree(next, {osRelease: 'ID=testos\nIMAGE_VERSION=43\n'})
  await tarTree(next, archive)
  const second = await stage({source: archive, ...locations})
  assert.is(second.replaced, first.record.id)
  assert.is((await status({...locations})).staged?.osRelease.IMAGE_VERSION, '43')
  await checkAndUnstage(locations, second.record.id)
})

test('unstage with a state directory that does not exist succeeds and removes nothing', async () => {
  const locations = locationsIn(dir)
  const result = await unstage({...locations})
  assert.is(result.removed, undefined)
  await assertNothingStaged(locations)
})

test.run()
