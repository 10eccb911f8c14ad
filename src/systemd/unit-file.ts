// Parses systemd unit files and drop-ins (INI-like: [Section], KEY=VALUE, comments, backslash continuations),
// so a setting in the wrong section can be told from a setting that is absent.
export interface UnitAssignment {
  section: string
  key: string
  value: string
  /** The line it starts on, from 1 (set by parseUnitFile). */
  line?: number
}

export function parseUnitFile(text: string): UnitAssignment[] {
  const assignments: UnitAssignment[] = []
  let section = ''
  let pending = ''
  let start = 0
  for (const [index, raw] of text.split('\n').entries()) {
    if (!pending) start = index + 1
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
    const key = line.slice(0, equals).trim()
    assignments.push({section, key, value: line.slice(equals + 1).trim(), line: start})
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
