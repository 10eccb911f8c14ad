// Tests of `nextroot check`'s fact gathering on this machine (/proc of a real process, cgroup files, the
// staged tree) and of the command: verdict, exit codes, --json shape.
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {atProcesses, cgroupPids, readProcess} from '../../src/check/processes.js'
import {judge} from '../../src/check/check.js'
import {loadedModules} from '../../src/check/facts.js'
import {renderCheck} from '../../src/cli/render-check.js'
import {deviceOf} from '../../src/host/devices.js'
import {runCli} from '../helpers/cli.js'
import {factsFrom, fixture, unitFileFacts} from '../helpers/check-facts.js'
import {makeOsTree} from '../helpers/os-tree.js'
import {withScratch} from '../helpers/scratch.js'

test('readProcess sees what a live process holds, with devices from stat and maps', async () => {
  await withScratch('proc', async (dir) => {
    await writeFile(join(dir, 'held'), 'x')
    const child = execa('sh', ['-c', `exec 3<${join(dir, 'held')}; cd ${dir}; exec sleep 30`], {
      reject: false,
    })
    try {
      await new Promise((resolve) => setTimeout(resolve, 200))
      const facts = await readProcess('/proc', child.pid as number)
      assert.ok(facts)
      assert.is(facts.comm, 'sleep')
      const exe = facts.held.find((h) => h.via === 'exe')
      assert.is(exe?.device, await deviceOf(exe!.path))
      assert.equal(facts.held.find((h) => h.via === 'cwd')?.path, dir)
      assert.ok(facts.held.some((h) => h.via === 'fd' && h.path === join(dir, 'held')))
      assert.ok(facts.held.some((h) => h.via === 'map' && h.path === exe!.path))
      assert.is(facts.ownMounts, undefined, 'same mount namespace as nextroot')
      assert.is(await readProcess('/proc', 999_999_999), undefined)
    } finally {
      child.kill()
      await child
    }
  })
})

test('atProcesses and cgroupPids read a /proc and a cgroup tree given as paths', async () => {
  await withScratch('fakeproc', async (dir) => {
    const proc = join(dir, 'proc')
    for (const [pid, cmdline] of [
      ['1', '@init\0'],
      ['42', '@mdmon\0--foreground\0'],
      ['43', '/usr/bin/sleep\0'],
      ['44', ''],
    ]) {
      await mkdir(join(proc, pid), {recursive: true})
      await writeFile(join(proc, pid, 'cmdline'), cmdline)
    }

    await mkdir(join(proc, 'self'), {recursive: true})
    assert.equal(await atProcesses(proc), [42])
    const cgroup = join(dir, 'cgroup')
    await mkdir(join(cgroup, 'system.slice/x.service/sub'), {recursive: true})
    await writeFile(join(cgroup, 'system.slice/x.service/cgroup.procs'), '10\n11\n')
    await writeFile(join(cgroup, 'system.slice/x.service/sub/cgroup.procs'), '12\n')
    assert.equal((await cgroupPids(cgroup, '/system.slice/x.service')).sort(), [10, 11, 12])
    assert.equal(await cgroupPids(cgroup, ''), [])
  })
})

test('an unreadable /proc/modules is unknown; a missing one means no modules (issue 9, defect 3)', async () => {
  await withScratch('modules', async (dir) => {
    assert.equal(await loadedModules(dir), [], 'no /proc/modules: a kernel without loadable modules')
    await mkdir(join(dir, 'proc/modules'), {recursive: true})
    assert.is(await loadedModules(dir), undefined, 'a directory there cannot be read: unknown')
    await mkdir(join(dir, 'real/proc'), {recursive: true})
    await writeFile(join(dir, 'real/proc/modules'), 'ext4 1 0 - Live 0x0\nvirtio_blk 1 0 - Live 0x0\n')
    assert.equal(await loadedModules(join(dir, 'real')), ['ext4', 'virtio_blk'])
  })
})

test('nextroot check: an unreadable /proc/modules keeps NO_MODULES_FOR_KERNEL a blocker (issue 9, defect 3)', async () => {
  await withScratch('check-modules', async (dir) => {
    const nextroot = join(dir, 'nextroot')
    await makeOsTree(nextroot)
    await mkdir(join(dir, 'proc/modules'), {recursive: true})
    const args = ['check', '--json', '--nextroot', nextroot, '--state-dir', join(dir, 'state'), '--root', dir]
    const run = await runCli(args)
    const finding = run.json?.result.findings.find((f: {code: string}) => f.code === 'NO_MODULES_FOR_KERNEL')
    assert.is(finding?.severity, 'blocker', run.stdout)
  })
})

test('renderCheck puts the verdict first and groups findings by unit with hints', () => {
  const facts = factsFrom(fixture('guest-show.txt'), {
    unitFiles: unitFileFacts('e2e-misplaced.service', fixture('guest-misplaced.service')),
  })
  const findings = judge(facts)
  const text = renderCheck({
    verdict: 'ready-with-warnings',
    findings,
    summary: {units: 8, survivors: 3, processes: 0},
    timings: {gatherMs: 120, judgeMs: 1},
    locations: {nextroot: '/run/nextroot', stateDir: '/var/lib/nextroot', hostRoot: '/'},
  })
  const lines = text.split('\n')
  assert.match(lines[0], /^READY WITH WARNINGS/)
  assert.match(
    text,
    /\ne2e-misplaced\.service\n {2}warning SURVIVOR_SECTION +SurviveFinalKillSignal=yes is in \[Service\]/,
  )
  assert.match(text, /hint: Move SurviveFinalKillSignal= to \[Unit\]\./)
  assert.match(lines[1], /checked in 121 ms/)
})

test('nextroot check without systemd is blocked: exit 20 in both modes, findings in --json', async () => {
  await withScratch('check-cli', async (dir) => {
    const nextroot = join(dir, 'nextroot')
    await makeOsTree(nextroot)
    const args = ['check', '--nextroot', nextroot, '--state-dir', join(dir, 'state'), '--root', dir]
    const json = await runCli([...args, '--json'])
    assert.is(json.exitCode, 20, json.stderr)
    assert.is(json.json?.ok, true)
    assert.is(json.json?.result.verdict, 'blocked')
    const codes = json.json?.result.findings.map((f: {code: string}) => f.code)
    assert.ok(codes.includes('NO_SYSTEMD'), codes.join(','))
    assert.ok(codes.includes('NEXTROOT_FOREIGN'), 'an OS tree nextroot did not stage')
    assert.ok(codes.includes('NO_MODULES_FOR_KERNEL'), 'the tree has no modules for this kernel')
    const human = await runCli(args)
    assert.is(human.exitCode, 20)
    assert.match(human.stdout, /^BLOCKED/)
  })
})

test.run()
