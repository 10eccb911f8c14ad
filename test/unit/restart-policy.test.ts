// Tests of what `nextroot restart` does with what it found (pure): verbs from markers and keys, what stays
// stopped, what is never restarted live, re-executed managers, sessions, unreachable users, and the steps.
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {narrowPlan} from '../../src/act/scope.js'
import {describeActions} from '../../src/restart/describe.js'
import {hasWork, needsSoftReboot, planRestart} from '../../src/restart/policy.js'
import {describeRestartStep, restartSteps} from '../../src/restart/steps.js'
import {ALICE, restartFacts, staleProcess, systemFacts, unit, withStale} from '../helpers/restart-facts.js'

const LIB = ['/usr/lib/x86_64-linux-gnu/libnr.so.1']
const USER = '/user.slice/user-1000.slice/user@1000.service'

test('markers: needs-restart restarts, needs-reload reloads, a marked stopped unit stays stopped', () => {
  const plan = planRestart(
    restartFacts({
      system: systemFacts({
        'a.service': unit({markers: ['needs-restart']}),
        'b.service': unit({markers: ['needs-reload'], canReload: true}),
        'c.service': unit({markers: ['needs-restart'], active: 'inactive'}),
        'd.service': unit(),
      }),
    }),
  )
  const [system] = plan.managers
  assert.equal(
    system.actions.map((a) => [a.unit, a.verb]),
    [
      ['a.service', 'try-restart'],
      ['b.service', 'try-reload-or-restart'],
    ],
  )
  assert.equal(
    system.kept.map((k) => [k.unit, k.why, k.softReboot]),
    [['c.service', 'inactive: it stays stopped', false]],
  )
  assert.ok(hasWork(plan))
  assert.not.ok(needsSoftReboot(plan))
})

test('replaced code restarts the unit, unless it asks for a reload only (X-RestartOnUpgrade=reload)', () => {
  const facts = withStale(
    [
      staleProcess(410, 'nr-demo', '/system.slice/nr-demo.service', LIB),
      staleProcess(411, 'nr-reload', '/system.slice/nr-reload.service', LIB),
    ],
    {
      system: systemFacts({
        'nr-demo.service': unit(),
        'nr-reload.service': unit({key: 'reload', canReload: true}),
      }),
    },
  )
  assert.equal(describeActions(planRestart(facts)), ['restart nr-demo.service', 'reload nr-reload.service'])
})

test('never restarted live: the bus, X-RestartOnUpgrade=no, RefuseManualStop=, RESTART_NEVER; RESTART_ALLOW lifts', () => {
  const processes = [
    'dbus.service',
    'mydb.service',
    'keep.service',
    'locked.service',
    'networking.service',
  ].map((name, i) => staleProcess(500 + i, name.split('.')[0], `/system.slice/${name}`, LIB))
  const system = systemFacts({
    'dbus.service': unit(),
    'mydb.service': unit(),
    'keep.service': unit({key: 'no'}),
    'locked.service': unit({refuseManualStop: true}),
    'networking.service': unit(),
  })
  const config = {restartNever: ['my*.service'], restartAllow: ['networking.service'], userTimeoutS: 15}
  const plan = planRestart(withStale(processes, {system, config}))
  assert.equal(
    plan.managers[0].kept.map((k) => [k.unit, k.core, k.why.split(':')[0]]),
    [
      ['dbus.service', true, 'the D-Bus daemon'],
      ['keep.service', false, 'X-RestartOnUpgrade=no'],
      ['locked.service', false, 'RefuseManualStop=yes'],
      ['mydb.service', false, 'RESTART_NEVER in /etc/nextroot/nextroot.conf'],
    ],
  )
  assert.equal(describeActions(plan), ['restart networking.service'])
  assert.ok(needsSoftReboot(plan), 'they run old code: a soft reboot refreshes them')
})

test('a survivor kept from live restarts is no reason for a soft reboot: it survives one', () => {
  const processes = [staleProcess(600, 'mydb', '/system.slice/mydb.service', LIB)]
  const system = systemFacts({'mydb.service': unit({survives: true})})
  const config = {restartNever: ['mydb.service'], restartAllow: [], userTimeoutS: 15}
  const plan = planRestart(withStale(processes, {system, config}))
  assert.equal(
    plan.managers[0].kept.map((k) => [k.unit, k.softReboot, k.why.split('; ').at(-1)]),
    [['mydb.service', false, 'it survives soft reboots']],
  )
  assert.not.ok(needsSoftReboot(plan), 'after a soft reboot the same old code runs on: no loop')
})

