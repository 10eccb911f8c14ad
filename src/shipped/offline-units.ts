// Puts the offline-update units into a root's /etc/systemd/system, each hooked into its target through a
// .wants/ link (as systemd.offline-updates(7) recommends, instead of `systemctl enable`), and, for a state
// directory or nextroot path other than the defaults, drop-ins that point conditions and commands there.
// /etc, not /run: a plain full reboot must enter update mode too.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {DEFAULT_NEXTROOT, DEFAULT_STATE_DIR, type Locations} from '../locations.js'
import {unitWord} from './after-switch-unit.js'
import {shippedFile} from './files.js'
import {type PlaceAction, type Wanted, placeFiles, removeFiles} from './place.js'

interface OfflineUnit {
  name: string
  wantedBy: string
  verb: string
  /** The condition naming a path under the locations, for the drop-in. */
  condition?: (locations: Pick<Locations, 'stateDir' | 'nextroot'>) => string
  /** The Environment= line naming paths under the locations, for the drop-in. */
  environment?: (locations: Pick<Locations, 'stateDir' | 'nextroot'>) => string
}

export const OFFLINE_UNITS: OfflineUnit[] = [
  {
    name: 'nextroot-offline-update.service',
    wantedBy: 'system-update.target',
    verb: 'execute',
    environment: (l) =>
      `Environment=${unitWord(`NEXTROOT_OFFLINE_DIR=${join(l.stateDir, 'offline')}`, true)} ${unitWord(`NEXTROOT_OFFLINE_CLAIMED=${join(l.stateDir, 'offline.claimed')}`, true)}`,
  },
  {
    name: 'nextroot-offline-leave.service',
    wantedBy: 'system-update.target',
    verb: 'leave',
    condition: (l) => `ConditionPathExists=${unitWord(`${l.nextroot}.offline-leave`, false)}`,
  },
  {
    name: 'nextroot-offline-finish.service',
    wantedBy: 'multi-user.target',
    verb: 'finish',
    condition: (l) => `ConditionDirectoryNotEmpty=${unitWord(join(l.stateDir, 'offline'), false)}`,
  },
]

const DROP_IN = '50-nextroot-locations.conf'

function dropIn(unit: OfflineUnit, locations: Pick<Locations, 'stateDir' | 'nextroot'>): string {
  const args = [
    'nextroot',
    'offline',
    unit.verb,
    '--state-dir',
    locations.stateDir,
    '--nextroot',
    locations.nextroot,
  ]
  const condition = unit.condition?.(locations)
  return [
    '# Written by `nextroot offline prepare`: the locations it ran with.',
    ...(condition ? ['[Unit]', `${condition.split('=')[0]}=`, condition, ''] : []),
    '[Service]',
    ...(unit.environment ? [unit.environment(locations)] : []),
    'ExecStart=',
    `ExecStart=${args.map((arg) => unitWord(arg, true)).join(' ')}`,
    '',
  ].join('\n')
}

const isDefault = (l: Pick<Locations, 'stateDir' | 'nextroot'>) =>
  l.stateDir === DEFAULT_STATE_DIR && l.nextroot === DEFAULT_NEXTROOT

/** Every path of the set under `root`, with what it should hold for these locations. */
async function wanted(root: string, locations: Pick<Locations, 'stateDir' | 'nextroot'>) {
  const dir = join(root, 'etc/systemd/system')
  const files = new Map<string, Wanted>()
  const dropIns: string[] = []
  for (const unit of OFFLINE_UNITS) {
    files.set(join(dir, unit.name), {text: await readFile(await shippedFile(unit.name), 'utf8')})
    files.set(join(dir, `${unit.wantedBy}.wants`, unit.name), {link: `../${unit.name}`})
    const path = join(dir, `${unit.name}.d`, DROP_IN)
    dropIns.push(path)
    if (!isDefault(locations)) files.set(path, {text: dropIn(unit, locations)})
  }
  return {files, stray: isDefault(locations) ? dropIns : []}
}

export interface OfflineUnitsResult {
  action: PlaceAction
  files: string[]
}

export async function placeOfflineUnits(
  root: string,
  locations: Pick<Locations, 'stateDir' | 'nextroot'>,
): Promise<OfflineUnitsResult> {
  const {files, stray} = await wanted(root, locations)
  return {action: await placeFiles(files, stray), files: [...files.keys()]}
}

export async function removeOfflineUnits(root: string): Promise<OfflineUnitsResult> {
  const {files, stray} = await wanted(root, {stateDir: DEFAULT_STATE_DIR, nextroot: DEFAULT_NEXTROOT})
  const paths = [...files.keys(), ...stray]
  return {action: await removeFiles(paths), files: paths}
}
