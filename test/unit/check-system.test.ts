// Tests of the system and kernel rules of `nextroot check`: systemd support, /run space, the staged root, modules.
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {verdictOf} from '../../src/check/finding.js'
import {compareKernels, kernelRules} from '../../src/check/rules/kernel.js'
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

test('little space in /run/systemd is a warning', () => {
  const facts = factsFrom(show, {
    runSpace: {path: '/run/systemd', sizeBytes: 64 << 20, freeBytes: 8 << 20, usedBytes: 56 << 20},
  })
  const [finding] = systemRules(facts)
  assert.is(finding.code, 'RUN_SPACE_LOW')
  assert.is(finding.severity, 'warning')
  assert.match(finding.message, /8\.0 MiB free/)
})

test('nothing staged, a vanished staged root and the running root as nextroot block', () => {
  const base = factsFrom(show).nextroot
  const empty = {...base, mounted: false, osTree: false, tree: undefined}
  assert.equal(codesOf(systemRules(factsFrom(show, {nextroot: empty, staged: undefined}))), [
    '- NOTHING_STAGED',
  ])
  assert.equal(codesOf(systemRules(factsFrom(show, {nextroot: empty}))), ['- STAGED_NOT_VISIBLE'])
  const running = {...base, isRunningRoot: true}
  const findings = systemRules(factsFrom(show, {nextroot: running}))
  assert.equal(codesOf(findings), ['- NEXTROOT_IS_RUNNING_ROOT'])
  assert.is(verdictOf(findings), 'blocked')
})

test('a tree nextroot did not stage, and an unreadable state directory, are noted', () => {
  const findings = systemRules(factsFrom(show, {stateReadable: false, staged: undefined}))
  assert.equal(codesOf(findings), ['- NEXTROOT_FOREIGN', '- STATE_UNREADABLE'])
  assert.is(verdictOf(findings), 'ready')
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

test('compareKernels orders releases numerically', () => {
  assert.ok(compareKernels('6.12.10+deb13-amd64', '6.12.9+deb13-amd64') > 0)
  assert.ok(compareKernels('6.1.0-13-amd64', '6.12.0') < 0)
  assert.is(compareKernels('6.12.57+deb13-amd64', '6.12.57+deb13-amd64'), 0)
})

test.run()
