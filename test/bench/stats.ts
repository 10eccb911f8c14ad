// The few statistics every benchmark prints: under emulation, medians with their spread, never one run.

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export interface Summary {
  median: number
  min: number
  max: number
  n: number
}

export function summarize(values: number[]): Summary {
  return {median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length}
}

/** "1.23 (1.01-1.50, n=5)" with `digits` decimals. */
export function formatSummary(s: Summary, digits = 2): string {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)}, n=${s.n})`
}
