// A progress line on a terminal for long work (bytes, entries, rate, percentage when the size is known);
// silent on a pipe and under --json, so scripts get only the result.
import type {StageProgress} from '../stage/stage.js'
import {formatBytes, formatRate} from '../format.js'

const REDRAW_MS = 100
const BAR_WIDTH = 24

export interface ProgressLine {
  update(progress: StageProgress): void
  done(): void
}

export function progressLine(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressLine {
  const started = Date.now()
  let lastDraw = 0
  let drawn = false
  return {
    update(progress) {
      const now = Date.now()
      if (!enabled || now - lastDraw < REDRAW_MS) return
      lastDraw = now
      drawn = true
      stream.write(`\r\u001B[2K${render(progress, now - started)}`)
    },
    done() {
      if (drawn) stream.write('\r\u001B[2K')
    },
  }
}

export function render(progress: StageProgress, elapsedMs: number): string {
  const rate = formatRate(progress.bytesRead, elapsedMs)
  const entries = progress.entries > 0 ? `, ${progress.entries.toLocaleString('en-US')} entries` : ''
  if (progress.phase !== 'read')
    return `${progress.phase === 'check' ? 'checking the new root' : 'publishing'}...`
  if (!progress.totalBytes) return `reading ${formatBytes(progress.bytesRead)}${entries}, ${rate}`
  const ratio = Math.min(1, progress.bytesRead / progress.totalBytes)
  const filled = Math.round(ratio * BAR_WIDTH)
  const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled)
  return `[${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% ${formatBytes(progress.bytesRead)}/${formatBytes(progress.totalBytes)}${entries}, ${rate}`
}
