// Benchmark: `nextroot check` against the naive way of reading the same unit data, one `systemctl show`
// process per unit, on the same machine: the e2e guest (real systemd 257) with the check scenario's units
// running and root B staged. Rounds alternate; prints medians and the ratios naive/check.
// The naive loop is a bash loop, a lower bound for any program that spawns one systemctl per unit.
// Usage: node --import tsx test/bench/check-vs-naive.ts [--rounds N] (root; builds dist/ first: npm run build).
import {UNIT_PROPERTIES} from '../../src/check/unit-facts.js'
import {setupStep} from '../e2e/check-units.js'
import {runGuest} from '../e2e/run.js'
import {assertCompleted, failureReport} from '../e2e/scenario.js'
import {median} from './stats.js'

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5

const SCRIPT = `
set -eu
ms() { echo $(( $(date +%s%N) / 1000000 )); }
units=$(systemctl list-units --all --full --no-pager --output=json | jq -r '.[] | select(.load != "not-found") | .unit')
props=${UNIT_PROPERTIES.join(',')}
for round in $(seq ${rounds}); do
  t0=$(ms); nextroot check --json > /tmp/check.json 2> /dev/null || true; t1=$(ms)
  echo "check $((t1 - t0)) $(jq '.result.timings.gatherMs + .result.timings.judgeMs' /tmp/check.json) $(jq .result.summary.units /tmp/check.json)"
  t0=$(ms); for u in $units; do systemctl show --property=$props -- "$u" > /dev/null; done; t1=$(ms)
  echo "naive $((t1 - t0)) $(echo "$units" | wc -l)"
  t0=$(ms); systemctl show --property=$props -- $units > /dev/null; t1=$(ms)
  echo "batched $((t1 - t0))"
done
`

async function main(): Promise<void> {
  const bench = `echo ${Buffer.from(SCRIPT).toString('base64')} | base64 -d | bash`
  const steps = [setupStep, 'nextroot stage /images/rootB.tar > /dev/null', bench]
  const run = await runGuest({name: 'bench-check', steps, timeoutS: 1800})
  try {
    assertCompleted(run, {steps, timeoutS: 1800})
  } catch (error) {
    console.error(failureReport(run))
    throw error
  }

  const lines = (run.results.find((r) => r.i === 2)?.output ?? '').split('\n').map((line) => line.split(' '))
  const column = (kind: string, index: number) =>
    lines.filter((l) => l[0] === kind).map((l) => Number(l[index]))
  const [checkWall, checkOwn, naive, batched] = [
    median(column('check', 1)),
    median(column('check', 2)),
    median(column('naive', 1)),
    median(column('batched', 1)),
  ]
  const units = column('naive', 2)[0]
  console.log(
    `guest: ${run.accel.name}, systemd ${run.boots[0]?.systemd}, ${units} loaded units, ${rounds} rounds (medians)`,
  )
  console.log(`  nextroot check, in-process (gather + judge): ${checkOwn} ms`)
  console.log(`  nextroot check, whole command (node start included): ${checkWall} ms`)
  console.log(`  naive, one systemctl show per unit (same properties): ${naive} ms`)
  console.log(`  one batched systemctl show for all units: ${batched} ms`)
  console.log(`ratio naive / check (in-process): ${(naive / checkOwn).toFixed(1)}x`)
  console.log(`ratio naive / check (whole command): ${(naive / checkWall).toFixed(1)}x`)
  console.log(`ratio naive / batched show: ${(naive / batched).toFixed(1)}x`)
}

await main()
