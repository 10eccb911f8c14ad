// The one module that asks logind who holds inhibitor locks (busctl's JSON, never the human table).
import {run} from '../exec/run.js'

export interface Inhibitor {
  /** Colon-separated operations: shutdown, sleep, idle, handle-*. */
  what: string
  who: string
  why: string
  /** block: the operation waits for release (or is refused); delay: it is delayed a few seconds. */
  mode: string
  uid: number
  pid: number
}

/** Parses `busctl --json=short call ... ListInhibitors` ({"type":"a(ssssuu)","data":[[[...], ...]]}). */
export function parseInhibitors(json: string): Inhibitor[] {
  const {data} = JSON.parse(json) as {data: Array<Array<[string, string, string, string, number, number]>>}
  return (data[0] ?? []).map(([what, who, why, mode, uid, pid]) => ({what, who, why, mode, uid, pid}))
}

export async function listInhibitors(): Promise<Inhibitor[]> {
  const {stdout} = await run('busctl', [
    '--json=short',
    'call',
    'org.freedesktop.login1',
    '/org/freedesktop/login1',
    'org.freedesktop.login1.Manager',
    'ListInhibitors',
  ])
  return parseInhibitors(stdout)
}

/** Inhibitors that block a reboot of any kind (logind checks "shutdown" for soft reboots too). */
export function blockingShutdown(inhibitors: Inhibitor[]): Inhibitor[] {
  return inhibitors.filter((i) => i.mode === 'block' && i.what.split(':').includes('shutdown'))
}

/** logind's PreparingForShutdown: a shutdown or reboot (soft or full) is under way. */
export async function preparingForShutdown(): Promise<boolean> {
  const {stdout} = await run('busctl', [
    '--json=short',
    'get-property',
    'org.freedesktop.login1',
    '/org/freedesktop/login1',
    'org.freedesktop.login1.Manager',
    'PreparingForShutdown',
  ])
  return (JSON.parse(stdout) as {data: boolean}).data === true
}
