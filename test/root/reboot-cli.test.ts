// `nextroot reboot` end to end where no systemd runs (this host): refusals with their codes, in both modes,
// and nothing changed. The switch itself is exercised in the guest (test/e2e/nextroot-reboot.test.ts).
import {mkdir, readdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {runCli} from '../helpers/cli.js'
import {makeOsTree} from '../helpers/os-tree.js'
import {withScratch} from '../helpers/scratch.js'
import {scratchPathFlags} from '../helpers/staging.js'

const paths = scratchPathFlags

test('without systemd as init, reboot refuses with NR_NO_SYSTEMD (exit 4), also --dry-run, and changes nothing', async () => {
  await withScratch('reboot-cli', async (dir) => {
    await makeOsTree(join(dir, 'host'))
    await makeOsTree(join(dir, 'next'))
    for (const extra of [['--dry-run'], ['--full'], []]) {
      const result = await runCli(['reboot', '--json', ...extra, ...paths(dir)])
      assert.is(result.exitCode, 4, result.stdout + result.stderr)
      assert.is(result.json?.error?.code, 'NR_NO_SYSTEMD')
    }

    assert.equal((await readdir(join(dir, 'next'))).sort(), ['etc', 'usr'], 'nothing carried')
    const human = await runCli(['reboot', ...paths(dir)])
    assert.match(human.stderr, /nextroot: error NR_NO_SYSTEMD: systemd is not the running init/)
  })
})

test('a bad /etc/nextroot/nextroot.conf is NR_BAD_CONFIG (exit 2), naming the line', async () => {
  await withScratch('reboot-conf', async (dir) => {
    await mkdir(join(dir, 'host/etc/nextroot'), {recursive: true})
    await writeFile(join(dir, 'host/etc/nextroot/nextroot.conf'), 'CARRY_DIRS=/var\nON_UNHEALTHY=panic\n')
    const result = await runCli(['reboot', '--dry-run', '--json', ...paths(dir)])
    assert.is(result.exitCode, 2)
    assert.is(result.json?.error?.code, 'NR_BAD_CONFIG')
    assert.match(result.json?.error?.message ?? '', /line 2: ON_UNHEALTHY is reboot or stay/)
  })
})

test('--auto and --full together are a usage error', async () => {
  const result = await runCli(['reboot', '--auto', '--full', '--json'])
  assert.is(result.exitCode, 2)
  assert.is(result.json?.error?.code, 'NR_USAGE')
})

test('history is empty without a state directory, switches and offline updates', async () => {
  await withScratch('history', async (dir) => {
    const result = await runCli(['history', '--json', ...paths(dir)])
    assert.is(result.exitCode, 0)
    assert.equal(result.json?.result, {entries: [], offline: []})
    assert.match((await runCli(['history', ...paths(dir)])).stdout, /No switches recorded/)
  })
})

test.run()
