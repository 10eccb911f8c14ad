// Staging is exclusive per state directory, interruptible and crash-safe: the previous root stays staged until
// the new one is published, a killed run's leftovers are cleaned by the next, and a foreign mount is left alone.
import {mkdir, readdir, readFile, readlink, rm, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {mountAt} from '../../src/host/mounts.js'
import {stage} from '../../src/stage/stage.js'
import {status} from '../../src/status/status.js'
import {unstage} from '../../src/stage/unstage.js'
import {type CliResult, runCli, startCli} from '../helpers/cli.js'
import {makeImage, makeOsTree, tarTree} from '../helpers/os-tree.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'
import {
  type TestLocations,
  assertNothingStaged,
  assertVisible,
  entriesOf,
  locationFlags,
  locationsIn,
  readRecordFile,
} from '../helpers/staging.js'
import {withTimeout} from '../helpers/tar-craft.js'

let dir = ''
let plain: Buffer
let zstd: Buffer

test.before(async () => {
  dir = await scratchDir('atomic')
  const tree = join(dir, 'os')
  // big enough that half of it is well past the first members and the decompressor's buffers
  await makeOsTree(tree, {files: {'usr/share/filler.bin': Buffer.alloc(4 * 1024 * 1024, 1)}})
  await tarTree(tree, join(dir, 'os.tar'))
  await tarTree(tree, join(dir, 'os.tar.zst'), 'zstd')
  plain = await readFile(join(dir, 'os.tar'))
  zstd = await readFile(join(dir, 'os.tar.zst'))
  await makeOsTree(join(dir, 'previous'), {osRelease: 'ID=previous\n'})
})

test.after(async () => {
  await removeScratch(dir)
})

async function waitFor(what: string, condition: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

async function temporaries(locations: TestLocations): Promise<string[]> {
  return (await entriesOf(join(locations.stateDir, 'store'))).filter((name) => name.startsWith('.tmp-'))
}

/** Starts `nextroot stage -` and feeds it `head` of an archive, keeping stdin open: it is mid-way. */
async function stageMidway(locations: TestLocations, archive: Buffer, extra: string[] = []) {
  const started = await startCli(['stage', '-', '--json', ...extra, ...locationFlags(locations)])
  started.child.stdin.on('error', () => undefined)
  started.child.stdin.write(archive.subarray(0, Math.floor(archive.length / 2)))
  try {
    await waitFor('the extraction to start', async () => (await temporaries(locations)).length > 0)
  } catch (error) {
    started.child.kill('SIGKILL')
    throw error
  }

  return started
}

async function stagePrevious(locations: TestLocations): Promise<string> {
  const {record} = await stage({source: join(dir, 'previous'), ...locations})
  return record.id
}

async function assertPreviousKept(locations: TestLocations, previousId: string): Promise<void> {
  await assertVisible(locations, 'previous')
  assert.is((await readRecordFile(locations))?.id, previousId)
  assert.equal(await temporaries(locations), [])
}

test('the lock: a second stage on the same state dir fails with NR_LOCKED (exit 9), another state dir does not', async () => {
  const locations = locationsIn(dir)
  const first = await stageMidway(locations, plain)
  try {
    const second = await runCli(['stage', join(dir, 'previous'), '--json', ...locationFlags(locations)])
    assert.is(second.exitCode, 9, second.stdout)
    assert.is(second.json?.error?.code, 'NR_LOCKED')
    assert.match(second.json?.error?.message ?? '', new RegExp(`pid ${first.child.pid}, stage -`))
    const unstaging = await runCli(['unstage', '--json', ...locationFlags(locations)])
    assert.is(unstaging.json?.error?.code, 'NR_LOCKED')
    assert.is(unstaging.exitCode, 9)

    const elsewhere = locationsIn(dir)
    const other = await runCli(['stage', join(dir, 'previous'), '--json', ...locationFlags(elsewhere)])
    assert.is(other.exitCode, 0, other.stdout)
    await unstage({...elsewhere})
  } finally {
    first.child.stdin.end(plain.subarray(Math.floor(plain.length / 2)))
  }

  const done = await withTimeout(first.result(), 30_000, 'the first stage')
  assert.is(done.exitCode, 0, done.stdout + done.stderr)
  await assertVisible(locations, 'testos')
  // the lock went with the process: the next run takes it
  await unstage({...locations})
  await assertNothingStaged(locations)
})

test('the lock within one process: concurrent library calls on one state dir', async () => {
  const locations = locationsIn(dir)
  const results = await Promise.allSettled([
    stage({source: join(dir, 'previous'), ...locations}),
    stage({source: join(dir, 'previous'), ...locations}),
  ])
  const codes = results
    .map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as {code?: string}).code))
    .sort()
  assert.equal(codes, ['NR_LOCKED', 'ok'])
  await unstage({...locations})
})

