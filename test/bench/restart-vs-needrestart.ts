// Benchmark: in one e2e guest, right after nr-demo is upgraded in place (system and user services running the
// replaced library), interleaved per round: `needrestart -b -r l` (its batch scan, listing only) against
// `nextroot restart --dry-run --json` (node start, every process, the system manager and every user manager).
// Prints wall-time medians, spread and the ratio, plus nextroot's own gather time (without node's start).
// Usage: node --import tsx test/bench/restart-vs-needrestart.ts [--rounds N] (root; npm run build first).
import {join} from 'node:path'

import {NR_DEMO_SETUP, buildNrDemo} from '../e2e/nr-demo.js'
import {runGuest} from '../e2e/run.js'
import {assertCompleted, failureReport} from '../e2e/scenario.js'
import {formatSummary, summarize} from './stats.js'

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 7

/** Milliseconds of the wall clock, in the guest. */
const NOW = 'date +%s%3N'

const NEEDRESTART = 'needrestart -b -r l > /dev/null 2>&1'
const NEXTROOT = 'nextroot restart --dry-run --json > /e2e/out/dry.json; true'

/** One round: "round N NEEDRESTART_MS NEXTROOT_MS GATHER_MS"; which runs first alternates per round. */
function round(n: number): string {
  const [first, second] = n % 2 === 0 ? [NEEDRESTART, NEXTROOT] : [NEXTROOT, NEEDRESTART]
  const [needrestart, nextroot] = n % 2 === 0 ? ['$((m - s))', '$((e - m))'] : ['$((e - m))', '$((m - s))']
  return (
    `s=$(${NOW}); ${first}; m=$(${NOW}); ${second}; e=$(${NOW}); ` +
    `echo "round ${n} ${needrestart} ${nextroot} $(jq .result.timings.gatherMs /e2e/out/dry.json)"`
  )
}

async function main(): Promise<void> {
  const steps = [
    ...NR_DEMO_SETUP,
    'dpkg -i /e2e/pkgs/nr-demo_2.0_amd64.deb',
    // one warm-up of each: page cache and perl's and node's first start are no part of a scan
    'needrestart -b -r l; nextroot restart --dry-run; true',
    ...Array.from({length: rounds}, (_, n) => round(n)),
  ]
  const timeoutS = 900 + rounds * 120
  const run = await runGuest({
    name: 'bench-restart',
    steps,
    timeoutS,
    prepare: async (share) => void (await buildNrDemo(join(share, 'pkgs'), ['1.0', '2.0'])),
  })
  try {
    assertCompleted(run, {steps, timeoutS})
  } catch (error) {
    console.error(failureReport(run))
    throw error
  }

  const rows = run.results
    .map((r) => /^round \d+ (\d+) (\d+) (\d+)$/m.exec(r.output))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({needrestart: Number(m[1]), nextroot: Number(m[2]), gather: Number(m[3])}))
  const needrestart = summarize(rows.map((r) => r.needrestart))
  const nextroot = summarize(rows.map((r) => r.nextroot))
  const gather = summarize(rows.map((r) => r.gather))
  console.log(`guest: ${run.accel.name}, systemd ${run.boots[0]?.systemd}, ${rows.length} interleaved rounds`)
  console.log('full scan after an in-place upgrade, wall ms: median (min-max, n)')
  console.log(`  needrestart -b -r l               ${formatSummary(needrestart, 0)}`)
  console.log(`  nextroot restart --dry-run --json ${formatSummary(nextroot, 0)}`)
  console.log(`  nextroot's gather, without node's start: ${formatSummary(gather, 0)}`)
  console.log(`  needrestart / nextroot: ${(needrestart.median / nextroot.median).toFixed(2)}x (wall)`)
  console.log(`  needrestart / nextroot gather: ${(needrestart.median / gather.median).toFixed(2)}x`)
  console.log(JSON.stringify({needrestart, nextroot, gather, rows}))
}

await main()
