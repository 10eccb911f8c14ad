// systemd's *TimestampMonotonic values as wall-clock times: CLOCK_MONOTONIC (process.hrtime) is what systemd
// stamps them with, and only within one kernel boot does it mean anything.
/** CLOCK_MONOTONIC now, in microseconds. */
export function monotonicNowUs(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

/** The wall-clock time (ms since the epoch) of a CLOCK_MONOTONIC time of this boot, in microseconds. */
export function epochMsOfMonotonic(us: number): number {
  return Date.now() - (monotonicNowUs() - us) / 1000
}
