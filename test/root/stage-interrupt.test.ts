// Staging is interruptible and crash-safe: Ctrl-C, SIGTERM and kill -9 at any point leave the previously staged
// root in place, and the next run removes what a killed run left behind.
import {mkdir, readdir, readlink, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {mountAt} from '../../src/host/mounts.js'
import {stage} from '../../src/stage/stage.js'
import {unstage} from '../../src/stage/unstage.js'
import {runCli, startCli} from '../helpers/cli.js'
import {makeImage, makeOsTree, tarTree} from '../helpers/os-tree.js'
import {removeScratch} from '../helpers/scratch.js'
import {
  assertNothingStaged,
  assertStaged,
  entriesOf,
  locationFlags,
  locationsIn,
  readRecordFile,
} from '../helpers/staging.js'
import {withTimeout} from '../helpers/tar-craft.js'

import {
  assertInterrupted,
  stageMidway,
  stagePrevious,
  stagingArena,
  temporaries,
  waitFor,
} from '../helpers/stage-midway.js'

let dir = ''
let plain: Buffer
let zstd: Buffer

test.before(async () => {
  ;({dir, plain, zstd} = await stagingArena('interrupt'))
})

test.after(async () => {
  await removeScratch(dir)
})

for (const [signal, compression] of [
  ['SIGINT', 'none'],
  ['SIGTERM', 'none'],
  ['SIGINT', 'zstd'],
  ['SIGTERM', 'zstd'],
] as const) {
  test(`${signal} mid-way (${compression}): exit 10, NR_INTERRUPTED, the previous root still staged`, async () => {
    const locations = locationsIn(dir)
    const previousId = await stagePrevious(dir, locations)
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
    const previousId = await stagePrevious(dir, locations)
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
  const previousId = await stagePrevious(dir, locations)
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
  const previousId = await stagePrevious(dir, locations)
  const started = await stageMidway(locations, Buffer.alloc(0))
  started.child.kill('SIGTERM')
  const result = await withTimeout(started.result(), 20_000, 'stage after SIGTERM')
  await assertInterrupted(result, locations, previousId)
  await unstage({...locations})
})

test('kill -9 mid-way: the next run cleans the leftovers and stages', async () => {
  const locations = locationsIn(dir)
  const previousId = await stagePrevious(dir, locations)
  const started = await stageMidway(locations, plain)
  started.child.kill('SIGKILL')
  await withTimeout(started.result(), 20_000, 'the killed stage')
  assert.is((await temporaries(locations)).length, 1, 'the killed run left its partial tree')
  await assertStaged(locations, 'previous')
  assert.is((await readRecordFile(locations))?.id, previousId)

  const next = await runCli(['stage', join(dir, 'os.tar'), '--json', ...locationFlags(locations)])
  assert.is(next.exitCode, 0, next.stdout)
  assert.equal(await temporaries(locations), [])
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [next.json?.result.record.id])
  await assertStaged(locations, 'testos')
  await unstage({...locations})
  await assertNothingStaged(locations)
})

test("a crashed run's private image mount and partial tree are removed by the next run", async () => {
  const locations = locationsIn(dir)
  await stagePrevious(dir, locations)
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

test.run()
