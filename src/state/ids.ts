// Names for what nextroot makes (a staged root, a switch): sortable by time, unique per run.
import {randomBytes} from 'node:crypto'

/** "20261201T195529-3fa2c1": UTC seconds, then 3 random bytes. Usable in file and unit names. */
export function newId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]|\.\d+Z$/g, '')
  return `${stamp}-${randomBytes(3).toString('hex')}`
}
