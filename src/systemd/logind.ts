// The one module that asks logind who holds inhibitor locks (busctl's JSON, never the human table).
import {run} from '../exec/run.js'
import {debug} from '../log.js'

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

/** logind runs: in update mode or rescue it does not (nor D-Bus), and then no one can hold a lock. */
async function logindActive(): Promise<boolean> {
  const {exitCode} = await run('systemctl', ['is-active', '--quiet', 'systemd-logind.service'], {
    okExitCodes: [1, 2, 3, 4],
  })
  return exitCode === 0
}

/** Who holds inhibitor locks; none when logind does not run (it holds them all). */
export async function listInhibitors(): Promise<Inhibitor[]> {
  if (!(await logindActive())) {
    debug('logind is not running (update mode, rescue): no inhibitor can be held')
    return []
  }
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
