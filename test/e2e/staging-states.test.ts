// Issue 10 on a real systemd: a staged root never hijacks a plain reboot. Staged (root B's archive in the
// store, nothing at /run/nextroot): a raw `systemctl soft-reboot` restarts root A, a plain `systemctl reboot`
// is a full reboot into root A. After it the staged root is stale; `nextroot reboot` refuses, `stage
// --republish` publishes it again without unpacking, and `nextroot reboot` arms the switch and lands in B,
// whose after-switch unit removes what the staging left.
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import type {RunResult} from './records.js'
import {scenario} from './scenario.js'

const status = (name: string) => `nextroot status --json > /e2e/out/${name}.json; nextroot status`
const NOTHING_THERE = 'ls -ld /run/nextroot /run/nextroot.armed 2>&1 || true'
const NOTHING =
  /cannot access '\/run\/nextroot': No such file[^]*cannot access '\/run\/nextroot\.armed': No such file/

const steps = [
  `nextroot stage /images/rootB.tar --json > /e2e/out/stage.json; ${NOTHING_THERE}`,
  status('staged'),
  'soft-reboot',
  status('after-raw-soft-reboot'),
  'reboot',
  status('after-plain-reboot'),
  'nextroot reboot --json > /e2e/out/refused.json; echo "exit $?"',
  'nextroot stage --republish --json',
  'nextroot reboot --json > /e2e/out/reboot.json && sleep 900',
  'for i in $(seq 600); do [ -e /var/lib/nextroot/switch.json ] || break; sleep 1; done; nextroot history --json',
  `${NOTHING_THERE}; ${status('switched')}`,
]

const shared = (run: RunResult, name: string) =>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  JSON.parse(readFileSync(path.join(run.dir, 'share/out', `${name}.json`), 'utf8')) as any
const output = (run: RunResult, step: number) => run.results.find((r) => r.i === step)?.output ?? ''

scenario(
  test,
  'staged is not armed: raw soft reboot and plain reboot stay on A; stale, republished, nextroot reboot into B',
  {id: 'staging-states', steps, timeoutS: 1800},
  (run) => {
    const [a1, a2, a3, b] = run.boots
    assert.is(run.boots.length, 4)
    assert.equal(shared(run, 'stage').result.record.kind, 'archive')
    assert.match(output(run, 0), NOTHING, 'staging leaves nothing at /run/nextroot')
    const staged = shared(run, 'staged').result
    assert.equal(
      [staged.state, staged.rebootBecomesSoftReboot, staged.softReboot],
      ['staged', false, 'same-root'],
    )
    assert.match(output(run, 1), /Plain reboot: a full reboot/)

    assert.equal([a2.root, a2.bootId, a2.softReboots], ['A', a1.bootId, 1], 'raw soft reboot: same root A')
    assert.is(shared(run, 'after-raw-soft-reboot').result.state, 'staged', 'still staged, same kernel boot')
    assert.equal([a3.root, a3.softReboots], ['A', 0], 'plain reboot: a full reboot into A')
    assert.is.not(a3.bootId, a1.bootId, 'plain reboot: a new kernel boot')

    const stale = shared(run, 'after-plain-reboot').result
    assert.equal([stale.state, stale.stale], ['stale', 'rebooted'])
    assert.match(output(run, 5), /staged, not published \(a reboot since\): nextroot stage --republish/)
    assert.match(output(run, 6), /exit 3\s*$/)
    assert.is(shared(run, 'refused').error.code, 'NR_STAGED_STALE')
    const republished = JSON.parse(output(run, 7)).result
    assert.equal([republished.republished, republished.record.bootId], [true, a3.bootId])

    assert.equal([b.root, b.bootId, b.softReboots], ['B', a3.bootId, 1], 'nextroot reboot: soft into B')
    assert.is(shared(run, 'reboot').result.mode, 'soft-reboot')
    const [entry] = JSON.parse(output(run, 9)).result.entries
    assert.is(entry.outcome, 'healthy', entry.problems.join('; '))
    assert.ok(entry.cleaned.includes('symlink /run/nextroot'), entry.cleaned.join(', '))
    assert.ok(entry.cleaned.includes('directory /run/nextroot.armed'), entry.cleaned.join(', '))
    assert.match(output(run, 10), NOTHING, 'no staging leftovers after the switch')
    assert.is(
      shared(run, 'switched').result.state,
      'none',
      'the staged root is the running one: running.json',
    )
    console.log(`switch into B: ${entry.durations.switchMs} ms; cleaned: ${entry.cleaned.join(', ')}`)
  },
)

test.run()
