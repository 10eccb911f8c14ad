// The one module that reads and writes the journal: the last lines a unit logged (of the system manager or a
// user's), and what a hook run of nextroot did.
import {orUnknown} from '../absent.js'
import {run} from '../exec/run.js'
import type {ManagerRef} from './manager-ref.js'

const LINES = 10

/** The unit's last journal lines (empty when journalctl is missing or says nothing; traced). */
export async function journalTail(manager: ManagerRef, unit: string): Promise<string[]> {
  const match =
    manager.kind === 'system'
      ? [`_SYSTEMD_UNIT=${unit}`]
      : [`_SYSTEMD_USER_UNIT=${unit}`, `_UID=${manager.uid}`]
  const args = ['--no-pager', '-o', 'short-monotonic', '-n', String(LINES), ...match]
  const result = await orUnknown(`journalctl for ${unit}`, run('journalctl', args))
  return (result?.stdout ?? '').split('\n').filter((line) => line && !line.startsWith('-- '))
}

/** Writes `text` to the journal under the identifier `tag` (what a hook did, for whoever looks later). */
export async function journalWrite(tag: string, text: string): Promise<void> {
  await run('systemd-cat', ['-t', tag], {input: `${text}\n`})
}
