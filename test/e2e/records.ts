// The guest's JSON-line records and what a run made of them: boots, step results, switch timings.
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import type {Accel} from './accel.js'
import type {Images} from './images.js'

/** `t` is host seconds since qemu started, stamped when the line arrived. */
export type GuestRecord = {t: number} & (
  | {
      event: 'boot'
      n: number
      root: string
      imageVersion: string
      bootId: string
      softReboots: number
      systemd: string
      kernel: string
      rootSource: string
      uptime: number
      nextroot: 'absent' | 'emptydir' | 'dir' | 'mounted' | 'symlink'
    }
  | {event: 'step'; i: number; step: string}
  | {event: 'result'; i: number; rc: number; output: string}
  | {event: 'done'; ok: boolean}
)
export type BootRecord = Extract<GuestRecord, {event: 'boot'}>
export type ResultRecord = Extract<GuestRecord, {event: 'result'}>

/** From the step that switched to the boot record that followed it, as the host saw it. */
export interface Switch {
  step: string
  kind: 'soft-reboot' | 'reboot'
  from: BootRecord
  to: BootRecord
  seconds: number
}

export interface RunResult {
  name: string
  dir: string
  accel: Accel
  images: Images
  records: GuestRecord[]
  boots: BootRecord[]
  results: ResultRecord[]
  switches: Switch[]
  /** Seconds from qemu start to the first boot record. */
  bootSeconds?: number
  seconds: number
  timedOut: boolean
  exitCode?: number
  stderr: string
  /** The guest got through every step and powered off. */
  completed: boolean
}

export function analyse(
  run: Omit<RunResult, 'boots' | 'results' | 'switches' | 'bootSeconds' | 'completed'>,
): RunResult {
  const boots = run.records.filter((r): r is BootRecord => r.event === 'boot')
  const results = run.records.filter((r): r is ResultRecord => r.event === 'result')
  const switches: Switch[] = []
  let lastStep: Extract<GuestRecord, {event: 'step'}> | undefined
  let lastBoot: BootRecord | undefined
  for (const r of run.records) {
    if (r.event === 'step') lastStep = r
    if (r.event !== 'boot') continue
    if (lastBoot && lastStep) {
      const kind = r.bootId === lastBoot.bootId ? 'soft-reboot' : 'reboot'
      switches.push({step: lastStep.step, kind, from: lastBoot, to: r, seconds: r.t - lastStep.t})
    }
    lastBoot = r
  }
  const done = run.records.find((r) => r.event === 'done')
  const completed = done?.event === 'done' && done.ok && !run.timedOut && run.exitCode === 0
  return {...run, boots, results, switches, bootSeconds: boots[0]?.t, completed}
}

/** The last lines of a log in the run dir; for the journal, the newest one the guest saved. */
export function tail(run: RunResult, log: 'console' | 'journal', lines: number): string {
  let file = path.join(run.dir, 'console.log')
  if (log === 'journal') {
    const out = path.join(run.dir, 'share/out')
    const journals = safeList(out).filter((f) => /^journal-\d+\.txt$/.test(f))
    const newest = journals.sort((a, b) => parseInt(a.slice(8)) - parseInt(b.slice(8))).at(-1)
    if (!newest) return '(no journal saved: the guest never reached a switch or the end)'
    file = path.join(out, newest)
  }
  try {
    return `${file}:\n` + readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return `(${file} missing)`
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
