// Benchmark: in one e2e guest, interleaved per cycle, a full reboot, a raw `systemctl soft-reboot` into a root
// disk an admin mounted at /run/nextroot by hand, and `nextroot reboot` (node start, plan, check, preflight,
// carry-over, trigger) into a root staged from its disk. Two measures each: command to the new boot's default
// target (FinishTimestamp), and the time services are down (systemd's soft reboot start to FinishTimestamp;
// for a full reboot from the command, as services stop right away). Prints medians, spread and ratios, and
// for nextroot where its extra command time goes (node start, and what its history records).
// Usage: node --import tsx test/bench/reboot-vs-soft.ts [--cycles N] (root; builds dist/ first: npm run build).
import {mountAtNextroot, stageDisk} from '../e2e/disk-roots.js'
import {runGuest} from '../e2e/run.js'
import {assertCompleted, failureReport} from '../e2e/scenario.js'
import {type Summary, formatSummary, summarize} from './stats.js'

const cycles = Number(process.argv[process.argv.indexOf('--cycles') + 1]) || 3

type Kind = 'full' | 'soft' | 'nextroot'
const ORDER: Kind[] = ['full', 'soft', 'nextroot']

/** Microseconds of the wall clock, in the guest. */
const NOW = 'date +%s%6N'
const show = (property: string) => `$(systemctl show -P ${property})`
/** Where systemd 257 keeps the soft reboot's start, or the shutdown start older ones carry over (else 0). */
const DOWN_START =
  '$(a=$(systemctl show -P SoftRebootStartTimestampMonotonic); b=$(systemctl show -P ShutdownStartTimestampMonotonic); ' +
  '[ "${a:-0}" != 0 ] && echo "$a" || echo "${b:-0}")'

/** Waits for the boot, then prints "KIND TRIGGER_US FINISH_US DOWN_START_US FINISH_MONO_US ROOT SOFT_REBOOTS". */
const measure = (kind: Kind, n: number) =>
  `systemctl is-system-running --wait > /dev/null; echo ${kind} $(cat /e2e/out/t-${n}) ` +
  `$(date -d "$(systemctl show --timestamp=us+utc -P FinishTimestamp)" +%s%6N) ` +
  `${DOWN_START} ${show('FinishTimestampMonotonic')} ` +
  `$(cat /etc/nextroot-marker) ${show('SoftRebootsCount')}`

/** After a nextroot switch: "history FROM_COMMAND_MS FROM_TRIGGER_MS SWITCH_MS", once it is recorded. */
const HISTORY =
  'for i in $(seq 600); do [ -e /var/lib/nextroot/switch.json ] || break; sleep 1; done; ' +
  'nextroot history --json | jq -r \'.result.entries[-1].durations | "history \\(.fromCommandMs) \\(.fromTriggerMs) \\(.switchMs)"\''

/** Node's start and the CLI's load in the guest, alone: "node-start MS". */
const NODE_START =
  's=$(date +%s%N); nextroot --version > /dev/null; echo node-start $(( ($(date +%s%N) - s) / 1000000 ))'

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
        NODE_START,
        `${mark}; nextroot reboot > /e2e/out/nextroot-${n}.txt && sleep 900`,
        measure(kind, n),
        HISTORY,
      ]
  }
}

interface Row {
  kind: Kind
  /** Command to the default target, and services down, in seconds. */
  toTarget: number
  down: number
}

function parseRows(outputs: string[]): Row[] {
  return outputs
    .map((o) => o.trim().split(' '))
    .filter((f) => ORDER.includes(f[0] as Kind) && f.length === 7)
    .map(([kind, trigger, finish, downStart, finishMono]) => {
      const toTarget = (Number(finish) - Number(trigger)) / 1e6
      const softDown = (Number(finishMono) - Number(downStart)) / 1e6
      return {kind: kind as Kind, toTarget, down: kind === 'full' ? toTarget : softDown}
    })
}

/** The numbers after `label` on each line of `outputs` that starts with it. */
const labelled = (outputs: string[], label: string) =>
  outputs.filter((o) => o.startsWith(`${label} `)).map((o) => o.trim().split(' ').slice(1).map(Number))

function print(run: Awaited<ReturnType<typeof runGuest>>, rows: Row[], outputs: string[]): void {
  const stats = (measure: 'toTarget' | 'down') =>
    Object.fromEntries(
      ORDER.map((k) => [k, summarize(rows.filter((r) => r.kind === k).map((r) => r[measure]))]),
    ) as Record<Kind, Summary>
  const [toTarget, down] = [stats('toTarget'), stats('down')]
  console.log(`guest: ${run.accel.name}, systemd ${run.boots[0]?.systemd}, ${cycles} interleaved cycles`)
  for (const [title, s] of [
    ['command -> default target (FinishTimestamp), seconds: median (min-max, n)', toTarget],
    [
      'services down (soft reboot start, or the command for a full reboot, -> FinishTimestamp), seconds',
      down,
    ],
  ] as const) {
    console.log(title)
    for (const kind of ORDER) console.log(`  ${kind.padEnd(9)} ${formatSummary(s[kind])}`)
    console.log(`  nextroot reboot / raw soft reboot: ${(s.nextroot.median / s.soft.median).toFixed(3)}x`)
    console.log(`  full reboot / raw soft reboot:     ${(s.full.median / s.soft.median).toFixed(2)}x`)
  }
  const node = labelled(outputs, 'node-start').map(([ms]) => ms / 1000)
  const history = labelled(outputs, 'history')
  const beforeTrigger = history.map(([fromCommand, fromTrigger]) => (fromCommand - fromTrigger) / 1000)
  console.log('nextroot reboot before its trigger, seconds:')
  console.log(
    `  command -> trigger (node start, plan, check, carry-over): ${formatSummary(summarize(beforeTrigger))}`,
  )
  console.log(`  of which node start alone (nextroot --version):        ${formatSummary(summarize(node))}`)
  console.log(JSON.stringify({toTarget, down, rows, node, history}))
}

async function main(): Promise<void> {
  const steps = Array.from({length: cycles}, (_, c) =>
    ORDER.flatMap((kind, k) => switchSteps(kind, c * 3 + k)),
  ).flat()
  const timeoutS = 600 + cycles * 900
  const run = await runGuest({name: 'bench-reboot', steps, timeoutS})
  try {
    assertCompleted(run, {steps, timeoutS})
  } catch (error) {
    console.error(failureReport(run))
    throw error
  }
  const outputs = run.results.map((r) => r.output.trim())
  print(run, parseRows(outputs), outputs)
}

await main()
