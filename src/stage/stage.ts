// `nextroot stage`: verify, extract or mount, check and then publish a new root at /run/nextroot in one step.
// Nothing becomes visible before every check passed; any failure leaves the previously staged root as it was.
import {randomBytes} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {mkdir, rename, rm, stat} from 'node:fs/promises'
import {release} from 'node:os'
import {basename, join} from 'node:path'
import {type Readable, Writable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import {NextrootError, interruptedError} from '../errors.js'
import {makeTreeDir} from '../host/btrfs.js'
import {freeSpace} from '../host/space.js'
import {type LocationOptions, resolveLocations, stateLayout} from '../locations.js'
import {DigestTap} from './digest-tap.js'
import {acquireLock} from './lock.js'
import {bindMount, discardMountPoint, mountImage, mountRecord, unmountAll} from './mounts.js'
import {type StagedRecord, removeRecord, writeRecord} from './record.js'
import {nextrootInUse, reconcile} from './reconcile.js'
import {type HostIdentity, judgeRoot} from './root-rules.js'
import {estimateUnpackedBytes} from './size-estimate.js'
import {type Source, inspectSource} from './source.js'
import {gatherTreeFacts} from './tree-facts.js'
import {READ_CHUNK, unpackArchive} from './unpack.js'
import {type Expectation, type VerifyOptions, assertDigest, resolveExpectation} from './verify.js'
import {requireRoot} from './privileges.js'

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

/** Bytes that must stay free on the store's file system, whatever the image: the host keeps working. */
function reserveFor(sizeBytes: number): number {
  return Math.min(1024 ** 3, Math.floor(sizeBytes * 0.05))
}

/** /run must keep this much free: systemd serialises its state there during a soft reboot. */
const RUN_MIN_FREE = 16 * 1024 * 1024

interface Prepared {
  tree: string
  /** What to remove when staging fails after preparation. */
  discard: () => Promise<void>
  /** Final place of the tree once committed (archives are renamed into the store). */
  commit: () => Promise<string>
  sha256?: string
  entries?: number
  bytes?: number
  compression?: string
  fsType?: string
}

export async function stage(options: StageOptions): Promise<StageResult> {
  requireRoot('stage a new root')
  const started = Date.now()
  const locations = resolveLocations(options)
  const layout = stateLayout(locations)
  await mkdir(locations.stateDir, {recursive: true, mode: 0o700})
  await mkdir(layout.store, {recursive: true, mode: 0o700})
  const lock = await acquireLock(locations.stateDir, layout.lockInfo, `stage ${options.source}`)
  try {
    const {record: previous, foreignMount} = await reconcile(locations)
    if (foreignMount) throw nextrootInUse(locations.nextroot, foreignMount)
    const source = await inspectSource(options.source)
    const sourceName = source.kind === 'stdin' ? '-' : basename(source.path)
    const expectation = await resolveExpectation(options, sourceName)
    if (source.kind === 'directory' && expectation.method !== 'none') {
      throw new NextrootError('NR_USAGE', 'A directory cannot be verified with --sha256 or --checksums.', {
        hints: ['Stage the archive or image the directory came from to verify it.'],
      })
    }

    const warnings: string[] = []
    const runSpace = await freeSpace(join(locations.nextroot, '..')).catch(() => undefined)
    if (runSpace && runSpace.freeBytes < RUN_MIN_FREE) {
      warnings.push(
        `Only ${mib(runSpace.freeBytes)} MiB free under ${join(locations.nextroot, '..')}; systemd needs 16 MiB there to soft-reboot.`,
      )
    }

    const id = `${new Date().toISOString().replace(/[-:]|\.\d+Z$/g, '')}-${randomBytes(3).toString('hex')}`
    const prepared = await prepare(source, id, expectation, options, layout)
    let record: StagedRecord
    try {
      options.onProgress?.({phase: 'check', bytesRead: prepared.bytes ?? 0, entries: prepared.entries ?? 0})
      const host: HostIdentity = {
        arch: process.arch,
        kernelRelease: release(),
        rootId: await rootId(locations.hostRoot),
      }
      const facts = await gatherTreeFacts(prepared.tree)
      const verdict = judgeRoot(facts, host)
      if (!verdict.hasModulesForRunningKernel) {
        warnings.push(
          `The new root has no kernel modules for the running kernel ${host.kernelRelease}; a full reboot into its own kernel may be needed.`,
        )
      }

      if (expectation.method === 'none' && source.kind !== 'directory') {
        warnings.push(
          'Not verified: pass --sha256 or --checksums (with --signature) to verify the image before staging it.',
        )
      }

      options.onProgress?.({phase: 'publish', bytesRead: prepared.bytes ?? 0, entries: prepared.entries ?? 0})
      const tree = await prepared.commit()
      record = {
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
        kernel: {
          running: host.kernelRelease,
          modulesPresent: verdict.hasModulesForRunningKernel,
          available: facts.kernelModules,
        },
        entries: prepared.entries,
        bytes: prepared.bytes,
        stagedAt: new Date().toISOString(),
        durationMs: Date.now() - started,
        nextroot: locations.nextroot,
      }
      await publish(record, tree, previous, layout.record)
    } catch (error) {
      await prepared.discard()
      throw error
    }

    if (source.kind === 'image') await discardMountPoint(prepared.tree)
    if (previous && previous.nextroot !== locations.nextroot) await unmountAll(previous.nextroot)
    if (previous?.kind === 'archive')
      await rm(join(layout.store, previous.id), {recursive: true, force: true})
    return {record, replaced: previous?.id, warnings, visibleAt: locations.nextroot}
  } finally {
    await lock.release()
  }
}

/**
 * The commit point: the record names the new root, then the mount at the nextroot path switches to it.
 * If the new mount fails, the previous record and mount are put back, so the old root stays staged.
 */
async function publish(
  record: StagedRecord,
  tree: string,
  previous: StagedRecord | undefined,
  recordPath: string,
) {
  await writeRecord(recordPath, record)
  await unmountAll(record.nextroot)
  try {
    await bindMount(tree, record.nextroot)
  } catch (error) {
    if (previous) {
      await writeRecord(recordPath, previous)
      await mountRecord(previous)
    } else {
      await removeRecord(recordPath)
    }

    throw error
  }
}

async function prepare(
  source: Source,
  id: string,
  expectation: Expectation,
  options: StageOptions,
  layout: ReturnType<typeof stateLayout>,
): Promise<Prepared> {
  if (source.kind === 'directory') {
    return {tree: source.path, discard: async () => undefined, commit: async () => source.path}
  }

  if (source.kind === 'image') {
    const sha256 = await hashFile(source.path, source.sizeBytes, options)
    assertDigest(expectation, sha256, source.path)
    const mountPoint = join(layout.mounts, id)
    await mountImage(source.path, source.fsType, mountPoint).catch(async (error: unknown) => {
      await discardMountPoint(mountPoint)
      throw error
    })
    return {
      tree: mountPoint,
      discard: () => discardMountPoint(mountPoint),
      commit: async () => mountPoint,
      sha256,
      fsType: source.fsType,
      bytes: source.sizeBytes,
    }
  }

  return extractToStore(source, id, expectation, options, layout.store)
}

async function extractToStore(
  source: Extract<Source, {kind: 'archive' | 'stdin'}>,
  id: string,
  expectation: Expectation,
  options: StageOptions,
  store: string,
): Promise<Prepared> {
  const work = join(store, `.tmp-${id}`)
  const tree = join(work, 'tree')
  const discard = () => rm(work, {recursive: true, force: true})
  const space = await freeSpace(store)
  const reserveBytes = reserveFor(space.sizeBytes)
  if (source.kind === 'archive') {
    const needed = await estimateUnpackedBytes(source.path, source.compression, source.sizeBytes ?? 0)
    if (needed !== undefined && needed + reserveBytes > space.freeBytes) {
      throw new NextrootError(
        'NR_NO_SPACE',
        `The image needs about ${mib(needed)} MiB but only ${mib(space.freeBytes - reserveBytes)} MiB can be used in ${store}.`,
        {
          hints: ['Free space there, or point --state-dir at a larger file system.'],
          details: {neededBytes: needed, freeBytes: space.freeBytes, reserveBytes},
        },
      )
    }
  }

  // On btrfs a subvolume, which `reboot --persist` can make the default root.
  await makeTreeDir(tree)
  try {
    const {summary, sha256, compression} = await unpackArchive(source, tree, reserveBytes, {
      ...options,
      onProgress: (progress) => options.onProgress?.({phase: 'read', ...progress}),
    })
    assertDigest(expectation, sha256, source.kind === 'archive' ? source.path : 'standard input')
    const final = join(store, id)
    return {
      tree,
      discard: async () => {
        await discard()
        await rm(final, {recursive: true, force: true})
      },
      commit: async () => {
        await rename(work, final)
        return join(final, 'tree')
      },
      sha256,
      entries: summary.entries,
      bytes: summary.bytes,
      compression,
    }
  } catch (error) {
    await discard()
    throw error
  }
}

async function hashFile(
  path: string,
  totalBytes: number | undefined,
  options: StageOptions,
): Promise<string> {
  const tap = new DigestTap()
  const input = createReadStream(path, {highWaterMark: READ_CHUNK})
  const interrupt = () => input.destroy(interruptedError())
  options.signal?.addEventListener('abort', interrupt, {once: true})
  try {
    // the tap's output must be read (here: reported, then dropped); a Transform nobody reads stops after
    // its first chunk, and the digest would cover only that
    const report = new Writable({
      write(_chunk, _encoding, callback) {
        options.onProgress?.({phase: 'read', bytesRead: tap.bytes, totalBytes, entries: 0})
        callback()
      },
    })
    await pipeline(input, tap, report)
  } finally {
    options.signal?.removeEventListener('abort', interrupt)
  }

  return await tap.sha256()
}

async function rootId(path: string): Promise<string> {
  const stats = await stat(path)
  return `${stats.dev}:${stats.ino}`
}

function mib(bytes: number): number {
  return Math.max(0, Math.floor(bytes / 1024 / 1024))
}
