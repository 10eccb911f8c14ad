// Tests of the system and kernel rules of `nextroot check`: systemd support, /run space, the staged root, modules.
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {verdictOf} from '../../src/check/finding.js'
import {kernelRules} from '../../src/check/rules/kernel.js'
import {compareKernels} from '../../src/tree/root-boot.js'
import {systemRules} from '../../src/check/rules/system.js'
import {KERNEL, codesOf, factsFrom, fixture} from '../helpers/check-facts.js'

const show = fixture('guest-show.txt')

test('a healthy system with a staged root has no system findings', () => {
  assert.equal(systemRules(factsFrom(show)), [])
  assert.equal(kernelRules(factsFrom(show)), [])
})

test('no systemd, or one without soft-reboot, blocks; systemd 254 only notes the missing survive setting', () => {
  const base = factsFrom(show).systemd
  const none = systemRules(factsFrom(show, {systemd: {...base, running: false}}))
  assert.equal(codesOf(none), ['- NO_SYSTEMD'])
  const old = systemRules(factsFrom(show, {systemd: {...base, version: 252}}))
  assert.equal(codesOf(old), ['- SYSTEMD_TOO_OLD'])
  assert.is(old[0].severity, 'blocker')
  const v254 = systemRules(factsFrom(show, {systemd: {...base, version: 254}}))
  assert.equal(
    v254.map((f) => [f.code, f.severity]),
    [['NO_SURVIVE_SETTING', 'info']],
  )
})

test('little space in /run/systemd blocks: one severity for check and for reboot (issue 9, defect 2)', () => {
  const facts = factsFrom(show, {
    runSpace: {path: '/run/systemd', sizeBytes: 64 << 20, freeBytes: 8 << 20, usedBytes: 56 << 20},
  })
  const findings = systemRules(facts)
  assert.equal(
    findings.map((f) => [f.code, f.severity]),
    [['RUN_SPACE_LOW', 'blocker']],
  )
  assert.is(verdictOf(findings), 'blocked', 'check says what reboot will do: refuse')
  assert.match(findings[0].message, /8\.0 MiB free/)
})

test('nothing staged, a stale staged root and the running root as the staged one block', () => {
  const base = factsFrom(show).nextroot
  const empty = {path: '/run/nextroot', ours: false, isRunningRoot: false}
  const none = factsFrom(show, {nextroot: empty, staged: undefined, staging: {state: 'none'}})
  assert.equal(codesOf(systemRules(none)), ['- NOTHING_STAGED'])
  for (const stale of ['rebooted', 'tree-missing'] as const) {
    const findings = systemRules(factsFrom(show, {nextroot: empty, staging: {state: 'stale', stale}}))
    assert.equal(codesOf(findings), ['- STAGED_NOT_VISIBLE'])
    assert.match(findings[0].hint ?? '', /nextroot stage --republish/)
  }

  const running = {...base, isRunningRoot: true}
  const findings = systemRules(factsFrom(show, {nextroot: running, staging: {state: 'switched'}}))
  assert.equal(codesOf(findings), ['- NEXTROOT_IS_RUNNING_ROOT'])
  assert.is(verdictOf(findings), 'blocked')
})

test('a tree nextroot did not stage is judged and noted; an unreadable state directory is noted', () => {
  const foreign = {...factsFrom(show).nextroot, path: '/run/nextroot', ours: false}
  const findings = systemRules(
    factsFrom(show, {stateReadable: false, staged: undefined, staging: {state: 'none'}, nextroot: foreign}),
  )
  assert.equal(codesOf(findings), ['- NEXTROOT_FOREIGN', '- STATE_UNREADABLE'])
  assert.is(verdictOf(findings), 'ready')
})

test('a mounted OS tree nextroot did not make at /run/nextroot: every plain reboot is hijacked (a warning)', () => {
  const entry = {kind: 'mount' as const, source: '/dev/vdz', fsType: 'ext4', osTree: true}
  const hijack = {entry, hijacksPlainReboot: true, softRebootSwitches: true, leftover: false}
  const findings = systemRules(factsFrom(show, {staging: {state: 'staged', foreign: hijack}}))
  assert.equal(codesOf(findings), ['- PLAIN_REBOOT_HIJACKED'])
  assert.match(findings[0].message, /every plain `systemctl reboot` is now a soft reboot into it/)
  const leftover = {
    ...hijack,
    entry: {kind: 'directory' as const, empty: true, osTree: false},
    hijacksPlainReboot: false,
  }
  assert.equal(systemRules(factsFrom(show, {staging: {state: 'staged', foreign: leftover}})), [])
})

test('no modules for the running kernel blocks and names the loaded modules; a newer kernel is noted', () => {
  const base = factsFrom(show).nextroot
  const tree = {...base.tree!, kernelModules: ['6.12.99+deb13-amd64']}
  const findings = kernelRules(factsFrom(show, {nextroot: {...base, tree}}))
  assert.equal(codesOf(findings), ['- NEWER_KERNEL_STAGED', '- NO_MODULES_FOR_KERNEL'])
  const blocker = findings.find((f) => f.code === 'NO_MODULES_FOR_KERNEL')!
  assert.is(blocker.severity, 'blocker')
  assert.match(blocker.message, new RegExp(`usr/lib/modules/${KERNEL.replace(/[.+]/g, '\\$&')}`))
  assert.match(blocker.message, /ext4, virtio_blk/)
  assert.match(findings.find((f) => f.code === 'NEWER_KERNEL_STAGED')!.hint!, /full reboot/)
})

test('modules that could not be listed are unknown, not none: still a blocker (issue 9, defect 3)', () => {
  const base = factsFrom(show).nextroot
  const tree = {...base.tree!, kernelModules: ['6.12.99+deb13-amd64']}
  const unknown = factsFrom(show, {nextroot: {...base, tree}, kernel: {running: KERNEL}})
  const finding = kernelRules(unknown).find((f) => f.code === 'NO_MODULES_FOR_KERNEL')!
  assert.is(finding.severity, 'blocker')
  assert.match(finding.message, /which modules are loaded now is unknown/)
  const none = factsFrom(show, {nextroot: {...base, tree}, kernel: {running: KERNEL, loadedModules: []}})
  assert.is(kernelRules(none).find((f) => f.code === 'NO_MODULES_FOR_KERNEL')!.severity, 'warning')
})

test('compareKernels orders releases numerically', () => {
  assert.ok(compareKernels('6.12.10+deb13-amd64', '6.12.9+deb13-amd64') > 0)
  assert.ok(compareKernels('6.1.0-13-amd64', '6.12.0') < 0)
  assert.is(compareKernels('6.12.57+deb13-amd64', '6.12.57+deb13-amd64'), 0)
})

test.run()
