// Staging is exclusive per state directory and atomic: a second run is locked out, a full disk leaves nothing,
// a replaced root leaves the store, and a foreign mount at the nextroot path is left alone.
import {mkdir, readdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {mountAt} from '../../src/host/mounts.js'
import type {StagedRecord} from '../../src/state/record.js'
import {stage} from '../../src/stage/stage.js'
import {status} from '../../src/status/status.js'
import {unstage} from '../../src/stage/unstage.js'
import {runCli} from '../helpers/cli.js'
import {makeImage, makeOsTree, tarTree} from '../helpers/os-tree.js'
import {removeScratch} from '../helpers/scratch.js'
import {
  type TestLocations,
  assertNothingStaged,
  assertStaged,
  entriesOf,
  locationFlags,
  locationsIn,
  readRecordFile,
} from '../helpers/staging.js'
import {withTimeout} from '../helpers/tar-craft.js'

import {stageMidway, stagingArena, temporaries} from '../helpers/stage-midway.js'

let dir = ''
let plain: Buffer

test.before(async () => {
  ;({dir, plain} = await stagingArena('atomic'))
})

test.after(async () => {
  await removeScratch(dir)
})

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
  await assertStaged(locations, 'testos')
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

test('replacing a staged root: the old tree leaves the store, the record names the new one', async () => {
  const locations = locationsIn(dir)
  const other = join(dir, 'other')
  await makeOsTree(other, {osRelease: 'ID=other\n'})
  await tarTree(other, join(dir, 'other.tar'))
  const first = await stage({source: join(dir, 'os.tar'), ...locations})
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [first.record.id])
  const second = await stage({source: join(dir, 'other.tar'), ...locations})
  assert.is(second.replaced, first.record.id)
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [second.record.id])
  await assertStaged(locations, 'other')
  // and an image replacing an archive, then an archive replacing the image (whose mount goes with it)
  const image = join(dir, 'previous.erofs')
  await makeImage(join(dir, 'previous'), image, 'erofs')
  const third = await stage({source: image, ...locations})
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [])
  await assertStaged(locations, 'previous')
  const fourth = await stage({source: join(dir, 'other.tar'), ...locations})
  assert.is(fourth.replaced, third.record.id)
  await assertStaged(locations, 'other')
  assert.not.ok(await mountAt(third.record.mountPoint as string), "the image's mount went with it")
  assert.equal(await entriesOf(join(locations.stateDir, 'mnt')), [])
  await unstage({...locations})
  await assertNothingStaged(locations)
})

/** What a full reboot does to a staged root: a new boot ID, and (for an image) its mount gone with /run's. */
async function simulateReboot(locations: TestLocations, record: StagedRecord): Promise<void> {
  await writeFile(
    join(locations.stateDir, 'staged.json'),
    JSON.stringify({...record, bootId: 'a-previous-boot'}),
  )
  if (record.mountPoint) await execa('umount', [record.mountPoint])
}

for (const kind of ['archive', 'image'] as const) {
  test(`after a full reboot (${kind}): stale, --republish checks and publishes it again, unstage cleans up`, async () => {
    const locations = locationsIn(dir)
    const image = join(dir, 'republish.erofs')
    if (kind === 'image') await makeImage(join(dir, 'os'), image, 'erofs')
    const first = await stage({source: kind === 'image' ? image : join(dir, 'os.tar'), ...locations})
    await simulateReboot(locations, first.record)
    const shown = await status({...locations})
    assert.equal([shown.state, shown.stale, shown.staged?.id], ['stale', 'rebooted', first.record.id])
    assert.not.ok(shown.rebootBecomesSoftReboot)
    const again = await runCli(['stage', '--republish', '--json', ...locationFlags(locations)])
    assert.is(again.exitCode, 0, again.stdout + again.stderr)
    assert.equal([again.json?.result.republished, again.json?.result.record.id], [true, first.record.id])
    assert.is((await status({...locations})).state, 'staged')
    await assertStaged(locations, 'testos')
    const noop = await runCli(['stage', '--republish', ...locationFlags(locations)])
    assert.match(noop.stdout, /published in this boot already; nothing to do/)
    await unstage({...locations})
    await assertNothingStaged(locations)
  })
}

test('--republish with nothing staged is NR_NOTHING_STAGED; with a SOURCE, a usage error', async () => {
  const locations = locationsIn(dir)
  const none = await runCli(['stage', '--republish', '--json', ...locationFlags(locations)])
  assert.equal([none.exitCode, none.json?.error?.code], [3, 'NR_NOTHING_STAGED'])
  const both = await runCli([
    'stage',
    join(dir, 'os.tar'),
    '--republish',
    '--json',
    ...locationFlags(locations),
  ])
  assert.equal([both.exitCode, both.json?.error?.code], [2, 'NR_USAGE'])
})

for (const stateDirExists of [true, false]) {
  test(`a foreign mount at the nextroot path (state dir ${stateDirExists ? 'exists' : 'absent'}): stage warns and stages, unstage leaves it`, async () => {
    const locations = locationsIn(dir)
    await mkdir(locations.nextroot, {recursive: true})
    if (stateDirExists) await mkdir(locations.stateDir, {recursive: true})
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'foreign-tmpfs', locations.nextroot])
    await writeFile(join(locations.nextroot, 'theirs'), 'not ours\n')
    try {
      const unstaged = await runCli(['unstage', '--json', ...locationFlags(locations)])
      assert.is(unstaged.exitCode, 0, unstaged.stdout)
      assert.equal(unstaged.json?.result.warnings.length, 1, unstaged.stdout)
      assert.match(unstaged.json?.result.warnings[0], /foreign-tmpfs.*leaves it alone/)
      const human = await runCli(['unstage', ...locationFlags(locations)])
      assert.match(human.stderr, /warning: .*nextroot did not make/)
      const staged = await runCli(['stage', join(dir, 'os.tar'), '--json', ...locationFlags(locations)])
      assert.is(staged.exitCode, 0, staged.stdout)
      assert.ok(staged.json?.result.warnings.some((w: string) => /foreign-tmpfs/.test(w)))
      assert.is((await mountAt(locations.nextroot))?.source, 'foreign-tmpfs')
      const shown = await status({...locations})
      assert.equal(
        [shown.state, shown.nextroot.entry.kind, shown.nextroot.foreign?.leftover],
        ['staged', 'mount', false],
      )
      assert.not.ok(shown.rebootBecomesSoftReboot, 'not an OS tree: systemd does not switch into it')
      await unstage({...locations})
      assert.equal(await readdir(locations.nextroot), ['theirs'])
      assert.equal(await temporaries(locations), [])
      assert.is(await readRecordFile(locations), undefined)
    } finally {
      await execa('umount', [locations.nextroot], {reject: false})
    }
  })
}

test.run()
