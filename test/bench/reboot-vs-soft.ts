// Benchmark: in one e2e guest, interleaved per cycle, a full reboot, a raw `systemctl soft-reboot` into a root
// disk an admin mounted at /run/nextroot by hand, and `nextroot reboot` (node start, plan, check, preflight,
// carry-over, trigger) into a root staged from its disk, each from the trigger (wall clock just before the command) to the new boot's
// FinishTimestamp (systemd's "startup finished": the default target reached). Prints medians, spread and ratios.
// Usage: node --import tsx test/bench/reboot-vs-soft.ts [--cycles N] (root; builds dist/ first: npm run build).
import {mountAtNextroot, stageDisk} from '../e2e/disk-roots.js'
import {runGuest} from '../e2e/run.js'
import {assertCompleted, failureReport} from '../e2e/scenario.js'
import {median} from './stats.js'

const cycles = Number(process.argv[process.argv.indexOf('--cycles') + 1]) || 3

type Kind = 'full' | 'soft' | 'nextroot'

/** Microseconds of the wall clock, in the guest. */
const NOW = 'date +%s%6N'

/** Waits for the boot to finish, then prints "KIND TRIGGER_US FINISH_US ROOT BOOT_ID SOFT_REBOOTS". */
const measure = (kind: Kind, n: number) =>
  `systemctl is-system-running --wait > /dev/null; echo ${kind} $(cat /e2e/out/t-${n}) ` +
  `$(date -d "$(systemctl show --timestamp=us+utc -P FinishTimestamp)" +%s%6N) ` +
  `$(cat /etc/nextroot-marker) $(cat /proc/sys/kernel/random/boot_id) $(systemctl show -P SoftRebootsCount)`

/** Steps of one switch of `kind`, from root A; the raw soft reboot goes to B, nextroot's back to A. */
function switchSteps(kind: Kind, n: number): string[] {
  const mark = `${NOW} > /e2e/out/t-${n}`
  switch (kind) {
    case 'full':
      return [`nextroot unstage > /dev/null; ${mark}; systemctl reboot; sleep 900`, measure(kind, n)]
    case 'soft':
      return [mountAtNextroot('B'), `${mark}; systemctl soft-reboot; sleep 900`, measure(kind, n)]
    case 'nextroot':
      return [
        stageDisk('A'),
        `${mark}; nextroot reboot > /e2e/out/nextroot-${n}.txt && sleep 900`,
        measure(kind, n),
      ]
  }
}

async function main(): Promise<void> {
  const order: Kind[] = ['full', 'soft', 'nextroot']
  const steps = Array.from({length: cycles}, (_, c) =>
    order.flatMap((kind, k) => switchSteps(kind, c * 3 + k)),
  ).flat()
  const timeoutS = 600 + cycles * 900
  const run = await runGuest({name: 'bench-reboot', steps, timeoutS})
  try {
    assertCompleted(run, {steps, timeoutS})
  } catch (error) {
    console.error(failureReport(run))
    throw error
  }

  const rows = run.results
    .map((r) => r.output.trim().split(' '))
    .filter((f) => order.includes(f[0] as Kind) && f.length === 6)
    .map(([kind, trigger, finish, root]) => ({
      kind: kind as Kind,
      seconds: (Number(finish) - Number(trigger)) / 1e6,
      root,
    }))
  const stats = Object.fromEntries(
    order.map((kind) => {
      const values = rows.filter((r) => r.kind === kind).map((r) => r.seconds)
      return [
        kind,
        {median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length},
      ]
    }),
  ) as Record<Kind, {median: number; min: number; max: number; n: number}>
  console.log(`guest: ${run.accel.name}, systemd ${run.boots[0]?.systemd}, ${cycles} interleaved cycles`)
  console.log('trigger -> default target (FinishTimestamp), seconds: median (min-max, n)')
  for (const kind of order) {
    const s = stats[kind]
    console.log(
      `  ${kind.padEnd(9)} ${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)}, n=${s.n})`,
    )
  }
  console.log(
    `  nextroot reboot / raw soft reboot: ${(stats.nextroot.median / stats.soft.median).toFixed(2)}x`,
  )
  console.log(`  full reboot / raw soft reboot:     ${(stats.full.median / stats.soft.median).toFixed(2)}x`)
  console.log(JSON.stringify({stats, rows}))
}

await main()
