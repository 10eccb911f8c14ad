// Benchmark: `nextroot lint --root` (the library, no verify) against `systemd-analyze verify` on the same
// unit files of the guest's root A, runs alternated. Prints medians, spread and the ratio verify/lint.
// Usage: node --import tsx test/bench/lint-vs-verify.ts [--runs N] (needs the image cache of images/).
import {execa} from 'execa'
import {join} from 'node:path'

import {lint} from '../../src/lint/lint.js'
import {readInputs} from '../../src/lint/inputs.js'
import {ensureImages} from '../e2e/images.js'
import {workDir} from '../e2e/paths.js'
import {guestUnitTree} from '../helpers/guest-units.js'
import {formatSummary, summarize} from './stats.js'

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5
const images = await ensureImages()
const root = await guestUnitTree(images.dir, join(workDir, 'bench-lint-tree'))
const files = (await readInputs([], root)).units.flatMap((u) => (u.fragment ? [u.fragment] : []))
const ours: number[] = []
const theirs: number[] = []
for (let i = 0; i < runs; i++) {
  let started = performance.now()
  await lint({paths: [], root, verify: false})
  ours.push((performance.now() - started) / 1000)
  started = performance.now()
  await execa('systemd-analyze', ['verify', '--man=no', '--generators=no', `--root=${root}`, ...files], {
    reject: false,
  })
  theirs.push((performance.now() - started) / 1000)
}
const [a, b] = [summarize(ours), summarize(theirs)]
console.log(`${files.length} unit files of guest root A, ${runs} runs each`)
console.log(`nextroot lint:          ${formatSummary(a, 3)} s`)
console.log(`systemd-analyze verify: ${formatSummary(b, 3)} s`)
console.log(`ratio verify/lint (medians): ${(b.median / a.median).toFixed(1)}x`)
