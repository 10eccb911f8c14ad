// Runs the guests of all registered scenarios side by side, a few at a time and the longest first, so the
// e2e phase takes about its longest lane instead of the sum of all runs (each TCG guest keeps about one core).
import {laneCount} from './cores.js'
import {type GuestRun, runGuest} from './run.js'
import type {RunResult} from './records.js'

interface Queued {
  spec: GuestRun
  result?: Promise<RunResult>
  start: () => void
}

const queued: Queued[] = []
let started = false

/**
 * Registers a guest run and returns how to wait for it. Nothing boots while test files are still being
 * imported: the first wait starts every registered run, longest timeout first, in `laneCount()` lanes.
 */
export function queueGuest(spec: GuestRun): () => Promise<RunResult> {
  let resolve!: (run: Promise<RunResult>) => void
  const result = new Promise<RunResult>((r) => (resolve = r))
  const entry: Queued = {spec, start: () => resolve((entry.result = runGuest(spec)))}
  queued.push(entry)
  return () => {
    if (!started) startLanes()
    return result
  }
}

function startLanes(): void {
  started = true
  const order = [...queued].sort((a, b) => b.spec.timeoutS - a.spec.timeoutS)
  const next = async (): Promise<void> => {
    for (let entry = order.shift(); entry; entry = order.shift()) {
      entry.start()
      await entry.result?.catch(() => undefined) // its own test reports the failure
    }
  }
  for (let lane = 0; lane < laneCount(); lane++) void next()
}
