// Collects what each guest run measured and prints where the time went when the process ends.
import type {RunResult} from './records.js'

const runs: RunResult[] = []

export function recordRun(run: RunResult): void {
  runs.push(run)
}

const s = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(1)}s`)

export function timingReport(): string {
  if (runs.length === 0) return ''
  const {accel, images} = runs[0]
  const lines = [
    `e2e timings (accel ${accel.name}: ${accel.reason})`,
    `  images: ${images.reused ? `reused ${images.dir} (${s(images.seconds)}; built once in ${images.buildSeconds}s)` : `built ${images.dir} in ${s(images.seconds)}`}`,
    ...runs.map((r) => {
      const switches = r.switches.map((w) => `${w.kind} ${w.from.root}->${w.to.root} ${s(w.seconds)}`)
      return `  ${r.name}: total ${s(r.seconds)}, boot ${s(r.bootSeconds)}${switches.map((w) => `, ${w}`).join('')}`
    }),
  ]
  return lines.join('\n')
}

process.on('exit', () => {
  const report = timingReport()
  if (report) console.error(report)
})
