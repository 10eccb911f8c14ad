// The offline update's pure decisions: the way into and out of update mode, how a record ends in normal
// mode, the downtime, the package manager's commands and what pins a btrfs root.
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {type BootSnapshot, type WayFacts, enterWay, leaveWay} from '../../src/offline/decide.js'
import {closingPhase, downtimeMs} from '../../src/offline/close.js'
import {fetchedBeyond, installCommand, trialCommand, wrongArch} from '../../src/offline/package-manager.js'
import type {OfflineRecord} from '../../src/offline/record.js'
import {pinnedRoot} from '../../src/offline/snapshot.js'

const KERNEL = '6.12.57+deb13-amd64'
const boot: BootSnapshot = {modules: [KERNEL], kernelImage: '1:2:3', initrd: '4:5:6'}
const facts = (over: Partial<WayFacts> = {}): WayFacts => ({
  runningKernel: KERNEL,
  planReboot: [],
  softRebootSupported: true,
  classic: false,
  now: boot,
  ...over,
})
const codes = (decision: {reasons: Array<{code: string}>}) => decision.reasons.map((r) => r.code)

test('update mode is entered and left by a soft reboot when the running kernel can go on', () => {
  assert.equal(enterWay(facts()), {how: 'soft-reboot', reasons: [enterWay(facts()).reasons[0]]})
  assert.equal(codes(enterWay(facts())), ['KERNEL_UNCHANGED'])
  const out = leaveWay({...facts(), before: boot, rolledBack: false})
  assert.is(out.how, 'soft-reboot')
  assert.equal(codes(out), ['KERNEL_UNCHANGED'])
})

test('a full reboot in: --full, the plan needs one, no soft reboot, a root armed at the nextroot path', () => {
  const planned = {code: 'KERNEL_INSTALLED' as const, message: 'kernel 6.13 installed, 6.12 running'}
  const cases: Array<[Partial<WayFacts>, string]> = [
    [{classic: true}, 'CLASSIC_REQUESTED'],
    [{planReboot: [planned]}, 'PLAN_NEEDS_REBOOT'],
    [{softRebootSupported: false}, 'NO_SOFT_REBOOT'],
    [{nextrootOccupied: 'a root armed at /run/nextroot'}, 'NEXTROOT_OCCUPIED'],
    [{now: {...boot, modules: []}}, 'NO_MODULES_FOR_KERNEL'],
  ]
  for (const [over, code] of cases) {
    const way = enterWay(facts(over))
    assert.is(way.how, 'reboot', code)
    assert.equal(codes(way), [code])
  }
  assert.match(enterWay(facts({planReboot: [planned]})).reasons[0].message, /KERNEL_INSTALLED: kernel 6.13/)
})

test("a full reboot out: the running kernel's modules gone, its image, initrd or command line changed, a roll-back", () => {
  const cases: Array<[Partial<BootSnapshot>, boolean, string]> = [
    [{modules: ['6.13.0-amd64']}, false, 'NO_MODULES_FOR_KERNEL'],
    [{kernelImage: '9:9:9'}, false, 'KERNEL_IMAGE_CHANGED'],
    [{initrd: undefined}, false, 'INITRD_CHANGED'],
    [{cmdline: 'quiet'}, false, 'CMDLINE_CHANGED'],
    [{}, true, 'ROLLED_BACK'],
  ]
  for (const [now, rolledBack, code] of cases) {
    const way = leaveWay({...facts({now: {...boot, ...now}}), before: boot, rolledBack})
    assert.is(way.how, 'reboot', code)
    assert.equal(codes(way), [code])
  }
  const gone = leaveWay({...facts({now: {...boot, modules: []}}), before: boot, rolledBack: false})
  assert.match(gone.reasons[0].message, new RegExp(`usr/lib/modules/${KERNEL.replace(/[+.]/g, '\\$&')}`))
})

const record = (over: Partial<OfflineRecord>): OfflineRecord => ({
  id: 'u1',
  kind: 'deb',
  packages: [],
  verification: 'none',
  phase: 'prepared',
  preparedAt: 1000,
  preparedIn: {bootId: 'b1'},
  classic: false,
  locations: {stateDir: '/var/lib/nextroot', nextroot: '/run/nextroot'},
  ...over,
})
const updated = (ok: boolean) => ({startedAt: 1, finishedAt: 2, ok, command: ['dpkg'], versions: []})

const nowhere = {pointsHere: false, claimedHere: false}

