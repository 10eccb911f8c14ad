// `systemctl is-system-running --wait` after a switch, against a stand-in systemctl on PATH: a failure to ask
// (a bus timeout) is asked again within the health timeout, and told apart from "not running".
import {chmod, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {systemState} from '../../src/systemd/switch.js'
import {withScratch} from '../helpers/scratch.js'

/** A systemctl that fails to reach the bus the first `failures` times, then answers `state`. */
async function withSystemctl<T>(failures: number, state: string, body: () => Promise<T>): Promise<T> {
  return withScratch('systemctl', async (dir) => {
    const script = [
      '#!/bin/sh',
      `n=$(cat ${dir}/count 2>/dev/null || echo 0); echo $((n + 1)) > ${dir}/count`,
      `if [ "$n" -lt ${failures} ]; then echo 'Failed to connect to bus: Connection timed out' >&2; exit 1; fi`,
      `echo ${state}; [ ${state} = running ]`,
    ].join('\n')
    await writeFile(join(dir, 'systemctl'), script)
    await chmod(join(dir, 'systemctl'), 0o755)
    const path = process.env.PATH
    process.env.PATH = `${dir}:${path}`
    try {
      return await body()
    } finally {
      process.env.PATH = path
    }
  })
}

test('a bus timeout is asked again: running on the third try (issue 9, defect 4)', async () => {
  const got = await withSystemctl(2, 'running', () => systemState(10_000, 50))
  assert.equal(got, {state: 'running', attempts: 3})
})

test('degraded is an answer, not a failure to ask', async () => {
  const got = await withSystemctl(0, 'degraded', () => systemState(10_000, 50))
  assert.equal(got, {state: 'degraded', attempts: 1})
})

test('never reachable within the timeout: the reason is kept, no state', async () => {
  const got = await withSystemctl(1000, 'running', () => systemState(600, 50))
  assert.is(got.state, undefined)
  assert.match(got.error ?? '', /Failed to connect to bus: Connection timed out/)
  assert.ok(got.attempts > 1, `${got.attempts} attempts`)
})

test.run()
