// Tests of what fleets rely on (pure, and the flag facts on a scratch root): `apply`'s --max cap, the
// sentinel's verdict per level, and when a reboot-required flag's packages were installed.
import {mkdir, utimes, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {sentinel} from '../../src/fleet/sentinel.js'
import {MAX_STEPS, chooseStep} from '../../src/plan/cap.js'
import type {Decision} from '../../src/plan/decide.js'
import type {Action} from '../../src/plan/reasons.js'
import {gatherRebootFlag} from '../../src/plan/flag-facts.js'
import type {RestartPlan} from '../../src/restart/policy.js'
import {carriedMounts} from '../../src/history/keep-carried.js'
import type {MountEntry} from '../../src/host/mounts.js'
import {SYSTEM} from '../../src/systemd/manager-ref.js'
import {withScratch} from '../helpers/scratch.js'

const NOTHING: RestartPlan = {managers: [], sessions: [], unreachable: []}
const RESTARTS: RestartPlan = {
  managers: [
    {
      manager: SYSTEM,
      daemonReload: false,
      actions: [{unit: 'a.service', verb: 'try-restart', evidence: []}],
      kept: [],
    },
  ],
  sessions: [],
  unreachable: [],
}

const decision = (action: Action, restart = NOTHING): Decision => ({action, reasons: [], restart, notes: []})

test('--max: the plan when the cap allows it, else the allowed restarts and the rest left pending', () => {
  const rows = MAX_STEPS.flatMap((max) =>
    (['none', 'restart-units', 'soft-reboot', 'reboot'] as const).map((action) => {
      const choice = chooseStep(decision(action, RESTARTS), max)
      return `${max} ${action}: ${choice.does}${choice.leaves ? ` (leaves ${choice.leaves})` : ''}`
    }),
  )
  assert.equal(rows, [
    'restart none: none',
    'restart restart-units: restart-units',
    'restart soft-reboot: restart-units (leaves soft-reboot)',
    'restart reboot: restart-units (leaves reboot)',
    'soft-reboot none: none',
    'soft-reboot restart-units: restart-units',
    'soft-reboot soft-reboot: soft-reboot',
    'soft-reboot reboot: restart-units (leaves reboot)',
    'reboot none: none',
    'reboot restart-units: restart-units',
    'reboot soft-reboot: soft-reboot',
    'reboot reboot: reboot',
  ])
  assert.equal(
    chooseStep(decision('reboot'), 'restart'),
    {does: 'none', leaves: 'reboot'},
    'no restarts to do',
  )
})

test('the sentinel: soft counts soft and full reboots, full only full; restarts are never a reboot', () => {
  const verdicts = (['none', 'restart-units', 'soft-reboot', 'reboot'] as const).map((action) =>
    (['soft', 'full'] as const).map((level) => sentinel(decision(action), level).pending),
  )
  assert.equal(verdicts, [
    [false, false],
    [false, false],
    [true, false],
    [true, true],
  ])
})

test("flag facts: the listed packages, and when dpkg unpacked each (its multiarch file lists' latest mtime)", async () => {
  await withScratch('flag-facts', async (root) => {
    assert.is(await gatherRebootFlag(root), undefined, 'no flag')
    await mkdir(join(root, 'run'), {recursive: true})
    await mkdir(join(root, 'var/lib/dpkg/info'), {recursive: true})
    await writeFile(join(root, 'run/reboot-required'), '*** System restart required ***\n')
    await writeFile(join(root, 'run/reboot-required.pkgs'), 'libc6\ndbus\nlibc6\n')
    const list = join(root, 'var/lib/dpkg/info/libc6:amd64.list')
    await writeFile(list, '/.\n')
    const at = new Date('2026-12-01T10:00:00Z')
    await utimes(list, at, at)
    assert.equal(await gatherRebootFlag(root), {
      packages: ['dbus', 'libc6'],
      installedAt: {libc6: at.getTime()},
    })
    const foreign = join(root, 'var/lib/dpkg/info/libc6:i386.list')
    const later = new Date('2026-12-01T11:00:00Z')
    await writeFile(foreign, '/.\n')
    await utimes(foreign, later, later)
    const both = await gatherRebootFlag(root)
    assert.is(both?.installedAt.libc6, later.getTime(), 'two architectures: the later unpack counts')
  })
})

test('carried mounts kept through later soft reboots: each carried dir and what is mounted below it', () => {
  const at = (mountPoint: string, id: number): MountEntry => ({
    id,
    majorMinor: '254:0',
    root: mountPoint,
    mountPoint,
    options: 'rw,relatime',
    fsType: 'ext4',
    source: '/dev/vda',
  })
  const mounts = ['/', '/var', '/var/lib/docker', '/variable', '/root', '/run', '/home', '/var'].map(at)
  const kept = carriedMounts(['/var', '/root', '/srv'], mounts)
  assert.equal(
    kept.map((m) => [m.mountPoint, m.id]),
    [
      ['/root', 4],
      ['/var', 7],
      ['/var/lib/docker', 2],
    ],
    'the top-most mount at each point',
  )
  assert.equal(carriedMounts([], mounts), [])
})

test.run()
