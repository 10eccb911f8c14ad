// The after-switch unit: its ordering cannot form a cycle with the target that wants it, and `nextroot install`
// puts it into a root and takes it out again, idempotently, in both output modes.
import {readFile, readlink} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {AFTER_SWITCH_WANTED_BY, shippedUnit} from '../../src/reboot/after-switch-unit.js'
import {runCli} from '../helpers/cli.js'
import {withScratch} from '../helpers/scratch.js'

const directives = (text: string, key: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .flatMap((line) => line.slice(key.length + 1).split(/\s+/))

test('the unit is ordered after the target that wants it, never after default.target (an ordering cycle)', async () => {
  const text = await readFile(await shippedUnit(), 'utf8')
  const after = directives(text, 'After')
  assert.ok(after.includes(AFTER_SWITCH_WANTED_BY), `After=${after.join(' ')}`)
  assert.not.ok(after.includes('default.target'))
  assert.is(
    directives(text, 'DefaultDependencies').length,
    0,
    'default dependencies order it before shutdown',
  )
})

test('install puts the unit and its wants link into the root, again is unchanged; --remove undoes it', async () => {
  await withScratch('install', async (root) => {
    const unit = join(root, 'etc/systemd/system/nextroot-after-switch.service')
    const wants = join(
      root,
      `etc/systemd/system/${AFTER_SWITCH_WANTED_BY}.wants/nextroot-after-switch.service`,
    )
    const first = await runCli(['install', '--root', root, '--json'])
    assert.is(first.exitCode, 0, first.stderr)
    assert.equal(first.json?.result, {action: 'installed', unit, wants})
    assert.is(await readFile(unit, 'utf8'), await readFile(await shippedUnit(), 'utf8'))
    assert.is(await readlink(wants), '../nextroot-after-switch.service')
    assert.is((await runCli(['install', '--root', root, '--json'])).json?.result?.action, 'unchanged')
    assert.match(
      (await runCli(['install', '--root', root, '--remove'])).stdout,
      /^Removed .*nextroot-after-switch/,
    )
    const again = await runCli(['install', '--root', root, '--remove', '--json'])
    assert.equal([again.exitCode, again.json?.result?.action], [0, 'absent'])
  })
})

test('install into a root that does not exist is a usage error', async () => {
  const result = await runCli(['install', '--root', '/nonexistent/nextroot-root', '--json'])
  assert.equal([result.exitCode, result.json?.error?.code], [2, 'NR_USAGE'])
})

test.run()
