// Which units a soft reboot leaves running (pure): the survivors, and the units it never stops (slices,
// devices, the root mount, units that conflict with nothing the switch starts).
import {SURVIVE_MIN_VERSION} from '../systemd/requirements.js'
import {unitList} from '../systemd/properties.js'
import {prop} from '../systemd/units.js'
import type {CheckFacts} from './facts.js'
import {isActive} from './unit-facts.js'

/** Units the switch starts; a unit in conflict with one of them is stopped. */
export const SWITCH_UNITS = [
  'soft-reboot.target',
  'systemd-soft-reboot.service',
  'shutdown.target',
  'umount.target',
  'final.target',
]

const NEVER_STOPPED = new Set(['-.mount', 'init.scope'])
const STOPPED_UNLESS_SURVIVING = new Set(['service', 'scope'])

function typeOf(unit: string): string {
  return unit.slice(unit.lastIndexOf('.') + 1)
}

/** What the survival rules read: units' properties (as `systemctl show` gives them) and systemd's version. */
export type SurvivalFacts = Pick<CheckFacts, 'units' | 'systemd'>

/** Active units with SurviveFinalKillSignal=yes (the setting exists from systemd 255). */
export function survivors(facts: SurvivalFacts): string[] {
  if ((facts.systemd.version ?? 0) < SURVIVE_MIN_VERSION) return []
  return Object.keys(facts.units)
    .filter(
      (name) => isActive(facts.units[name]) && prop(facts.units[name], 'SurviveFinalKillSignal') === 'yes',
    )
    .sort()
}

/** Conflicts= of `unit` on units the switch starts. */
export function switchConflicts(facts: SurvivalFacts, unit: string): string[] {
  const properties = facts.units[unit]
  return properties ? unitList(properties, 'Conflicts').filter((name) => SWITCH_UNITS.includes(name)) : []
}

/** The unit is still there after the switch: it survives, or the switch never stops it. Unknown units count. */
export function staysAcrossSwitch(facts: SurvivalFacts, unit: string, surviving: Set<string>): boolean {
  if (surviving.has(unit) || NEVER_STOPPED.has(unit) || !facts.units[unit]) return true
  const type = typeOf(unit)
  if (type === 'slice' || type === 'device') return true
  return !STOPPED_UNLESS_SURVIVING.has(type) && switchConflicts(facts, unit).length === 0
}
