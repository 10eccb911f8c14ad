// Turning rules off: `# nextroot-lint: disable=ID[,ID]` anywhere in a file turns them off for that file, and
// `disable=ID ...` lines in a config file (--config, or nextroot-lint.conf at the top of a linted
// directory or root) for everything linted with it. An unknown id is a usage error, not a silent no-op.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {NextrootError} from '../errors.js'
import {RULE_CATALOG} from './catalog.js'
import type {LintFinding} from './finding.js'

const COMMENT = /^\s*[#;].*nextroot-lint:\s*disable=([\w, ]+)/gm
const KNOWN = new Set<string>(RULE_CATALOG.map((r) => r.id))

function ids(list: string, where: string): string[] {
  const found = list.split(/[\s,]+/).filter(Boolean)
  const unknown = found.filter((id) => !KNOWN.has(id))
  if (unknown.length > 0)
    throw new NextrootError('NR_USAGE', `${where}: unknown rule ${unknown.join(', ')}.`, {
      hints: ['nextroot lint --list-rules lists every rule id.'],
    })
  return found
}

/** The rules a file's own comments turn off. */
export function disabledInFile(file: string, text: string): Set<string> {
  return new Set([...text.matchAll(COMMENT)].flatMap((m) => ids(m[1], file)))
}

/** The rules a config file turns off; `optional` config files may be absent. */
export async function disabledByConfig(path: string, optional: boolean): Promise<Set<string>> {
  const text = optional ? await unlessAbsent(path, readFile(path, 'utf8')) : await readFile(path, 'utf8')
  const disabled = new Set<string>()
  for (const [index, raw] of (text ?? '').split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim()
    if (!line) continue
    const match = /^disable\s*=\s*(.*)$/.exec(line)
    if (!match)
      throw new NextrootError('NR_USAGE', `${path}:${index + 1}: expected disable=ID[,ID], got "${line}".`)
    for (const id of ids(match[1], `${path}:${index + 1}`)) disabled.add(id)
  }
  return disabled
}

export const configIn = (dir: string) => join(dir, 'nextroot-lint.conf')

/** The findings whose rule is on, and how many were turned off. */
export function applyDisabled(
  findings: LintFinding[],
  texts: Map<string, string>,
  global: Set<string>,
): {kept: LintFinding[]; disabled: number} {
  const perFile = new Map([...texts].map(([file, text]) => [file, disabledInFile(file, text)]))
  const kept = findings.filter((f) => !global.has(f.rule) && !perFile.get(f.file)?.has(f.rule))
  return {kept, disabled: findings.length - kept.length}
}
