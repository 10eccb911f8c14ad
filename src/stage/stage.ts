// `nextroot stage`: verify, extract or mount, check and then publish a new root at /run/nextroot in one step.
// Nothing becomes visible before every check passed; any failure leaves the previously staged root as it was.
import {mkdir} from 'node:fs/promises'
import {release} from 'node:os'
import {basename, dirname} from 'node:path'
import type {Readable} from 'node:stream'

import {unlessAbsent} from '../absent.js'
import {NextrootError} from '../errors.js'
import {identityOf} from '../host/devices.js'
import {spaceOf} from '../host/space.js'
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {requireRoot} from '../privileges.js'
import {newId} from '../state/ids.js'
import {stateLayout} from '../state/layout.js'
import {acquireLock} from '../state/lock.js'
import {type StagedRecord, treeOf, writeRecord} from '../state/record.js'
import {currentBootId, gatherStaging} from '../state/staging-facts.js'
import {runSpaceShortage} from '../systemd/requirements.js'
import {type TreeFacts, gatherTreeFacts} from '../tree/tree-facts.js'
import {type PrepareOptions, type Prepared, prepare} from './prepare.js'
import {foreignWarning, reconcile, refuseArmed} from './reconcile.js'
import {withdrawTree} from './withdraw.js'
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
  /** Where the staged tree is (the store, the source directory, the image's mount under the state directory). */
  tree: string
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
export async function stagingWarnings(
  nextroot: string,
  hasModules: boolean,
  source?: Source,
  expectation?: Expectation,
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
    ...(expectation?.method === 'none' && source?.kind !== 'directory'
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

function recordOf(candidate: Candidate, tree: string, facts: TreeFacts, hasModules: boolean, bootId: string) {
  const {id, source, expectation, prepared} = candidate
  const record: StagedRecord = {
    id,
    kind: source.kind === 'stdin' ? 'archive' : source.kind,
    source: source.kind === 'stdin' ? '-' : source.path,
    tree: source.kind === 'image' ? undefined : tree,
    mountPoint: source.kind === 'image' ? tree : undefined,
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
    bootId,
  }
  return record
}

export async function hostIdentity(hostRoot: string): Promise<HostIdentity> {
  return {arch: process.arch, kernelRelease: release(), rootId: await identityOf(hostRoot)}
}

type Progress = (phase: StageProgress['phase'], bytes: number, entries: number, total?: number) => void

/** Checks the candidate tree and publishes it; on any failure the candidate is discarded, nothing else. */
async function checkAndPublish(
  candidate: Candidate,
  locations: Locations,
  progress: Progress,
): Promise<{record: StagedRecord; warnings: string[]}> {
  const {prepared, source, expectation} = candidate
  try {
    progress('check', prepared.bytes ?? 0, prepared.entries ?? 0)
    const facts = await gatherTreeFacts(prepared.tree)
    const {hasModulesForRunningKernel: hasModules} = judgeRoot(facts, await hostIdentity(locations.hostRoot))
    const warnings = await stagingWarnings(locations.nextroot, hasModules, source, expectation)
    progress('publish', prepared.bytes ?? 0, prepared.entries ?? 0)
    const tree = await prepared.commit()
    const record = recordOf(candidate, tree, facts, hasModules, await currentBootId(locations.hostRoot))
    // the commit point: from here on the record names the new root
    await writeRecord(stateLayout(locations).record, record)
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
    const previous = await reconcile(locations)
    const view = await gatherStaging(locations)
    refuseArmed(view, 'stage another root')
    const [source, expectation] = await sourceAndExpectation(options)
    const id = newId()
    const progress: Progress = (phase, bytesRead, entries, totalBytes) =>
      options.onProgress?.({phase, bytesRead, totalBytes, entries})
    const {keepSelinux, input, signal} = options
    const onRead: PrepareOptions['onRead'] = (p) => progress('read', p.bytesRead, p.entries, p.totalBytes)
    const prepared = await prepare(source, id, expectation, {keepSelinux, input, signal, onRead}, layout)
    const candidate = {id, source, expectation, prepared, started}
    const {record, warnings} = await checkAndPublish(candidate, locations, progress)
    if (previous) await withdrawTree(previous, layout)
    const foreign = foreignWarning(view, locations.nextroot)
    return {
      record,
      replaced: previous?.id,
      warnings: [...warnings, ...(foreign ? [foreign] : [])],
      tree: treeOf(record),
    }
  } finally {
    await lock.release()
  }
}
