// Issue 11 on a real systemd: nr-demo (a library, system services and a user service) is upgraded in place
// with dpkg, then with apt and the hooks; `nextroot restart` restarts what runs the replaced library in the
// system manager and in alice's, keeps what must not be restarted live (a soft reboot covers it), refuses bob
// (whose private socket is planted), and finds every service needrestart finds.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import type {RestartResult} from '../../src/act/restart.js'
import type {PlanResult} from '../../src/plan/plan.js'
import {ANSWERS, NR_DEMO_SETUP, buildNrDemo, parseAnswers} from './nr-demo.js'
import {scenario} from './scenario.js'

const MARKED = 'systemctl show -p ActiveState,Markers nr-marked.service'
const steps = [
  ...NR_DEMO_SETUP,
  ANSWERS,
  // the upgrade, as most packages leave it: files replaced, nothing restarted
  `dpkg -i /e2e/pkgs/nr-demo_2.0_amd64.deb && systemctl start nr-marked && systemctl stop nr-marked && systemctl set-property nr-marked.service Markers=+needs-restart && ${MARKED}`,
  // bob points his manager's socket at the system manager's
  'cd /run/user/1001/systemd && mv private private.real && ln -s /run/systemd/private private && chown -h bob:bob private && ls -l',
  'needrestart -b -r l',
  'nextroot restart --dry-run --json > /e2e/out/dry.json; echo "exit $?"; nextroot restart --dry-run --log-level debug 2> /e2e/out/debug.txt; time nextroot --version',
  'nextroot plan --json > /e2e/out/plan.json',
  'nextroot restart --json > /e2e/out/restart.json; echo "exit $?"',
  `${ANSWERS}; ${MARKED}`,
  // the hooks: apt-get alone does it (needrestart's own apt hook stays out of the way)
  'nextroot install --hooks && nextroot install --hooks',
  'NEEDRESTART_SUSPEND=1 DEBIAN_FRONTEND=noninteractive apt-get install -y /e2e/pkgs/nr-demo_3.0_amd64.deb 2>&1',
  `${ANSWERS}; cat /run/nr-reload.log; journalctl -t nextroot -o cat --no-pager`,
]

/** The `.result` of a --json document a step wrote to /e2e/out. */
function result<T>(run: {dir: string}, name: string): T {
  return (JSON.parse(readFileSync(join(run.dir, 'share/out', name), 'utf8')) as {result: T}).result
}

scenario(
  test,
  'restart: system and user services after an in-place upgrade, with needrestart side by side',
  {
    id: 'restart',
    steps,
    timeoutS: 1200,
    prepare: async (share) => void (await buildNrDemo(join(share, 'pkgs'), ['1.0', '2.0', '3.0'])),
  },
  (run) => {
    const output = (step: number) => run.results.find((r) => r.i === step)?.output ?? ''
    const before = parseAnswers(output(2))
    assert.equal(
      Object.values(before).map((a) => a.version),
      ['1.0', '1.0', '1.0'],
    )
    assert.match(output(3), /ActiveState=inactive\nMarkers=needs-restart/)

    const needrestart = [...output(5).matchAll(/^NEEDRESTART-SVC: (\S+)$/gm)].map((m) => m[1]).sort()
    const dry = result<RestartResult>(run, 'dry.json')
    const system = dry.plan.managers.find((m) => m.manager.kind === 'system')!
    const alice = dry.plan.managers.find((m) => m.manager.kind === 'user')!
    const found = [...system.actions.map((a) => a.unit), ...system.kept.map((k) => k.unit)].sort()
    console.log(
      `needrestart: ${needrestart.join(' ')}; nextroot: ${found.join(' ')} + ${alice.actions.map((a) => a.unit)}`,
    )
    for (const unit of needrestart)
      assert.ok(found.includes(unit), `nextroot finds ${unit}, as needrestart does`)
    assert.equal(
      system.actions.map((a) => [a.unit, a.verb]),
      [['nr-demo.service', 'try-restart']],
    )
    assert.equal(
      alice.actions.map((a) => [a.unit, a.verb]),
      [['nr-demo-user.service', 'try-restart']],
    )
    assert.equal(system.kept.map((k) => [k.unit, k.softReboot]).sort(), [
      ['nr-marked.service', false],
      ['nr-never.service', true],
    ])
    assert.match(
      dry.plan.unreachable.map((u) => `${u.manager}: ${u.why}`).join('\n'),
      /the user manager of bob \(1001\): \/run\/user\/1001\/systemd\/private is a symlink, not a socket/,
    )
    assert.match(output(6), /^exit 23$/m, 'a soft reboot is still needed for nr-never')
    assert.is(dry.remaining.action, 'soft-reboot')

    const plan = result<PlanResult>(run, 'plan.json')
    assert.equal([plan.action, plan.target], ['soft-reboot', 'same-root'])
    assert.ok(
      plan.reasons.some(
        (r) => r.code === 'SERVICE_NOT_RESTARTABLE' && r.message.includes('nr-never.service'),
      ),
    )

    const restarted = result<RestartResult>(run, 'restart.json')
    assert.match(output(8), /^exit 23$/m)
    const units = restarted.outcomes.flatMap((m) => m.units.map((u) => [u.unit, u.state, u.ok]))
    assert.equal(units, [
      ['nr-demo.service', 'active', true],
      ['nr-demo-user.service', 'active', true],
    ])
    const after = parseAnswers(output(9))
    assert.equal(after['7001'].version, '2.0', 'the system service runs the new library')
    assert.is.not(after['7001'].pid, before['7001'].pid)
    assert.equal(after['7002'].version, '2.0', "alice's service runs the new library")
    assert.is.not(after['7002'].pid, before['7002'].pid)
    assert.equal(after['7003'], before['7003'], 'nr-never was left alone')
    assert.match(output(9), /ActiveState=inactive/, 'the marked stopped unit stays stopped')

    assert.match(
      output(10),
      /already installed \/etc\/apt\/apt\.conf\.d\/80nextroot/,
      'install --hooks is idempotent',
    )
    assert.match(output(11), /nextroot: recorded nr-demo/)
    const hooked = parseAnswers(output(12))
    assert.equal([hooked['7001'].version, hooked['7002'].version], ['3.0', '3.0'], 'apt alone restarted both')
    assert.match(output(12), /^reloaded$/m, 'nr-reload asked for a reload only, and got it')
    assert.match(output(12), /ok restart nr-demo\.service: active/, "the hook's output is in the journal")
  },
)

test.run()
