// The one module that asks the running systemd about its units: batched `systemctl show` and machine-readable
// unit lists, never one process per unit and never the human `status` text.
import {orUnknown} from '../absent.js'
import {type RunOptions, run} from '../exec/run.js'
import {type ManagerRef, SYSTEM, systemctl} from './manager-ref.js'

/** Properties of one unit as `systemctl show` prints them; a key printed more than once keeps every value. */
export type UnitProperties = Record<string, string[]>

export interface ListedUnit {
  unit: string
  load: string
  active: string
  sub: string
}

/** Units per `systemctl show` call: one process for many units, with argv far below the kernel's limit. */
export const SHOW_CHUNK = 256

/** Parses `systemctl show` output for several units: KEY=VALUE lines, one record per unit, blank lines between. */
export function parseShow(text: string): UnitProperties[] {
  const records: UnitProperties[] = []
  let current: UnitProperties | undefined
  for (const line of text.split('\n')) {
    if (line === '') {
      current = undefined
      continue
    }

    const equals = line.indexOf('=')
    if (equals <= 0) continue
    if (!current) {
      current = {}
      records.push(current)
    }

    const key = line.slice(0, equals)
    ;(current[key] ??= []).push(line.slice(equals + 1))
  }

  return records
}

/** The first value of a property ('' when systemd did not print it). */
export function prop(unit: UnitProperties, key: string): string {
  return unit[key]?.[0] ?? ''
}

/** Shows `properties` (plus Id) of `units`, SHOW_CHUNK units per `systemctl show` call; keyed by unit Id. */
export async function showUnits(
  units: string[],
  properties: string[],
  manager: ManagerRef = SYSTEM,
  options?: RunOptions,
): Promise<Map<string, UnitProperties>> {
  const wanted = ['Id', ...properties.filter((p) => p !== 'Id')].join(',')
  const chunks: string[][] = []
  for (let i = 0; i < units.length; i += SHOW_CHUNK) chunks.push(units.slice(i, i + SHOW_CHUNK))
  const outputs = await Promise.all(
    chunks.map((chunk) => systemctl(manager, ['show', `--property=${wanted}`, '--', ...chunk], options)),
  )
  const shown = new Map<string, UnitProperties>()
  for (const record of outputs.flatMap((output) => parseShow(output.stdout))) {
    const id = prop(record, 'Id')
    if (id) shown.set(id, record)
  }

  return shown
}

/**
 * `properties` (plus Id) of every loaded unit whose name matches `pattern` (a shell glob such as "*.service"),
 * in one `systemctl show` call: the manager expands the pattern, so no separate unit list is needed.
 * `--state=loaded` keeps inactive units in the expansion (systemctl hides them from globs by default).
 */
export async function showMatching(
  pattern: string,
  properties: string[],
  manager: ManagerRef = SYSTEM,
  options?: RunOptions,
): Promise<Map<string, UnitProperties>> {
  const wanted = ['Id', ...properties.filter((p) => p !== 'Id')].join(',')
  const output = await systemctl(
    manager,
    ['show', '--state=loaded', `--property=${wanted}`, '--', pattern],
    options,
  )
  return new Map(parseShow(output.stdout).map((record) => [prop(record, 'Id'), record]))
}

/** Every unit the manager has loaded (`list-units --all`), from its JSON output. */
export async function listUnits(manager: ManagerRef = SYSTEM, options?: RunOptions): Promise<ListedUnit[]> {
  const args = ['list-units', '--all', '--full', '--no-pager', '--output=json']
  return parseListUnits((await systemctl(manager, args, options)).stdout)
}

export function parseListUnits(json: string): ListedUnit[] {
  const rows = JSON.parse(json) as Array<Partial<ListedUnit>>
  return rows
    .filter((row) => typeof row.unit === 'string')
    .map((row) => ({
      unit: row.unit as string,
      load: row.load ?? '',
      active: row.active ?? '',
      sub: row.sub ?? '',
    }))
}

/**
 * Images `portablectl list` knows with their state ('attached', 'running', ...); undefined without portablectl
 * or when portabled does not answer (evidence only: no rule's verdict depends on it).
 */
export async function listPortables(): Promise<Array<{name: string; state: string}> | undefined> {
  const listed = await orUnknown(
    'portablectl list',
    run('portablectl', ['list', '--no-legend', '--no-pager']),
  )
  if (!listed) return undefined
  return listed.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 2 && fields[0] !== 'No')
    .map((fields) => ({name: fields[0], state: fields.at(-1) as string}))
}