/** The interrupted run exited 10 with NR_INTERRUPTED and left the previously staged root in place. */
async function assertInterrupted(
  result: CliResult,
  locations: TestLocations,
  previousId: string,
): Promise<void> {
  assert.is(result.exitCode, 10, result.stdout + result.stderr)
  assert.is(result.json?.error?.code, 'NR_INTERRUPTED')
  await assertPreviousKept(locations, previousId)
}

for (const [signal, compression] of [
  ['SIGINT', 'none'],
  ['SIGTERM', 'none'],
  ['SIGINT', 'zstd'],
  ['SIGTERM', 'zstd'],
] as const) {
  test(`${signal} mid-way (${compression}): exit 10, NR_INTERRUPTED, the previous root still staged`, async () => {
    const locations = locationsIn(dir)
    const previousId = await stagePrevious(locations)
    const started = await stageMidway(locations, compression === 'zstd' ? zstd : plain)
    started.child.kill(signal)
    const result = await withTimeout(started.result(), 20_000, `stage after ${signal}`)
    await assertInterrupted(result, locations, previousId)
    assert.equal(await entriesOf(join(locations.stateDir, 'store')), [])
    await unstage({...locations})
    await assertNothingStaged(locations)
  })
}

for (const [compression, size] of [
  ['zstd', '256M'],
  // plain: the tree worker copies the file straight from the archive while the parser waits for it
  ['none', '1G'],
] as const) {
  test(`SIGINT while a large file is being written out (${compression}): exit 10, previous root kept`, async () => {
    // zeros: a small zstd file, or a plain one the page cache serves; either takes a while to write out
    const big = join(dir, `big-${compression}`)
    await makeOsTree(big)
    await execa('truncate', ['-s', size, join(big, 'zeros')])
    const archive = join(dir, `big-${compression}.tar${compression === 'zstd' ? '.zst' : ''}`)
    await tarTree(big, archive, compression)
    const locations = locationsIn(dir)
    const previousId = await stagePrevious(locations)
    const started = await startCli(['stage', archive, '--json', ...locationFlags(locations)])
    await waitFor('the large file to be written', async () => {
      const [work] = await temporaries(locations)
      return (
        work !== undefined &&
        (await stat(join(locations.stateDir, 'store', work, 'tree/zeros')).catch(() => undefined)) !==
          undefined
      )
    })
    started.child.kill('SIGINT')
    const result = await withTimeout(started.result(), 20_000, 'stage after SIGINT')
    await assertInterrupted(result, locations, previousId)
    await unstage({...locations})
    await rm(archive)
  })
}

