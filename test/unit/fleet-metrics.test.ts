// Tests of `nextroot metrics` (pure rendering, checked by the real promtool) and its atomic textfile write.
import {readFile, readdir, readlink} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {writeMetrics} from '../../src/fleet/metrics-file.js'
import {installMetricsUnits, removeMetricsUnits} from '../../src/shipped/metrics-units.js'
import {type MetricsFacts, renderMetrics} from '../../src/fleet/metrics.js'
import type {HistoryEntry} from '../../src/history/records.js'
import {STAGED} from '../helpers/check-facts.js'
import {withScratch} from '../helpers/scratch.js'

const SWITCH: HistoryEntry = {
  id: 's1',
  kind: 'soft-reboot',
  from: 'root A',
  to: 'root "B"\\2',
  triggeredAt: '2026-12-01T10:00:00.000Z',
  checkedAt: '2026-12-01T10:00:30.000Z',
  outcome: 'healthy',
  problems: [],
  bootId: 'b00t',
  softRebootsCount: 1,
  durations: {switchMs: 12_410, units: {}},
  clearedFlags: [],
}

const FACTS: MetricsFacts = {
  decision: {
    action: 'soft-reboot',
    target: 'staged',
    reasons: [{code: 'ROOT_STAGED', message: 'root B is staged'}],
    restart: {managers: [], sessions: [], unreachable: []},
    notes: [],
  },
  staging: {state: 'staged', record: {...STAGED, sha256: 'ab'.repeat(32), verified: true}},
  softRebootsCount: 1,
  lastSwitch: SWITCH,
  now: Date.parse('2026-12-01T11:00:00Z'),
}

test('the metrics: pending step, reasons, staged root, soft reboots and the last switch, labels escaped', () => {
  const text = renderMetrics(FACTS)
  const samples = text.split('\n').filter((line) => line && !line.startsWith('#'))
  assert.equal(samples, [
    'nextroot_pending{step="restart-units"} 0',
    'nextroot_pending{step="soft-reboot"} 1',
    'nextroot_pending{step="reboot"} 0',
    'nextroot_pending_reasons{code="ROOT_STAGED"} 1',
    `nextroot_staged_info{state="staged",os="root B",version="",sha256="${'ab'.repeat(32)}",verified="true"} 1`,
    'nextroot_last_switch_info{outcome="healthy",kind="soft-reboot",to="root \\"B\\"\\\\2"} 1',
    'nextroot_last_switch_timestamp_seconds 1796119200',
    'nextroot_last_switch_downtime_seconds 12.41',
    'nextroot_metrics_timestamp_seconds 1796122800',
    'nextroot_soft_reboots_total 1',
  ])
})

test('promtool check metrics passes on them (the real promtool, from Debian prometheus)', async () => {
  const found = await execa('promtool', ['--version'], {reject: false})
  if (found.exitCode !== 0) {
    assert.not.ok(process.env.CI, 'promtool is missing: test/host-deps.sh installs it (package prometheus)')
    console.log('  skipped: no promtool here (test/host-deps.sh installs it)')
    return
  }
  const quiet = renderMetrics({
    ...FACTS,
    lastSwitch: undefined,
    softRebootsCount: undefined,
    staging: {state: 'none'},
  })
  for (const text of [renderMetrics(FACTS), quiet]) {
    const checked = await execa('promtool', ['check', 'metrics'], {input: text, reject: false})
    assert.is(checked.exitCode, 0, `${checked.stdout}${checked.stderr}\n${text}`)
  }
})

test('the textfile is replaced by a rename: no temporary file left, the collector never sees half', async () => {
  await withScratch('metrics', async (dir) => {
    const target = join(dir, 'textfile')
    await writeMetrics(target, 'one 1\n')
    const path = await writeMetrics(target, renderMetrics(FACTS))
    assert.equal(await readdir(target), ['nextroot.prom'])
    assert.is(await readFile(path, 'utf8'), renderMetrics(FACTS))
  })
})

test('install --metrics: the units, the timer enabled, a drop-in for another directory; idempotent', async () => {
  await withScratch('metrics-units', async (root) => {
    const etc = join(root, 'etc/systemd/system')
    assert.is((await installMetricsUnits(root)).action, 'installed')
    assert.is((await installMetricsUnits(root)).action, 'unchanged')
    assert.is(
      await readlink(join(etc, 'timers.target.wants/nextroot-metrics.timer')),
      '../nextroot-metrics.timer',
    )
    assert.match(
      await readFile(join(etc, 'nextroot-metrics.service'), 'utf8'),
      /--textfile \$\{NEXTROOT_TEXTFILE_DIR\}/,
    )
    assert.is((await installMetricsUnits(root, '/srv/tf')).action, 'installed')
    const dropIn = join(etc, 'nextroot-metrics.service.d/50-nextroot-textfile.conf')
    assert.match(await readFile(dropIn, 'utf8'), /^Environment=NEXTROOT_TEXTFILE_DIR=\/srv\/tf$/m)
    assert.is((await installMetricsUnits(root)).action, 'installed', 'back to the default: the drop-in goes')
    assert.equal(await readdir(etc), [
      'nextroot-metrics.service',
      'nextroot-metrics.timer',
      'timers.target.wants',
    ])
    assert.is((await removeMetricsUnits(root)).action, 'removed')
    assert.is((await removeMetricsUnits(root)).action, 'absent')
  })
})

test.run()
