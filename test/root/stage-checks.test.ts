// The new root must be an OS tree with an init built for this machine, and not the running root;
// each refusal leaves nothing behind, whatever the source kind.
import {copyFile, mkdir, symlink, writeFile} from 'node:fs/promises'
import {release} from 'node:os'
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {NextrootError} from '../../src/errors.js'
import {judgeRoot} from '../../src/stage/root-rules.js'
import {stage} from '../../src/stage/stage.js'
import {unstage} from '../../src/stage/unstage.js'
import {runCli} from '../helpers/cli.js'
import {type OsTreeOptions, foreignElf, makeImage, makeOsTree, tarTree} from '../helpers/os-tree.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'
import {withTimeout} from '../helpers/tar-craft.js'
import {
  assertNothingStaged,
  assertStaged,
  locationFlags,
  locationsIn,
  readRecordFile,
} from '../helpers/staging.js'
import {codeOf} from '../helpers/error-code.js'

let dir = ''
let counter = 0

test.before(async () => {
  dir = await scratchDir('checks')
})

test.after(async () => {
  await removeScratch(dir)
})

async function treeWith(options: OsTreeOptions, extra?: (root: string) => Promise<void>): Promise<string> {
  const root = join(dir, `tree-${++counter}`)
  await makeOsTree(root, options)
  await extra?.(root)
  return root
}

/** Stages `tree` as a directory, a zstd archive and a squashfs image; each must be refused with `code`. */
async function refusedAsEverySource(tree: string, code: string): Promise<void> {
  const archive = `${tree}.tar.zst`
  const image = `${tree}.squashfs`
  await tarTree(tree, archive, 'zstd')
  await makeImage(tree, image, 'squashfs')
  for (const source of [tree, archive, image]) {
    const locations = locationsIn(dir)
    assert.is(await codeOf(stage({source, ...locations})), code, source)
    await assertNothingStaged(locations)
  }
}

test('not an OS tree (no os-release): NR_NOT_OS_TREE', async () => {
  await refusedAsEverySource(await treeWith({osRelease: false}), 'NR_NOT_OS_TREE')
})

test('no init: NR_NO_INIT', async () => {
  await refusedAsEverySource(await treeWith({init: false}), 'NR_NO_INIT')
})

test('init built for another architecture (aarch64 on x86-64): NR_WRONG_ARCH', async () => {
  const machine = process.arch === 'arm64' ? 62 : 183
  await refusedAsEverySource(await treeWith({init: foreignElf(machine)}), 'NR_WRONG_ARCH')
})

test('init that is not an ELF binary: NR_WRONG_ARCH', async () => {
  await refusedAsEverySource(await treeWith({init: Buffer.from('#!/bin/sh\nexec true\n')}), 'NR_WRONG_ARCH')
})

test('an os-release or init that is a FIFO or a device is never opened: refused, no hang', async () => {
  const cases: Array<[string, OsTreeOptions, (root: string) => Promise<void>, string]> = [
    ['os-release FIFO', {osRelease: false}, (root) => mknod(root, 'etc/os-release', ['p']), 'NR_NOT_OS_TREE'],
    [
      'os-release /dev/zero',
      {osRelease: false},
      (root) => mknod(root, 'etc/os-release', ['c', '1', '5']),
      'NR_NOT_OS_TREE',
    ],
    ['init FIFO', {init: false}, (root) => mknod(root, 'usr/lib/systemd/systemd', ['p']), 'NR_NO_INIT'],
  ]
  for (const [what, options, extra, code] of cases) {
    const tree = await treeWith(options, extra)
    await tarTree(tree, `${tree}.tar`)
    for (const source of [tree, `${tree}.tar`]) {
      const locations = locationsIn(dir)
      assert.is(
        await withTimeout(codeOf(stage({source, ...locations})), 10_000, what),
        code,
        `${what}: ${source}`,
      )
      await assertNothingStaged(locations)
    }
  }
})

async function mknod(root: string, path: string, args: string[]): Promise<void> {
  await execa('mknod', [join(root, path), ...args])
}

test('an init symlink is resolved inside the new root, never on the host', async () => {
  // both would reach the host's /bin/true if followed from the host; inside the tree they lead nowhere
  for (const target of ['../../../../../../../../bin/true', '/bin/true']) {
    const tree = await treeWith({init: false}, (root) =>
      symlink(target, join(root, 'usr/lib/systemd/systemd')),
    )
    const locations = locationsIn(dir)
    assert.is(await codeOf(stage({source: tree, ...locations})), 'NR_NO_INIT', target)
    await assertNothingStaged(locations)
  }
})

