// Tests of the reboot preflight (refusals, --force) and of the after-switch health judgement and durations.
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import type {CheckResult} from '../../src/check/check.js'
import {durations, judgeHealth, type AfterFacts} from '../../src/history/health.js'
import type {PendingSwitch} from '../../src/history/records.js'
import {resolveLocations} from '../../src/locations.js'
import {preflight, type PreflightFacts} from '../../src/reboot/preflight.js'
import {STAGED, SYSTEMD_257} from '../helpers/check-facts.js'
import {NO_RESTART} from '../helpers/restart-facts.js'

const CHECK: CheckResult = {
  verdict: 'ready',
  findings: [],
  summary: {units: 120, survivors: 0, processes: 0},
  timings: {gatherMs: 1, judgeMs: 1},
  locations: resolveLocations(),
}

const READY: PreflightFacts = {
  mode: 'soft-reboot',
  target: 'staged',
  explicit: true,
  decision: {action: 'soft-reboot', target: 'staged', reasons: [], restart: NO_RESTART, notes: []},
  systemd: SYSTEMD_257,
  staged: {...STAGED, verified: true, sha256: 'ab12'},
  staging: {state: 'staged'},
  nextrootPath: '/run/nextroot',
  etcWritable: true,
  writesEtc: true,
  check: CHECK,
  inhibitors: [],
  force: false,
}

const code = (facts: Partial<PreflightFacts>) => preflight({...READY, ...facts}).refusal?.code

test('preflight: a ready machine goes ahead without warnings', () => {
  assert.equal(preflight(READY), {warnings: []})
})

test('preflight: host and staged-root refusals, which --force cannot override', () => {
  assert.is(code({systemd: {...READY.systemd, running: false}, force: true}), 'NR_NO_SYSTEMD')
  assert.is(
    code({systemd: {...READY.systemd, version: 252, softRebootSupported: false}}),
    'NR_NO_SOFT_REBOOT',
  )
  assert.is(code({expectSha256: 'AB12'}), undefined, 'digests compare case-insensitively')
  assert.is(code({expectSha256: 'ffff', force: true}), 'NR_STAGED_CHANGED')
  assert.is(code({etcWritable: false}), 'NR_NOT_READY')
  assert.is(code({etcWritable: false, writesEtc: false}), undefined)
})

test('preflight: the staging state decides, whatever --force says', () => {
  const refused = (staging: PreflightFacts['staging']) => code({staging, force: true})
  assert.is(refused({state: 'none'}), 'NR_NOTHING_STAGED')
  assert.is(refused({state: 'stale', stale: 'rebooted'}), 'NR_STAGED_STALE')
  assert.is(refused({state: 'stale', stale: 'tree-missing'}), 'NR_STAGED_STALE')
  assert.is(refused({state: 'switched'}), 'NR_RUNNING_ROOT')
  assert.is(refused({state: 'armed'}), undefined, 'armed before (a failed or scheduled attempt): armed again')
  const mount = {kind: 'mount' as const, source: '/dev/vdz', fsType: 'ext4', osTree: true}
  const foreign = {entry: mount, hijacksPlainReboot: true, softRebootSwitches: true, leftover: false}
  assert.is(refused({state: 'staged', foreign}), 'NR_NEXTROOT_IN_USE', "someone else's tree is not replaced")
  const emptyDir = {kind: 'directory' as const, empty: true, osTree: false}
  const leftover = {entry: emptyDir, hijacksPlainReboot: false, softRebootSwitches: false, leftover: true}
  assert.is(refused({state: 'staged', foreign: leftover}), undefined, 'what a switch left is replaced')
  assert.is(code({target: 'same-root', staging: {state: 'none', foreign}}), 'NR_NEXTROOT_IN_USE')
})

