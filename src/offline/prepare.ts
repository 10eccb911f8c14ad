// `nextroot offline prepare`: copies and verifies the payload into its own directory and tries the install
// (or, for a root image, stages it), places the units, then points /system-update at it (one rename: the
// commit point); with --reboot it enters update mode right away, by a soft reboot where the running kernel
// can go on running.
import {mkdir, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {NextrootError} from '../errors.js'
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {requireRoot} from '../privileges.js'
import {newId} from '../state/ids.js'
import {acquireLock} from '../state/lock.js'
import {stateLayout} from '../state/layout.js'
import {currentBootId} from '../state/staging-facts.js'
import {systemdFacts} from '../systemd/manager.js'
import {placeOfflineUnits} from '../shipped/offline-units.js'
import type {StageProgress} from '../stage/stage.js'
import type {VerifyOptions} from '../stage/verify.js'
import {type WayDecision, enterWay} from './decide.js'
import {enterUpdateMode} from './enter.js'
import {isImageSource, stageImage} from './image.js'
import {type LinkState, createLink, linkState} from './link.js'
import {
  gatherTools,
  installCommand,
  machineArch,
  payloadFiles,
  trialCommand,
  tryInstall,
  wrongArch,
} from './package-manager.js'
import {copyPayload, listPackages} from './payload.js'
import {type OfflineRecord, offlinePaths, readOfflineRecord, writeOfflineRecord} from './record.js'
import {gatherWayFacts} from './way-facts.js'

export interface PrepareOptions extends LocationOptions, VerifyOptions {
  source: string
  /** Enter update mode now. */
  reboot?: boolean
  /** The classic way: full reboots in and out. */
  full?: boolean
  /** Called once the update is prepared and before the switch into update mode is requested. */
  announce?: (result: PrepareResult) => Promise<void>
  /** A root image's staging progress. */
  onProgress?: (progress: StageProgress) => void
  /** Ctrl-C, SIGTERM while a root image is staged. */
  signal?: AbortSignal
}

/** What goes into the record from the payload: packages copied and verified, or the image staged. */
type PayloadFields = Pick<OfflineRecord, 'kind' | 'packages' | 'image' | 'verification'>

export interface PrepareResult {
  /** prepared: new; replaced: ours was there with another payload; unchanged: the same payload again. */
  action: 'prepared' | 'replaced' | 'unchanged'
  record: OfflineRecord
  payload: string
  link: string
  /** What update mode will run. */
  command: string[]
  units: string[]
  /** --reboot: how update mode is entered, and why that way. */
  enter?: WayDecision
}

function refuseForeign(link: LinkState): void {
  if (link.kind !== 'foreign') return
  throw new NextrootError(
    'NR_OFFLINE_FOREIGN',
    `${link.path} is there${link.target ? ` (-> ${link.target})` : ''}: another updater prepared an offline update.`,
    {
      hints: [
        'Let it run, or cancel it with the tool that prepared it (pkcon offline-cancel, dnf offline clean).',
      ],
    },
  )
}

const digests = (r: OfflineRecord) => [r.image?.stagedId, ...r.packages.map((p) => p.sha256).sort()]
const sameDigests = (a: OfflineRecord, b: OfflineRecord) =>
  JSON.stringify(digests(a)) === JSON.stringify(digests(b))

/** Copies and verifies the packages into `building` and tries their install there. */
async function copyPackages(options: PrepareOptions, building: string): Promise<PayloadFields> {
  const {kind, files} = await listPackages(options.source)
  const copied = await copyPayload(kind, files, building, options)
  const foreign = wrongArch(copied.packages, await machineArch(kind), kind)
  if (foreign.length > 0)
    throw new NextrootError(
      'NR_WRONG_ARCH',
      `Built for another architecture: ${foreign.map((p) => `${p.file} (${p.arch})`).join(', ')}.`,
    )
  await tryInstall(
    trialCommand(kind, payloadFiles(building, copied.packages), await gatherTools()),
    copied.packages.map((pkg) => pkg.name),
  )
  return {kind, ...copied}
}

/** What update mode will run. */
async function commandFor(record: OfflineRecord, payload: string, locations: Locations): Promise<string[]> {
  if (record.kind === 'image')
    return ['nextroot', 'reboot', '--state-dir', locations.stateDir, '--nextroot', locations.nextroot]
  return installCommand(record.kind, payloadFiles(payload, record.packages), await gatherTools())
}

/** The payload in a temporary directory (packages copied and tried, or the staged image's manifest). */
async function buildPayload(
  fields: PayloadFields | undefined,
  options: PrepareOptions,
  locations: Locations,
  id: string,
) {
  const paths = offlinePaths(locations)
  const building = join(paths.dir, `.tmp-${id}`)
  await mkdir(building, {recursive: true, mode: 0o700})
  try {
    const payload = fields ?? (await copyPackages(options, building))
    const [bootId, systemd] = await Promise.all([
      currentBootId(locations.hostRoot),
      systemdFacts(locations.hostRoot),
    ])
    const record: OfflineRecord = {
      id,
      ...payload,
      phase: 'prepared',
      preparedAt: Date.now(),
      preparedIn: {bootId, softRebootsCount: systemd.softRebootsCount},
      classic: options.full ?? false,
      locations: {stateDir: locations.stateDir, nextroot: locations.nextroot},
    }
    await writeOfflineRecord(join(building, 'offline.json'), record)
    return {record, building, command: await commandFor(record, paths.payload(id), locations)}
  } catch (error) {
    await rm(building, {recursive: true, force: true})
    throw error
  }
}

async function publish(
  locations: Locations,
  options: PrepareOptions,
  image: PayloadFields | undefined,
): Promise<PrepareResult> {
  const paths = offlinePaths(locations)
  const link = await linkState(paths)
  refuseForeign(link)
  const previous = link.kind === 'ours' ? await readOfflineRecord(paths.manifest(link.id)) : undefined
  const built = await buildPayload(image, options, locations, newId())
  const units = await placeOfflineUnits(locations.hostRoot, locations)
  if (previous && sameDigests(previous, built.record) && previous.classic === built.record.classic) {
    await rm(built.building, {recursive: true, force: true})
    const command = await commandFor(previous, paths.payload(previous.id), locations)
    return {
      action: 'unchanged',
      record: previous,
      payload: paths.payload(previous.id),
      link: paths.link,
      command,
      units: units.files,
    }
  }

  const payload = paths.payload(built.record.id)
  await rename(built.building, payload)
  await createLink(paths, payload)
  if (link.kind === 'ours') await rm(paths.payload(link.id), {recursive: true, force: true})
  const action = link.kind === 'ours' ? 'replaced' : 'prepared'
  return {action, record: built.record, payload, link: paths.link, command: built.command, units: units.files}
}

export async function prepareOffline(options: PrepareOptions): Promise<PrepareResult> {
  requireRoot('prepare an offline update')
  const locations = resolveLocations(options)
  await mkdir(join(locations.stateDir, 'offline'), {recursive: true, mode: 0o755})
  refuseForeign(await linkState(offlinePaths(locations))) // before an image is staged for nothing
  // stage takes the state directory's lock itself: an image is staged before prepare takes it
  const image = (await isImageSource(options.source)) ? await stageImage(options, locations) : undefined
  const lock = await acquireLock(locations.stateDir, stateLayout(locations).lockInfo, 'offline prepare')
  try {
    const result = await publish(locations, options, image)
    if (!options.reboot) {
      await options.announce?.(result)
      return result
    }
    const enter = enterWay(await gatherWayFacts(locations, result.record.classic))
    return await enterUpdateMode({...result, enter}, locations, options.announce)
  } finally {
    await lock.release()
  }
}
