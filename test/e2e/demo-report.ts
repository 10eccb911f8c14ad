// The demo's closing report: what each nextroot command printed in the guest, then the before/after table
// (root, kernel, survivors, the two web services through the switch, what was carried over, the timings).
import {readFileSync} from 'node:fs'
import path from 'node:path'
import type {RunResult} from './records.js'
import type {ServingReport} from './serving.js'
import {WEB, describePolls} from './serving.js'

export interface DemoOutputs {
  run: RunResult
  steps: {title: string; run: string; show?: string}[]
  polls?: ServingReport
}

const output = (run: RunResult, i: number) =>
  run.results.find((r) => r.i === i)?.output.trimEnd() ?? '(did not run)'

function rebootOutput(run: RunResult): string {
  try {
    return readFileSync(path.join(run.dir, 'share/out/reboot.txt'), 'utf8').trimEnd()
  } catch {
    return '(no output kept)'
  }
}

/** "/var, /home (bind mounts); 3 files copied; 2 written" from the reboot's steps. */
export function carriedOver(rebootText: string): string {
  // Bind mounts into the armed tree (not the tree itself onto /run/nextroot.armed), and /etc files merged.
  const binds = [
    ...rebootText.matchAll(/^\s*\d+\. mount --r?bind -o \S+ (\S+) \/run\/nextroot\.armed\//gm),
  ].map((m) => m[1])
  const copies = [...rebootText.matchAll(/^\s*\d+\. cp -p (\S+) /gm)].map((m) => m[1])
  const written = [...rebootText.matchAll(/^\s*\d+\. write (\S+\/etc\/\S+)/gm)].map((m) => m[1])
  const parts = [
    binds.length > 0 ? `${binds.join(', ')} (bind mounts)` : '',
    copies.length > 0
      ? `${copies.length} files copied (${copies.map((c) => path.basename(c)).join(', ')})`
      : '',
    written.length > 0 ? `${written.map((w) => path.basename(w)).join(', ')} merged` : '',
  ]
  return parts.filter(Boolean).join('; ') || 'nothing'
}

function services(text: string): Map<string, string> {
  return new Map(text.split('\n').map((line) => line.split(' ') as [string, string]))
}

function serviceRows(outputs: DemoOutputs, listServices: string): string[] {
  const {run, steps} = outputs
  const lists = steps.flatMap((s, i) => (s.run === listServices ? [i] : []))
  const [old, now] = [services(output(run, lists[0])), services(output(run, lists.at(-1) ?? 0))]
  const survived = [...now]
    .filter(([unit, pid]) => old.get(unit) === pid)
    .map(([u, pid]) => `${u} (PID ${pid})`)
  const restarted = [...now.keys()].filter((unit) => old.has(unit) && old.get(unit) !== now.get(unit))
  return [
    `  services survived  ${survived.join(', ') || 'none'}`,
    `  services restarted ${restarted.length}: ${restarted.join(', ')}`,
  ]
}

function pollRows(polls: ServingReport | undefined): string[] {
  if (!polls) return ['  web services       not polled (the guest stopped before the switch)']
  const answered = polls.survivor.requests - polls.survivor.failures
  return [
    `  ${WEB.survivor.unit.padEnd(18)} answered ${answered} of ${polls.survivor.requests} requests through the switch (${describePolls(polls.survivor)})`,
    `  ${WEB.ordinary.unit.padEnd(18)} down ${polls.ordinary.outageMs} ms (${describePolls(polls.ordinary)}); answered: ${polls.ordinary.bodies.join(' -> ')}`,
  ]
}

function table(outputs: DemoOutputs, listServices: string, rebootText: string): string {
  const {run} = outputs
  const [before, after] = run.boots
  const row = (what: string, a: string, b: string) => `  ${what.padEnd(18)} ${a.padEnd(38)} ${b}`
  return [
    `before/after nextroot reboot (${run.accel.name}: ${run.accel.reason}; host clock, TCG times vary ~2.5x)`,
    row('', 'before', 'after'),
    row(
      'root image',
      `${before.root} (IMAGE_VERSION=${before.imageVersion})`,
      `${after.root} (IMAGE_VERSION=${after.imageVersion})`,
    ),
    row('root source', before.rootSource, after.rootSource),
    row(
      'boot ID',
      before.bootId,
      after.bootId === before.bootId ? 'same (the kernel kept running)' : after.bootId,
    ),
    row('SoftRebootsCount', String(before.softReboots), String(after.softReboots)),
    row('kernel', before.kernel, after.kernel),
    row('systemd', before.systemd, after.systemd),
    ...serviceRows(outputs, listServices),
    ...pollRows(outputs.polls),
    `  carried over       ${carriedOver(rebootText)}`,
    `  switch took        ${run.switches[0].seconds.toFixed(1)}s (nextroot reboot started -> guest driver running in root B)`,
    `  guest boot took    ${run.bootSeconds?.toFixed(1)}s (qemu start -> multi-user.target)`,
  ].join('\n')
}

/** Every shown command with its output, the reboot's own output, then the table. */
export function report(outputs: DemoOutputs, listServices: string): string {
  const {run, steps} = outputs
  const rebootText = rebootOutput(run)
  const shown = steps.flatMap((s, i) => (s.show ? [`$ ${s.show}\n${output(run, i)}`] : []))
  const rebootAt = steps.findIndex((s) => s.title === 'nextroot reboot')
  shown.splice(steps.slice(0, rebootAt).filter((s) => s.show).length, 0, `$ nextroot reboot\n${rebootText}`)
  return [...shown, table(outputs, listServices, rebootText)].join('\n\n')
}
