// The units nextroot ships: the after-switch unit's ordering cannot form a cycle with the target that wants it,
// `nextroot install` puts it into a root and takes it out again, idempotently, in both output modes; the
// logind drop-in of `reboot --when=` removes a due schedule and keeps one still ahead.
import {access, readFile, readdir, readlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {execa} from 'execa'

import {
  AFTER_SWITCH_WANTED_BY,
  locationsDropIn,
  placeUnit,
  removeUnit,
  shippedUnit,
} from '../../src/shipped/after-switch-unit.js'
import {shippedFile} from '../../src/shipped/files.js'
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

/** A setting's values as systemd merges a unit and its drop-ins: an empty assignment resets the list. */
function effective(texts: string[], key: string): string[] {
  let values: string[] = []
  for (const line of texts.join('\n').split('\n')) {
    if (!line.startsWith(`${key}=`)) continue
    const value = line.slice(key.length + 1)
    values = value === '' ? [] : [...values, value]
  }

  return values
}

test('an armed unit checks and records the switch where reboot --state-dir put it (issue 9, defect 1)', async () => {
  await withScratch('armed-unit', async (root) => {
    const locations = {nextroot: '/srv/next root', stateDir: '/srv/state 100%', hostRoot: root}
    await placeUnit(root, 'runtime', locations)
    const dir = join(root, 'run/systemd/system')
    const unit = await readFile(join(dir, 'nextroot-after-switch.service'), 'utf8')
    const dropIns = join(dir, 'nextroot-after-switch.service.d')
    const dropIn = await readFile(join(dropIns, '50-nextroot-locations.conf'), 'utf8')
    assert.equal(effective([unit, dropIn], 'ConditionPathExists'), ['/srv/state 100%%/switch.json'])
    assert.equal(effective([unit, dropIn], 'ExecStart'), [
      'nextroot after-switch --state-dir "/srv/state 100%%" --nextroot "/srv/next root"',
    ])
    assert.is(dropIn, locationsDropIn(locations))
    assert.ok(await removeUnit(root, 'runtime'))
    assert.equal(await readdir(dir, {recursive: true}), [`${AFTER_SWITCH_WANTED_BY}.wants`])
  })
})

/** The drop-in's ExecStartPre= command as systemd hands it to sh ($$ and %% unescaped), on another file. */
async function guardCommand(scheduleFile: string): Promise<string> {
  const text = await readFile(await shippedFile('nextroot-due-schedule.conf'), 'utf8')
  const line = text.split('\n').find((l) => l.startsWith('ExecStartPre=-/bin/sh -c '))
  assert.ok(line, 'an ExecStartPre= running sh -c')
  const script = line.slice("ExecStartPre=-/bin/sh -c '".length, -1)
  return script
    .replaceAll('$$', '$')
    .replaceAll('%%', '%')
    .replace('/run/systemd/shutdown/scheduled', scheduleFile)
}

test("the --when= guard removes logind's schedule once due and keeps one still ahead", async () => {
  await withScratch('schedule-guard', async (dir) => {
    const file = join(dir, 'scheduled')
    const script = await guardCommand(file)
    const nowUs = Date.now() * 1000
    const present = () =>
      access(file).then(
        () => true,
        () => false,
      )
    await writeFile(file, `USEC=${nowUs + 3_600_000_000}\nMODE=soft-reboot\n`)
    assert.is((await execa('sh', ['-c', script])).exitCode, 0)
    assert.ok(await present(), 'an hour ahead: kept')
    await writeFile(file, `USEC=${nowUs - 1_000_000}\nMODE=soft-reboot\n`)
    await execa('sh', ['-c', script])
    assert.not.ok(await present(), 'due: removed')
    assert.is((await execa('sh', ['-c', script])).exitCode, 0, 'no schedule: nothing to do, success')
  })
})

test.run()
