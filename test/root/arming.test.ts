// Arming and disarming a switch on real mounts (root only): the symlink at the nextroot path replaces only what
// a switch leaves behind, and disarming takes the assembled tree, the symlink, the runtime unit and the switch
// record away, again and again without harm.
import {lstat, mkdir, readlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {disarm, linkNextroot} from '../../src/arming/arming.js'
import {NextrootError} from '../../src/errors.js'
import {mountAt} from '../../src/host/mounts.js'
import {bindMount} from '../../src/host/mount.js'
import {resolveLocations} from '../../src/locations.js'
import {placeUnit} from '../../src/shipped/after-switch-unit.js'
import {armedPath} from '../../src/state/layout.js'
import {makeOsTree} from '../helpers/os-tree.js'
import {mountsUnder, withScratch} from '../helpers/scratch.js'

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  )

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return undefined
  } catch (error) {
    if (error instanceof NextrootError) return error.code
    throw error
  }
}

test('the nextroot symlink replaces nothing, an empty directory or a symlink; never a tree or a mount', async () => {
  await withScratch('link', async (dir) => {
    const path = join(dir, 'nextroot')
    await linkNextroot(path, '/run/a')
    assert.is(await readlink(path), '/run/a')
    await linkNextroot(path, '/run/b')
    assert.is(await readlink(path), '/run/b', 'replaced atomically')
    await execa('rm', [path])
    await mkdir(path)
    await linkNextroot(path, '/run/c')
    assert.is(await readlink(path), '/run/c', 'the empty directory a switch leaves')
    await execa('rm', [path])
    await makeOsTree(path)
    assert.is(await refusal(linkNextroot(path, '/run/d')), 'NR_NEXTROOT_IN_USE', "someone else's tree")
    await execa('rm', ['-r', path])
    await mkdir(path)
    await execa('mount', ['-t', 'tmpfs', 'theirs', path])
    assert.is(await refusal(linkNextroot(path, '/run/e')), 'NR_NEXTROOT_IN_USE', "someone else's mount")
    assert.is((await mountAt(path))?.source, 'theirs')
  })
})

test('disarm takes back the assembled tree with its carry-over mounts, the symlink, the unit, the record', async () => {
  await withScratch('disarm', async (dir) => {
    const locations = resolveLocations({
      nextroot: join(dir, 'nextroot'),
      stateDir: join(dir, 'state'),
      hostRoot: dir,
    })
    const armed = armedPath(locations)
    const tree = join(dir, 'tree')
    await makeOsTree(tree)
    await mkdir(join(dir, 'data'))
    await bindMount(tree, armed)
    await execa('mount', ['--make-private', armed])
    await mkdir(join(armed, 'var'), {recursive: true})
    await execa('mount', ['--rbind', join(dir, 'data'), join(armed, 'var')])
    await linkNextroot(locations.nextroot, armed)
    await placeUnit(dir, 'runtime', locations)
    await mkdir(locations.stateDir)
    await writeFile(join(locations.stateDir, 'switch.json'), '{}')
    const removed = await disarm(locations, {pending: true})
    assert.equal(removed, [
      `symlink ${locations.nextroot}`,
      `mounts at ${armed}`,
      `directory ${armed}`,
      'the runtime after-switch unit',
    ])
    assert.equal(await mountsUnder(armed), [])
    for (const path of [locations.nextroot, armed, join(locations.stateDir, 'switch.json')])
      assert.not.ok(await exists(path), `${path} is still there`)
    assert.ok(await exists(join(tree, 'etc/os-release')), 'the staged tree itself is untouched')
    assert.equal(await disarm(locations, {pending: true}), [], 'nothing armed: nothing to do')
  })
})

test.run()
