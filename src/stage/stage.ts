// `nextroot stage`: verify, extract or mount, check and then publish a new root at /run/nextroot in one step.
// Nothing becomes visible before every check passed; any failure leaves the previously staged root as it was.
import {mkdir, rm} from 'node:fs/promises'
import {release} from 'node:os'
import {basename, dirname, join} from 'node:path'
import type {Readable} from 'node:stream'

import {unlessAbsent} from '../absent.js'
import {NextrootError} from '../errors.js'
import {identityOf} from '../host/devices.js'
import {discardMountPoint, unmountAll} from '../host/mount.js'
import {spaceOf} from '../host/space.js'
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {requireRoot} from '../privileges.js'
import {newId} from '../state/ids.js'
import {stateLayout} from '../state/layout.js'
import {acquireLock} from '../state/lock.js'
import type {StagedRecord} from '../state/record.js'
import {runSpaceShortage} from '../systemd/requirements.js'
import {type TreeFacts, gatherTreeFacts} from '../tree/tree-facts.js'
import {type PrepareOptions, type Prepared, prepare} from './prepare.js'
import {publish} from './publish.js'
import {nextrootInUse, reconcile} from './reconcile.js'
import {type HostIdentity, judgeRoot} from './root-rules.js'
import {type Source, inspectSource} from './source.js'
import {type Expectation, type VerifyOptions, resolveExpectation} from './verify.js'

export interface StageProgress {
  phase: 'read' | 'check' | 'publish'
  /** Bytes of the source read so far, and its size when known. */
  bytesRead: number
  totalBytes?: number
  entries: number
}

export interface StageOptions extends LocationOptions, VerifyOptions {
  /** Archive, directory, image file, block device, or '-' for an archive on `input`. */
  source: string
  /** Keep security.selinux labels from the archive (default true). */
  keepSelinux?: boolean
  /** The stream read for source '-' (default: standard input). */
  input?: Readable
  signal?: AbortSignal
  onProgress?: (progress: StageProgress) => void
}

export interface StageResult {
  record: StagedRecord
  /** Id of the root this one replaced, if any. */
  replaced?: string
  warnings: string[]
  /** systemd >= 255 will turn a plain `systemctl reboot` into a soft reboot into this root. */
  visibleAt: string
}

/** What the user gave, and what it must hash to; refused before anything is read when they disagree. */
async function sourceAndExpectation(options: StageOptions): Promise<[Source, Expectation]> {
  const source = await inspectSource(options.source)
  const expectation = await resolveExpectation(options, source.kind === 'stdin' ? '-' : basename(source.path))
  if (source.kind === 'directory' && expectation.method !== 'none') {
    throw new NextrootError('NR_USAGE', 'A directory cannot be verified with --sha256 or --checksums.', {
      hints: ['Stage the archive or image the directory came from to verify it.'],
    })
  }

  return [source, expectation]
}

/** Warnings that do not stop staging: little room in /run, no modules for this kernel, not verified. */
async function stagingWarnings(
  nextroot: string,
  hasModules: boolean,
  source: Source,
  expectation: Expectation,
): Promise<string[]> {
  const run = await unlessAbsent(dirname(nextroot), spaceOf(dirname(nextroot)))
  const shortage = run && runSpaceShortage(run.freeBytes, run.path)
  return [
    ...(shortage ? [shortage] : []),
    ...(hasModules
      ? []
      : [
          `The new root has no kernel modules for the running kernel ${release()}; a full reboot into its own kernel may be needed.`,
        ]),
    ...(expectation.method === 'none' && source.kind !== 'directory'
      ? [
          'Not verified: pass --sha256 or --checksums (with --signature) to verify the image before staging it.',
        ]
      : []),
  ]
}

/** What staging knows once the candidate tree is ready: the record is made from it. */
interface Candidate {
  id: string
  source: Source
  expectation: Expectation
  prepared: Prepared
  started: number
}

