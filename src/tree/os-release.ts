// Parses os-release(5) files (KEY=value lines, optionally quoted) into a plain record.
export type OsRelease = Record<string, string>

export function parseOsRelease(text: string): OsRelease {
  const fields: OsRelease = {}
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim())
    if (!match) continue
    let value = match[2]
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1')
    fields[match[1]] = value
  }

  return fields
}

/** "Debian GNU/Linux 13 (trixie)", falling back to NAME VERSION. */
export function describeOs(os: OsRelease): string {
  return os.PRETTY_NAME ?? ([os.NAME, os.VERSION ?? os.VERSION_ID].filter(Boolean).join(' ') || 'unknown OS')
}
