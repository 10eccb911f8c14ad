// Polls a service the guest serves through a qemu host forward on 127.0.0.1, a few requests a second, while a
// switch happens: every failure and the longest time without an answer. Bounded in count and in time, so a
// poller nobody stops still stops by itself; the address is always loopback.
import {request} from 'node:http'

export interface PollReport {
  requests: number
  failures: number
  /** Longest time between two answered requests (or from the start to the first), in milliseconds. */
  longestGapMs: number
  /** Time from the first failure to the next answer, summed over every outage, in milliseconds. */
  outageMs: number
  /** The answer bodies seen, in order, without repeats ("root A" then "root B", say). */
  bodies: string[]
  /** When each failed request was sent, in milliseconds since polling began (the first 20). */
  failedAtMs: number[]
}

export interface Poller {
  stop(): Promise<PollReport>
}

export interface PollOptions {
  intervalMs?: number
  timeoutMs?: number
  /** The loop ends by itself after this long, or this many requests. */
  maxMs?: number
  maxRequests?: number
}

function get(port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({host: '127.0.0.1', port, path: '/', timeout: timeoutMs}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : undefined))
      res.on('error', () => resolve(undefined))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(undefined))
    req.end()
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Starts polling http://127.0.0.1:`port`/ until stopped (or its bounds are reached). */
export function startPolling(port: number, options: PollOptions = {}): Poller {
  const {intervalMs = 200, timeoutMs = 1000, maxMs = 600_000, maxRequests = 5000} = options
  const started = performance.now()
  const report: PollReport = {
    requests: 0,
    failures: 0,
    longestGapMs: 0,
    outageMs: 0,
    bodies: [],
    failedAtMs: [],
  }
  let stopped = false
  let lastAnswer = started
  let outageStart: number | undefined
  const loop = (async () => {
    while (!stopped && report.requests < maxRequests && performance.now() - started < maxMs) {
      const sent = performance.now()
      const body = await get(port, timeoutMs)
      report.requests++
      const now = performance.now()
      if (body === undefined) {
        report.failures++
        if (report.failedAtMs.length < 20) report.failedAtMs.push(Math.round(sent - started))
        outageStart ??= sent
      } else {
        report.longestGapMs = Math.max(report.longestGapMs, Math.round(now - lastAnswer))
        if (outageStart !== undefined) report.outageMs += Math.round(now - outageStart)
        outageStart = undefined
        lastAnswer = now
        if (report.bodies.at(-1) !== body) report.bodies.push(body)
      }
      await sleep(Math.max(0, intervalMs - (performance.now() - sent)))
    }
  })()
  return {
    async stop() {
      stopped = true
      await loop
      if (outageStart !== undefined) report.outageMs += Math.round(performance.now() - outageStart)
      return report
    },
  }
}
