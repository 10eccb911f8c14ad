// Starts qemu and makes sure it never outlives the test: killed on timeout, on exit and on signals.
import {execa, type ResultPromise} from 'execa'
import {existsSync} from 'node:fs'

const live = new Set<ResultPromise>()

function killAll(): void {
  for (const proc of live) proc.kill('SIGKILL')
}

process.on('exit', killAll)
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  process.once(signal, () => {
    killAll()
    process.exit(code)
  })
}

// setpriv makes the kernel kill qemu even when node itself is killed with SIGKILL.
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p))

export interface Qemu {
  /** ttyS1 lines as they arrive. */
  lines: AsyncIterable<string>
  /** Resolves when qemu has exited; timedOut when it was killed at the deadline. */
  exited: Promise<{exitCode?: number; timedOut: boolean; stderr: string}>
  /** Kills qemu if it still runs (a no-op after it exited). */
  stop: () => void
}

export function startQemu(args: string[], timeoutS: number): Qemu {
  const argv = setpriv
    ? [setpriv, '--pdeathsig', 'KILL', '--', 'qemu-system-x86_64', ...args]
    : ['qemu-system-x86_64', ...args]
  const proc = execa(argv[0], argv.slice(1), {
    reject: false,
    stdin: 'ignore',
    timeout: timeoutS * 1000,
    forceKillAfterDelay: 5000,
    lines: true,
  })
  live.add(proc)
  const exited = proc.then((r) => {
    live.delete(proc)
    return {exitCode: r.exitCode, timedOut: r.timedOut, stderr: String(r.stderr)}
  })
  return {lines: proc.iterable(), exited, stop: () => proc.kill('SIGKILL')}
}
