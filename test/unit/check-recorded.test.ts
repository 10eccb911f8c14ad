// Replays facts RECORDED in the e2e guest (systemd 257, units (a)-(e) of test/e2e/check-units.ts running,
// root B staged) through every rule: the findings must be the ones the issue expects, and the ones
// `nextroot check` itself reported in the guest (guest-check.json).
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {judge} from '../../src/check/check.js'
import type {CheckFacts} from '../../src/check/facts.js'
import {FINDING_CODES, type Finding} from '../../src/check/finding.js'
import {parseUnitFile} from '../../src/systemd/unit-file.js'
import {parseMountInfo} from '../../src/host/mounts.js'
import {bindSources, execPaths, rootSettings} from '../../src/systemd/properties.js'
import {parseListUnits, parseShow, prop, type UnitProperties} from '../../src/systemd/units.js'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'

import {lint} from '../../src/lint/lint.js'
import {BIND_SOURCE, EXPECTED, FILES, SURVIVOR_ROOT, UNITS} from '../e2e/check-units.js'
import {STAGED, deviceByMounts, factsFrom, fixture, processFrom} from '../helpers/check-facts.js'

const mounts = parseMountInfo(fixture('guest-mountinfo.txt'))
const root = mounts.find((m) => m.mountPoint === '/')!
const [systemdLine, kernel] = fixture('guest-versions.txt').split('\n')
const recorded = JSON.parse(fixture('guest-check.json')) as {result: {findings: Finding[]}}

/** Every loaded unit with its state (list-units), with the recorded show output on top, as check gathers it. */
function recordedUnits(): Record<string, UnitProperties> {
  const units: Record<string, UnitProperties> = {}
  for (const u of parseListUnits(fixture('guest-list-units.json'))) {
    units[u.unit] = {Id: [u.unit], LoadState: [u.load], ActiveState: [u.active], SubState: [u.sub]}
  }

  for (const record of parseShow(fixture('guest-show.txt'))) units[prop(record, 'Id')] = record
  return units
}

function recordedFacts(): CheckFacts {
  const units = recordedUnits()
  const services = Object.keys(units).filter((u) => u.endsWith('.service'))
  const pid = (unit: string) => Number(prop(units[unit], 'MainPID'))
  const survivors = [UNITS.survivor, UNITS.bind, UNITS.rootdir]
  const paths = survivors.flatMap((unit) =>
    [...bindSources(units[unit], 'BindPaths'), ...rootSettings(units[unit]), ...execPaths(units[unit])].map(
      (setting) => {
        const inRoot = setting.setting === 'ExecStart' ? prop(units[unit], 'RootDirectory') : ''
        const hostPath = `${inRoot}${setting.path}`
        return {...setting, unit, hostPath, device: deviceByMounts(hostPath, mounts)}
      },
    ),
  )
  const running = services.filter((u) => prop(units[u], 'ActiveState') === 'active')
  const started = running.filter((u) => !Object.values(UNITS).includes(u))
  return factsFrom('', {
    systemd: {
      running: true,
      version: Number(/^systemd (\d+)/.exec(systemdLine)![1]),
      versionText: systemdLine,
      softRebootSupported: true,
      autoSoftReboot: true,
    },
    staged: {...STAGED, kernel: {running: kernel, modulesPresent: true, available: [kernel]}},
    nextroot: {...factsFrom('').nextroot, tree: {...factsFrom('').nextroot.tree!, kernelModules: [kernel]}},
    kernel: {running: kernel, loadedModules: fixture('guest-versions.txt').split('\n')[2].trim().split(' ')},
    units,
    unitFiles: {[UNITS.misplaced]: parseUnitFile(fixture('guest-misplaced.service'))},
    oldRoot: [
      {path: '/', device: root.majorMinor, source: root.source, fsType: root.fsType, usedBytes: 1 << 30},
    ],
    paths,
    processes: [
      processFrom(fixture('guest-proc-survivor.txt'), pid(UNITS.survivor), 'sleep', false),
      processFrom(fixture('guest-proc-bind.txt'), pid(UNITS.bind), 'busybox', true),
      processFrom(fixture('guest-proc-rootdir.txt'), pid(UNITS.rootdir), 'busybox', true),
    ],
    trees: {
      current: {
        root: '/',
        defaultTarget: 'graphical.target',
        present: Object.keys(units),
        masked: [],
        started,
      },
      staged: {
        root: '/run/nextroot',
        defaultTarget: 'graphical.target',
        present: Object.keys(units).filter((u) => u !== UNITS.gone),
        masked: [],
        started,
      },
    },
  })
}

const codes = (findings: Finding[], unit: string) =>
  findings
    .filter((f) => f.unit === unit)
    .map((f) => f.code)
    .sort()

test('recorded facts give exactly the findings the issue expects for units (a)-(e)', () => {
  const findings = judge(recordedFacts())
  for (const [unit, expected] of Object.entries(EXPECTED)) assert.equal(codes(findings, unit), expected, unit)
  const others = findings.filter((f) => f.severity !== 'info' && !(f.unit && f.unit in EXPECTED))
  assert.equal(others, [])
})

test('the pins are the ones the guest showed: BindPaths= and the mount namespace for (c), the binary for (a)', () => {
  const findings = judge(recordedFacts())
  const bind = findings.find((f) => f.unit === UNITS.bind && f.code === 'PINS_OLD_ROOT')!
  assert.match(
    bind.message,
    new RegExp(
      `^BindPaths=${BIND_SOURCE}; PID \\d+ \\(busybox\\) has it mounted at /data: pins ${root.source}`,
    ),
  )
  const survivor = findings.find((f) => f.unit === UNITS.survivor && f.code === 'PINS_OLD_ROOT')!
  assert.match(
    survivor.message,
    /^ExecStart=\/usr\/bin\/sleep; PID \d+ \(sleep\) holds \/usr\/bin\/sleep \(exe\) and \d+ more/,
  )
  assert.ok(
    !findings.some((f) => f.unit === UNITS.rootdir && f.code === 'PINS_OLD_ROOT'),
    `${SURVIVOR_ROOT} is its own tmpfs`,
  )
})

test('replaying the recorded facts gives what nextroot check reported in the guest for these units', () => {
  const findings = judge(recordedFacts())
  for (const unit of Object.keys(EXPECTED))
    assert.equal(codes(findings, unit), codes(recorded.result.findings, unit), unit)
})

/** The per-unit survival codes, which `check` and `lint` compute with one implementation (processes and
 * unreadable units are check's alone). */
const PROCESS_CODES = ['SURVIVOR_AT_PROCESS', 'SURVIVOR_AT_PROCESS_USER', 'SURVIVOR_UNREADABLE']
const SHARED = new Set<string>([
  ...FINDING_CODES.filter((c) => c.startsWith('SURVIVOR') && !PROCESS_CODES.includes(c)),
  'FDSTORE_PRESERVED',
])

test('lint, fed the files of the recorded units, gives the survival findings check gave for them live', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nextroot-parity-'))
  try {
    for (const [path, lines] of Object.entries(FILES))
      await writeFile(join(dir, basename(path)), lines.join('\n'))
    const linted = await lint({paths: [dir], verify: false})
    const checked = judge(recordedFacts())
    for (const unit of Object.values(UNITS)) {
      const fromCheck = codes(checked, unit).filter((c) => SHARED.has(c))
      const fromLint = [...new Set(linted.findings.filter((f) => f.unit === unit).map((f) => f.rule))]
        .filter((c) => SHARED.has(c))
        .sort()
      assert.equal(fromLint, fromCheck, unit)
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
})

test.run()
