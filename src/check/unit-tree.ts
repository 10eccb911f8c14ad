// What a root tree's systemd would load and start: unit files on its search path (its /etc and /usr, the host's
// /run, which a soft reboot keeps) and the units its default target pulls in, resolved the way systemd does
// (.wants/.requires links and Wants=/Requires= lines; presets are not applied at a soft reboot).
import {readFile, readdir, readlink} from 'node:fs/promises'
import {basename, join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {resolveInTree} from '../tree/tree-path.js'
import {type UnitAssignment, parseUnitFile, valuesOf} from '../systemd/unit-file.js'

export interface UnitTree {
  root: string
  defaultTarget?: string
  /** Unit names with a unit file (an instance counts when its template exists); masked ones excluded. */
  present: string[]
  masked: string[]
  /** Units the default target pulls in, directly or through others; triggered services count. */
  started: string[]
}

/** systemd's system unit search path, highest priority first; 'tree' dirs come from the root, 'run' from the host. */
export const SEARCH_PATH: Array<['tree' | 'run', string]> = [
  ['tree', 'etc/systemd/system.control'],
  ['run', 'run/systemd/system.control'],
  ['run', 'run/systemd/transient'],
  ['run', 'run/systemd/generator.early'],
  ['tree', 'etc/systemd/system'],
  ['tree', 'etc/systemd/system.attached'],
  ['run', 'run/systemd/system'],
  ['run', 'run/systemd/system.attached'],
  ['run', 'run/systemd/generator'],
  ['tree', 'usr/local/lib/systemd/system'],
  ['tree', 'usr/lib/systemd/system'],
  ['run', 'run/systemd/generator.late'],
]

const PULLS = ['Wants', 'Requires', 'BindsTo', 'Upholds']
/** Unit types that start another unit on demand: [section, key] naming it (default: the same name, .service). */
const TRIGGERS: Record<string, [string, string]> = {
  socket: ['Socket', 'Service'],
  timer: ['Timer', 'Unit'],
  path: ['Path', 'Unit'],
}
const MAX_UNITS = 5000

interface Entry {
  /** The root the entry lives in, and its path inside that root. */
  base: string
  path: string
  link?: string
}

/** name -> every entry of that name along the search path, highest priority first. */
async function scan(root: string, hostRoot: string): Promise<Map<string, Entry[]>> {
  const bases = SEARCH_PATH.map(([base]) => (base === 'tree' ? root : hostRoot))
  const dirs = await Promise.all(SEARCH_PATH.map(([, dir], i) => resolveInTree(bases[i], dir)))
  const listings = await Promise.all(
    dirs.map((dir) =>
      dir ? unlessAbsent(dir, readdir(dir, {withFileTypes: true, recursive: true})).then((l) => l ?? []) : [],
    ),
  )
  const files = listings.flatMap((listing, i) =>
    listing.filter((dirent) => !dirent.isDirectory()).map((dirent) => ({dirent, base: bases[i]})),
  )
  const links = await Promise.all(
    files.map(({dirent}) =>
      dirent.isSymbolicLink()
        ? unlessAbsent(dirent.name, readlink(join(dirent.parentPath, dirent.name)))
        : undefined,
    ),
  )
  const entries = new Map<string, Entry[]>()
  for (const [i, {dirent, base}] of files.entries()) {
    const path = join(dirent.parentPath, dirent.name)
    const relative = path.slice(path.lastIndexOf('/', path.lastIndexOf('/') - 1) + 1)
    const nested = relative.includes('.wants/') || relative.includes('.requires/') || relative.includes('.d/')
    const name = nested ? relative : dirent.name
    entries.set(name, [...(entries.get(name) ?? []), {base, path: path.slice(base.length), link: links[i]}])
  }

  return entries
}

/** Reads an entry as its own root sees it: a link into /usr of a staged tree never reads the host's file. */
async function readInTree(entry: Entry): Promise<string> {
  // readdir does not follow symlinked directories, so only a link itself needs resolving inside the tree.
  const path =
    entry.link === undefined ? join(entry.base, entry.path) : await resolveInTree(entry.base, entry.path)
  return (path && (await unlessAbsent(path, readFile(path, 'utf8')))) || ''
}

function templateOf(name: string): string | undefined {
  const match = /^([^@]+@)[^.]+(\.[a-z]+)$/.exec(name)
  return match ? match[1] + match[2] : undefined
}

/**
 * In update mode the host's generator made default.target system-update.target; another root's generators
 * do that only where it has /system-update itself, so for a staged root that link is not its default.
 */
async function dropUpdateMode(entries: Map<string, Entry[]>, root: string, hostRoot: string): Promise<void> {
  const [first, ...rest] = entries.get('default.target') ?? []
  if (root === hostRoot || first?.base !== hostRoot || basename(first.link ?? '') !== 'system-update.target')
    return
  if (await unlessAbsent(join(root, 'system-update'), readlink(join(root, 'system-update')))) return
  entries.set('default.target', rest)
}

export async function readUnitTree(root: string, hostRoot: string): Promise<UnitTree> {
  const entries = await scan(root, hostRoot)
  await dropUpdateMode(entries, root, hostRoot)
  const fragment = (name: string): Entry | undefined =>
    entries.get(name)?.[0] ?? (templateOf(name) ? entries.get(templateOf(name) as string)?.[0] : undefined)
  const isMasked = (name: string) => fragment(name)?.link === '/dev/null'
  /** An alias (a link to another unit name) stands for that unit. */
  const canonical = (name: string): string => {
    const link = entries.get(name)?.[0]?.link
    return link && link !== '/dev/null' && basename(link) !== name ? basename(link) : name
  }

  const units = [...entries.keys()].filter((name) => !name.includes('/') && /\.[a-z]+$/.test(name))
  const masked = units.filter(isMasked)
  const present = units.filter((name) => !isMasked(name))
  const defaultTarget = entries.get('default.target')?.length ? canonical('default.target') : undefined

  /** Entries below X.wants/, X.requires/ and X.d/, by that directory's name. */
  const children = new Map<string, string[]>()
  for (const key of entries.keys()) {
    const slash = key.indexOf('/')
    if (slash > 0) children.set(key.slice(0, slash), [...(children.get(key.slice(0, slash)) ?? []), key])
  }

  const assignments = async (name: string): Promise<UnitAssignment[]> => {
    const dropIns = (children.get(`${name}.d`) ?? []).filter((key) => key.endsWith('.conf'))
    const files = [fragment(name), ...dropIns.map((key) => entries.get(key)?.[0])]
    const texts = await Promise.all(files.map((entry) => (entry ? readInTree(entry) : '')))
    return texts.flatMap(parseUnitFile)
  }

  /** What `name` pulls in: .wants/.requires links, Wants=/Requires=/BindsTo=/Upholds=, the unit it triggers. */
  const pulledBy = async (name: string): Promise<string[]> => {
    const linked = [
      ...(children.get(`${name}.wants`) ?? []),
      ...(children.get(`${name}.requires`) ?? []),
    ].map((key) => basename(key))
    const parsed = await assignments(name)
    const pulled = PULLS.flatMap((key) => valuesOf(parsed, key, 'Unit'))
    const trigger = TRIGGERS[name.slice(name.lastIndexOf('.') + 1)]
    const triggered = trigger
      ? [valuesOf(parsed, trigger[1], trigger[0])[0] ?? name.replace(/\.[a-z]+$/, '.service')]
      : []
    return [...linked, ...pulled, ...triggered].filter((unit) => !unit.includes('%'))
  }

  const started = new Set<string>()
  let level = defaultTarget ? [defaultTarget] : []
  while (level.length > 0 && started.size < MAX_UNITS) {
    const fresh = [...new Set(level.map(canonical))].filter(
      (name) => !started.has(name) && !isMasked(name) && fragment(name) !== undefined,
    )
    for (const name of fresh) started.add(name)
    level = (await Promise.all(fresh.map(pulledBy))).flat()
  }

  return {root, defaultTarget, present, masked, started: [...started].sort()}
}
