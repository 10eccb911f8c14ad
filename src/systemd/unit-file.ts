// Parses systemd unit files and drop-ins (INI-like: [Section], KEY=VALUE, comments, backslash continuations),
// so a setting in the wrong section can be told from a setting that is absent.
export interface UnitAssignment {
  section: string
  key: string
  value: string
}

export function parseUnitFile(text: string): UnitAssignment[] {
  const assignments: UnitAssignment[] = []
  let section = ''
  let pending = ''
  for (const raw of text.split('\n')) {
    const line = (pending ? pending + ' ' : '') + raw.trim()
    if (line.endsWith('\\')) {
      pending = line.slice(0, -1).trimEnd()
      continue
    }

    pending = ''
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[([^\]]+)\]$/.exec(line)
    if (header) {
      section = header[1]
      continue
    }

    const equals = line.indexOf('=')
    if (equals <= 0) continue
    assignments.push({section, key: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim()})
  }

  return assignments
}

/** Values of KEY in any section (an empty assignment resets the list, as systemd does for list settings). */
export function valuesOf(assignments: UnitAssignment[], key: string, section?: string): string[] {
  let values: string[] = []
  for (const a of assignments) {
    if (a.key !== key || (section !== undefined && a.section !== section)) continue
    values = a.value === '' ? [] : [...values, ...a.value.split(/\s+/)]
  }

  return values
}
