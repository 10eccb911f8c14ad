// A unit as lint sees it: its fragment and drop-ins merged in systemd's order, every assignment with the
// file and line it came from, and the effective value of a setting (the last one, or a list reset by an
// empty assignment), so rules read settings the way systemd would.
import type {UnitAssignment} from '../systemd/unit-file.js'

export interface SourcedAssignment extends UnitAssignment {
  file: string
}

export interface LintUnit {
  name: string
  /** service, socket, mount, ... */
  type: string
  /** The unit file, when one was given or found (a drop-in alone has none). */
  fragment?: string
  dropIns: string[]
  assignments: SourcedAssignment[]
}

export const unitType = (name: string) => name.slice(name.lastIndexOf('.') + 1)

/** Every assignment of KEY in SECTION, in merge order. */
export function assignmentsOf(unit: LintUnit, section: string, key: string): SourcedAssignment[] {
  return unit.assignments.filter((a) => a.section === section && a.key === key)
}

/** The value systemd uses for a single-valued setting: the last assignment's. */
export function lastOf(unit: LintUnit, section: string, key: string): SourcedAssignment | undefined {
  return assignmentsOf(unit, section, key).at(-1)
}

/** A list setting's assignments that are still in effect (an empty assignment drops the earlier ones). */
export function listOf(unit: LintUnit, section: string, key: string): SourcedAssignment[] {
  const all = assignmentsOf(unit, section, key)
  const reset = all.findLastIndex((a) => a.value === '')
  return all.slice(reset + 1)
}

/** The words of a list setting, each with the assignment that gave it. */
export function wordsOf(unit: LintUnit, section: string, key: string): Array<[string, SourcedAssignment]> {
  return listOf(unit, section, key).flatMap((a) =>
    a.value.split(/\s+/).map((word): [string, SourcedAssignment] => [word, a]),
  )
}