test('an absolute init symlink and usr/lib/os-release only: accepted', async () => {
  const tree = await treeWith({init: false, osRelease: false}, async (root) => {
    await writeFile(join(root, 'usr/lib/os-release'), 'ID=testos\n')
    await symlink('../usr/lib/os-release', join(root, 'etc/os-release'))
    await mkdir(join(root, 'usr/lib/systemd/bin'))
    await copyFile('/bin/true', join(root, 'usr/lib/systemd/bin/systemd'))
    await symlink('/usr/lib/systemd/bin/systemd', join(root, 'usr/lib/systemd/systemd'))
  })
  const locations = locationsIn(dir)
  const {record} = await stage({source: tree, ...locations})
  assert.is(record.osRelease.ID, 'testos')
  await assertStaged(locations, 'testos')
  await unstage({...locations})
})

test('the running root: NR_RUNNING_ROOT (library --root, and the CLI with / itself)', async () => {
  const tree = await treeWith({})
  const locations = locationsIn(dir)
  assert.is(await codeOf(stage({source: tree, hostRoot: tree, ...locations})), 'NR_RUNNING_ROOT')
  await assertNothingStaged(locations)
  const run = await runCli(['stage', '/', '--root', '/', '--json', ...locationFlags(locations)])
  assert.is(run.exitCode, 5, run.stdout)
  assert.is(run.json?.error?.code, 'NR_RUNNING_ROOT')
  await assertNothingStaged(locations)
})

test('kernel modules for the running kernel: recorded as present or absent, with a warning', async () => {
  const withModules = await treeWith({modules: ['0.0.1-other', release()]})
  const locations = locationsIn(dir)
  const present = await stage({source: withModules, ...locations})
  assert.equal(present.record.kernel, {
    running: release(),
    modulesPresent: true,
    available: ['0.0.1-other', release()].sort(),
  })
  assert.not.ok(present.warnings.some((w) => w.includes('kernel modules')))
  const without = await treeWith({modules: ['0.0.1-other']})
  const absent = await stage({source: without, ...locations})
  assert.equal(absent.record.kernel, {running: release(), modulesPresent: false, available: ['0.0.1-other']})
  assert.ok(absent.warnings.some((w) => w.includes(`no kernel modules for the running kernel ${release()}`)))
  assert.is((await readRecordFile(locations))?.kernel.modulesPresent, false)
  await unstage({...locations})
})

test('an image that does not mount: NR_MOUNT_FAILED (exit 11), nothing left', async () => {
  const image = join(dir, 'garbage.ext4')
  const bytes = Buffer.alloc(1024 * 1024)
  bytes.writeUInt16LE(0xef53, 1080) // the ext4 magic, and nothing else of a file system
  await writeFile(image, bytes)
  const locations = locationsIn(dir)
  const run = await runCli(['stage', image, '--json', ...locationFlags(locations)])
  assert.is(run.exitCode, 11, run.stdout)
  assert.is(run.json?.error?.code, 'NR_MOUNT_FAILED')
  await assertNothingStaged(locations)
})

test('a refused root leaves the previously staged one in place', async () => {
  const locations = locationsIn(dir)
  const good = await treeWith({osRelease: 'ID=previous\n'})
  const {record} = await stage({source: good, ...locations})
  const bad = await treeWith({init: foreignElf(process.arch === 'arm64' ? 62 : 183)})
  await tarTree(bad, `${bad}.tar`)
  assert.is(await codeOf(stage({source: `${bad}.tar`, ...locations})), 'NR_WRONG_ARCH')
  await assertStaged(locations, 'previous')
  assert.is((await readRecordFile(locations))?.id, record.id)
  await unstage({...locations})
  await assertNothingStaged(locations)
})

test('judgeRoot: the order of the rules and the exact codes', () => {
  const host = {arch: 'x64', kernelRelease: '6.1.0', rootId: '1:2'}
  const facts = {
    osRelease: {ID: 'x'},
    init: {present: true, elf: {elfClass: 2, machine: 62}},
    kernelModules: ['6.1.0'],
    rootId: '3:4',
  }
  const judged = (changes: object, hostChanges: object = {}) => {
    try {
      return judgeRoot({...facts, ...changes}, {...host, ...hostChanges}).hasModulesForRunningKernel
    } catch (error) {
      return (error as NextrootError).code
    }
  }

  assert.is(judged({}), true)
  assert.is(judged({kernelModules: []}), false)
  assert.is(judged({osRelease: undefined, init: {present: false}}), 'NR_NOT_OS_TREE')
  assert.is(judged({rootId: '1:2', init: {present: false}}), 'NR_RUNNING_ROOT')
  assert.is(judged({init: {present: false}}), 'NR_NO_INIT')
  assert.is(judged({init: {present: true}}), 'NR_WRONG_ARCH')
  assert.is(judged({init: {present: true, elf: {elfClass: 2, machine: 183}}}), 'NR_WRONG_ARCH')
  assert.is(judged({init: {present: true, elf: {elfClass: 1, machine: 62}}}), 'NR_WRONG_ARCH', '32-bit init')
  assert.is(judged({init: {present: true, elf: {elfClass: 2, machine: 183}}}, {arch: 'arm64'}), true)
})

test.run()