test('SIGINT while a large image is being hashed: exit 10, nothing mounted, previous root kept', async () => {
  const image = join(dir, 'big.ext4')
  await execa('truncate', ['-s', '2G', image])
  await execa('mkfs.ext4', ['-q', '-F', '-d', join(dir, 'os'), image])
  const locations = locationsIn(dir)
  const previousId = await stagePrevious(locations)
  const started = await startCli([
    'stage',
    image,
    '--sha256',
    '0'.repeat(64),
    '--json',
    ...locationFlags(locations),
  ])
  const pid = started.child.pid as number
  await waitFor('the image to be read', async () => {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')))
    return targets.includes(image)
  })
  started.child.kill('SIGINT')
  const result = await withTimeout(started.result(), 20_000, 'stage after SIGINT')
  await assertInterrupted(result, locations, previousId)
  assert.equal(await entriesOf(join(locations.stateDir, 'mnt')), [])
  await unstage({...locations})
})

test('SIGTERM while standard input is still idle (nothing read yet): exit 10, nothing left', async () => {
  const locations = locationsIn(dir)
  const previousId = await stagePrevious(locations)
  const started = await stageMidway(locations, Buffer.alloc(0))
  started.child.kill('SIGTERM')
  const result = await withTimeout(started.result(), 20_000, 'stage after SIGTERM')
  await assertInterrupted(result, locations, previousId)
  await unstage({...locations})
})

test('kill -9 mid-way: the next run cleans the leftovers and stages', async () => {
  const locations = locationsIn(dir)
  const previousId = await stagePrevious(locations)
  const started = await stageMidway(locations, plain)
  started.child.kill('SIGKILL')
  await withTimeout(started.result(), 20_000, 'the killed stage')
  assert.is((await temporaries(locations)).length, 1, 'the killed run left its partial tree')
  await assertVisible(locations, 'previous')
  assert.is((await readRecordFile(locations))?.id, previousId)

  const next = await runCli(['stage', join(dir, 'os.tar'), '--json', ...locationFlags(locations)])
  assert.is(next.exitCode, 0, next.stdout)
  assert.equal(await temporaries(locations), [])
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [next.json?.result.record.id])
  await assertVisible(locations, 'testos')
  await unstage({...locations})
  await assertNothingStaged(locations)
})

test("a crashed run's private image mount and partial tree are removed by the next run", async () => {
  const locations = locationsIn(dir)
  await stagePrevious(locations)
  const leftover = join(locations.stateDir, 'mnt', '20260101T000000-abcdef')
  await mkdir(leftover, {recursive: true})
  const image = join(dir, 'leftover.squashfs')
  await makeImage(join(dir, 'previous'), image, 'squashfs')
  await execa('mount', ['-o', 'ro,loop', image, leftover])
  await mkdir(join(locations.stateDir, 'store', '.tmp-20260101T000000-abcdef', 'tree', 'etc'), {
    recursive: true,
  })
  const {record} = await stage({source: join(dir, 'os.tar'), ...locations})
  assert.not.ok(await mountAt(leftover), 'the leftover mount is still there')
  assert.equal(await entriesOf(join(locations.stateDir, 'mnt')), [])
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [record.id])
  await unstage({...locations})
  await assertNothingStaged(locations)
})

for (const compression of ['none', 'zstd'] as const) {
  test(`a state dir too small for the tree (${compression}): NR_NO_SPACE (exit 8), nothing left`, async () => {
    const locations = locationsIn(dir)
    await mkdir(locations.stateDir, {recursive: true})
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'small-store', locations.stateDir])
    // plain: refused up front from the archive's size; zstd: the size is unknown, the disk fills up
    const archive = join(dir, compression === 'zstd' ? 'os.tar.zst' : 'os.tar')
    const run = await runCli(['stage', archive, '--json', ...locationFlags(locations)])
    assert.is(run.exitCode, 8, run.stdout)
    assert.is(run.json?.error?.code, 'NR_NO_SPACE')
    await assertNothingStaged(locations)
    await execa('umount', [locations.stateDir])
  })
}

