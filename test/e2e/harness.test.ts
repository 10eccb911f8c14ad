// The harness itself: a hung guest is killed at its timeout, a failed step is reported with its output.
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {runGuest} from './run.js'
import {assertCompleted, failureReport, guestTest} from './scenario.js'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

guestTest(test, 'a guest that overruns its timeout is killed and reported', async () => {
  const spec = {steps: ['sleep 3600'], timeoutS: 20}
  const run = await runGuest({name: 'harness-hang', ...spec})
  assert.ok(run.timedOut)
  assert.throws(() => assertCompleted(run, spec), /guest hung: qemu killed after 20s/)
  const pid = Number(readFileSync(path.join(run.dir, 'qemu.pid'), 'utf8'))
  assert.not.ok(alive(pid), `qemu ${pid} survived its timeout`)
  assert.match(failureReport(run), /console tail: .*console\.log/)
})

guestTest(test, 'a failed guest step is reported with its output', async () => {
  const spec = {steps: ['echo boom >&2; exit 3', 'echo never'], timeoutS: 300}
  const run = await runGuest({name: 'harness-fail', ...spec})
  assert.throws(() => assertCompleted(run, spec), /step 0 `echo boom >&2; exit 3` exited 3:\nboom/)
  assert.is(run.results.length, 1, 'the driver stops at the first failed step')
})

test.run()
