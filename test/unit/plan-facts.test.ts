// Tests of what `nextroot plan` reads, on scratch roots: kernels per root, reboot-required flags, processes
// running replaced files; and the command end to end with --root.
import {createHash} from 'node:crypto'
import {rm, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {resolveLocations} from '../../src/locations.js'
import {gatherPlanFacts} from '../../src/plan/facts.js'
import {gatherRootBoot} from '../../src/tree/root-boot.js'
import {KERNEL} from '../helpers/check-facts.js'
import {runCli} from '../helpers/cli.js'
import {makeOsTree} from '../helpers/os-tree.js'
import {withScratch} from '../helpers/scratch.js'

const NEWER = '6.12.99+deb13-amd64'

/** A running root: /proc with the kernel and one PID 1 that maps `libc` (deleted when `upgraded`). */
async function makeHost(root: string, options: {upgraded?: boolean; pkgs?: string} = {}): Promise<void> {
  const libc = options.upgraded ? '/usr/lib/libc.so.6 (deleted)' : '/usr/lib/libc.so.6'
  await makeOsTree(root, {
    modules: [KERNEL],
    files: {
      [`boot/vmlinuz-${KERNEL}`]: 'kernel',
      'usr/lib/libc.so.6': 'libc',
      'proc/sys/kernel/osrelease': `${KERNEL}\n`,
      'proc/cmdline': 'root=/dev/vda rw\n',
      'proc/1/comm': 'systemd\n',
      'proc/1/cgroup': '0::/init.scope\n',
      'proc/1/maps': '',
      ...(options.pkgs === undefined
        ? {}
        : {
            'run/reboot-required': '*** System restart required ***\n',
            'run/reboot-required.pkgs': options.pkgs,
          }),
    },
  })
  const inode = (await stat(join(root, 'usr/lib/libc.so.6'))).ino
  await writeFile(
    join(root, 'proc/1/maps'),
    `7f00-7f10 r-xp 00000000 fe:00 ${options.upgraded ? inode + 1 : inode} ${libc}\n`,
  )
}

test('kernels come from boot/vmlinuz-* and usr/lib/modules/*/vmlinuz; a tree without etc is /usr-only', async () => {
  await withScratch('plan-boot', async (dir) => {
    await makeOsTree(dir, {
      modules: [KERNEL, NEWER],
      files: {[`usr/lib/modules/${NEWER}/vmlinuz`]: 'k', 'etc/kernel/cmdline': 'quiet\n'},
    })
    assert.equal(await gatherRootBoot(dir), {
      kernels: [NEWER],
      modules: [KERNEL, NEWER],
      cmdline: 'quiet',
      usrOnly: false,
      selinuxPolicy: undefined,
      microcode: undefined,
    })
    assert.is((await gatherRootBoot(join(dir, 'missing'))).usrOnly, false, 'a missing tree is not /usr-only')
    await makeOsTree(join(dir, 'u'))
    await rm(join(dir, 'u/etc'), {recursive: true})
    assert.ok((await gatherRootBoot(join(dir, 'u'))).usrOnly)
  })
})

test('digests of what only a boot loads: the SELinux policy named by etc/selinux/config, microcode', async () => {
  await withScratch('boot-loaded', async (dir) => {
    const tree = join(dir, 'root')
    await makeOsTree(tree, {
      files: {
        'etc/selinux/config': 'SELINUX=enforcing\nSELINUXTYPE=targeted\n',
        'etc/selinux/targeted/policy/policy.33': 'policy 33',
        'etc/selinux/targeted/policy/policy.34': 'policy 34',
        'usr/lib/firmware/intel-ucode/06-8e-09': 'microcode',
      },
    })
    const boot = await gatherRootBoot(tree)
    assert.is(boot.selinuxPolicy, createHash('sha256').update('policy 34').digest('hex'), 'the newest policy')
    assert.match(boot.microcode ?? '', /^[0-9a-f]{64}$/)
    await writeFile(join(tree, 'usr/lib/firmware/intel-ucode/06-8e-09'), 'newer microcode')
    assert.is.not((await gatherRootBoot(tree)).microcode, boot.microcode)
    const bare = await gatherRootBoot(join(dir, 'missing'))
    assert.equal([bare.selinuxPolicy, bare.microcode], [undefined, undefined])
  })
})

test('facts: the running kernel, the reboot-required packages, PID 1 mapping a replaced libc', async () => {
  await withScratch('plan-facts', async (dir) => {
    const host = join(dir, 'host')
    await makeHost(host, {upgraded: true, pkgs: 'libc6\nlibc6\n'})
    const facts = await gatherPlanFacts(
      resolveLocations({hostRoot: host, stateDir: join(dir, 'state'), nextroot: join(dir, 'next')}),
    )
    assert.is(facts.kernel.running, KERNEL)
    assert.equal(facts.installed.kernels, [KERNEL])
    assert.equal(facts.rebootRequired, {packages: ['libc6'], installedAt: {}})
    assert.equal(facts.restart?.stale.processes, [
      {pid: 1, comm: 'systemd', owner: {kind: 'init'}, files: ['/usr/lib/libc.so.6']},
    ])
    assert.match(facts.restart?.system.error ?? '', /no systemd runs under this root/)
    assert.is(facts.next, undefined, 'nothing staged, nothing at the nextroot path')
    assert.equal(facts.staging, {state: 'none', stale: undefined, foreign: undefined})
    const quick = await gatherPlanFacts(
      resolveLocations({hostRoot: host, stateDir: join(dir, 'state'), nextroot: join(dir, 'next')}),
      {restart: false},
    )
    assert.is(quick.restart, undefined, 'the restart analysis is left out only when asked')
    assert.equal(quick.rebootRequired, facts.rebootRequired)
  })
})

test('nextroot plan --json: none on a quiet host, soft-reboot into a staged tree, reboot for its new kernel', async () => {
  await withScratch('plan-cli', async (dir) => {
    const host = join(dir, 'host')
    const next = join(dir, 'next')
    await makeHost(host)
    const args = ['plan', '--json', '--root', host, '--state-dir', join(dir, 'state'), '--nextroot', next]
    const quiet = await runCli(args)
    assert.is(quiet.exitCode, 0, quiet.stderr)
    assert.is(quiet.json?.result.action, 'none')
    await makeOsTree(next, {modules: [KERNEL], files: {[`boot/vmlinuz-${KERNEL}`]: 'kernel'}})
    const soft = await runCli(args)
    assert.equal([soft.json?.result.action, soft.json?.result.target], ['soft-reboot', 'staged'])
    await makeOsTree(next, {modules: [NEWER], files: {[`boot/vmlinuz-${NEWER}`]: 'kernel'}})
    const full = await runCli(args)
    assert.is(full.json?.result.action, 'reboot')
    const human = await runCli(args.filter((a) => a !== '--json'))
    assert.match(human.stdout, /^FULL REBOOT/)
    assert.ok(human.stdout.includes(`kernel ${NEWER} staged, ${KERNEL} running`))
  })
})

test.run()
