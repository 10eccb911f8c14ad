// What `nextroot plan` says besides its action (pure): a stale staged root, a tree at the nextroot path that
// hijacks plain reboots, sessions running old code, and what could not be looked at or asked.
import type {PlanFacts} from './facts.js'
import {count} from '../format.js'
import type {RestartPlan} from '../restart/policy.js'
import {describeOs} from '../tree/os-release.js'

export function planNotes(facts: PlanFacts, restart: RestartPlan): string[] {
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
  notes.push(...restartNotes(facts, restart))
  if (!facts.stateReadable)
    notes.push("nextroot's state directory is readable only by root: what it staged is not known.")
  return notes
}

/** Sessions running old code, managers not asked, processes not read: what no restart covers or nobody knows. */
function restartNotes(facts: PlanFacts, restart: RestartPlan): string[] {
  const notes: string[] = []
  for (const s of restart.sessions)
    notes.push(`${s.unit} (${s.comm}, PID ${s.pid}) runs replaced code: its user logs out and in.`)
  for (const u of restart.unreachable.filter((m) => m.stale.length === 0))
    notes.push(`${u.manager} could not be asked (${u.why}): what its units need is unknown.`)
  if (!facts.restart)
    return [
      'Which services run replaced code was not analysed: the switch replaces every service that does not survive it.',
    ]
  const {stale, asRoot} = facts.restart
  if (!stale.proc) notes.push('There is no /proc under the root: which processes run old code is unknown.')
  if (stale.scriptsUnknown)
    notes.push(
      `When processes started is unknown (${stale.scriptsUnknown}): which interpreted scripts changed under them is unknown.`,
    )
  if (stale.unreadable > 0)
    notes.push(
      asRoot
        ? `${count(stale.unreadable, 'process', 'processes')} could not be read even as root: what they run is unknown.`
        : `${count(stale.unreadable, 'process', 'processes')} of other users could not be read: run as root to see every process running old code.`,
    )
  return notes
}