test('preflight: check blockers, low /run space, inhibitors and a plan that says reboot refuse; --force logs them', () => {
  const blocked = {
    ...CHECK,
    findings: [
      {severity: 'blocker' as const, code: 'NO_MODULES_FOR_KERNEL' as const, message: 'no modules'},
      {severity: 'blocker' as const, code: 'RUN_SPACE_LOW' as const, message: 'Only 8 MiB free'},
    ],
  }
  const refusal = preflight({...READY, check: blocked}).refusal
  assert.is(refusal?.code, 'NR_NOT_READY')
  assert.match(
    refusal?.message ?? '',
    /2 blocker\(s\): NO_MODULES_FOR_KERNEL: no modules; RUN_SPACE_LOW: Only 8 MiB/,
  )
  const inhibitor = {what: 'shutdown:sleep', who: 'backup', why: 'copying', mode: 'block', uid: 0, pid: 77}
  assert.match(
    preflight({...READY, inhibitors: [inhibitor]}).refusal?.message ?? '',
    /inhibited by backup \(copying; PID 77/,
  )
  assert.is(code({inhibitors: [{...inhibitor, mode: 'delay'}]}), undefined, 'delay locks only delay')
  assert.is(
    code({inhibitors: [{...inhibitor, what: 'sleep'}]}),
    undefined,
    'sleep locks do not block reboots',
  )
  const full = {
    ...READY.decision,
    action: 'reboot' as const,
    reasons: [{code: 'KERNEL_STAGED' as const, message: 'kernel 6.99 staged, 6.12 running'}],
  }
  assert.match(
    preflight({...READY, decision: full}).refusal?.message ?? '',
    /Only a full reboot .*kernel 6\.99 staged/,
  )
  assert.is(code({decision: full, explicit: false, mode: 'reboot'}), undefined, 'apply acts on it')
  const forced = preflight({...READY, check: blocked, inhibitors: [inhibitor], decision: full, force: true})
  assert.is(forced.refusal, undefined)
  assert.equal(
    forced.warnings.map((w) => w.split(':')[1].trim()),
    [
      'going ahead although NR_FULL_REBOOT_NEEDED',
      'going ahead although NR_NOT_READY',
      'going ahead although NR_INHIBITED',
    ],
  )
})

test('preflight: a soft reboot into the same root ignores findings about a staged root', () => {
  const nothing = {
    ...CHECK,
    findings: [{severity: 'blocker' as const, code: 'NOTHING_STAGED' as const, message: 'Nothing is staged'}],
  }
  assert.is(code({target: 'same-root', explicit: false, check: nothing, staged: undefined}), undefined)
})

const PENDING: PendingSwitch = {
  id: '20261122T070000',
  kind: 'soft-reboot',
  target: 'staged',
  triggeredAt: '2026-11-22T07:00:00.000Z',
  triggerUs: 100_000_000,
  commandUs: 95_000_000,
  bootId: 'b00t',
  softRebootsCount: 0,
  from: 'root A',
  to: 'root B',
  rootId: '254:0:1234',
  reasons: [],
  expect: {units: ['graphical.target'], survivors: {'e2e-survivor.service': 321}},
  satisfies: [],
  policy: {healthTimeoutS: 300, onUnhealthy: 'reboot'},
}

const AFTER: AfterFacts = {
  bootId: 'b00t',
  rootId: '254:0:1234',
  system: {state: 'running', attempts: 1},
  failed: [],
  times: {softRebootsCount: 1, softRebootStartUs: 101_000_000, finishUs: 112_500_000},
  units: {
    'graphical.target': {active: 'active', pid: 0, enteredUs: 112_400_000},
    'e2e-survivor.service': {active: 'active', pid: 321, enteredUs: 50_000_000},
  },
}

test('health: a soft reboot into the staged root that came up running, with the survivor, is healthy', () => {
  assert.equal(judgeHealth(PENDING, AFTER), {outcome: 'healthy', problems: []})
  assert.equal(durations(PENDING, AFTER), {
    fromCommandMs: 17500,
    fromTriggerMs: 12500,
    switchMs: 11500,
    units: {'graphical.target': 12400},
  })
})

test('health: every way a switch can go wrong is named', () => {
  const bad: AfterFacts = {
    ...AFTER,
    rootId: '254:0:2',
    system: {state: 'degraded', attempts: 1},
    failed: ['broken.service'],
    times: {...AFTER.times, softRebootsCount: 0},
    units: {
      'graphical.target': {active: 'inactive', pid: 0, enteredUs: 0},
      'e2e-survivor.service': {active: 'active', pid: 999, enteredUs: 0},
    },
  }
  assert.equal(judgeHealth(PENDING, bad).problems, [
    'SoftRebootsCount is 0, as before the switch: no soft reboot happened',
    'the root is 254:0:2, not the staged root (254:0:1234)',
    'the system is degraded: failed units broken.service',
    'graphical.target is inactive, not active',
    'survivor e2e-survivor.service has PID 999, not 321',
  ])
  assert.equal(judgeHealth(PENDING, {...AFTER, system: {attempts: 1}}).problems, [
    'the system did not finish starting within 300 s',
  ])
  const unasked = {...AFTER, system: {error: 'Failed to connect to bus: Connection timed out', attempts: 150}}
  assert.equal(judgeHealth(PENDING, unasked).problems, [
    'systemd could not be asked for the system state within 300 s (150 attempts): Failed to connect to bus: Connection timed out',
  ])
  assert.is(judgeHealth(PENDING, {...AFTER, bootId: 'new'}).outcome, 'not-switched')
})

test.run()
