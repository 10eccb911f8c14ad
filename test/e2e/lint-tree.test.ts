// Issue 13 on real units: `nextroot lint --root` over every unit file and drop-in of the guest's root
// (Debian trixie, systemd 257), with no guest booted: no crash, under a second, and the same units through
// systemd-analyze verify for the time beside it. Prints the findings per rule and a few of them.
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {lint} from '../../src/lint/lint.js'
import {guestUnitTree} from '../helpers/guest-units.js'
import {median} from '../bench/stats.js'
import {ensureImages} from './images.js'
import {workDir} from './paths.js'
import {missingPrerequisites} from './prereq.js'

const missing = missingPrerequisites() // the image cache is built by the same means as the guests'
const inCI = Boolean(process.env.CI) && process.env.CI !== 'false'
const title = 'lint --root over the guest root: every unit, no crash, under a second'
if (missing && !inCI) console.log(`SKIP "${title}": ${missing}`)

;(missing && !inCI ? test.skip : test)(title, async () => {
  const images = await ensureImages()
  const root = await guestUnitTree(images.dir, join(workDir, 'lint-tree'))
  const times: number[] = []
  let result = await lint({paths: [], root, verify: false})
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    result = await lint({paths: [], root, verify: false})
    times.push(performance.now() - started)
  }
  assert.ok(result.units > 150, `${result.units} units`)
  assert.ok(median(times) < 1000, `median ${median(times)} ms`)
  const verified = await lint({paths: [], root, verify: true})
  const byRule = Object.entries(result.byRule)
    .sort((a, b) => b[1] - a[1])
    .map(([rule, n]) => `${rule} ${n}`)
  console.log(
    [
      `lint --root (guest root A): ${result.units} units, ${result.findings.length} findings in ${Math.round(median(times))} ms (median of 5, min ${Math.round(Math.min(...times))})`,
      `  systemd-analyze verify on the same units: ${verified.verify.skipped ?? `${verified.verify.ms} ms, ${verified.verify.findings} findings`}${verified.verify.ms ? ` (${(verified.verify.ms / median(times)).toFixed(1)}x lint's time)` : ''}`,
      `  per rule: ${byRule.join(', ')}`,
      ...result.findings
        .slice(0, 40)
        .filter((f) => f.severity !== 'info')
        .slice(0, 6)
        .map((f) => `  ${f.file.slice(root.length)}:${f.line ?? ''} ${f.rule}: ${f.message}`),
    ].join('\n'),
  )
})

test.run()
