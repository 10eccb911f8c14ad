// Tests of the planner: recorded facts of the guest (Debian trixie, kernel 6.12.57) in, one action and reasons out.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {sentinel} from '../../src/fleet/sentinel.js'
import {decide} from '../../src/plan/decide.js'
import type {PlanFacts} from '../../src/plan/facts.js'
import {restartLevel} from '../../src/plan/packages.js'
import {describeActions} from '../../src/restart/describe.js'
import {codeMappings} from '../../src/restart/stale.js'
import {KERNEL, STAGED} from '../helpers/check-facts.js'
import {REPO} from '../helpers/cli.js'
import {restartFacts, staleProcess, withStale} from '../helpers/restart-facts.js'

const NEWER = '6.12.99+deb13-amd64'
const GUEST_ROOT = {kernels: [KERNEL], modules: [KERNEL], usrOnly: false}

/** The guest's facts with nothing pending, `overrides` on top. */
function facts(overrides: Partial<PlanFacts> = {}): PlanFacts {
  return {
    kernel: {running: KERNEL, cmdline: 'console=ttyS0,115200 root=/dev/vda rw panic=-1', selinux: false},
    installed: GUEST_ROOT,
    staging: {state: 'none'},
    nextrootPath: '/run/nextroot',
    restart: restartFacts(),
    stateReadable: true,
    clocks: {},
    ...overrides,
  }
}

function staged(boot: Partial<PlanFacts['installed']>): Partial<PlanFacts> {
  return {
    staged: STAGED,
    staging: {state: 'staged'},
    next: {path: STAGED.tree as string, ours: true, boot: {...GUEST_ROOT, ...boot}},
  }
}

const codes = (f: PlanFacts) => decide(f).reasons.map((r) => r.code)

test('nothing pending: none, with no reasons', () => {
  const decision = decide(facts())
  assert.is(decision.action, 'none')
  assert.equal(decision.reasons, [])
  assert.equal(decision.notes, [])
})

test('a staged root with the same kernel: soft reboot into it, lasting until the next full reboot', () => {
  const decision = decide(facts(staged({})))
  assert.is(decision.action, 'soft-reboot')
  assert.is(decision.target, 'staged')
  assert.equal(codes(facts(staged({}))), ['ROOT_STAGED'])
  assert.match(decision.reasons[0].message, /^root B is staged \(\/var\/lib\/nextroot\/store\/.*\/tree\)$/)
  assert.match(decision.persistence ?? '', /until the next full reboot/)
})

test('without the restart analysis (an explicit reboot): the same staged verdict, and a note saying so', () => {
  const decision = decide(facts({...staged({}), restart: undefined}))
  assert.is(decision.action, 'soft-reboot')
  assert.is(decision.target, 'staged')
  assert.equal(decision.restart, {managers: [], sessions: [], unreachable: []})
  assert.equal(decision.notes, [
    'Which services run replaced code was not analysed: the switch replaces every service that does not survive it.',
  ])
})

test('a staged root with a new kernel: full reboot, saying which kernels', () => {
  const decision = decide(facts(staged({kernels: [KERNEL, NEWER], modules: [KERNEL, NEWER]})))
  assert.is(decision.action, 'reboot')
  assert.equal(decision.reasons, [
    {code: 'KERNEL_STAGED', message: `kernel ${NEWER} staged, ${KERNEL} running`},
  ])
})

test('a staged root without modules for the running kernel: full reboot', () => {
  const decision = decide(facts(staged({kernels: [NEWER], modules: [NEWER]})))
  assert.is(decision.action, 'reboot')
  assert.equal(
    decision.reasons.map((r) => r.code),
    ['KERNEL_STAGED', 'NO_MODULES_FOR_KERNEL'],
  )
  assert.ok(decision.reasons[1].message.includes(`lacks modules for the running kernel ${KERNEL}`))
})

test('a staged kernel command line that differs: full reboot', () => {
  const f = facts({...staged({cmdline: 'quiet selinux=1'}), installed: {...GUEST_ROOT, cmdline: 'quiet'}})
  assert.equal(codes(f), ['CMDLINE_STAGED'])
  assert.match(decide(f).reasons[0].message, /"quiet selinux=1" staged, "quiet" in use/)
})

