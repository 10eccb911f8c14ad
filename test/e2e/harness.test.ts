// The harness itself: a hung guest is killed at its timeout, a failed step is reported with its output.
import {readdirSync, readFileSync} from 'node:fs'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {assertCompleted, failureReport, guestTest} from './scenario.js'

/** PIDs of processes whose command line mentions the run dir (qemu does, through its drives). */
const processesUsing = (dir: string) =>
  readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)
      } catch {
        return false // the process ended while we looked
      }
    })

const hang = {steps: ['sleep 3600'], timeoutS: 20}
guestTest(
  test,
  'a guest that overruns its timeout is killed and reported',
  {name: 'harness-hang', ...hang},
  (run) => {
    assert.ok(run.timedOut)
    assert.throws(() => assertCompleted(run, hang), /guest hung: qemu killed after 20s/)
    assert.equal(processesUsing(run.dir), [], 'qemu survived its timeout')
    assert.match(failureReport(run), /console tail: .*console\.log/)
  },
)

const fail = {steps: ['echo boom >&2; exit 3', 'echo never'], timeoutS: 300}
guestTest(test, 'a failed guest step is reported with its output', {name: 'harness-fail', ...fail}, (run) => {
  assert.throws(() => assertCompleted(run, fail), /step 0 `echo boom >&2; exit 3` exited 3:\nboom/)
  assert.is(run.results.length, 1, 'the driver stops at the first failed step')
})

test.run()