test('normal mode closes what update mode left: installed, failed, interrupted; a prepared update waits', () => {
  assert.equal(closingPhase(record({phase: 'leaving', updated: updated(true)}), nowhere), {
    phase: 'installed',
  })
  assert.equal(closingPhase(record({phase: 'leaving', updated: updated(false)}), nowhere), {phase: 'failed'})
  assert.is(closingPhase(record({phase: 'updating'}), nowhere)?.phase, 'interrupted')
  assert.is(closingPhase(record({phase: 'prepared'}), {...nowhere, pointsHere: true}), undefined)
  assert.is(closingPhase(record({phase: 'entering'}), {...nowhere, pointsHere: true}), undefined)
  assert.is(closingPhase(record({phase: 'prepared'}), nowhere)?.phase, 'cancelled')
})

test('a trigger the update unit moved aside, with nothing run: failed to start, not cancelled', () => {
  const closing = closingPhase(record({phase: 'entering'}), {pointsHere: false, claimedHere: true})
  assert.is(closing?.phase, 'failed')
  assert.match(closing?.note ?? '', /could not run `nextroot offline execute`.*nothing was installed/)
})

test('the downtime runs from the way in to the default target on the way out; unknown without a start', () => {
  const entered = {at: 5000, how: 'soft-reboot' as const, bootId: 'b1', softRebootsCount: 1, services: []}
  assert.is(
    downtimeMs(record({entered: {...entered, downSince: 4000, downSinceFrom: 'trigger'}}), 9500),
    5500,
  )
  assert.is(
    downtimeMs(record({entered: {...entered, downSince: 0, downSinceFrom: 'kernel-boot'}}), 9500),
    undefined,
  )
  assert.is(downtimeMs(record({}), 9500), undefined)
})

test('the install and its trial: apt-get where it is there, dpkg without; dnf from its cache, rpm --test', () => {
  const files = ['/p/a.deb', '/p/b.deb']
  const apt = installCommand('deb', files, {aptGet: true, dnf: false})
  assert.equal(apt.slice(0, 3), ['apt-get', 'install', '--yes'])
  assert.equal(apt.slice(-2), files)
  assert.equal(installCommand('deb', files, {aptGet: false, dnf: false}).slice(0, 2), ['dpkg', '--install'])
  assert.ok(trialCommand('deb', files, {aptGet: true, dnf: false}).includes('--simulate'))
  assert.ok(trialCommand('deb', files, {aptGet: false, dnf: false}).includes('--no-act'))
  assert.ok(installCommand('rpm', files, {aptGet: false, dnf: true}).includes('--cacheonly'))
  assert.ok(trialCommand('rpm', files, {aptGet: false, dnf: true}).includes('--test'))
})

test("apt's simulation naming packages beyond the payload: update mode would need the network", () => {
  const simulation = [
    'NOTE: This is only a simulation!',
    'Inst libfoo1:amd64 (1.2-1 Debian:13 [amd64])',
    'Inst nr-offline-demo (1.0 local-deb [all])',
    'Conf nr-offline-demo (1.0 local-deb [all])',
  ].join('\n')
  assert.equal(fetchedBeyond(simulation, ['nr-offline-demo']), ['libfoo1'])
  assert.equal(fetchedBeyond(simulation, ['nr-offline-demo', 'libfoo1']), [])
})

test("packages for another machine are found; 'all' and 'noarch' fit every machine", () => {
  const pkg = (arch: string) => ({file: `x_${arch}.deb`, name: 'x', version: '1', arch, sha256: ''})
  assert.equal(
    wrongArch([pkg('amd64'), pkg('all'), pkg('arm64')], 'amd64', 'deb').map((p) => p.arch),
    ['arm64'],
  )
  assert.equal(wrongArch([pkg('noarch'), pkg('x86_64')], 'x86_64', 'rpm'), [])
})

test('a btrfs root pinned to its subvolume cannot be rolled back by set-default', () => {
  assert.is(pinnedRoot('root=/dev/vda rw', 'UUID=1 / btrfs defaults 0 0'), undefined)
  assert.match(pinnedRoot('root=/dev/vda rootflags=subvol=@ rw', '') ?? '', /command line/)
  assert.match(pinnedRoot('', 'UUID=1 / btrfs subvol=@,compress=zstd 0 0\n') ?? '', /fstab/)
  assert.is(pinnedRoot('', '# UUID=1 / btrfs subvol=@ 0 0\nUUID=1 /home btrfs subvol=@home 0 0'), undefined)
})

test.run()
