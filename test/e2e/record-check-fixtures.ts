// Records real systemd output for the `check` rule tests: boots the guest, starts units (a)-(e) of
// check-units.ts, stages root B, and saves what `nextroot check` reads (the batched `systemctl show` of every
// loaded unit, list-units, survivors' /proc files, the misplaced unit file) to test/fixtures/systemd/guest-*.
// Run: node --import tsx test/e2e/record-check-fixtures.ts (root; builds dist/ first with npm run build).
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {UNIT_PROPERTIES} from '../../src/check/unit-facts.js'
import {UNITS, setupStep} from './check-units.js'
import {repoRoot} from './paths.js'
import type {RunResult} from './records.js'
import {runGuest} from './run.js'
import {assertCompleted, failureReport} from './scenario.js'

const loaded = `systemctl list-units --all --full --no-pager --output=json | jq -r '.[] | select(.load != "not-found") | .unit'`
const proc = (unit: string) =>
  `pid=$(systemctl show -P MainPID ${unit}); echo "== exe $(stat -L -c %D /proc/$pid/exe) $(readlink /proc/$pid/exe)";` +
  ` echo "== maps"; cat /proc/$pid/maps; echo "== mountinfo"; cat /proc/$pid/mountinfo; echo "== cgroup"; cat /proc/$pid/cgroup`

/** fixture file -> guest step whose output it keeps. */
export const RECORD: Array<[string, string]> = [
  ['guest-list-units.json', 'systemctl list-units --all --full --no-pager --output=json'],
  ['guest-show.txt', `systemctl show --property=${UNIT_PROPERTIES.join(',')} -- $(${loaded})`],
  ['guest-mountinfo.txt', 'cat /proc/self/mountinfo'],
  ['guest-proc-survivor.txt', proc(UNITS.survivor)],
  ['guest-proc-bind.txt', proc(UNITS.bind)],
  ['guest-proc-rootdir.txt', proc(UNITS.rootdir)],
  ['guest-misplaced.service', `cat /run/systemd/system/${UNITS.misplaced}`],
  [
    'guest-versions.txt',
    'systemctl --version | head -1; uname -r; cat /proc/modules | cut -d" " -f1 | sort | tr "\\n" " "',
  ],
  ['guest-check.json', 'nextroot check --json 2> /dev/null || true'],
]

/** Stages root B with units (a)-(e) running, records, then runs `extra` steps (e.g. a profile). */
export async function record(extra: string[] = []): Promise<RunResult> {
  const steps = [
    setupStep,
    'nextroot stage /images/rootB.tar > /dev/null',
    ...RECORD.map(([, step]) => step),
    ...extra,
  ]
  const run = await runGuest({name: 'record-check-fixtures', steps, timeoutS: 900})
  try {
    assertCompleted(run, {steps, timeoutS: 900})
  } catch (error) {
    console.error(failureReport(run))
    throw error
  }

  for (const [i, [file]] of RECORD.entries()) {
    const output = run.results.find((r) => r.i === i + 2)?.output ?? ''
    await writeFile(
      path.join(repoRoot, 'test/fixtures/systemd', file),
      output.endsWith('\n') ? output : output + '\n',
    )
    console.log(`recorded test/fixtures/systemd/${file} (${output.length} bytes)`)
  }

  return run
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await record()
