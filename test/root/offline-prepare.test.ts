// `nextroot offline prepare` and `cancel` against real dpkg-deb and apt-get (simulated installs only) in a
// scratch root: the payload and /system-update appear together or not at all, again changes nothing, bad
// payloads are refused with their codes and leave the earlier state, cancel is idempotent and refuses a
// running update. What update mode does with them is exercised in the guest (test/e2e/offline.test.ts).
import {lstat, mkdir, readFile, readlink, readdir, symlink, writeFile} from 'node:fs/promises'
import {release} from 'node:os'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {cancelOffline} from '../../src/offline/cancel.js'
import {executeOffline} from '../../src/offline/execute.js'
import {prepareOffline} from '../../src/offline/prepare.js'
import {offlinePaths, readOfflineHistory, writeOfflineRecord} from '../../src/offline/record.js'
import {offlineStatus} from '../../src/offline/status.js'
import {buildDeb} from '../helpers/deb.js'
import {codeOf} from '../helpers/error-code.js'
import {makeOsTree} from '../helpers/os-tree.js'
import {withScratch} from '../helpers/scratch.js'

function where(dir: string) {
  return {hostRoot: join(dir, 'host'), stateDir: join(dir, 'state'), nextroot: join(dir, 'next')}
}

async function debs(dir: string, specs: Array<Parameters<typeof buildDeb>[1]>): Promise<string> {
  const out = join(dir, `debs-${specs.map((s) => `${s.name}-${s.version}`).join('-')}`)
  await mkdir(out, {recursive: true})
  for (const spec of specs) await buildDeb(out, spec)
  return out
}

const demo = (version: string) => ({
  name: 'nr-offline-demo',
  version,
  files: {'usr/share/nr-offline-demo/v': version},
})

async function scratch(dir: string) {
  const locations = where(dir)
  await mkdir(locations.hostRoot, {recursive: true})
  return {locations, paths: offlinePaths(locations)}
}

test('prepare copies and verifies the payload, then points /system-update at it and places the units', async () => {
  await withScratch('offline-prepare', async (dir) => {
    const {locations, paths} = await scratch(dir)
    const source = await debs(dir, [demo('1.0')])
    const result = await prepareOffline({source, ...locations})
    assert.is(result.action, 'prepared')
    assert.is(await readlink(paths.link), paths.payload(result.record.id))
    assert.equal((await readdir(result.payload)).sort(), ['nr-offline-demo_1.0_all.deb', 'offline.json'])
    assert.equal(
      result.record.packages.map((p) => [p.name, p.version, p.arch]),
      [['nr-offline-demo', '1.0', 'all']],
    )
    assert.is(result.command[0], 'apt-get')
    const units = join(locations.hostRoot, 'etc/systemd/system')
    assert.is(
      await readlink(join(units, 'system-update.target.wants/nextroot-offline-update.service')),
      '../nextroot-offline-update.service',
    )
    assert.is(
      await readlink(join(units, 'multi-user.target.wants/nextroot-offline-finish.service')),
      '../nextroot-offline-finish.service',
    )
    const dropIn = await readFile(
      join(units, 'nextroot-offline-leave.service.d/50-nextroot-locations.conf'),
      'utf8',
    )
    assert.match(dropIn, `ConditionPathExists=${locations.nextroot}.offline-leave`)
    assert.match(dropIn, `ExecStart=nextroot offline leave --state-dir ${locations.stateDir}`)
    const updateDropIn = await readFile(
      join(units, 'nextroot-offline-update.service.d/50-nextroot-locations.conf'),
      'utf8',
    )
    assert.match(updateDropIn, `NEXTROOT_OFFLINE_DIR=${paths.dir}`)
    assert.match(updateDropIn, `NEXTROOT_OFFLINE_CLAIMED=${paths.claimed}`)
    const status = await offlineStatus(locations)
    assert.is(status.state, 'prepared')
    assert.match(status.next ?? '', /next reboot or soft reboot of any kind/)
  })
})

test('the same payload again changes nothing; another replaces it, and the old payload goes', async () => {
  await withScratch('offline-again', async (dir) => {
    const {locations, paths} = await scratch(dir)
    const source = await debs(dir, [demo('1.0')])
    const first = await prepareOffline({source, ...locations})
    const again = await prepareOffline({source, ...locations})
    assert.is(again.action, 'unchanged')
    assert.is(again.record.id, first.record.id)
    const other = await prepareOffline({source: await debs(dir, [demo('2.0')]), ...locations})
    assert.is(other.action, 'replaced')
    assert.is(await readlink(paths.link), other.payload)
    assert.equal(await readdir(paths.dir), [other.record.id])
  })
})

