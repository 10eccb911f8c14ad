// After a healthy switch, reboot-required flags the switch satisfied are cleared (kured and friends would loop
// on them, since /run survives a soft reboot); a flag raised again after the trigger stays.
import {access, mkdir, utimes, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {clearFlags} from '../../src/history/after-switch.js'
import type {PendingSwitch} from '../../src/history/records.js'
import {withScratch} from '../helpers/scratch.js'

const TRIGGER = new Date('2026-11-22T08:00:00Z')

const pending = {
  triggeredAt: TRIGGER.toISOString(),
  satisfies: ['run/reboot-required', 'run/reboot-required.pkgs'],
} as PendingSwitch

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

test('flags older than the trigger are removed and reported; a newer one stays; a missing one is skipped', async () => {
  await withScratch('flags', async (root) => {
    await mkdir(join(root, 'run'))
    await writeFile(join(root, 'run/reboot-required'), '*** System restart required ***\n')
    await utimes(
      join(root, 'run/reboot-required'),
      new Date(TRIGGER.getTime() - 60_000),
      new Date(TRIGGER.getTime() - 60_000),
    )
    assert.equal(await clearFlags(pending, root), ['/run/reboot-required'])
    assert.not.ok(await exists(join(root, 'run/reboot-required')))

    await writeFile(join(root, 'run/reboot-required'), 'raised again by a kernel upgrade\n')
    assert.equal(await clearFlags(pending, root), [], 'newer than the trigger: kept')
    assert.ok(await exists(join(root, 'run/reboot-required')))
  })
})

test('a switch that satisfies nothing clears nothing', async () => {
  await withScratch('flags-none', async (root) => {
    await mkdir(join(root, 'run'))
    await writeFile(join(root, 'run/reboot-required'), 'x\n')
    assert.equal(await clearFlags({...pending, satisfies: []}, root), [])
  })
})

test.run()
