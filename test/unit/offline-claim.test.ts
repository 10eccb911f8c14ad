// The update unit's ExecStartPre, run as the unit runs it (sh, with its Environment=): it moves only a
// /system-update pointing into nextroot's offline directory aside, so a failing `nextroot` cannot loop.
import {execa} from 'execa'
import {lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {claimedLinkState, linkState} from '../../src/offline/link.js'
import {offlinePaths} from '../../src/offline/record.js'

/** The shell text of ExecStartPre=/bin/sh -c '...', with systemd's `$$` turned into `$`. */
async function claimScript(): Promise<string> {
  const unit = await readFile(new URL('../../units/nextroot-offline-update.service', import.meta.url), 'utf8')
  const line = unit.split('\n').find((l) => l.startsWith('ExecStartPre=/bin/sh -c '))
  assert.ok(line, 'the unit has the claiming ExecStartPre')
  return line.slice(line.indexOf("'") + 1, line.lastIndexOf("'")).replaceAll('$$', '$')
}

async function withBed(
  fn: (bed: ReturnType<typeof offlinePaths>, claim: () => Promise<number>) => Promise<void>,
) {
  const root = await mkdtemp(join(tmpdir(), 'nextroot-claim-'))
  try {
    const paths = offlinePaths({
      hostRoot: root,
      stateDir: join(root, 'state'),
      nextroot: join(root, 'run/nextroot'),
    })
    await mkdir(join(paths.dir, 'ID1'), {recursive: true})
    await mkdir(join(root, 'run'), {recursive: true})
    const env = {
      NEXTROOT_OFFLINE_LINK: paths.link,
      NEXTROOT_OFFLINE_DIR: paths.dir,
      NEXTROOT_OFFLINE_CLAIMED: paths.claimed,
    }
    const script = await claimScript()
    const claim = async () => (await execa('/bin/sh', ['-c', script], {env, reject: false})).exitCode ?? -1
    await fn(paths, claim)
  } finally {
    await rm(root, {recursive: true, force: true})
  }
}

const present = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  )

test('our trigger is moved aside, and execute finds it there', () =>
  withBed(async (paths, claim) => {
    await symlink(join(paths.dir, 'ID1'), paths.link)
    assert.is(await claim(), 0)
    assert.not.ok(await present(paths.link), '/system-update is gone before nextroot runs')
    assert.is(await readlink(paths.claimed), join(paths.dir, 'ID1'))
    const state = await claimedLinkState(paths)
    assert.is(state.kind === 'ours' && state.path, paths.claimed)
    assert.is(state.kind === 'ours' && state.id, 'ID1')
  }))

for (const [what, target] of [
  ["PackageKit's", '/var/lib/PackageKit/prepared-update'],
  ['one climbing out of our directory', 'DIR/../../etc'],
  ['one below a payload', 'DIR/ID1/deeper'],
  ['our directory itself', 'DIR/'],
] as const) {
  test(`${what} is left where it is`, () =>
    withBed(async (paths, claim) => {
      await symlink(target.replace('DIR', paths.dir), paths.link)
      assert.is(await claim(), 0)
      assert.ok(await present(paths.link))
      assert.not.ok(await present(paths.claimed))
      assert.is((await claimedLinkState(paths)).kind, (await linkState(paths)).kind)
    }))
}

test("a stale claim never stands in for someone else's /system-update", () =>
  withBed(async (paths) => {
    await symlink(join(paths.dir, 'ID1'), paths.claimed)
    await symlink('/var/lib/PackageKit/prepared-update', paths.link)
    assert.is((await claimedLinkState(paths)).kind, 'foreign')
  }))

test('no trigger, or a plain file, is not an error and moves nothing', () =>
  withBed(async (paths, claim) => {
    assert.is(await claim(), 0)
    await writeFile(paths.link, 'not a link')
    assert.is(await claim(), 0)
    assert.ok(await present(paths.link))
    assert.not.ok(await present(paths.claimed))
  }))

test.run()
