// Makes a guest scenario an ordinary uvu test: steps in, assertions on the run out. It skips visibly
// where guests cannot run (never in CI), and a failure shows the guest's console and journal tails.
import type {Test} from 'uvu'
import {missingPrerequisites} from './prereq.js'
import {tail, type RunResult} from './records.js'
import {queueGuest} from './lanes.js'
import type {GuestRun} from './run.js'

export interface Scenario {
  /** Short name: the run dir and the progress prefix. */
  id: string
  /** Shell commands run in the guest (`nextroot` is on its PATH), or `soft-reboot` / `reboot`. */
  steps: string[]
  /** qemu is killed after this many seconds; TCG timings vary about 2.5x, so be generous. */
  timeoutS: number
  /** Puts what the steps need into the share (the guest's /e2e) before the boot. */
  prepare?: (share: string) => Promise<void>
  /** Host forwards into the guest and a watcher of its records (test/e2e/serving.ts polls through them). */
  forwards?: GuestRun['forwards']
  onRecord?: GuestRun['onRecord']
}

const inCI = Boolean(process.env.CI) && process.env.CI !== 'false'

/**
 * A uvu test on one guest run: skipped visibly where guests cannot run, except in CI. The run is queued
 * now and boots in its lane (lanes.ts) beside the others; the test checks it once it is over.
 */
export function guestTest(
  test: Test,
  title: string,
  spec: GuestRun,
  check: (run: RunResult) => void | Promise<void>,
): void {
  const missing = missingPrerequisites()
  if (missing && !inCI) {
    console.log(`SKIP e2e "${title}": ${missing}`)
    test.skip(title, () => undefined)
    return
  }
  const run = missing ? undefined : queueGuest(spec)
  test(title, async () => {
    if (!run) throw new Error(`CI must run the guest scenarios, but ${missing}`)
    await check(await run())
  })
}

/** NEXTROOT_E2E_ONLY=id1,id2 runs only those scenarios (a developer's shortcut; never set in CI). */
const only = process.env.NEXTROOT_E2E_ONLY?.split(',').filter(Boolean)

export function scenario(
  test: Test,
  title: string,
  spec: Scenario,
  check: (run: RunResult) => void | Promise<void>,
): void {
  if (only && !only.includes(spec.id)) {
    console.log(`SKIP e2e "${title}": not in NEXTROOT_E2E_ONLY`)
    test.skip(title, () => undefined)
    return
  }
  const {id, ...rest} = spec
  guestTest(test, title, {name: id, ...rest}, async (run) => {
    try {
      assertCompleted(run, spec)
      await check(run)
    } catch (err) {
      console.error(failureReport(run))
      throw err
    }
  })
}

/** Throws unless the guest booted, passed every step and powered off in time. */
export function assertCompleted(run: RunResult, spec: Pick<Scenario, 'steps' | 'timeoutS'>): void {
  const last = JSON.stringify(run.records.at(-1) ?? 'none')
  if (run.timedOut) throw new Error(`guest hung: qemu killed after ${spec.timeoutS}s; last record: ${last}`)
  if (run.boots.length === 0) throw new Error(`guest never booted (qemu exit ${run.exitCode}): ${run.stderr}`)
  const failed = run.results.find((r) => r.rc !== 0)
  if (failed) {
    const step = spec.steps[failed.i]
    throw new Error(`guest step ${failed.i} \`${step}\` exited ${failed.rc}:\n${failed.output.slice(-2000)}`)
  }
  if (!run.completed)
    throw new Error(`guest stopped before the end (qemu exit ${run.exitCode}); last record: ${last}`)
}

export function failureReport(run: RunResult): string {
  return [
    `--- e2e ${run.name} failed; run dir ${run.dir}`,
    `--- guest records (in full: ${run.dir}/records.jsonl):`,
    ...run.records.map((r) => JSON.stringify(r)).map((l) => (l.length > 400 ? `${l.slice(0, 399)}…` : l)),
    `--- console tail: ${tail(run, 'console', 40)}`,
    `--- journal tail: ${tail(run, 'journal', 30)}`,
  ].join('\n')
}
