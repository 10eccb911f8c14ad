// What `nextroot plan` says besides its action (pure): a stale staged root, a tree at the nextroot path that
// hijacks plain reboots, sessions running old code, and what could not be looked at.
import type {PlanFacts} from './facts.js'
import {replacedFiles} from './stale.js'
import {describeOs} from '../tree/os-release.js'

export function planNotes(facts: PlanFacts): string[] {
  const notes: string[] = []
  const {staged, staging} = facts
  if (staged && staging.stale)
    notes.push(
      `nextroot staged ${describeOs(staged.osRelease)}, but ${staging.stale === 'rebooted' ? 'before the last full reboot' : 'its tree is gone'}: nextroot stage --republish checks it again and publishes it.`,
    )
  if (staging.foreign?.hijacksPlainReboot)
    notes.push(
      `${facts.nextrootPath} is a mounted OS tree nextroot did not make: every plain \`systemctl reboot\` is now a soft reboot into it (nextroot reboot --full withdraws it).`,
    )
  for (const p of facts.stale.filter((s) => s.pid !== 1 && !s.unit?.endsWith('.service')))
    notes.push(
      `${p.unit ?? 'a process'} (${p.comm}, PID ${p.pid}) runs replaced ${replacedFiles(p)}: log out and in.`,
    )
  if (!facts.processes.proc)
    notes.push('There is no /proc under the root: which processes run old code is unknown.')
  if (facts.processes.unreadable > 0)
    notes.push(
      `${facts.processes.unreadable} processes of other users could not be read: run as root to see every process running old code.`,
    )
  if (!facts.stateReadable)
    notes.push("nextroot's state directory is readable only by root: what it staged is not known.")
  return notes
}
