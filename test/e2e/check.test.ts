// Issue 4 on a real systemd: `nextroot check` predicts what a soft reboot does to units (a)-(e) of
// check-units.ts, then a real soft reboot (`nextroot reboot`, which stays put on an unhealthy verdict here)
// confirms it: (a) keeps its PID, (c) keeps the old root mounted in its mount namespace, (e) is gone.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import type {Finding} from '../../src/check/finding.js'
import {BIND_SOURCE, EXPECTED, UNITS, parsePids, pidsStep, setupStep} from './check-units.js'
import {stageDisk} from './disk-roots.js'
import {scenario} from './scenario.js'

const bindMountinfo = `cat /proc/$(systemctl show -P MainPID ${UNITS.bind})/mountinfo`
const steps = [
  `${setupStep}; mkdir -p /etc/nextroot && echo ON_UNHEALTHY=stay > /etc/nextroot/nextroot.conf`,
  // root B from its disk: unpacking the archive (minutes under TCG) is the staging scenario's part
  stageDisk('B'),
  'nextroot check --json 2> /e2e/out/check.stderr',
  'nextroot check --strict; echo "exit code $?"',
  pidsStep,
  'nextroot reboot > /e2e/out/reboot.txt 2>&1 && sleep 900',
  pidsStep,
  bindMountinfo,
  // lint on the guest's own installed units (and the scenario's, in /run), with systemd 257's verify
  'nextroot lint --system --json > /e2e/out/lint-system.json; echo "exit $?"',
]

interface LintJson {
  ok: boolean
  result: {
    units: number
    findings: Array<{unit?: string; rule: string; origin: string}>
    verify: {skipped?: string; findings: number; ms: number}
    ms: number
  }
}

interface CheckJson {
  ok: boolean
  result: {
    verdict: string
    findings: Finding[]
    timings: {gatherMs: number; judgeMs: number}
    summary: {units: number}
  }
}

scenario(
  test,
  'check predicts what a soft reboot does to units (a)-(e)',
  {id: 'check', steps, timeoutS: 1200},
  (run) => {
    const output = (step: number) => run.results.find((r) => r.i === step)?.output ?? ''
    const checked = JSON.parse(output(2)) as CheckJson
    const {findings, verdict, timings, summary} = checked.result
    console.log(
      `check in the guest: ${summary.units} units, gather ${timings.gatherMs} ms, judge ${timings.judgeMs} ms`,
    )
    for (const [unit, codes] of Object.entries(EXPECTED)) {
      const got = findings.filter((f) => f.unit === unit).map((f) => f.code)
      assert.equal(got.sort(), codes, unit)
    }

    const others = findings.filter((f) => f.severity !== 'info' && !(f.unit && f.unit in EXPECTED))
    assert.equal(others, [], 'no blocker or warning beyond the scenario units')
    assert.is(verdict, 'ready-with-warnings')
    const bindPin = findings.find((f) => f.unit === UNITS.bind && f.code === 'PINS_OLD_ROOT')!
    assert.match(
      bindPin.message,
      new RegExp(`^BindPaths=${BIND_SOURCE}; PID \\d+ \\(busybox\\) has it mounted at /data`),
    )
    assert.match(
      findings.find((f) => f.code === 'SURVIVOR_SECTION')!.hint!,
      /Move SurviveFinalKillSignal= to \[Unit\]/,
    )
    assert.match(output(3), /^READY WITH WARNINGS/)
    assert.match(output(3), /exit code 21\n?$/)

    const before = parsePids(output(4))
    const after = parsePids(output(6))
    assert.is(run.switches[0]?.kind, 'soft-reboot')
    assert.is(run.boots[1].root, 'B')
    assert.is(after[UNITS.survivor].pid, before[UNITS.survivor].pid, '(a) kept its PID')
    assert.is(after[UNITS.rootdir].pid, before[UNITS.rootdir].pid, '(d) kept its PID')
    assert.is(after[UNITS.bind].pid, before[UNITS.bind].pid, '(c) kept its PID')
    assert.match(
      output(7),
      new RegExp(`^\\d+ \\d+ \\d+:\\d+ ${BIND_SOURCE} /data .* - ext4 /dev/vda `, 'm'),
      '(c) keeps the old root mounted',
    )
    assert.is.not(after[UNITS.misplaced].state, 'active', '(b) was killed')
    assert.is(after[UNITS.gone].state, 'inactive', '(e) is gone')
    assert.is(after[UNITS.gone].pid, 0)

    // lint --system on the real machine: no crash, verify merged, the scenario's survival findings as check's
    assert.match(output(8), /exit (0|24|25)\n?$/)
    const linted = (JSON.parse(readFileSync(join(run.dir, 'share/out/lint-system.json'), 'utf8')) as LintJson)
      .result
    assert.ok(linted.units > 150, `${linted.units} units`)
    assert.is(linted.verify.skipped, undefined, 'systemd-analyze verify ran')
    const rules = (unit: string) => linted.findings.filter((f) => f.unit === unit).map((f) => f.rule)
    assert.ok(rules(UNITS.misplaced).includes('SURVIVOR_SECTION'))
    assert.ok(rules(UNITS.survivor).includes('SURVIVOR'))
    assert.not.ok(
      rules(UNITS.survivor).some((r) => r.startsWith('SURVIVOR_')),
      'the correct survivor',
    )
    console.log(
      `lint --system in the guest: ${linted.units} units, ${linted.findings.length} findings, lint ${linted.ms} ms, systemd-analyze verify ${linted.verify.ms} ms (${linted.verify.findings} findings)`,
    )
  },
)

test.run()