test('users: a user service restarts in its manager; the manager itself is re-executed; sd-pam is a session', () => {
  const facts = withStale(
    [
      staleProcess(1, 'systemd', '/init.scope', LIB),
      staleProcess(800, 'systemd', `${USER}/init.scope`, LIB),
      staleProcess(801, '(sd-pam)', `${USER}/init.scope`, LIB),
      staleProcess(900, 'nr-demo', `${USER}/app.slice/nr-demo-user.service`, LIB),
      staleProcess(950, 'bash', '/user.slice/user-1000.slice/session-4.scope', ['/usr/bin/bash']),
    ],
    {users: [{manager: ALICE, units: {'nr-demo-user.service': unit()}}]},
  )
  const plan = planRestart(facts)
  assert.equal(describeActions(plan), [
    're-execute the system manager',
    're-execute the user manager of alice (1000)',
    'restart nr-demo-user.service (user alice)',
  ])
  assert.equal(
    plan.sessions.map((s) => [s.unit, s.comm]),
    [
      ['user@1000.service', '(sd-pam)'],
      ['session-4.scope', 'bash'],
    ],
  )
  const steps = restartSteps(plan).map((manager) => manager.map(describeRestartStep))
  assert.equal(steps, [
    ['systemctl daemon-reexec'],
    [
      'setpriv --reuid=1000 --regid=1000 --clear-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C SYSTEMD_COLORS=0 XDG_RUNTIME_DIR=/run/user/1000 systemctl --user daemon-reexec',
      'setpriv --reuid=1000 --regid=1000 --clear-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C SYSTEMD_COLORS=0 XDG_RUNTIME_DIR=/run/user/1000 systemctl --user try-restart -- nr-demo-user.service',
    ],
  ])
  assert.equal(narrowPlan(plan, {system: false, users: [1000]}).managers.length, 1, '--user 1000')
  assert.equal(
    narrowPlan(plan, {system: true, users: []}).managers.map((m) => m.manager.kind),
    ['system'],
  )
})

test('a refused or silent user manager: its stale services need a soft reboot, the others go on', () => {
  const bob = {kind: 'user' as const, uid: 1001, gid: 1001, user: 'bob'}
  const facts = withStale(
    [
      staleProcess(900, 'nr-demo', `${USER}/app.slice/nr-demo-user.service`, LIB),
      staleProcess(901, 'nr-demo', '/user.slice/user-1001.slice/user@1001.service/app.slice/x.service', LIB),
      staleProcess(410, 'nr-demo', '/system.slice/nr-demo.service', LIB),
    ],
    {
      users: [{manager: bob, units: {}, error: "'systemctl --user list-units' timed out after 15000 ms"}],
      refusedUsers: [
        {uid: 1000, user: 'alice', why: '/run/user/1000/systemd/private is a symlink, not a socket'},
      ],
    },
  )
  const plan = planRestart(facts)
  assert.equal(describeActions(plan), ['restart nr-demo.service'])
  assert.equal(
    plan.unreachable.map((u) => [u.manager, u.stale.map((p) => p.pid)]),
    [
      ['the user manager of bob (1001)', [901]],
      ['the user manager of alice (1000)', [900]],
    ],
  )
  assert.ok(needsSoftReboot(plan))
})

test('steps: stops first, then restarts, reloads and starts; a daemon-reload only without a re-exec', () => {
  const plan = planRestart(
    restartFacts({
      system: systemFacts({
        'a.service': unit({markers: ['needs-start'], active: 'inactive'}),
        'b.service': unit({markers: ['needs-reload'], needDaemonReload: true}),
        'c.service': unit({markers: ['needs-stop']}),
        'd.service': unit({markers: ['needs-restart']}),
      }),
    }),
  )
  assert.equal(restartSteps(plan)[0].map(describeRestartStep), [
    'systemctl daemon-reload',
    'systemctl stop -- c.service',
    'systemctl try-restart -- d.service',
    'systemctl try-reload-or-restart -- b.service',
    'systemctl start -- a.service',
  ])
})

test('a package the last transaction changed: its unit restarts only when it says X-RestartOnUpgrade=yes', () => {
  const facts = restartFacts({
    system: systemFacts({'yes.service': unit({key: 'yes'}), 'plain.service': unit()}),
    packageUnits: ['yes.service', 'plain.service'],
  })
  assert.equal(describeActions(planRestart(facts)), ['restart yes.service'])
})

test.run()
