// Rules about what the new root does to the services running now: which will not come back, which it starts
// that do not run now, and which are new. Enablement is compared as systemd resolves it in each tree.
import {prop} from '../../systemd/units.js'
import type {CheckFacts} from '../facts.js'
import {isActive} from '../unit-facts.js'
import type {Finding} from '../finding.js'
import {survivors} from '../survival.js'
import type {UnitTree} from '../unit-tree.js'

/** The tree has a unit file for `name` (an instance counts when its template exists). */
export function hasUnit(present: Set<string>, name: string): boolean {
  const template = /^([^@]+@)[^.]+(\.[a-z]+)$/.exec(name)
  return present.has(name) || (template !== null && present.has(template[1] + template[2]))
}

/** Running services that a new root could bring back (not transient, not meant to survive). */
function runningServices(facts: CheckFacts): string[] {
  const surviving = new Set(survivors(facts))
  return Object.keys(facts.units)
    .filter((name) => name.endsWith('.service') && isActive(facts.units[name]) && !surviving.has(name))
    .filter((name) => {
      const fragment = prop(facts.units[name], 'FragmentPath')
      return fragment !== '' && !fragment.startsWith('/run/systemd/transient/')
    })
    .sort()
}

function runningFindings(facts: CheckFacts, current: UnitTree, staged: UnitTree): Finding[] {
  const present = new Set(staged.present)
  const masked = new Set(staged.masked)
  const startedNew = new Set(staged.started)
  const startedNow = new Set(current.started)
  const findings: Finding[] = []
  for (const unit of runningServices(facts)) {
    if (masked.has(unit)) {
      findings.push({
        unit,
        severity: 'warning',
        code: 'SERVICE_MASKED_IN_NEW_ROOT',
        message: 'Runs now, but the staged root masks it: it stops at the switch and does not come back.',
        hint: 'Unmask it in the image if it is still needed.',
      })
    } else if (!hasUnit(present, unit)) {
      findings.push({
        unit,
        severity: 'warning',
        code: 'SERVICE_MISSING_IN_NEW_ROOT',
        message:
          'Runs now, but the staged root has no unit of that name: it stops at the switch and does not come back.',
        hint: 'Add it to the image, or make sure it is no longer needed.',
        evidence: {fragment: prop(facts.units[unit], 'FragmentPath')},
      })
    } else if (!startedNew.has(unit) && startedNow.has(unit)) {
      findings.push({
        unit,
        severity: 'warning',
        code: 'SERVICE_DISABLED_IN_NEW_ROOT',
        message: `Runs now and is started at boot, but the staged root's ${staged.defaultTarget ?? 'default target'} does not pull it in: it does not come back.`,
        hint: 'Enable it in the image (a .wants/ link), or start it after the switch.',
      })
    } else if (!startedNew.has(unit)) {
      findings.push({
        unit,
        severity: 'info',
        code: 'SERVICE_NOT_RESTARTED',
        message: 'Runs now (started by hand or on demand); the staged root does not start it at boot.',
        hint: 'Start it again after the switch if it is still needed.',
      })
    }
  }

  return findings
}

function newFindings(facts: CheckFacts, current: UnitTree, staged: UnitTree): Finding[] {
  const existing = new Set(current.present)
  const startedNow = new Set(current.started)
  const running = new Set(Object.keys(facts.units).filter((name) => isActive(facts.units[name])))
  return staged.started
    .filter((unit) => unit.endsWith('.service') && !startedNow.has(unit) && !running.has(unit))
    .map((unit) =>
      hasUnit(existing, unit)
        ? {
            unit,
            severity: 'info' as const,
            code: 'SERVICE_ENABLED_IN_NEW_ROOT',
            message: 'Does not run now; the staged root starts it at boot.',
          }
        : {
            unit,
            severity: 'info' as const,
            code: 'SERVICE_NEW',
            message: 'New in the staged root, which starts it at boot.',
          },
    )
}

export function newRootRules(facts: CheckFacts): Finding[] {
  const {current, staged} = facts.trees
  if (!staged) return []
  return [...runningFindings(facts, current, staged), ...newFindings(facts, current, staged)]
}
