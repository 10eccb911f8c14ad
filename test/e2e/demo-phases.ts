// The demo's screen: one line per phase with the time it took, a ticking progress line while a long phase
// runs on a terminal, and everything the phase's own tools print kept in a log file instead.
import {appendFileSync} from 'node:fs'

const tty = process.stdout.isTTY === true

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`

export class Phases {
  private current?: {title: string; started: number; ticker?: NodeJS.Timeout}

  constructor(readonly logFile: string) {}

  /** Starts a phase (ending the one before it); on a terminal its line ticks until it ends. */
  begin(title: string): void {
    this.end()
    const started = performance.now()
    const ticker = tty
      ? setInterval(
          () => process.stdout.write(`\r  ${title} ... ${seconds(performance.now() - started)}`),
          1000,
        )
      : undefined
    if (tty) process.stdout.write(`  ${title} ...`)
    this.current = {title, started, ticker}
    this.note(`=== ${title}`)
  }

  /** Ends the current phase: its line with "ok" (or `outcome`) and its time. */
  end(outcome = 'ok'): void {
    if (!this.current) return
    const {title, started, ticker} = this.current
    clearInterval(ticker)
    const line = `  ${title} ... ${outcome} (${seconds(performance.now() - started)})`
    process.stdout.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`)
    this.current = undefined
  }

  /** Runs `work` as one phase; a failure ends the phase as "FAILED" and is thrown on. */
  async run<T>(title: string, work: () => Promise<T>): Promise<T> {
    this.begin(title)
    try {
      const result = await work()
      this.end()
      return result
    } catch (error) {
      this.end('FAILED')
      throw error
    }
  }

  /** A line for the log file only. */
  note(line: string): void {
    appendFileSync(this.logFile, `${line}\n`)
  }
}
