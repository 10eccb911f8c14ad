// Packaging scriptlets as lint reads them: an RPM spec's %pre/%post/%preun/%postun/%*trans sections, or a
// Debian maintainer script as a whole, as lines with their numbers; and the units a spec ships as user units.
import {basename} from 'node:path'

export type ScriptletForm = 'spec' | 'debian'

export interface ScriptLine {
  line: number
  text: string
  /** The scriptlet it is in: post, preun, postun, ... (a Debian script's own name). */
  scriptlet: string
}

export interface Scriptlets {
  file: string
  form: ScriptletForm
  lines: ScriptLine[]
  /** Macros that name units, with the line: `%systemd_postun_with_restart foo.service`. */
  macros: Array<{macro: string; units: string[]; line: number}>
  /** Units the spec's %files put in the user unit directory. */
  userUnits: Set<string>
}

const DEBIAN_SCRIPTS = ['preinst', 'postinst', 'prerm', 'postrm']
const SPEC_SCRIPTLET = /^%(pre|post|preun|postun|pretrans|posttrans|preuntrans|postuntrans)\b/
const SPEC_SECTION =
  /^%(description|prep|build|install|check|clean|files|changelog|package|trigger\w*|filetriggerin|filetriggerun|verifyscript|generate_buildrequires|conf)\b/

/** spec for *.spec; debian for preinst/postinst/prerm/postrm and PACKAGE.postinst (debian/ style). */
export function scriptletForm(file: string): ScriptletForm | undefined {
  const name = basename(file)
  if (name.endsWith('.spec')) return 'spec'
  const script = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name
  return DEBIAN_SCRIPTS.includes(script) ? 'debian' : undefined
}

function specLines(text: string): {lines: ScriptLine[]; userUnits: Set<string>} {
  const lines: ScriptLine[] = []
  const userUnits = new Set<string>()
  let scriptlet: string | undefined
  let inFiles = false
  for (const [index, raw] of text.split('\n').entries()) {
    const trimmed = raw.trim()
    const header = SPEC_SCRIPTLET.exec(trimmed)
    if (header || SPEC_SECTION.test(trimmed)) {
      scriptlet = header?.[1]
      inFiles = trimmed.startsWith('%files')
      continue
    }
    if (inFiles && /(%\{?_userunitdir\}?|\/usr\/lib\/systemd\/user)\//.test(trimmed))
      userUnits.add(basename(trimmed.split(/\s+/).at(-1) as string))
    if (scriptlet && trimmed && !trimmed.startsWith('#'))
      lines.push({line: index + 1, text: trimmed, scriptlet})
  }
  return {lines, userUnits}
}

function debianLines(file: string, text: string): ScriptLine[] {
  const name = basename(file)
  const scriptlet = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name
  return text
    .split('\n')
    .map((raw, index) => ({line: index + 1, text: raw.trim(), scriptlet}))
    .filter((l) => l.text && !l.text.startsWith('#'))
}

export function readScriptlets(file: string, text: string, form: ScriptletForm): Scriptlets {
  const {lines, userUnits} =
    form === 'spec' ? specLines(text) : {lines: debianLines(file, text), userUnits: new Set<string>()}
  const macros = lines.flatMap((l) => {
    const match = /^%\{?(systemd_\w+)\}?\s*(.*)$/.exec(l.text)
    return match ? [{macro: match[1], units: match[2].split(/\s+/).filter(Boolean), line: l.line}] : []
  })
  return {file, form, lines, macros, userUnits}
}