test('an image on a block device: the A/B updater decides what a full reboot boots', () => {
  const f = {...facts(staged({})), staged: {...STAGED, kind: 'image' as const, source: '/dev/vdb'}}
  assert.match(decide(f).persistence ?? '', /boot loader's entry .* \/dev\/vdb decides/)
})

test('a staged root with another SELinux policy or other microcode needs a full reboot', () => {
  const selinux = facts({...staged({selinuxPolicy: 'b'}), installed: {...GUEST_ROOT, selinuxPolicy: 'a'}})
  assert.equal(codes(selinux), ['ROOT_STAGED'], 'SELinux is not enabled here: no policy is loaded')
  const enforcing = {...selinux, kernel: {...selinux.kernel, selinux: true}}
  assert.equal([decide(enforcing).action, codes(enforcing)], ['reboot', ['SELINUX_POLICY_STAGED']])
  const usrOnly = facts({...staged({usrOnly: true}), kernel: {...enforcing.kernel}})
  assert.equal(codes(usrOnly), ['ROOT_STAGED'], "a /usr-only image keeps the machine's /etc and its policy")
  const microcode = facts({...staged({microcode: 'new'}), installed: {...GUEST_ROOT, microcode: 'old'}})
  assert.equal([decide(microcode).action, codes(microcode)], ['reboot', ['MICROCODE_STAGED']])
  assert.equal(codes(facts(staged({microcode: undefined}))), ['ROOT_STAGED'], 'none staged: nothing to load')
})

test('a stale staged root says how to publish it again; a foreign mount says it hijacks plain reboots', () => {
  const stale = facts({staged: STAGED, staging: {state: 'stale', stale: 'rebooted'}})
  assert.equal(decide(stale).action, 'none')
  assert.match(decide(stale).notes.join('\n'), /before the last full reboot: nextroot stage --republish/)
  const entry = {kind: 'mount' as const, source: '/dev/vdz', fsType: 'ext4', osTree: true}
  const foreign = {entry, hijacksPlainReboot: true, softRebootSwitches: true, leftover: false}
  const hijacked = facts({
    staging: {state: 'none', foreign},
    next: {path: '/run/nextroot', ours: false, boot: GUEST_ROOT},
  })
  assert.match(decide(hijacked).reasons[0].message, /an OS tree nextroot did not stage is at \/run\/nextroot/)
  assert.match(
    decide(hijacked).notes.join('\n'),
    /every plain `systemctl reboot` is now a soft reboot into it/,
  )
})

test('in-place upgrade of glibc: PID 1 and dbus map the deleted libc, a soft reboot into the same root', () => {
  const text = readFileSync(join(REPO, 'test/fixtures/plan/maps-upgraded-glibc.txt'), 'utf8')
  const files = codeMappings(text)
    .filter((m) => m.deleted)
    .map((m) => m.path)
  assert.equal(files, ['/usr/lib/x86_64-linux-gnu/libc.so.6'], 'memfd and /dev/shm are no upgrade')
  const f = facts({
    restart: withStale([
      staleProcess(1, 'systemd', '/init.scope', files),
      staleProcess(300, 'dbus-daemon', '/system.slice/dbus.service', files),
    ]),
    rebootRequired: {packages: ['libc6'], installedAt: {}},
  })
  const decision = decide(f)
  assert.is(decision.action, 'soft-reboot')
  assert.is(decision.target, 'same-root')
  assert.equal(codes(f), ['CORE_PROCESS_STALE', 'USERSPACE_UPGRADED'])
  assert.match(
    decision.reasons[0].message,
    /^dbus\.service is not restarted live \(the D-Bus daemon.*\): dbus-daemon \(PID 300\) runs replaced \/usr\/lib\/x86_64-linux-gnu\/libc\.so\.6/,
  )
})

test('PID 1 alone runs replaced code: it is re-executed, no reboot', () => {
  const f = facts({
    restart: withStale([
      staleProcess(1, 'systemd', '/init.scope', ['/usr/lib/systemd/libsystemd-shared-257.so']),
    ]),
  })
  const decision = decide(f)
  assert.is(decision.action, 'restart-units')
  assert.equal(codes(f), ['MANAGER_STALE'])
  assert.equal(describeActions(decision.restart), ['re-execute the system manager'])
})

test('only services run replaced code: restart exactly those units; sessions are a note', () => {
  const ssl = ['/usr/lib/x86_64-linux-gnu/libssl.so.3']
  const f = facts({
    restart: withStale([
      staleProcess(412, 'nginx', '/system.slice/nginx.service', ssl),
      staleProcess(413, 'nginx', '/system.slice/nginx.service', ssl),
      staleProcess(977, 'bash', '/user.slice/user-1000.slice/session-2.scope', ['/usr/bin/bash']),
    ]),
  })
  const decision = decide(f)
  assert.is(decision.action, 'restart-units')
  assert.equal(describeActions(decision.restart), ['restart nginx.service'])
  assert.match(decision.notes[0], /session-2\.scope \(bash, PID 977\) runs replaced code: its user logs out/)
})

test('dbus running replaced code needs a soft reboot, not a restart', () => {
  const f = facts({
    restart: withStale([
      staleProcess(300, 'dbus-daemon', '/system.slice/dbus.service', ['/usr/bin/dbus-daemon']),
    ]),
  })
  assert.is(decide(f).action, 'soft-reboot')
})

test('an installed newer kernel, microcode, or an unknown package in reboot-required: full reboot', () => {
  const installed = facts({installed: {...GUEST_ROOT, kernels: [KERNEL, NEWER]}})
  assert.equal(decide(installed).reasons, [
    {code: 'KERNEL_INSTALLED', message: `kernel ${NEWER} installed, ${KERNEL} running`},
  ])
  assert.equal(codes(facts({rebootRequired: {packages: ['intel-microcode', 'libc6'], installedAt: {}}})), [
    'REBOOT_REQUIRED',
  ])
  assert.equal(codes(facts({rebootRequired: {packages: ['frobnicate'], installedAt: {}}})), [
    'REBOOT_REQUIRED_UNKNOWN',
  ])
  assert.equal(codes(facts({rebootRequired: {packages: [], installedAt: {}}})), ['REBOOT_REQUIRED'])
})

test('a flag /run kept, or wrote again, for what the last soft reboot or boot already took in is not pending', () => {
  const BOOT = Date.parse('2026-12-01T08:00:00Z')
  const SOFT = Date.parse('2026-12-01T10:00:00Z')
  const clocks = {kernelBootedAt: BOOT, userspaceStartedAt: SOFT}
  const flag = (installedAt: Record<string, number>) =>
    facts({clocks, rebootRequired: {packages: Object.keys(installedAt), installedAt}})
  const libcBefore = decide(flag({libc6: SOFT - 60_000}))
  assert.is(
    libcBefore.action,
    'none',
    'libc6 installed before this userspace started: the soft reboot took it in',
  )
  assert.match(libcBefore.notes.join('\n'), /lists libc6, installed before this userspace started/)
  assert.is(decide(flag({libc6: SOFT + 60_000})).action, 'soft-reboot', 'installed after it: pending')
  assert.equal(
    codes(flag({'linux-image-amd64': SOFT - 60_000})),
    ['REBOOT_REQUIRED'],
    'a kernel needs a boot',
  )
  assert.is(decide(flag({'linux-image-amd64': BOOT - 60_000})).action, 'none', 'installed before the boot')
  assert.equal(codes(flag({frobnicate: SOFT - 60_000})), ['REBOOT_REQUIRED_UNKNOWN'], 'unknown: a boot')
  const unknownTime = facts({clocks, rebootRequired: {packages: ['libc6'], installedAt: {}}})
  assert.is(decide(unknownTime).action, 'soft-reboot', 'an unknown install time is pending, never satisfied')
  const noClock = facts({rebootRequired: {packages: ['libc6'], installedAt: {libc6: SOFT - 60_000}}})
  assert.is(decide(noClock).action, 'soft-reboot', 'an unknown userspace start proves nothing')
  // the sentinel fleets poll, on the same recorded facts: before the soft reboot pending, after it not
  const pending = sentinel(decide(flag({libc6: SOFT + 60_000})), 'soft')
  assert.equal(
    [pending.pending, sentinel(decide(flag({libc6: SOFT + 60_000})), 'full').pending],
    [true, false],
  )
  assert.is(sentinel(libcBefore, 'soft').pending, false, 'never pending again after the soft reboot')
  assert.is(sentinel(decide(flag({'linux-image-amd64': SOFT - 60_000})), 'full').pending, true)
})

test('an older installed kernel (the previous one kept for fallback) needs nothing', () => {
  assert.is(
    decide(facts({installed: {...GUEST_ROOT, kernels: ['6.12.10+deb13-amd64', KERNEL]}})).action,
    'none',
  )
})

test('package classes: userspace is soft, kernel, firmware and boot loaders are full', () => {
  assert.equal(
    [
      'libc6',
      'systemd',
      'dbus-broker',
      'libssl3t64',
      'linux-image-6.12.57+deb13-amd64',
      'amd64-microcode',
      'systemd-boot',
      'grub-efi-amd64',
      'vim',
    ].map(restartLevel),
    [
      'soft-reboot',
      'soft-reboot',
      'soft-reboot',
      'soft-reboot',
      'reboot',
      'reboot',
      'reboot',
      'reboot',
      undefined,
    ],
  )
})

test.run()