test('bad payloads are refused with their codes, and the prepared update stays as it was', async () => {
  await withScratch('offline-refuse', async (dir) => {
    const {locations, paths} = await scratch(dir)
    const good = await prepareOffline({source: await debs(dir, [demo('1.0')]), ...locations})
    const corrupt = join(dir, 'corrupt')
    await mkdir(corrupt)
    await writeFile(join(corrupt, 'broken_1.0_all.deb'), 'not an ar archive')
    const sums = join(dir, 'SHA256SUMS')
    await writeFile(sums, `${'0'.repeat(64)}  nr-offline-demo_3.0_all.deb\n`)
    const empty = join(dir, 'empty')
    await mkdir(empty)
    const cases: Array<[() => Promise<unknown>, string]> = [
      [async () => prepareOffline({source: corrupt, ...locations}), 'NR_ARCHIVE_CORRUPT'],
      [
        async () => prepareOffline({source: await debs(dir, [demo('3.0')]), checksums: sums, ...locations}),
        'NR_DIGEST_MISMATCH',
      ],
      [
        async () =>
          prepareOffline({source: await debs(dir, [{...demo('4.0'), arch: 'riscv64'}]), ...locations}),
        'NR_WRONG_ARCH',
      ],
      [
        async () =>
          prepareOffline({
            source: await debs(dir, [{...demo('5.0'), depends: 'nr-no-such-package'}]),
            ...locations,
          }),
        'NR_OFFLINE_UNINSTALLABLE',
      ],
      [async () => prepareOffline({source: empty, ...locations}), 'NR_USAGE'],
      [async () => prepareOffline({source: join(dir, 'missing'), ...locations}), 'NR_SOURCE_NOT_FOUND'],
    ]
    for (const [attempt, code] of cases) assert.is(await codeOf(attempt()), code)
    assert.is(await readlink(paths.link), good.payload)
    assert.equal(await readdir(paths.dir), [good.record.id], 'no temporary payload left behind')
  })
})

test("someone else's /system-update is never touched: prepare, cancel and execute leave it", async () => {
  await withScratch('offline-foreign', async (dir) => {
    const {locations, paths} = await scratch(dir)
    await symlink('/var/lib/PackageKit/prepared-update', paths.link)
    assert.is(
      await codeOf(prepareOffline({source: await debs(dir, [demo('1.0')]), ...locations})),
      'NR_OFFLINE_FOREIGN',
    )
    assert.is(await codeOf(cancelOffline(locations)), 'NR_OFFLINE_FOREIGN')
    assert.match((await executeOffline(locations)).skipped ?? '', /not nextroot's/)
    assert.is(await readlink(paths.link), '/var/lib/PackageKit/prepared-update')
  })
})

test('cancel removes the link, then the payload, records it, and is idempotent', async () => {
  await withScratch('offline-cancel', async (dir) => {
    const {locations, paths} = await scratch(dir)
    const prepared = await prepareOffline({source: await debs(dir, [demo('1.0')]), ...locations})
    const cancelled = await cancelOffline(locations)
    assert.is(cancelled.action, 'cancelled')
    assert.is(await lstat(paths.link).catch(() => undefined), undefined)
    assert.equal(await readdir(paths.dir), [])
    assert.equal(
      (await readOfflineHistory(paths.history)).map((r) => [r.id, r.phase]),
      [[prepared.record.id, 'cancelled']],
    )
    assert.is((await cancelOffline(locations)).action, 'nothing')
    assert.is((await offlineStatus(locations)).last?.phase, 'cancelled')
  })
})

test('cancel refuses while this boot installs the update (NR_OFFLINE_RUNNING)', async () => {
  await withScratch('offline-running', async (dir) => {
    const {locations, paths} = await scratch(dir)
    const {record} = await prepareOffline({source: await debs(dir, [demo('1.0')]), ...locations})
    const services: string[] = []
    const entered = {
      at: 1,
      how: 'soft-reboot' as const,
      bootId: '',
      softRebootsCount: 1,
      downSince: 1,
      downSinceFrom: 'trigger' as const,
      services,
    }
    await writeOfflineRecord(paths.manifest(record.id), {...record, phase: 'updating', entered})
    assert.is(await codeOf(cancelOffline(locations)), 'NR_OFFLINE_RUNNING')
    assert.equal(await readdir(paths.dir), [record.id])
  })
})

test('a root image is staged and recorded; its payload directory holds only the record', async () => {
  await withScratch('offline-image', async (dir) => {
    const {locations, paths} = await scratch(dir)
    const tree = join(dir, 'image-root')
    await makeOsTree(tree, {modules: [release()]})
    const result = await prepareOffline({source: tree, ...locations})
    assert.is(result.record.kind, 'image')
    assert.equal(result.record.packages, [])
    assert.is(result.record.image?.imageVersion, '42.1')
    assert.is(result.record.image?.name, 'Test OS 42')
    const staged = JSON.parse(await readFile(join(locations.stateDir, 'staged.json'), 'utf8')) as {id: string}
    assert.is(result.record.image?.stagedId, staged.id)
    assert.equal(await readdir(result.payload), ['offline.json'])
    assert.is(await readlink(paths.link), result.payload)
    assert.equal(result.command.slice(0, 2), ['nextroot', 'reboot'])
    assert.match((await offlineStatus(locations)).next ?? '', /next reboot or soft reboot/)
  })
})

test.run()
