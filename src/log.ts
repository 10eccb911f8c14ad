// The trace a user can send with a bug report: under --log-level debug, every external program nextroot ran
// (argv, exit code, duration) and every error it swallowed as "absent" or "unknown", on standard error.
export type LogLevel = 'quiet' | 'info' | 'debug'

let level: LogLevel = 'info'
let sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`)

/** Set once by the command from --log-level; the library alone traces nothing. */
export function setLogLevel(next: LogLevel, write?: (line: string) => void): void {
  level = next
  if (write) sink = write
}

export function logLevel(): LogLevel {
  return level
}

export function debug(message: string): void {
  if (level === 'debug') sink(`nextroot: debug: ${message}`)
}

/** An error nextroot turned into a fact (absent, unknown) instead of failing: said under debug, never lost. */
export function swallowed(what: string, error: unknown): void {
  if (level !== 'debug') return
  const code = typeof error === 'object' && error !== null && 'code' in error ? ` ${String(error.code)}` : ''
  const message = error instanceof Error ? error.message : String(error)
  sink(`nextroot: debug: swallowed${code} (${what}): ${message}`)
}