test('replacing a staged root: the old tree leaves the store and the mount shows the new one', async () => {
  const locations = locationsIn(dir)
  const other = join(dir, 'other')
  await makeOsTree(other, {osRelease: 'ID=other\n'})
  await tarTree(other, join(dir, 'other.tar'))
  const first = await stage({source: join(dir, 'os.tar'), ...locations})
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [first.record.id])
  const second = await stage({source: join(dir, 'other.tar'), ...locations})
  assert.is(second.replaced, first.record.id)
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [second.record.id])
  await assertVisible(locations, 'other')
  // exactly one mount at the nextroot path: the old one was taken down, not stacked under the new one
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')
  assert.is(mounts.filter((line) => line.split(' ')[4] === locations.nextroot).length, 1)
  // and an image replacing an archive, then an archive replacing the image
  const image = join(dir, 'previous.erofs')
  await makeImage(join(dir, 'previous'), image, 'erofs')
  const third = await stage({source: image, ...locations})
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [])
  await assertVisible(locations, 'previous')
  const fourth = await stage({source: join(dir, 'other.tar'), ...locations})
  assert.is(fourth.replaced, third.record.id)
  await assertVisible(locations, 'other')
  await unstage({...locations})
  await assertNothingStaged(locations)
})

test('after a reboot (record kept, mount gone): status says so, stage replaces it, unstage cleans up', async () => {
  const locations = locationsIn(dir)
  const first = await stage({source: join(dir, 'os.tar'), ...locations})
  await execa('umount', [locations.nextroot]) // /run is a tmpfs: a reboot drops the mount, not the state dir
  const shown = await status({...locations})
  assert.is(shown.staged?.id, first.record.id)
  assert.not.ok(shown.nextroot.mounted)
  assert.not.ok(shown.rebootBecomesSoftReboot)
  const second = await stage({source: join(dir, 'os.tar'), ...locations})
  assert.is(second.replaced, first.record.id)
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [second.record.id])
  await assertVisible(locations, 'testos')
  await execa('umount', [locations.nextroot])
  const removed = await unstage({...locations})
  assert.is(removed.removed?.id, second.record.id)
  await assertNothingStaged(locations)
})

for (const stateDirExists of [true, false]) {
  test(`a foreign mount at the nextroot path (state dir ${stateDirExists ? 'exists' : 'absent'}): stage refuses, unstage warns`, async () => {
    const locations = locationsIn(dir)
    await mkdir(locations.nextroot, {recursive: true})
    if (stateDirExists) await mkdir(locations.stateDir, {recursive: true})
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'foreign-tmpfs', locations.nextroot])
    await writeFile(join(locations.nextroot, 'theirs'), 'not ours\n')
    try {
      const unstaged = await runCli(['unstage', '--json', ...locationFlags(locations)])
      assert.is(unstaged.exitCode, 0, unstaged.stdout)
      assert.equal(unstaged.json?.result.warnings.length, 1, unstaged.stdout)
      assert.match(unstaged.json?.result.warnings[0], /foreign-tmpfs/)
      const human = await runCli(['unstage', ...locationFlags(locations)])
      assert.match(human.stderr, /warning: .*left alone/)
      const staged = await runCli(['stage', join(dir, 'os.tar'), '--json', ...locationFlags(locations)])
      assert.is(staged.exitCode, 3, staged.stdout)
      assert.is(staged.json?.error?.code, 'NR_NEXTROOT_IN_USE')
      assert.is((await mountAt(locations.nextroot))?.source, 'foreign-tmpfs')
      const shown = await status({...locations})
      assert.is(shown.staged, undefined)
      assert.ok(shown.nextroot.mounted)
      assert.not.ok(shown.nextroot.mountedByNextroot)
      assert.not.ok(shown.nextroot.osTree)
      assert.equal(await readdir(locations.nextroot), ['theirs'])
      assert.equal(await temporaries(locations), [])
      assert.is(await readRecordFile(locations), undefined)
    } finally {
      await execa('umount', [locations.nextroot], {reject: false})
    }
  })
}

test.run()