function recordOf(
  candidate: Candidate,
  tree: string,
  facts: TreeFacts,
  hasModules: boolean,
  nextroot: string,
) {
  const {id, source, expectation, prepared} = candidate
  const record: StagedRecord = {
    id,
    kind: source.kind === 'stdin' ? 'archive' : source.kind,
    source: source.kind === 'stdin' ? '-' : source.path,
    tree: source.kind === 'image' ? undefined : tree,
    fsType: prepared.fsType,
    compression: prepared.compression,
    sha256: prepared.sha256,
    verified: expectation.method !== 'none',
    verification: expectation.method,
    osRelease: facts.osRelease ?? {},
    kernel: {running: release(), modulesPresent: hasModules, available: facts.kernelModules},
    entries: prepared.entries,
    bytes: prepared.bytes,
    stagedAt: new Date().toISOString(),
    durationMs: Date.now() - candidate.started,
    nextroot,
  }
  return record
}

async function hostIdentity(hostRoot: string): Promise<HostIdentity> {
  return {arch: process.arch, kernelRelease: release(), rootId: await identityOf(hostRoot)}
}

type Progress = (phase: StageProgress['phase'], bytes: number, entries: number, total?: number) => void

/** Checks the candidate tree and publishes it; on any failure the candidate is discarded, nothing else. */
async function checkAndPublish(
  candidate: Candidate,
  previous: StagedRecord | undefined,
  locations: Locations,
  progress: Progress,
): Promise<{record: StagedRecord; warnings: string[]}> {
  const {prepared} = candidate
  try {
    progress('check', prepared.bytes ?? 0, prepared.entries ?? 0)
    const facts = await gatherTreeFacts(prepared.tree)
    const {hasModulesForRunningKernel: hasModules} = judgeRoot(facts, await hostIdentity(locations.hostRoot))
    const warnings = await stagingWarnings(
      locations.nextroot,
      hasModules,
      candidate.source,
      candidate.expectation,
    )
    progress('publish', prepared.bytes ?? 0, prepared.entries ?? 0)
    const tree = await prepared.commit()
    const record = recordOf(candidate, tree, facts, hasModules, locations.nextroot)
    await publish(record, tree, previous, stateLayout(locations).record)
    return {record, warnings}
  } catch (error) {
    await prepared.discard()
    throw error
  }
}

export async function stage(options: StageOptions): Promise<StageResult> {
  requireRoot('stage a new root')
  const started = Date.now()
  const locations = resolveLocations(options)
  const layout = stateLayout(locations)
  await mkdir(layout.store, {recursive: true, mode: 0o700})
  const lock = await acquireLock(locations.stateDir, layout.lockInfo, `stage ${options.source}`)
  try {
    const {record: previous, foreignMount} = await reconcile(locations)
    if (foreignMount) throw nextrootInUse(locations.nextroot, foreignMount)
    const [source, expectation] = await sourceAndExpectation(options)
    const id = newId()
    const progress: Progress = (phase, bytesRead, entries, totalBytes) =>
      options.onProgress?.({phase, bytesRead, totalBytes, entries})
    const {keepSelinux, input, signal} = options
    const onRead: PrepareOptions['onRead'] = (p) => progress('read', p.bytesRead, p.entries, p.totalBytes)
    const prepared = await prepare(source, id, expectation, {keepSelinux, input, signal, onRead}, layout)
    const candidate = {id, source, expectation, prepared, started}
    const {record, warnings} = await checkAndPublish(candidate, previous, locations, progress)
    if (source.kind === 'image') await discardMountPoint(prepared.tree)
    if (previous && previous.nextroot !== locations.nextroot) await unmountAll(previous.nextroot)
    if (previous?.kind === 'archive')
      await rm(join(layout.store, previous.id), {recursive: true, force: true})
    return {record, replaced: previous?.id, warnings, visibleAt: locations.nextroot}
  } finally {
    await lock.release()
  }
}
