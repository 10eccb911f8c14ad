// What `nextroot lint` reads: unit files, drop-ins and packaging scripts named on the command line or
// found in directories, or a whole root's unit search path (--root, --system), with unit files and
// drop-ins merged the way systemd merges them (the highest-priority fragment, drop-ins by file name).
import {readFile, readdir, stat} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {SEARCH_PATH} from '../check/unit-tree.js'
import {NextrootError, errnoCode} from '../errors.js'
import {resolveInTree} from '../tree/tree-path.js'
import {parseUnitFile} from '../systemd/unit-file.js'
import {type Scriptlets, readScriptlets, scriptletForm} from './scriptlet.js'
import {type LintUnit, unitType} from './unit.js'

const UNIT_TYPES = /\.(service|socket|device|mount|automount|swap|target|path|timer|slice|scope)$/

export interface LintInputs {
  units: LintUnit[]
  scripts: Scriptlets[]
  /** Every file read, with its text (disable comments are read from it). */
  texts: Map<string, string>
}

interface Found {
  units: string[]
  dropIns: string[]
  scripts: string[]
}

const LINK_DIRS = /\.(wants|requires|upholds)$/
const isDropIn = (path: string) => path.endsWith('.conf') && dirname(path).endsWith('.d')
const dropInUnit = (path: string) => basename(dirname(path)).slice(0, -2)

function classify(path: string, found: Found, explicit: boolean): void {
  if (UNIT_TYPES.test(path)) found.units.push(path)
  else if (isDropIn(path)) found.dropIns.push(path)
  else if (scriptletForm(path)) found.scripts.push(path)
  else if (explicit)
    throw new NextrootError(
      'NR_USAGE',
      `${path} is not a unit file, a drop-in (NAME.d/*.conf), a .spec file or a maintainer script.`,
    )
}

async function walk(path: string, found: Found): Promise<void> {
  const stats = await stat(path).catch((error: unknown) => {
    if (errnoCode(error) !== 'ENOENT') throw error
    throw new NextrootError('NR_SOURCE_NOT_FOUND', `${path} does not exist.`)
  })
  if (!stats.isDirectory()) return classify(path, found, true)
  const entries = await readdir(path, {recursive: true, withFileTypes: true})
  for (const entry of entries) {
    // links are aliases, .wants/ entries and masks (and, in a root, would point out of it): files only
    if (!entry.isFile() || LINK_DIRS.test(entry.parentPath)) continue
    classify(join(entry.parentPath, entry.name), found, false)
  }
}

/** Drop-ins of each unit name, later file names winning over earlier ones of the same name by priority. */
function mergeDropIns(paths: string[]): Map<string, string[]> {
  const byUnit = new Map<string, Map<string, string>>()
  for (const path of paths) {
    const unit = dropInUnit(path)
    const byName = byUnit.get(unit) ?? new Map<string, string>()
    if (!byName.has(basename(path))) byName.set(basename(path), path) // paths come highest priority first
    byUnit.set(unit, byName)
  }
  return new Map(
    [...byUnit].map(([unit, byName]) => [
      unit,
      [...byName.keys()].sort().map((k) => byName.get(k) as string),
    ]),
  )
}

async function toUnits(found: Found, texts: Map<string, string>): Promise<LintUnit[]> {
  const read = async (path: string) => {
    const text = await readFile(path, 'utf8')
    texts.set(path, text)
    return text
  }
  const fragments = new Map<string, string>()
  for (const path of found.units) if (!fragments.has(basename(path))) fragments.set(basename(path), path)
  const dropIns = mergeDropIns(found.dropIns)
  const names = [...new Set([...fragments.keys(), ...dropIns.keys()])]
    .filter((n) => UNIT_TYPES.test(n))
    .sort()
  return Promise.all(
    names.map(async (name) => {
      const fragment = fragments.get(name)
      const files = [...(fragment ? [fragment] : []), ...(dropIns.get(name) ?? [])]
      const parsed = await Promise.all(
        files.map(async (file) => parseUnitFile(await read(file)).map((a) => ({...a, file}))),
      )
      return {
        name,
        type: unitType(name),
        fragment,
        dropIns: dropIns.get(name) ?? [],
        assignments: parsed.flat(),
      }
    }),
  )
}

/** The unit files of a root's search path, highest priority first (its /etc, /run, /usr/local, /usr). */
async function searchPath(root: string, found: Found): Promise<void> {
  for (const [, dir] of SEARCH_PATH) {
    const path = await resolveInTree(root, dir)
    if (path && (await unlessAbsent(path, stat(path)))?.isDirectory()) await walk(path, found)
  }
}

export async function readInputs(paths: string[], root: string | undefined): Promise<LintInputs> {
  const found: Found = {units: [], dropIns: [], scripts: []}
  if (root) await searchPath(resolve(root), found)
  for (const path of paths) await walk(resolve(path), found)
  const texts = new Map<string, string>()
  const units = await toUnits(found, texts)
  const scripts = await Promise.all(
    found.scripts.map(async (file) => {
      const text = await readFile(file, 'utf8')
      texts.set(file, text)
      return readScriptlets(file, text, scriptletForm(file) as 'spec' | 'debian')
    }),
  )
  return {units, scripts, texts}
}
